"""manual/ against JAX, PyTorch, the per-example loop and central differences, pair by pair."""
import os
import subprocess
import sys

import numpy as np
import pytest

from crosscheck import assert_match, autodiff_value_and_grad, check_against_autodiff, tolerance
from crosscheck.check.central import numerical_value_and_grad, rounding_floor, subsample_rows
from manual import (LOSSES, cost_and_gradient, cost_and_gradient_loop, load_default_digits,
                    load_ex4weights, normal_init, one_hot, uniform_init)

LAMBDAS = [0.0, 1.0, 3.0]


@pytest.fixture(scope="module")
def digits():
    """The embedded default data with the course-style ±0.12 start on 64-25-10."""
    X, y = load_default_digits()
    return uniform_init((64, 25, 10), seed=0), X, one_hot(y, 10)


def synthetic_course_data(m=50, seed=0):
    """A seeded stand-in for ex4data1.mat (absent here): X (m, 400) sparse 'pixels', labels 1..10."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, size=(m, 400)) * (rng.uniform(size=(m, 400)) < 0.25)
    return X, one_hot(rng.integers(1, 11, size=m), 10)


def assert_all_pairs(thetas, X, Y, lambda_, loss, numerical_rows):
    """manual vs jax, torch, loop; jax vs torch; manual vs central differences on a subsample."""
    manual = cost_and_gradient(thetas, X, Y, lambda_, loss)
    jax = autodiff_value_and_grad("jax", thetas, X, Y, lambda_, loss)
    torch = autodiff_value_and_grad("torch", thetas, X, Y, lambda_, loss)
    assert_match("manual", manual, "jax", jax, "autodiff")
    assert_match("manual", manual, "torch", torch, "autodiff")
    assert_match("jax", jax, "torch", torch, "autodiff")
    assert_match("manual", manual, "loop", cost_and_gradient_loop(thetas, X, Y, lambda_, loss), "loop")
    if numerical_rows:
        rows = subsample_rows(X.shape[0], numerical_rows, seed=0)
        sub = cost_and_gradient(thetas, X[rows], Y[rows], lambda_, loss)
        assert rounding_floor(*sub) < tolerance("numerical")
        assert_match("manual", sub, "numerical",
                     numerical_value_and_grad(thetas, X[rows], Y[rows], lambda_, loss), "numerical")


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", LAMBDAS)
def test_every_pair_agrees_on_default_data(digits, loss, lambda_):
    thetas, X, Y = digits
    assert_all_pairs(thetas, X, Y, lambda_, loss, numerical_rows=20)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", LAMBDAS)
def test_every_pair_agrees_with_course_weights(ex4weights_path, loss, lambda_):
    """Course weights on synthetic 400-pixel rows. Central differences over all 10285
    parameters cost ~2 s each, so they run for λ = 3 only (the case with the penalty)."""
    thetas = load_ex4weights(ex4weights_path)
    X, Y = synthetic_course_data()
    assert_all_pairs(thetas, X, Y, lambda_, loss, numerical_rows=5 if lambda_ == 3.0 else 0)


def test_library_check_passes_for_manual_and_accepts_labels(digits):
    thetas, X, Y = digits
    y = Y.argmax(axis=1) + 1
    comparisons = check_against_autodiff(cost_and_gradient, thetas, X[:100], y[:100], lambda_=1.0)
    assert [c.b_name for c in comparisons] == ["jax", "torch"]
    assert all(c.passed and c.kind == "autodiff" for c in comparisons)


def test_jit_compiles_once_per_shape_and_loss():
    """λ is traced: three λ on one new shape compile once; another loss compiles once more."""
    from crosscheck.backends import jax_cost
    thetas = normal_init((7, 3, 4), seed=3)
    X, Y = np.random.default_rng(3).uniform(size=(11, 7)), one_hot(np.arange(11) % 4 + 1, 4)
    before = jax_cost._value_and_grad._cache_size()
    for lambda_ in LAMBDAS:
        jax_cost.value_and_grad(thetas, X, Y, lambda_, "cross_entropy")
    assert jax_cost._value_and_grad._cache_size() == before + 1
    jax_cost.value_and_grad(thetas, X, Y, 1.0, "squared_error")
    assert jax_cost._value_and_grad._cache_size() == before + 2


def test_import_crosscheck_loads_neither_jax_nor_torch():
    """Nor does building the CLI parser: `crosscheck --help` stays fast."""
    code = ("import sys, crosscheck, crosscheck.cli; crosscheck.check_against_autodiff; "
            "crosscheck.cli.build_parser(); "
            "print('jax' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_rounding_floor_explains_the_report_stencil():
    """N(0, 1) on 400-25-10 with λ = 3: J is the penalty's, and the course stencil's floor
    √n·u·|J|/(2ε‖g‖) sits above 1e-9 (observed central differences: 1.3e-9); the report's
    fourth-order stencil at ε = 1e-3 brings it under; with λ = 0 both are far below."""
    thetas = normal_init((400, 25, 10), seed=0)
    X, Y = synthetic_course_data(m=20)
    penalised = cost_and_gradient(thetas, X, Y, 3.0, "cross_entropy")
    assert rounding_floor(*penalised, epsilon=1e-4, order=2) > tolerance("numerical")
    assert rounding_floor(*penalised) < tolerance("numerical") / 2
    assert rounding_floor(*cost_and_gradient(thetas, X, Y, 0.0, "cross_entropy"), 1e-4, 2) < tolerance("numerical") / 3


@pytest.mark.parametrize("setting, cached", [("DIR", True), ("off", False)])
def test_compiled_costs_go_to_the_persistent_cache_unless_off(tmp_path, setting, cached):
    """A second run need not compile again (jax_cost's docstring); CROSSCHECK_JAX_CACHE=off opts out."""
    folder = tmp_path / "jax-cache"
    code = ("import numpy as np, jax; from crosscheck import autodiff_value_and_grad; "
            "autodiff_value_and_grad('jax', [np.ones((2, 3)), np.ones((2, 3))], np.ones((4, 2)), np.array([1, 2, 1, 2])); "
            "print(jax.config.jax_compilation_cache_dir)")
    env = {**os.environ, "CROSSCHECK_JAX_CACHE": str(folder) if setting == "DIR" else setting}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert (out.stdout.strip() == str(folder)) is cached
    assert (folder.exists() and any(folder.iterdir())) is cached
