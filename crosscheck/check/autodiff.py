"""Regression-test your own hand-written (cost, gradient) function against autodiff.

The library side of ``crosscheck report``, for use from your own pytest suite::

    import numpy as np
    from crosscheck import check_against_autodiff

    def my_cost_and_gradient(thetas, X, Y, lambda_, loss):
        ...                                   # your backprop: returns (J, [dJ/dTheta1, dJ/dTheta2])

    def test_my_backprop_matches_autodiff():
        rng = np.random.default_rng(0)
        thetas = [rng.uniform(-0.12, 0.12, (25, 401)), rng.uniform(-0.12, 0.12, (10, 26))]
        X = rng.uniform(0, 1, (50, 400))
        y = rng.integers(1, 11, 50)               # labels 1..10; one-hot Y (50, 10) also works
        check_against_autodiff(my_cost_and_gradient, thetas, X, y, lambda_=1.0)

On a mismatch it raises :class:`GradientMismatch`, whose message names for every failing
backend the layer, row and column of the worst gradient element, which side is which, both
values and the relative error there, e.g.::

    mine vs jax (autodiff, tolerance 1e-12): DISAGREE; ...; worst at Θ^(1)[3, 0] (bias column):
    mine=0.0123 jax=0.0121 (rel err 1.6e-02)

A function with the course's unrolled signature can be wrapped::

    from manual import reroll, unroll

    def fn(thetas, X, Y, lambda_, loss):
        J, grad = nn_cost_function(unroll(thetas), 400, 25, 10, X, Y.argmax(axis=1) + 1, lambda_)
        return J, reroll(grad, (400, 25, 10))

JAX and PyTorch are imported on first use only, so ``import crosscheck`` stays light.
"""
from manual.losses import check_loss

from crosscheck.backends import BACKENDS, as_problem, autodiff_value_and_grad
from crosscheck.check.compare import GradientMismatch, compare


def check_against_autodiff(fn, thetas, X, Y, lambda_=0.0, loss="cross_entropy", backends=BACKENDS,
                           device="cpu", name="mine", tol=None):
    """Compare ``fn(thetas, X, Y, lambda_, loss) -> (J, [grads])`` with each autodiff backend.

    Returns the list of :class:`Comparison` (one per backend) when every one passes the
    tolerance table's "autodiff" bound (or ``tol``); raises :class:`GradientMismatch`
    describing each failing one otherwise (``exc.comparisons`` holds them all).
    """
    check_loss(loss)
    thetas, X, Y = as_problem(thetas, X, Y)
    mine = fn([t.copy() for t in thetas], X.copy(), Y.copy(), lambda_, loss)
    comparisons = [compare(name, mine, backend,
                           autodiff_value_and_grad(backend, thetas, X, Y, lambda_, loss, device),
                           "autodiff", tol=tol)
                   for backend in backends]
    failed = [c for c in comparisons if not c.passed]
    if failed:
        exc = GradientMismatch("\n".join(c.describe() for c in failed))
        exc.comparisons = comparisons
        raise exc
    return comparisons
