"""The central-difference side of the report: manual's cost, differenced coordinate by coordinate.

Slow by nature (4n cost evaluations for n parameters; many per numpy call through
manual.numgrad.PerturbedCost), so the report runs it on a fixed, seeded subsample of rows and
compares it with manual's gradient on those same rows.

The report uses the fourth-order stencil with ε = 1e-3 (times a power-of-2 scale per parameter,
see step_scales) rather than the course's second-order one with ε = 1e-4: its rounding floor
(see check/tolerances.py) is 1.5/10 of the course stencil's, which brings the notebook's N(0, 1)
start on the 400-25-10 network under 1e-9, and its O(ε⁴) truncation error stays near 1e-12.
"""
import numpy as np

from manual.backprop import cost
from manual.layout import layer_sizes_of, reroll, unroll
from manual.numgrad import STENCILS, PerturbedCost, numerical_gradient, numerical_gradient_batched

from crosscheck.check.tolerances import TRUNCATION, UNIT_ROUNDOFF, central_difference_floor


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


def step_scales(thetas, X, J, epsilon=REPORT_EPSILON, order=REPORT_ORDER):
    """[sᵢ per parameter, shaped like each Θ^(l)]: the step of parameter i is ε·sᵢ, sᵢ = σᵢ·rᵢ a
    power of 2 ≤ 1 (so θ/s is exact). tolerances.py explains the error terms.

    rᵢ keeps the pre-activation a step moves within ε: Θ^(1)[j, k] moves z^(2)_j by ε·X[:, k],
    so rᵢ = 2^−e with 2^e ≥ max|X[:, k]| (1 for the bias column and for Θ^(2), whose inputs
    are activations in [0, 1]). σᵢ then balances the two errors the step size trades:
    rounding u·|J|·Σ|wₖ|/(ε·σ·r) against truncation (εσ)ᵖ·Cᵢ/(κ·r), least where
    σ^(p+1) = u·|J|·Σ|wₖ|·κ / (p·ε^(p+1)·Cᵢ); rounded to a power of 2, at most 1, at least 2^−30.
    rᵢ is 0 where e would pass 1074 (no float64 step is that small).
    """
    reach, bound = _reach_and_bound(thetas, X, order)
    kappa, _ = TRUNCATION[order]
    rounding = UNIT_ROUNDOFF * abs(J) * _weight_sum(order)
    scales = []
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        for r, c in zip(reach, bound):
            sigma = (rounding * kappa / (order * epsilon ** (order + 1) * c)) ** (1.0 / (order + 1))
            e = np.clip(-np.round(np.nan_to_num(np.log2(sigma), nan=-30.0)), 0, 30).astype(int)
            scales.append(np.ldexp(r, -e))
    return scales


def _reach_and_bound(thetas, X, order):
    """(rᵢ, Cᵢ) per parameter: the reach scale, and the bound on |d^(p+1)/dt^(p+1) J(θ + t·rᵢ·eᵢ)|.

    Cᵢ = C for Θ^(2)[k, ·], which reaches output k alone, and C·Σₖ max(1, |Θ^(2)[k, j+1]|)^(p+1)
    for Θ^(1)[j, ·], which reaches every output through a^(2)_j (tolerances.py). Derived for
    this network's one hidden layer: any other depth gets an infinite bound (no check).
    """
    reach = [np.ones(theta.shape) for theta in thetas]
    exponent = _ceil_log2(np.max(np.abs(X), axis=0, initial=0.0))
    reach[0][:, 1:] = np.where(exponent <= 1074, np.ldexp(1.0, -np.minimum(exponent, 1074).astype(int)), 0.0)
    _, c = TRUNCATION[order]
    if len(thetas) != 2:
        return reach, [np.full(theta.shape, np.inf) for theta in thetas]
    with np.errstate(over="ignore"):
        fan = np.sum(np.maximum(1.0, np.abs(thetas[1][:, 1:])) ** (order + 1), axis=0)
    return reach, [np.broadcast_to(c * fan[:, None], thetas[0].shape), np.full(thetas[1].shape, c)]


def _weight_sum(order):
    return sum(abs(w) for _, w in STENCILS[order])


def _ceil_log2(values):
    """ceil(log2(max(1, v))) for each v ≥ 0, without overflow (inf for inf or NaN)."""
    mantissa, exponent = np.frexp(np.maximum(values, 1.0))      # v = mantissa·2^exponent, mantissa in [0.5, 1)
    out = np.where(mantissa == 0.5, exponent - 1, exponent).astype(float)
    return np.where(np.isfinite(values), out, np.inf)


def scaled_numerical_value_and_grad(thetas, X, Y, lambda_, loss, scales, epsilon=REPORT_EPSILON,
                                    order=REPORT_ORDER):
    """numerical_value_and_grad with parameter i stepped by ε·sᵢ (``step_scales``).

    Differencing φ = θ/s (exact: s is a power of 2) with steps ε gives ∂J/∂φᵢ = sᵢ·∂J/∂θᵢ; the
    cost at φ is manual's at θ = φ·s, many perturbed vectors per numpy call (PerturbedCost).
    """
    sizes = layer_sizes_of(thetas)
    s = unroll(scales)
    phi = unroll([t / sc for t, sc in zip(thetas, scales)])
    at_theta = PerturbedCost(thetas, X, Y, lambda_, loss)

    def costs_of_phi(index, value):
        return at_theta(index, value * s[index])
    grad_phi = numerical_gradient_batched(costs_of_phi, phi, epsilon, order, at_theta.batch)
    return cost(thetas, X, Y, lambda_, loss), [g / sc for g, sc in zip(reroll(grad_phi, sizes), scales)]


def error_floor(J, grads, thetas, X, scales, epsilon=REPORT_EPSILON, order=REPORT_ORDER):
    """The relative difference that rounding and truncation alone may give
    ``scaled_numerical_value_and_grad`` with ``scales``, for the analytic result (J, grads)."""
    reach, bound = _reach_and_bound(thetas, X, order)
    kappa, _ = TRUNCATION[order]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):   # s = 0 or huge θ: an inf floor
        errors = [UNIT_ROUNDOFF * (abs(J) * _weight_sum(order) + np.abs(t) * np.abs(g)) / (epsilon * s)
                  + (epsilon * s) ** order * c / (kappa * r ** (order + 1))
                  for g, t, s, r, c in zip(grads, thetas, scales, reach, bound)]
    flat = np.concatenate([np.ravel(g) for g in grads])
    return central_difference_floor(np.concatenate([np.ravel(e) for e in errors]), _norm(flat))


def rounding_floor(J, grads, epsilon=REPORT_EPSILON, order=REPORT_ORDER):
    """The first term of the floor alone (rounding of J, unit steps): why the report's stencil is
    fourth-order with ε = 1e-3 (see tolerances.py)."""
    flat = np.concatenate([np.ravel(g) for g in grads])
    errors = np.full(flat.size, UNIT_ROUNDOFF * abs(J) * _weight_sum(order) / epsilon)
    return central_difference_floor(errors, _norm(flat))


def _norm(v):
    """‖v‖ without overflow or underflow of the squares."""
    scale = float(np.max(np.abs(v), initial=0.0))
    return scale * float(np.linalg.norm(v / scale)) if 0 < scale < np.inf else scale
