"""Extreme numbers and edge shapes: manual (vectorised and loop) == JAX == PyTorch.

Every comparison goes through crosscheck.compare with the one tolerance table. manual/ runs
under np.errstate(over/divide/invalid="raise"), so an overflow, log(0) or 0/0 inside it fails
the test even without the pytest configuration (which turns RuntimeWarning into errors).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import manual.backprop
from crosscheck.compare import compare
from manual import LOSSES, cost_and_gradient, cost_and_gradient_loop, forward, one_hot

pytest.importorskip("jax")
pytest.importorskip("torch")
from crosscheck import jax_backend, torch_backend  # noqa: E402

SIZES = (20, 6, 10)


def manual_results(thetas, X, Y, lambda_, loss):
    """(vectorised, loop) results, with numpy's floating-point warnings turned into errors."""
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        return (cost_and_gradient(thetas, X, Y, lambda_, loss),
                cost_and_gradient_loop(thetas, X, Y, lambda_, loss))


def all_agree(thetas, X, Y, lambda_, loss):
    """Assert manual == loop == jax == torch; returns the Comparisons against manual."""
    vectorised, loop = manual_results(thetas, X, Y, lambda_, loss)
    J, grads = vectorised
    assert np.isfinite(J) and all(np.all(np.isfinite(g)) for g in grads)
    results = {
        "loop": compare("manual", vectorised, "loop", loop, "loop"),
        "jax": compare("manual", vectorised, "jax", jax_backend.value_and_grad(thetas, X, Y, lambda_, loss), "autodiff"),
        "torch": compare("manual", vectorised, "torch",
                         torch_backend.value_and_grad(thetas, X, Y, lambda_, loss), "autodiff"),
    }
    for comparison in results.values():
        assert comparison.passed, comparison.describe()
    return results


def saturated_weights(pattern, seed):
    """Weights of magnitude up to 1e3: uniform in ±1e3, |Θ| in [500, 1000], or exactly ±1e3."""
    rng = np.random.default_rng(seed)
    shapes = [(out, 1 + inp) for inp, out in zip(SIZES[:-1], SIZES[1:])]
    if pattern == "uniform ±1e3":
        return [rng.uniform(-1e3, 1e3, size=s) for s in shapes]
    if pattern == "|Θ| in [500, 1000]":
        return [rng.uniform(500.0, 1e3, size=s) * rng.choice([-1.0, 1.0], size=s) for s in shapes]
    return [1e3 * rng.choice([-1.0, 1.0], size=s) for s in shapes]


PATTERNS = ["uniform ±1e3", "|Θ| in [500, 1000]", "exactly ±1e3"]


@pytest.mark.parametrize("lambda_", [0.0, 1.0])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_saturated_network_cost_finite_gradient_matches_autodiff(pattern, loss, lambda_):
    thetas = saturated_weights(pattern, seed=7)
    rng = np.random.default_rng(8)
    X = rng.uniform(0.0, 1.0, size=(30, SIZES[0]))
    Y = one_hot(rng.integers(1, 11, size=30), 10)
    _, z = forward(thetas, X)
    # g(z) rounds to exactly 0 or 1 past |z| ≈ 37, so g'(z) = 0 there. (With exactly ±1e3 the
    # output sums of saturated 0/1 activations often cancel to z = 0 exactly: h = 1/2.)
    saturated = np.mean(np.abs(z[0]) > 37.0)
    assert saturated > 0.95, f"only {saturated:.0%} of the hidden units saturate: not the extreme regime"
    all_agree(thetas, X, Y, lambda_, loss)


def confident_network(bias, seed=0):
    """Every example labelled 3 and the output layer sure of it: z = +bias for 3, −bias elsewhere."""
    rng = np.random.default_rng(seed)
    theta1 = rng.normal(size=(SIZES[1], SIZES[0] + 1))
    theta2 = np.zeros((10, SIZES[1] + 1))
    theta2[:, 0] = -bias
    theta2[2, 0] = bias
    X = rng.uniform(0.0, 1.0, size=(15, SIZES[0]))
    return [theta1, theta2], X, one_hot(np.full(15, 3), 10)


