"""Training with scipy.optimize.minimize on the unrolled parameters (jac=True)."""
import numpy as np
from scipy.optimize import minimize

from .backprop import cost_and_gradient
from .errors import InputError
from .labels import one_hot
from .layout import reroll, unroll

METHODS = ("TNC", "L-BFGS-B", "CG")


def train(thetas0, X, y, lambda_=1.0, loss="cross_entropy", method="TNC", maxiter=200,
          callback=None, cost_and_gradient_fn=cost_and_gradient):
    """Minimise J from ``thetas0``; returns (thetas, scipy OptimizeResult).

    X (m, s_1); y (m,) labels 1..K. ``callback(J)`` is called once per iteration with the
    current cost (for progress bars and cost curves).
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    sizes = tuple([thetas0[0].shape[1] - 1] + [t.shape[0] for t in thetas0])
    Y = one_hot(y, sizes[-1])
    last = {}

    def fun(params):
        J, grads = cost_and_gradient_fn(reroll(params, sizes), X, Y, lambda_, loss)
        last["J"] = J
        return J, unroll(grads)

    def step(*_):
        if callback is not None:
            callback(last["J"])

    options = {"maxfun" if method == "TNC" else "maxiter": maxiter}
    result = minimize(fun, unroll(thetas0), jac=True, method=method, options=options,
                      callback=step)
    return reroll(result.x, sizes), result
