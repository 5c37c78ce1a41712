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
  the verify problems' largest |z| = 12. Still 1e6 below the smallest catalogued mistake
  (sigmoid_prime_of_activation, ~1e-3 relative).
- "pin": a recomputed value vs its pin in reference/pins.json (cost, gradient norms and
  digest), and one implementation's values vs another's before they are pinned: room for
  another machine's BLAS and summation order (measured: < 1e-15), none for a change in the math.

float32 rows: manual.fast.CostGradient(dtype=float32) against the float64 loop or float64
autodiff. Measured (bench/bench_cost.py, and 300 random networks with 1-400 inputs, m < 600):
gradient rel diff ~1e-7 and cost rel err ~1e-8 with course-like weights and pixels; worst
3.3e-6 with saturated units (squared error, N(0, 3²) weights on N(0, 1) inputs), where
h(1 − h) nears float32's underflow. 1e-5 is 3× above that worst case, ~100× above the
course's regime, and far below what a real mistake gives (a wrong factor is O(1)).
"""
import numpy as np

from reference.pinning import PIN_TOLERANCE

TOLERANCES = {
    ("float64", "autodiff"): 1e-12,
    ("float64", "loop"): 1e-12,
    ("float64", "numerical"): 1e-9,
    ("float64", "user"): 1e-9,
    ("float64", "pin"): PIN_TOLERANCE,          # set where the pins live (reference/pinning.py)
    ("float32", "autodiff"): 1e-5,
    ("float32", "loop"): 1e-5,
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
# The table is not loosened for any weights; instead a numerical check is only run where the
# bound is reachable at all. A central difference Σ wₖ·J(θ + kεe) / ε combines costs that each
# carry a rounding error of about u·|J| (u = 2^−53), so every component of the numerical
# gradient carries ≈ u·|J|·Σ|wₖ|/ε of pure rounding, whatever the truncation error
# (Σ|wₖ| = 1 for the course's second-order stencil, 1.5 for the fourth-order one). Over
# n parameters that alone gives a course relative difference of about
#
#     floor = √n · u · |J| · Σ|wₖ| / (2 ε ‖g‖)          (‖num + g‖ ≈ 2‖g‖)
#
# (measured: the observed rounding part is about half of this, so the estimate is
# conservative). When J is dominated by the penalty λ/(2m)‖Θ‖², ‖g‖ ≈ (λ/m)‖Θ‖ too and the
# floor tends to √n·u·‖Θ‖·Σ|wₖ|/(4ε), independent of λ and of how many rows are used: for the
# notebook's N(0, 1) start on the course's 400-25-10 network (n = 10285, ‖Θ‖ ≈ 101) the
# course's stencil (ε = 1e-4) gives ≈ 2.8e-9 > 1e-9 (observed 1.3e-9 at λ = 3), which is why the
# report uses the fourth-order stencil with ε = 1e-3 (floor ≈ 4e-10, truncation O(ε⁴) ≈ 1e-12).
# Saturation is not the obstacle: saturated units make the third derivative small, so
# truncation shrinks. Should a floor still exceed the bound, the report skips (and says so)
# that numerical check; the autodiff checks, which have no such floor, still cover the scenario.

UNIT_ROUNDOFF = np.finfo(np.float64).eps / 2


def central_difference_floor(cost, grad_norm, n_params, epsilon, weight_sum=1.0):
    """The relative difference rounding alone gives central differences (see above)."""
    if grad_norm == 0:
        return float("inf")
    return float(np.sqrt(n_params) * UNIT_ROUNDOFF * abs(cost) * weight_sum / (2.0 * epsilon * grad_norm))
