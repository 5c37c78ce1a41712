"""The one tolerance table: every test and the CLI read their bounds from here.

Keys are (dtype, kind of check). Values bound the course's relative difference
‖a − b‖ / ‖a + b‖ of two gradients and the relative error of two costs.

- "autodiff": hand-derived vs jax.grad / torch.autograd, same arithmetic up to rounding.
- "loop": vectorised vs the per-example loop, the same equations summed in another order.
- "numerical": central differences with ε = 1e-4, whose truncation error is O(ε²)·f'''.
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

TOLERANCES = {
    ("float64", "autodiff"): 1e-12,
    ("float64", "loop"): 1e-12,
    ("float64", "numerical"): 1e-9,
    ("float64", "user"): 1e-9,
    ("float64", "pin"): 1e-10,
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
