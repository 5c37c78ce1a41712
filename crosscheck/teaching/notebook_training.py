"""Training a course-signature cost function with TNC, as the original notebook did.

A student's ``nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels,
X, y, lambda_) -> (J, grad)`` is handed to ``scipy.optimize.minimize(method="TNC",
jac=True)`` unchanged, whatever it returns: a mistaken gradient may be inf or NaN (the
``output_delta_dJ_dh`` delta divides by h(1 − h), which is 0 for a saturated unit). Those
evaluations are counted and reported, never hidden, and their floating-point warnings are
silenced only inside the call, because the count is the report.
"""
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from manual.errors import InputError
from manual.labels import accuracy
from manual.layout import reroll


@dataclass
class TrainOutcome:
    """What TNC did with one cost function."""
    params: np.ndarray          # (n_params,) the final weights, unrolled as the function expects
    nfev: int                   # function evaluations used (TNC may overshoot maxfun slightly)
    nonfinite_evals: int        # evaluations whose J or gradient held inf/NaN
    message: str                # scipy's stop reason
    weights_finite: bool        # False when NaN/inf reached the weights themselves


def train_course_function(fn, params0, sizes, X, y, lambda_, maxfun):
    """Minimise ``fn`` from ``params0`` with TNC, jac=True, at most ``maxfun`` evaluations.

    fn: course signature; sizes (s_1, s_2, K); X (m, s_1); y (m,) labels 1..K.
    TNC's old ``maxiter`` option (the notebook's ``{'maxiter': 500}``) counted function
    evaluations, which is today's ``maxfun``. BLAS runs on one thread so that the
    arithmetic, and with it the whole trajectory, is the same on every machine.
    """
    if int(maxfun) < 1:
        raise InputError(f"the evaluation budget must be a positive integer, got {maxfun}")
    counts = {"nfev": 0, "nonfinite": 0}

    def fun(params):
        counts["nfev"] += 1
        with np.errstate(all="ignore"):            # a wrong δ may overflow; counted below
            J, grad = fn(params, *sizes, X, y, lambda_)
        J, grad = float(J), np.asarray(grad, dtype=float)
        if not (np.isfinite(J) and np.all(np.isfinite(grad))):
            counts["nonfinite"] += 1
        return J, grad

    with threadpool_limits(limits=1), np.errstate(all="ignore"):
        result = minimize(fun, np.asarray(params0, dtype=float), jac=True, method="TNC",
                          options={"maxfun": int(maxfun)})
    return TrainOutcome(params=result.x, nfev=counts["nfev"], nonfinite_evals=counts["nonfinite"],
                        message=str(result.message), weights_finite=bool(np.all(np.isfinite(result.x))))


def accuracy_of(params, sizes, X, y, order="F"):
    """Fraction of X's rows whose predicted label is y, reading ``params`` in the course layout.

    None when the weights are not finite: a NaN network predicts nothing meaningful.
    """
    if not np.all(np.isfinite(params)):
        return None
    return accuracy(reroll(params, sizes, order), X, y)