@pytest.mark.parametrize("bias", [10.0, 20.0, 30.0, 40.0, 700.0])
@pytest.mark.parametrize("loss", LOSSES)
def test_confident_correct_network_keeps_its_tiny_gradient(bias, loss):
    """A well-trained net: h − y is ~e^(−bias), and must not be lost to rounding (λ = 0)."""
    all_agree(*confident_network(bias), 0.0, loss)


def test_plain_h_minus_y_would_fail_the_confident_case(monkeypatch):
    """Test the test: with δ = h − y taken literally, the autodiff comparison catches it."""
    exact = manual.backprop.output_delta
    monkeypatch.setattr(manual.backprop, "output_delta", lambda h, Y, loss, z=None: exact(h, Y, loss))
    thetas, X, Y = confident_network(30.0)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        plain = cost_and_gradient(thetas, X, Y, 0.0, "cross_entropy")
    result = compare("h − y", plain, "jax", jax_backend.value_and_grad(thetas, X, Y, 0.0, "cross_entropy"),
                     "autodiff")
    assert not result.passed and result.grad_rel_diff > 1e-6


def edge_problem(case):
    """(thetas, X, Y, λ) for one edge case; weights N(0, 1), X N(0, 1), seeded."""
    sizes, m, lambda_, same_class = {
        "m = 1": ((5, 4, 3), 1, 1.0, False),
        "single hidden unit": ((5, 1, 3), 8, 1.0, False),
        "K = 2": ((5, 4, 2), 8, 1.0, False),
        "all labels one class": ((5, 4, 3), 8, 1.0, True),
        "λ = 0": ((5, 4, 3), 8, 0.0, False),
        "λ = 1e6": ((5, 4, 3), 8, 1e6, False),
        "m = 1, one hidden unit, K = 2, λ = 0": ((3, 1, 2), 1, 0.0, False),
    }[case]
    rng = np.random.default_rng(EDGE_CASES.index(case))
    thetas = [rng.normal(size=(out, 1 + inp)) for inp, out in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(m, sizes[0]))
    y = np.full(m, sizes[-1]) if same_class else rng.integers(1, sizes[-1] + 1, size=m)
    return thetas, X, one_hot(y, sizes[-1]), lambda_


EDGE_CASES = ["m = 1", "single hidden unit", "K = 2", "all labels one class", "λ = 0", "λ = 1e6",
              "m = 1, one hidden unit, K = 2, λ = 0"]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("case", EDGE_CASES)
def test_edge_shapes_agree_everywhere(case, loss):
    thetas, X, Y, lambda_ = edge_problem(case)
    all_agree(thetas, X, Y, lambda_, loss)


@pytest.mark.parametrize("loss", LOSSES)
def test_huge_lambda_and_saturation_together(loss):
    thetas = saturated_weights("uniform ±1e3", seed=3)
    rng = np.random.default_rng(4)
    X = rng.uniform(0.0, 1.0, size=(5, SIZES[0]))
    all_agree(thetas, X, one_hot(rng.integers(1, 11, size=5), 10), 1e6, loss)


@settings(max_examples=20, deadline=None)
@given(log_scale=st.floats(-3.0, 3.0), seed=st.integers(0, 2**32 - 1), loss=st.sampled_from(LOSSES),
       lambda_=st.sampled_from([0.0, 1.0, 1e6]))
def test_any_weight_scale_up_to_1e3_agrees(log_scale, seed, loss, lambda_):
    """Weights N(0, s²) with s from 1e−3 to 1e3 (log-uniform): from linear to fully saturated."""
    rng = np.random.default_rng(seed)
    thetas = [10.0 ** log_scale * rng.normal(size=(out, 1 + inp)) for inp, out in zip(SIZES[:-1], SIZES[1:])]
    X = rng.uniform(0.0, 1.0, size=(6, SIZES[0]))
    all_agree(thetas, X, one_hot(rng.integers(1, 11, size=6), 10), lambda_, loss)


def test_runtime_warnings_are_errors_in_this_suite():
    """The pytest configuration turns numpy's RuntimeWarning into an error: a planted one fails."""
    with pytest.raises(RuntimeWarning):
        np.log(np.zeros(1))
