"""The fixed problems a learner's function runs on, and the reference answer for each.

Every problem is reproducible from its seed; its arrays are read-only, so a function that
writes into its inputs fails loudly instead of corrupting the next problem. The reference is
JAX autodiff of the cost written from the equations (``crosscheck.backends.jax_cost``), with
one-hot targets built here, independently of ``manual``. Those answers are stored
(``reference/answers.json``, keyed by each problem's full definition), so that a verify run
loads neither JAX nor PyTorch; a problem whose answer is missing or stale is computed by JAX.
"""
import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

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
            a = _sigmoid(add_bias(a) @ theta.T)
    # every label once, the rest at random: unequal class counts, so that a label mistake
    # also shows in the output bias column (whose gradient is mean(h) − class frequency)
    labels = np.array([k for k in range(1, K + 1) if k != problem.absent])
    extra = (rng.choice(labels, problem.m - labels.size) if problem.absent
             else rng.integers(1, K + 1, problem.m - K))
    y = rng.permutation(np.concatenate([labels, extra]))
    for arr in (*thetas, X, y):
        arr.flags.writeable = False
    return tuple(thetas), X, y


def _sigmoid(z):
    """g(z) for |z| ≤ SATURATED_MAX_Z, where e^(−z) cannot overflow: numpy alone, so that
    generating the problems (in verify's worker and its parent) needs no scipy.special. The same
    bits as scipy's expit here (the stored answers' input digests are unchanged)."""
    return 1.0 / (1.0 + np.exp(-z))


def one_hot_targets(y, K):
    """Y (m, K), Y[i, k] = 1 where y_i = k + 1: label K (digit 0) in the last column."""
    return (np.asarray(y)[:, None] == np.arange(1, K + 1)[None, :]).astype(np.float64)


def definition(problem):
    """The problem's full definition as plain data: the stored answers' key."""
    return {f.name: list(v) if isinstance(v, tuple) else v
            for f in dataclasses.fields(problem) for v in [getattr(problem, f.name)]}


@functools.lru_cache(maxsize=None)
def inputs_digest(problem):
    """sha256 of the arrays the seed generates (Θ^(l), X, y): a stored answer holds only for these."""
    from reference.answers import inputs_digest as digest
    thetas, X, y = problem_data(problem)
    return digest([*thetas, X, y])


def stored_result(problem, loss):
    """(J, [∂J/∂Θ^(l)]) from reference/answers.json, or None when missing or stale."""
    from reference.answers import lookup
    return lookup(definition(problem), loss, inputs_digest(problem))


def missing_answers(loss, problems=PROBLEMS):
    """The problems whose stored answer for ``loss`` is missing or stale (computed with JAX)."""
    return [p for p in problems if stored_result(p, loss) is None]


def autodiff_result(problem, loss, backend="jax"):
    """(J, [∂J/∂Θ^(l)]) computed now by ``backend`` ("jax" or "torch") autodiff."""
    import importlib
    module = importlib.import_module(f"crosscheck.backends.{backend}_cost")
    thetas, X, y = problem_data(problem)
    return module.value_and_grad([np.array(t) for t in thetas], np.array(X), one_hot_targets(y, problem.sizes[-1]),
                                 problem.lambda_, loss)


@functools.lru_cache(maxsize=None)
def reference_result(problem, loss):
    """(J, [∂J/∂Θ^(l)]): the reference every answer is compared with. The stored JAX answer
    when it holds for this problem's definition and inputs (package data, out of any learner's
    reach), else JAX autodiff now, verified against numpy's backprop (manual) first: a compiled
    cost loaded from a poisoned persistent cache would otherwise judge every learner. On a
    disagreement the cache is dropped and the cost compiled again; a second disagreement is an
    error, never a verdict."""
    stored = stored_result(problem, loss)
    if stored is not None:
        return stored
    from crosscheck.backends import jax_cost
    thetas, X, y = problem_data(problem)
    Y = one_hot_targets(y, problem.sizes[-1])
    for attempt in range(2):
        result = autodiff_result(problem, loss)
        if _agrees_with_numpy(result, thetas, X, Y, problem.lambda_, loss):
            return result
        jax_cost.drop_persistent_cache()
    raise RuntimeError(f"JAX's reference for {problem.name} disagrees with numpy's even compiled afresh")


def _agrees_with_numpy(result, thetas, X, Y, lambda_, loss):
    from manual.backprop import cost_and_gradient
    J, grads = cost_and_gradient(list(thetas), X, Y, lambda_, loss)
    pairs = [(result[0], J), *zip(result[1], grads)]
    return all(np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in pairs)
