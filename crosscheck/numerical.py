"""The central-difference side of the report: manual's cost, differenced coordinate by coordinate.

Slow by nature (2n cost evaluations for n parameters), so the report runs it on a fixed,
seeded subsample of rows and compares it with manual's gradient on those same rows.
"""
import numpy as np

from manual.backprop import cost
from manual.layout import layer_sizes_of, reroll, unroll
from manual.numgrad import NUMGRAD_EPSILON, numerical_gradient

from .tolerances import central_difference_floor


def subsample_rows(m, rows, seed):
    """Sorted indices of min(rows, m) distinct rows, drawn from default_rng(seed)."""
    if rows >= m:
        return np.arange(m)
    return np.sort(np.random.default_rng(seed).choice(m, size=rows, replace=False))


def numerical_value_and_grad(thetas, X, Y, lambda_, loss, cost_fn=cost, epsilon=NUMGRAD_EPSILON):
    """(J, [∂J/∂Θ^(l) by central differences]) for X (m, s_1), Y (m, K) one-hot.

    ∂J/∂θᵢ ≈ (J(θ + εeᵢ) − J(θ − εeᵢ)) / 2ε with ε = 1e-4, on ``cost_fn`` (manual's cost).
    """
    sizes = layer_sizes_of(thetas)
    J = cost_fn(thetas, X, Y, lambda_, loss)
    grad = numerical_gradient(lambda p: cost_fn(reroll(p, sizes), X, Y, lambda_, loss), unroll(thetas),
                              epsilon)
    return J, reroll(grad, sizes)


def rounding_floor(J, grads, epsilon=NUMGRAD_EPSILON):
    """tolerances.central_difference_floor for an analytic result (J, grads)."""
    flat = np.concatenate([np.ravel(g) for g in grads])
    return central_difference_floor(J, float(np.linalg.norm(flat)), flat.size, epsilon)
