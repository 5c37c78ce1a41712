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

The input convention: ``thetas`` is the list of weight matrices ``[Theta1 (s_2, 1 + s_1),
Theta2 (K, 1 + s_2)]`` (the course's 400-25-10 network: (25, 401) and (10, 26)), each with its
bias column first; ``X`` is (m, s_1) *without* the bias column; ``Y`` is the labels 1..K, shape
(m,) or (m, 1), or one-hot (m, K). ``fn`` gets copies of these, in the same convention, and
returns ``(J, [dJ/dTheta1, dJ/dTheta2])``, each gradient shaped like its Θ. An unrolled vector
(the course's ``nn_params``) is refused with the call that rerolls it.

In pytest a failure is short: this function's frames are hidden (``__tracebackhide__``), the
summary line says what failed and, when the worst entry is off by a simple factor, names it
(``×m``: the 1/m is missing; ``×2``, ``×½``, ``×(−1)``: see ``crosscheck.check.factor``).

JAX and PyTorch are imported on first use only, so ``import crosscheck`` stays light.
"""
import numpy as np

from manual.errors import InputError
from manual.losses import check_loss

from crosscheck.backends import BACKENDS, as_problem, autodiff_value_and_grad
from crosscheck.check.compare import GradientMismatch, compare
from crosscheck.check.factor import factor_of, meaning, whole_layer


def check_against_autodiff(fn, thetas, X, Y, lambda_=0.0, loss="cross_entropy", backends=BACKENDS,
                           device="cpu", name="mine", tol=None):
    """Compare ``fn(thetas, X, Y, lambda_, loss) -> (J, [grads])`` with each autodiff backend.

    thetas: [Θ^(l) (s_{l+1}, 1 + s_l)], bias column first; X (m, s_1) without the bias
    column; Y labels 1..K (m,) or one-hot (m, K) (see the module docstring). Returns the list
    of :class:`Comparison` (one per backend) when every one passes the tolerance table's
    "autodiff" bound (or ``tol``); raises :class:`GradientMismatch` otherwise, its first line a
    summary (the worst entry, and its factor when simple), then each failing backend's
    paragraph (``exc.comparisons`` holds them all).
    """
    __tracebackhide__ = True
    try:
        check_loss(loss)
        thetas, X, Y = as_problem(_weight_list(thetas), X, Y)
    except InputError as exc:
        raise InputError(f"check_against_autodiff: {exc}") from None
    mine = fn([t.copy() for t in thetas], X.copy(), Y.copy(), lambda_, loss)
    mine = _pair(mine, name)
    refs = [autodiff_value_and_grad(backend, thetas, X, Y, lambda_, loss, device) for backend in backends]
    comparisons = [compare(name, mine, backend, ref, "autodiff", tol=tol) for backend, ref in zip(backends, refs)]
    failed = [(c, ref) for c, ref in zip(comparisons, refs) if not c.passed]
    if failed:
        exc = GradientMismatch("\n".join([headline(*failed[0], mine, X.shape[0]),
                                          *(c.describe() for c, _ in failed)]))
        exc.comparisons = comparisons
        raise exc
    return comparisons


def _weight_list(thetas):
    """``thetas`` as a list of matrices; an unrolled vector is refused with the way to reroll it."""
    if isinstance(thetas, np.ndarray) and thetas.ndim == 1:
        raise InputError(f"thetas is one vector of {thetas.size} numbers (unrolled, like the course's "
                         "nn_params); pass the list of weight matrices: "
                         "manual.reroll(nn_params, (input_layer_size, hidden_layer_size, num_labels))")
    if isinstance(thetas, np.ndarray) and thetas.ndim == 2:
        raise InputError(f"thetas is one matrix {thetas.shape}; pass the list [Theta1, Theta2]")
    thetas = list(thetas)
    if any(np.ndim(t) != 2 for t in thetas):
        raise InputError(f"thetas must be a list of 2-D weight matrices [Theta1, Theta2], got entries "
                         f"with {[np.ndim(t) for t in thetas]} dimensions")
    return thetas


def _pair(result, name):
    """fn's result as (J, [grads]); GradientMismatch in one line for what cannot be compared."""
    __tracebackhide__ = True
    ok = isinstance(result, (tuple, list)) and len(result) == 2
    if ok and isinstance(result[1], np.ndarray) and result[1].ndim == 1:
        raise GradientMismatch(f"{name} returned its gradient as one vector of {result[1].size} numbers; "
                               "check_against_autodiff expects one matrix per layer, shaped like "
                               "thetas (manual.reroll(grad, layer sizes) turns one into the other)")
    if not ok:
        raise GradientMismatch(f"{name} returned a {type(result).__name__}; expected the pair "
                               "(J, [dJ/dTheta1, dJ/dTheta2])")
    return result


def headline(c, ref, mine, m):
    """The first line of a failure: what is wrong, where, and the factor when it is a simple one."""
    if c.shape_error:
        return f"your gradient does not fit the weights: {c.shape_error}"
    if c.grad_rel_diff <= c.tol:
        label = factor_of(c.cost_a, c.cost_b, m)
        return (f"the gradient agrees with {c.b_name} but the cost does not: {c.a_name}={c.cost_a:.6g}, "
                f"{c.b_name}={c.cost_b:.6g}" + (f" ({label}: {meaning(label)})" if label else ""))
    layer, row, col = c.worst
    where = f"[{row}, {col}]" + (" (bias column)" if col == 0 else "")
    values = f"{c.a_name}={c.worst_a:.4g}, {c.b_name}={c.worst_b:.4g}"
    label = factor_of(c.worst_a, c.worst_b, m)
    if not label:
        return f"gradient differs from {c.b_name} autodiff, worst at ∂J/∂Θ^({layer}){where}: {values}"
    factor = label + (f" (m = {m})" if "m" in label else "")
    if whole_layer(mine[1][layer - 1], ref[1][layer - 1], label, m):
        return (f"∂J/∂Θ^({layer}) is {factor} {c.b_name} autodiff's: {meaning(label)} "
                f"(e.g. at {where}: {values})")
    return (f"worst entry ∂J/∂Θ^({layer}){where} is {factor} {c.b_name} autodiff's: "
            f"{meaning(label)}? ({values})")
