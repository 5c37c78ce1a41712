"""check_against_autodiff inside a learner's own pytest run: a short failure that names the factor
(×m, ×2, ×½, a flipped sign), with no array dumps and none of crosscheck's frames; an unrolled
vector refused with the call that rerolls it."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from crosscheck import GradientMismatch, check_against_autodiff
from crosscheck.check.factor import factor_of, whole_layer
from manual import cost_and_gradient, normal_init, unroll
from manual.errors import InputError

ROOT = Path(__file__).resolve().parents[1]

LEARNER_TESTS = textwrap.dedent('''
    import numpy as np
    from crosscheck import check_against_autodiff
    from manual import cost_and_gradient, normal_init

    rng = np.random.default_rng(0)
    thetas = normal_init((6, 5, 4), seed=1)
    X = rng.uniform(0, 1, (20, 6))
    y = rng.integers(1, 5, 20)

    def scaled(factor):
        def fn(thetas, X, Y, lambda_, loss):
            J, grads = cost_and_gradient(thetas, X, Y, lambda_, loss)
            return J, [factor * g for g in grads]
        return fn

    def test_times_m():
        check_against_autodiff(scaled(20), thetas, X, y, backends=("torch",))

    def test_times_2():
        check_against_autodiff(scaled(2), thetas, X, y, backends=("torch",))

    def test_half():
        check_against_autodiff(scaled(0.5), thetas, X, y, backends=("torch",))

    def test_sign():
        check_against_autodiff(scaled(-1), thetas, X, y, backends=("torch",))
''')


@pytest.fixture(scope="module")
def learner_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("learner")
    (folder / "test_mine.py").write_text(LEARNER_TESTS)
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="400")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    return done.stdout + done.stderr


@pytest.mark.parametrize("test, factor", [("test_times_m", "×m (m = 20)"), ("test_times_2", "×2"),
                                          ("test_half", "×½"), ("test_sign", "×(−1)")])
def test_summary_line_names_the_factor(learner_run, test, factor):
    summary = next(line for line in learner_run.splitlines() if line.startswith(f"FAILED test_mine.py::{test} "))
    assert f"crosscheck.GradientMismatch: ∂J/∂Θ^(2) is {factor} torch autodiff's" in summary


def test_failure_is_short_without_arrays_or_library_frames(learner_run):
    assert "array(" not in learner_run and "[[" not in learner_run
    assert "crosscheck/" not in learner_run and "manual/" not in learner_run, learner_run
    section = learner_run.split("___ test_times_m ___")[1].split("___ test_times_2 ___")[0]
    assert len(section.strip().splitlines()) <= 12, section


def test_unrolled_vector_is_refused_with_the_way_out():
    thetas = normal_init((6, 5, 4), seed=1)
    with pytest.raises(InputError, match=r"one vector of 59 numbers .*manual\.reroll\(nn_params"):
        check_against_autodiff(cost_and_gradient, unroll(thetas), np.ones((3, 6)), [1, 2, 3])


def test_unrolled_gradient_is_one_line():
    thetas = normal_init((6, 5, 4), seed=1)

    def unrolled(thetas, X, Y, lambda_, loss):
        J, grads = cost_and_gradient(thetas, X, Y, lambda_, loss)
        return J, unroll(grads)
    with pytest.raises(GradientMismatch, match="one vector of 59 numbers"):
        check_against_autodiff(unrolled, thetas, np.ones((3, 6)), [1, 2, 3], backends=("torch",))


def test_factor_table():
    assert factor_of(20.0, 1.0, 20) == "×m" and factor_of(1.0, 20.0, 20) == "÷m"
    assert factor_of(-3.0, 3.0, 20) == "×(−1)" and factor_of(1.001, 1.0, 20) == ""
    a = np.array([[2.0, 4.0], [6.0, 8.0]])
    assert whole_layer(a, a / 2, "×2", 5) and not whole_layer(a + [[0, 1], [0, 0]], a / 2, "×2", 5)
