"""Training with scipy.optimize.minimize on the unrolled parameters (jac=True)."""
from contextlib import nullcontext

import numpy as np

from .errors import InputError
from .fast import CostGradient
from .labels import one_hot
from .layout import layer_sizes_of, reroll, unroll
from .threads import single_threaded_blas

METHODS = ("TNC", "L-BFGS-B", "CG")


def train(thetas0, X, y, lambda_=1.0, loss="cross_entropy", method="TNC", maxiter=200,
          callback=None, cost_and_gradient_fn=None, dtype=np.float64):
    """Minimise J from ``thetas0``; returns (thetas, scipy OptimizeResult).

    X (m, s_1); y (m,) labels 1..K. ``callback(J)`` is called once per iteration with the
    current cost (for progress bars and cost curves). By default the optimiser calls the
    prepared :class:`manual.fast.CostGradient` (X kept, buffers reused, ``dtype`` float64
    or float32); ``cost_and_gradient_fn(thetas, X, Y, lambda_, loss)`` replaces it, e.g.
    with a mistaken variant.
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if int(maxiter) < 1:
        raise InputError(f"maxiter must be at least 1, got {maxiter}")
    sizes = layer_sizes_of(thetas0)
    if cost_and_gradient_fn is None:
        evaluate = CostGradient(X, y, sizes, loss, lambda_, dtype)
    else:
        Y = one_hot(y, sizes[-1])

        def evaluate(params):
            J, grads = cost_and_gradient_fn(reroll(params, sizes), X, Y, lambda_, loss)
            return J, unroll(grads)

    recent = []                          # the last few (params, J): the callback's J at x_k

    def fun(params):
        J, grad = evaluate(params)
        recent.append((params.copy(), J))
        del recent[:-4]
        return J, grad

    def step(xk, *_):
        if callback is not None:
            # J at the accepted x_k, not at the last line-search trial; re-evaluated only if
            # the optimiser reports a point it did not just evaluate.
            J = next((J for x, J in reversed(recent) if np.array_equal(x, xk)), None)
            callback(evaluate(xk)[0] if J is None else J)

    options = {"maxfun" if method == "TNC" else "maxiter": int(maxiter)}
    # CostGradient brings its own threads. The optimiser's vector steps (n_params = 10,285 for
    # the course) would run on OpenBLAS's threads, which then spin for ~0.1 s after each step
    # and take a core from CostGradient's next call: single-threaded BLAS around the whole
    # run measured 0.53 s against 0.79 s for 100 L-BFGS-B iterations at m = 5000 (CG: 0.76
    # against 1.20; TNC, whose steps are not BLAS, the same).
    with single_threaded_blas() if cost_and_gradient_fn is None else nullcontext():
        from scipy.optimize import minimize     # here, not at import: it costs ~0.25 s
        result = minimize(fun, unroll(thetas0), jac=True, method=method, options=options,
                          callback=step)
    return reroll(result.x, sizes), result
