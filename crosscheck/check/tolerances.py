"""The one tolerance table: every test and the CLI read their bounds from here.

Keys are (dtype, kind of check). Values bound the course's relative difference
‖a − b‖ / ‖a + b‖ of two gradients and the relative error of two costs.

- "autodiff": hand-derived vs jax.grad / torch.autograd, same arithmetic up to rounding.
- "loop": vectorised vs the per-example loop, the same equations summed in another order.
- "numerical": central differences: the course's (ε = 1e-4, truncation O(ε²)) in its gradient
  check, a fourth-order stencil (ε = 1e-3, truncation O(ε⁴)) in the report and random tests.
- "user": a learner's own function (``crosscheck verify``) vs autodiff or a catalogue variant.
  Looser than "autodiff" because a correct learner's code may compute log h and log(1 − h)
  directly: where 1 − h ≈ e^(−z) the rounding of h costs a relative 1e-16·e^z, about 2e-11 at
  the verify problems' largest |z| = 12. Still about 1e9 below what sigmoid_prime_of_activation
  does to Θ^(1) on those problems (0.03 to 0.66 relative, measured: manual/catalogue.py).
- "pin": a recomputed value vs its pin in reference/pins.json (cost, gradient norms and
  digest), and one implementation's values vs another's before they are pinned: room for
  another machine's BLAS and summation order (measured: < 1e-15), none for a change in the math.

float32 rows: manual.fast.CostGradient(dtype=float32) against the float64 loop or float64
autodiff. Measured (bench/bench_cost.py, and 300 random networks with 1-400 inputs, m < 600):
gradient rel diff ~1e-7 and cost rel err ~1e-8 with course-like weights and pixels; worst
3.3e-6 with saturated units (squared error, N(0, 3²) weights on N(0, 1) inputs), where
h(1 − h) nears float32's underflow. 1e-5 is 3× above that worst case, ~100× above the
course's regime, and far below what a real mistake gives (a wrong factor is O(1)). The
("float32", "user") row is the same bound for a learner's function that computes in float32:
agreeing to it (and not to 1e-9) is what verify reports as float32_arithmetic.
"""
import numpy as np

from reference import PIN_TOLERANCE

TOLERANCES = {
    ("float64", "autodiff"): 1e-12,
    ("float64", "loop"): 1e-12,
    ("float64", "numerical"): 1e-9,
    ("float64", "user"): 1e-9,
    ("float64", "pin"): PIN_TOLERANCE,          # set where the pins live (reference/__init__.py)
    ("float32", "autodiff"): 1e-5,
    ("float32", "loop"): 1e-5,
    ("float32", "user"): 1e-5,
}

KINDS = ("autodiff", "loop", "numerical", "user", "pin")


def tolerance(kind, dtype=np.float64):
    """The bound for a check of ``kind`` between arrays of ``dtype``."""
    key = (np.dtype(dtype).name, kind)
    if key not in TOLERANCES:
        raise KeyError(f"no tolerance for {key}; the table has {sorted(TOLERANCES)}")
    return TOLERANCES[key]


# When may central differences be held to TOLERANCES[("float64", "numerical")]?
#
# The table is not loosened for any data or weights; instead a numerical check is only run
# where the bound is reachable, and skipped (with the reason) where it is not. Every
# component i of a central difference Σ wₖ·J(θ + kεsᵢeᵢ) / (εsᵢ) (step εsᵢ, sᵢ ≤ 1 a per-
# parameter scale, see central.step_scales) is off from the true derivative gᵢ by at most
#
#     eᵢ = u·|J|·Σ|wₖ|/(εsᵢ)         rounding: each J carries about u·|J| (u = 2^−53)
#        + u·|θᵢ|·|gᵢ|/(εsᵢ)          rounding of the step θᵢ + kεsᵢ itself
#        + εᵖ·Cᵢ/(κ·sᵢ)               truncation: κ = 6 (stencil order p = 2), 30 (p = 4)
#
# where Cᵢ bounds |d^(p+1)/dt^(p+1) J(θ + t·sᵢeᵢ)|. Over all parameters the course's
# relative difference is then at most
#
#     floor = ‖e‖ / (2‖g‖)           (‖num + g‖ ≈ 2‖g‖)
#
# Rounding (measured: the observed part is about half of the first term): when J is
# dominated by the penalty λ/(2m)‖Θ‖², ‖g‖ ≈ (λ/m)‖Θ‖ too and the first term tends to
# √n·u·‖Θ‖·Σ|wₖ|/(4ε), independent of λ and of how many rows are used: for the notebook's
# N(0, 1) start on the course's 400-25-10 network (n = 10285, ‖Θ‖ ≈ 101) the course's stencil
# (ε = 1e-4, Σ|wₖ| = 1) gives ≈ 2.8e-9 > 1e-9 (observed 1.3e-9 at λ = 3), which is why the
# report uses the fourth-order stencil with ε = 1e-3 (Σ|wₖ| = 1.5; ≈ 4e-10).
#
# Truncation grows with how far one step moves a pre-activation: a step ε on Θ^(1)[j, k]
# moves z^(2)_j by ε·x_k, so pixels 0..255 instead of 0..1 multiply the fifth derivative by
# 255⁵ (measured: 1e-5 instead of 4e-11, correct code failing). central.step_scales therefore
# shrinks each Θ^(1) column's step by a power of 2 (exact) until |sᵢ·x_k| ≤ 1. Along such a
# step each loss term ℓ(b + w·g(z + tc)) with |c| ≤ 1 has |d^(p+1)/dt^(p+1)| ≤ C·max(1, |w|)^(p+1),
# with C = 0.15 (p = 2) and 0.3 (p = 4): the measured maxima of JAX's derivatives, divided by
# that power, over 400,000 random z, b, w, c and labels are 0.117 and 0.221 (the output
# layer's own term, w = 1: 0.101 and 0.264), for both losses. So Cᵢ = C for Θ^(2)[k, ·],
# which reaches output k alone, and C·Σₖ max(1, |Θ^(2)[k, j+1]|)^(p+1) for Θ^(1)[j, ·].
# Saturation is not an obstacle: it makes these derivatives smaller.

UNIT_ROUNDOFF = np.finfo(np.float64).eps / 2
TRUNCATION = {2: (6.0, 0.15), 4: (30.0, 0.3)}     # order p: (κ, C)


def central_difference_floor(errors, grad_norm):
    """The course relative difference that per-component error bounds ``errors`` allow (see above)."""
    if grad_norm == 0 or not np.all(np.isfinite(errors)):
        return float("inf")
    scale = float(np.max(errors, initial=0.0))
    if scale == 0:
        return 0.0
    return float(scale * np.linalg.norm(np.asarray(errors) / scale) / (2.0 * grad_norm))
