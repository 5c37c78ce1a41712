"""Shared fixtures: the course's files when present, and small seeded problems."""
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# CI (CI=true) replays the same hypothesis examples on every run, so a red CI is a regression,
# never an unlucky draw; locally each run explores new examples and keeps failures in .hypothesis/.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SHARED_WEIGHTS = ROOT.parent / "shared" / "data" / "ex4weights.mat"


def course_file(env_var, fallback=None):
    """Path from $env_var, else ``fallback`` if it exists, else None."""
    value = os.environ.get(env_var)
    if value:
        return Path(value)
    return fallback if fallback is not None and fallback.exists() else None


@pytest.fixture
def ex4weights_path():
    path = course_file("EX4_WEIGHTS", SHARED_WEIGHTS)
    if path is None:
        pytest.skip("course weights absent: set EX4_WEIGHTS or provide ../shared/data/ex4weights.mat")
    return path


@pytest.fixture
def ex4data_path():
    path = course_file("EX4_DATA")
    if path is None:
        pytest.skip("course data absent: set EX4_DATA=/path/to/ex4data1.mat (it cannot be shipped)")
    return path


def random_problem(layer_sizes, m, seed, scale=1.0, course_like=False):
    """(thetas, X (m, s_1), Y (m, K) one-hot, y (m,)) from one seeded generator.

    ``course_like``: weights uniform ±√6/√(L_in + L_out) and X in [0, 1] like pixels, the
    regime where central differences with ε = 1e-4 are accurate to 1e-9; otherwise weights
    N(0, scale²) and X N(0, 1).
    """
    from manual import normal_init, one_hot, uniform_init
    rng = np.random.default_rng(seed)
    if course_like:
        thetas = uniform_init(layer_sizes, seed, epsilon="auto")
        X = rng.uniform(0.0, 1.0, size=(m, layer_sizes[0]))
    else:
        thetas = [scale * t for t in normal_init(layer_sizes, seed)]
        X = rng.normal(size=(m, layer_sizes[0]))
    y = rng.integers(1, layer_sizes[-1] + 1, size=m)
    return thetas, X, one_hot(y, layer_sizes[-1]), y
