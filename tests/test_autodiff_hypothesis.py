"""Random networks, deep saturation: manual == jax == torch to the table's autodiff bound.

Weights up to ±30 put most units where g(z) rounds to 0 or 1. Every value must stay
finite, and the three must still agree normwise to 1e-12: the cross-entropy output delta
h − y is taken as (1 − y) g(z) − y g(−z) in manual (plain h − y cancels for a confident,
correct unit and left only a few correct digits where autodiff, through log-sigmoid, keeps
them all; hypothesis found that at m = 1, K = 2 with relative differences up to 1). All three
take g'(z) = g(z)·g(−z) (manual by hand, jax/torch through exp(log_sigmoid(z))), never a(1 − a)
from the rounded a, so a saturated unit's g' is exact too rather than 1e-3 off at z = 30.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck import assert_match, autodiff_value_and_grad
from manual import LOSSES, cost_and_gradient, one_hot, theta_shapes


@settings(max_examples=25, deadline=None)      # a new shape is a new jit compile (~0.5 s)
@given(n_in=st.integers(1, 30), hidden=st.lists(st.integers(1, 30), min_size=1, max_size=3),
       K=st.integers(2, 12), m=st.integers(1, 50), scale=st.floats(0.01, 30.0),
       lambda_=st.floats(0.0, 10.0), loss=st.sampled_from(LOSSES), seed=st.integers(0, 2**32 - 1))
def test_manual_jax_torch_agree_on_random_saturated_networks(n_in, hidden, K, m, scale, lambda_, loss, seed):
    rng = np.random.default_rng(seed)
    sizes = (n_in, *hidden, K)
    thetas = [rng.uniform(-scale, scale, size=shape) for shape in theta_shapes(sizes)]
    X = rng.uniform(-1.0, 1.0, size=(m, n_in))
    Y = one_hot(rng.integers(1, K + 1, size=m), K)
    results = {"manual": cost_and_gradient(thetas, X, Y, lambda_, loss),
               "jax": autodiff_value_and_grad("jax", thetas, X, Y, lambda_, loss),
               "torch": autodiff_value_and_grad("torch", thetas, X, Y, lambda_, loss)}
    for name, (J, grads) in results.items():
        assert np.isfinite(J) and all(np.all(np.isfinite(g)) for g in grads), f"{name} is not finite"
    assert_match("manual", results["manual"], "jax", results["jax"], "autodiff")
    assert_match("manual", results["manual"], "torch", results["torch"], "autodiff")
    assert_match("jax", results["jax"], "torch", results["torch"], "autodiff")


@pytest.mark.parametrize("z", [30.0, 40.0])
def test_confident_correct_output_keeps_its_tiny_gradient(z):
    """The case random search rarely reaches: every output confident and right, λ = 0, so the
    whole gradient is O(e^−z). Plain h − y leaves ~3 digits at z = 30 and 0 at z = 40."""
    thetas = [np.array([[0.0, 0.0]]), np.array([[z, 1.0], [-z, -1.0]])]   # z_out = ±(z + 0.5)
    X, Y = np.array([[0.3]]), np.array([[1.0, 0.0]])
    manual = cost_and_gradient(thetas, X, Y, 0.0, "cross_entropy")
    assert manual[1][1][0, 0] < 0                       # −g(−z − 0.5), not a rounded 0
    for backend in ("jax", "torch"):
        assert_match("manual", manual, backend,
                     autodiff_value_and_grad(backend, thetas, X, Y, 0.0, "cross_entropy"), "autodiff")
