"""The fixed problems a learner's function runs on, and the reference answer for each.

Every problem is reproducible from its seed; its arrays are read-only, so a function that
writes into its inputs fails loudly instead of corrupting the next problem. The reference is
JAX autodiff of the cost written from the equations (``crosscheck.backends.jax_cost``), with
one-hot targets built here, independently of ``manual``.
"""
import functools
from dataclasses import dataclass

import numpy as np

from manual.activation import sigmoid
from manual.layout import COURSE_LAYER_SIZES, add_bias, theta_shapes

SATURATED_MAX_Z = 12.0     # |z| ≤ 12: h(1 − h) down to 6e-6, yet 1 − h keeps 11 good digits


@dataclass(frozen=True)
class Problem:
    """One fixed test problem: layer sizes (s_1, s_2, K), m examples, a seed, weights, λ."""
    size: str              # "small", "medium" or "course" (the course's own 400-25-10)
    sizes: tuple
    m: int
    seed: int
    regime: str            # "unsaturated" N(0, 0.5²), "course-like" U(±0.12), "saturated" |z| up to 12
    lambda_: float
    absent: int = 0        # a label 1..K that does not occur in y (0: every label occurs)

    @property
    def name(self):
        return (f"{self.size} {'-'.join(map(str, self.sizes))}, m={self.m}, {self.regime}, "
                f"λ={self.lambda_:g}" + (f", no label {self.absent}" if self.absent else ""))

    @property
    def course_shape(self):
        return tuple(self.sizes) == COURSE_LAYER_SIZES


# The small and medium shapes catch sizes hard-coded to the course's; the course's own shape
# lets such code still be checked. m = 20 on 400-25-10: every label twice (the smallest m with
# unequal class counts would be 11; 20 keeps each call well under a millisecond). The last two
# problems leave a label out of y: label 3 (one-hot targets built from the labels *present*
# then have K − 1 columns) and the largest, label K (targets sized by max(y), Octave's
# `y == 1:max(y)`, then have K − 1 columns too, while every other problem hides it).
PROBLEMS = (
    Problem("small", (4, 5, 3), 6, 11, "unsaturated", 0.0),
    Problem("small", (4, 5, 3), 6, 12, "unsaturated", 1.5),
    Problem("small", (4, 5, 3), 6, 13, "saturated", 0.0),
    Problem("small", (4, 5, 3), 6, 14, "saturated", 0.8),
    Problem("medium", (20, 10, 10), 40, 15, "course-like", 0.0),
    Problem("medium", (20, 10, 10), 40, 16, "course-like", 2.0),
    Problem("course", COURSE_LAYER_SIZES, 20, 17, "course-like", 0.0),
    Problem("course", COURSE_LAYER_SIZES, 20, 18, "course-like", 1.0),
    Problem("course", COURSE_LAYER_SIZES, 20, 19, "saturated", 0.0),
    Problem("course", COURSE_LAYER_SIZES, 20, 20, "saturated", 3.0),
    Problem("course", COURSE_LAYER_SIZES, 20, 21, "course-like", 1.0, absent=3),
    Problem("medium", (20, 10, 10), 40, 22, "course-like", 2.0, absent=10),
)


@functools.lru_cache(maxsize=None)
def problem_data(problem):
    """(thetas [(s_{l+1}, 1 + s_l)], X (m, s_1), y (m,) ints 1..K), read-only, from the seed.

    Every label 1..K but ``problem.absent`` occurs (so a label mapping mistake always shows;
    some occur more often than others, see below). "saturated": each
    Θ^(l) is scaled so that its largest |z| is SATURATED_MAX_Z.
    """
    rng = np.random.default_rng(problem.seed)
    shapes = theta_shapes(problem.sizes)
    K = problem.sizes[-1]
    if problem.regime == "course-like":
        thetas = [rng.uniform(-0.12, 0.12, size=s) for s in shapes]
        X = rng.uniform(0.0, 1.0, size=(problem.m, problem.sizes[0]))
    else:
        thetas = [rng.normal(0.0, 0.5, size=s) for s in shapes]
        X = rng.normal(size=(problem.m, problem.sizes[0]))
    if problem.regime == "saturated":
        a = X
        for theta in thetas:
            theta *= SATURATED_MAX_Z / np.max(np.abs(add_bias(a) @ theta.T))
            a = sigmoid(add_bias(a) @ theta.T)
    # every label once, the rest at random: unequal class counts, so that a label mistake
    # also shows in the output bias column (whose gradient is mean(h) − class frequency)
    labels = np.array([k for k in range(1, K + 1) if k != problem.absent])
    extra = (rng.choice(labels, problem.m - labels.size) if problem.absent
             else rng.integers(1, K + 1, problem.m - K))
    y = rng.permutation(np.concatenate([labels, extra]))
    for arr in (*thetas, X, y):
        arr.flags.writeable = False
    return tuple(thetas), X, y


def one_hot_targets(y, K):
    """Y (m, K), Y[i, k] = 1 where y_i = k + 1: label K (digit 0) in the last column."""
    return (np.asarray(y)[:, None] == np.arange(1, K + 1)[None, :]).astype(np.float64)


@functools.lru_cache(maxsize=None)
def reference_result(problem, loss):
    """(J, [∂J/∂Θ^(l)]) from JAX autodiff: the reference every answer is compared with."""
    from crosscheck.backends import jax_cost
    thetas, X, y = problem_data(problem)
    return jax_cost.value_and_grad(list(thetas), X, one_hot_targets(y, problem.sizes[-1]),
                                      problem.lambda_, loss)
