"""Extreme numbers and edge shapes: manual (vectorised and loop) == JAX == PyTorch.

Every comparison goes through crosscheck.check.compare with the one tolerance table. manual/ runs
under np.errstate(over/divide/invalid="raise"), so an overflow, log(0) or 0/0 inside it fails
the test even without the pytest configuration (which turns RuntimeWarning into errors).

Why the saturated networks put X and Θ on a grid: with weights ±1e3 the cost itself is
ill-conditioned. A hidden unit with z ≈ −2 is a sum of terms of size ~1e3, so z carries an
absolute rounding error ~1e-12 that depends on the summation order (numpy's GEMM, torch's
addmm, the loop's dot); Θ^(2) ~ 1e3 multiplies the resulting change of g(z) into z^(3).
Measured over 300 random draws per weight pattern and loss (λ = 0, float X uniform in [0, 1]):
manual vs loop/torch/fast exceed 1e-12 normwise in up to 3% of draws with g' = a(1 − a)
(worst 6.1e-11) and up to 4% with the exact g'(z) = g(z)·g(−z) (worst 6.5e-11; an exact g'
follows z's rounding where a rounded one was flat): it is z, not g'. (jax forms z as manual
does and stays ≤ 1.1e-13.) With pixels on a 1/256 grid and weights on a 1/64 grid every
z^(2) is exact in any order, and then every implementation agrees to ≤ 1.1e-13 (same number
of draws), so any seed may be drawn.
"""
import numpy as np
import pytest
from scipy.special import expit
from hypothesis import given, settings
from hypothesis import strategies as st

import manual.backprop
from crosscheck.check.compare import compare
from manual import LOSSES, CostGradient, cost_and_gradient, cost_and_gradient_loop, forward, one_hot

pytest.importorskip("jax")
pytest.importorskip("torch")
from crosscheck.backends import jax_cost, torch_cost  # noqa: E402
from crosscheck.check.evaluate import IMPLEMENTATIONS  # noqa: E402
from crosscheck.check.evaluate import sigmoid_gradient as reference_sigmoid_gradient  # noqa: E402

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
        "jax": compare("manual", vectorised, "jax", jax_cost.value_and_grad(thetas, X, Y, lambda_, loss), "autodiff"),
        "torch": compare("manual", vectorised, "torch",
                         torch_cost.value_and_grad(thetas, X, Y, lambda_, loss), "autodiff"),
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


def on_grid(thetas, X):
    """Θ rounded to multiples of 1/64 and X to multiples of 1/256 (pixels are k/255-ish anyway).

    Then x·Θ has at most 9 + 16 significant bits and z^(2) = Σ (at most 21 terms, |z| < 2^15)
    needs under 30: it is exact in float64 whatever the summation order, so the implementations
    start from the same z^(2) and only their own arithmetic can make them differ.
    """
    return [np.round(t * 64.0) / 64.0 for t in thetas], np.round(X * 256.0) / 256.0


def saturated_problem(pattern, seed, m=30):
    """(thetas, X, Y) with weights of magnitude up to 1e3 (see saturated_weights), on the grid."""
    rng = np.random.default_rng([seed, 1])
    thetas, X = on_grid(saturated_weights(pattern, seed), rng.uniform(0.0, 1.0, size=(m, SIZES[0])))
    return thetas, X, one_hot(rng.integers(1, 11, size=m), 10)


@settings(max_examples=30, deadline=None)
@given(pattern=st.sampled_from(PATTERNS), seed=st.integers(0, 2**32 - 1), loss=st.sampled_from(LOSSES),
       lambda_=st.sampled_from([0.0, 1.0, 1e6]))
