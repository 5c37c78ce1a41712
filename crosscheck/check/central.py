"""The central-difference side of the report: manual's cost, differenced coordinate by coordinate.

Slow by nature (4n cost evaluations for n parameters), so the report runs it on a fixed,
seeded subsample of rows and compares it with manual's gradient on those same rows.

The report uses the fourth-order stencil with ε = 1e-3 rather than the course's second-order
one with ε = 1e-4: its rounding floor (see check/tolerances.py) is 1.5/10 of the course stencil's,
which brings the notebook's N(0, 1) start on the 400-25-10 network under 1e-9, and its O(ε⁴)
truncation error stays near 1e-12.
"""
import numpy as np

from manual.backprop import cost
from manual.layout import layer_sizes_of, reroll, unroll
from manual.numgrad import STENCILS, PerturbedCost, numerical_gradient, numerical_gradient_batched

from crosscheck.check.tolerances import central_difference_floor


def subsample_rows(m, rows, seed):
    """Sorted indices of min(rows, m) distinct rows, drawn from default_rng(seed)."""
    if rows >= m:
        return np.arange(m)
    return np.sort(np.random.default_rng(seed).choice(m, size=rows, replace=False))


REPORT_EPSILON, REPORT_ORDER = 1e-3, 4


def numerical_value_and_grad(thetas, X, Y, lambda_, loss, cost_fn=cost, epsilon=REPORT_EPSILON,
                             order=REPORT_ORDER):
    """(J, [∂J/∂Θ^(l) by central differences]) for X (m, s_1), Y (m, K) one-hot.

    ∂J/∂θᵢ ≈ (−J(θ+2εeᵢ) + 8J(θ+εeᵢ) − 8J(θ−εeᵢ) + J(θ−2εeᵢ)) / 12ε by default, on
    ``cost_fn`` (manual's cost); ``order=2, epsilon=1e-4`` gives the course's stencil.
    manual's cost is evaluated many perturbed vectors per numpy call (manual.numgrad.
    PerturbedCost: the same cost, none of its Python overhead per vector); any other
    ``cost_fn`` one vector at a time.
    """
    sizes = layer_sizes_of(thetas)
    J = cost_fn(thetas, X, Y, lambda_, loss)
    if cost_fn is cost:
        costs = PerturbedCost(thetas, X, Y, lambda_, loss)
        grad = numerical_gradient_batched(costs, unroll(thetas), epsilon, order, costs.batch)
    else:
        grad = numerical_gradient(lambda p: cost_fn(reroll(p, sizes), X, Y, lambda_, loss), unroll(thetas),
                                  epsilon, order)
    return J, reroll(grad, sizes)


def rounding_floor(J, grads, epsilon=REPORT_EPSILON, order=REPORT_ORDER):
    """tolerances.central_difference_floor for an analytic result (J, grads)."""
    flat = np.concatenate([np.ravel(g) for g in grads])
    weight_sum = sum(abs(w) for _, w in STENCILS[order])
    return central_difference_floor(J, float(np.linalg.norm(flat)), flat.size, epsilon, weight_sum)