def test_saturated_network_agrees_everywhere_for_any_seed(pattern, seed, loss, lambda_):
    thetas, X, Y = saturated_problem(pattern, seed)
    _, z = forward(thetas, X)
    # g(z) rounds to exactly 0 or 1 past |z| ≈ 37, where a(1 − a) would give g'(z) = 0. (With exactly
    # ±1e3 the output sums of saturated 0/1 activations often cancel to z = 0 exactly: h = 1/2.)
    saturated = np.mean(np.abs(z[0]) > 37.0)
    assert saturated > 0.8, f"only {saturated:.0%} of the hidden units saturate: not the extreme regime"
    all_agree(thetas, X, Y, lambda_, loss)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        fast = CostGradient(X, Y, SIZES, loss=loss, lambda_=lambda_).cost_and_gradient(thetas)
        result = compare("manual", cost_and_gradient(thetas, X, Y, lambda_, loss), "fast", fast, "loop")
    assert result.passed, result.describe()


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
    result = compare("h − y", plain, "jax", jax_cost.value_and_grad(thetas, X, Y, 0.0, "cross_entropy"),
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


@settings(max_examples=20, deadline=None)
@given(log_scale=st.floats(-3.0, 3.0), seed=st.integers(0, 2**32 - 1), loss=st.sampled_from(LOSSES),
       lambda_=st.sampled_from([0.0, 1.0, 1e6]))
def test_any_weight_scale_up_to_1e3_agrees(log_scale, seed, loss, lambda_):
    """Weights N(0, s²) with s from 1e−3 to 1e3 (log-uniform): from linear to fully saturated."""
    rng = np.random.default_rng(seed)
    thetas = [10.0 ** log_scale * rng.normal(size=(out, 1 + inp)) for inp, out in zip(SIZES[:-1], SIZES[1:])]
    X = rng.uniform(0.0, 1.0, size=(6, SIZES[0]))
    all_agree(thetas, X, one_hot(rng.integers(1, 11, size=6), 10), lambda_, loss)


SATURATED_Z = [30.0, 36.0, 40.0, -40.0, 700.0]


def exact_sigmoid_gradient(z):
    """g'(z) = e/(1 + e)² with e = e^(−|z|): no subtraction, so correct to a few ulps."""
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_sigmoid_gradient_is_exact_for_saturated_units(impl):
    """g'(z) by hand (manual) and by autodiff of the backends' g (jax, torch) keeps full relative
    accuracy where g(z) rounds to 1: from a(1 − a) it would be 1e-3 off at z = 30 and 0 at 40."""
    z = np.array(SATURATED_Z)
    got = reference_sigmoid_gradient(impl, z)
    np.testing.assert_allclose(got, exact_sigmoid_gradient(z), rtol=1e-14, atol=0.0)


def test_a_times_one_minus_a_would_fail_the_exactness_check():
    """Test the test: the old g'(z) = a(1 − a), a = g(z), misses that bound by far."""
    z = np.array(SATURATED_Z)
    a = expit(z)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(a * (1.0 - a), exact_sigmoid_gradient(z), rtol=1e-14, atol=0.0)


def test_exact_derivative_reaches_backprop(monkeypatch):
    """The hidden δ uses that exact g': with a(1 − a) planted in manual.backprop, a hidden unit at
    z = 36 (1 − g is 2.3e-16, a rounds to 1 − 2.2e-16) gets a Θ^(1) gradient ~4% off autodiff's."""
    thetas = [np.array([[36.0, 0.0]]), np.array([[0.0, 1.0]])]      # z^(2) = 36, z^(3) = g(36)
    X, Y = np.array([[0.5]]), np.array([[0.0]])
    torch_side = torch_cost.value_and_grad(thetas, X, Y, 0.0, "squared_error")
    exact = cost_and_gradient(thetas, X, Y, 0.0, "squared_error")
    np.testing.assert_allclose(exact[1][0], torch_side[1][0], rtol=1e-14)
    monkeypatch.setattr(manual.backprop, "sigmoid_gradient", lambda z: expit(z) * (1.0 - expit(z)))
    planted = cost_and_gradient(thetas, X, Y, 0.0, "squared_error")
    assert abs(planted[1][0][0, 0] / torch_side[1][0][0, 0] - 1.0) > 1e-2


def test_runtime_warnings_are_errors_in_this_suite():
    """The pytest configuration turns numpy's RuntimeWarning into an error: a planted one fails."""
    with pytest.raises(RuntimeWarning):
        np.log(np.zeros(1))
