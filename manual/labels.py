"""Labels 1..K (the course's: label 10 is the digit 0), one-hot targets, prediction."""
import numpy as np

from .backprop import forward
from .errors import InputError


def check_labels(y, num_labels):
    """y as an int vector (m,) in 1..K; raises InputError naming the problem.

    Accepts (m,), (m, 1) or (1, m) of integers or whole-valued floats. The range is checked
    on the values as given, before any cast, so 1e300 or 2**70 is reported, not wrapped.
    """
    if isinstance(num_labels, bool) or not isinstance(num_labels, (int, np.integer)) or num_labels < 1:
        raise InputError(f"the number of labels K must be a whole number ≥ 1, got {num_labels!r}")
    try:
        y = np.asarray(y)
    except Exception as exc:   # ragged nested lists and the like
        raise InputError(f"labels must be a vector of numbers 1..{num_labels} ({exc})") from None
    if y.ndim == 2 and 1 in y.shape:
        y = y.ravel()
    if y.ndim != 1:
        raise InputError(f"labels must be a vector (m,) or (m, 1), got shape {y.shape}")
    if y.size == 0:
        raise InputError("there are no labels (y is empty)")
    if y.dtype.kind == "b":
        raise InputError(f"labels must be numbers 1..{num_labels}, got logical (true/false) values")
    if y.dtype.kind not in "iuf":
        raise InputError(f"labels must be numbers 1..{num_labels}, got dtype {y.dtype}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise InputError("labels contain NaN or inf")
        fractional = y != np.round(y)
        if fractional.any():
            raise InputError(f"labels must be whole numbers 1..{num_labels}, found {float(y[fractional][0]):g}")
    low, high = y.min(), y.max()
    if low == 0 and high <= num_labels - 1:
        raise InputError(
            f"labels look zero-based; the course uses 1..{num_labels} with {num_labels} for digit 0")
    if low < 1 or high > num_labels:
        raise InputError(f"labels must lie in 1..{num_labels}, found {low:g}..{high:g}"
                         if y.dtype.kind == "f" else
                         f"labels must lie in 1..{num_labels}, found {low}..{high}")
    return y.astype(np.int64)


def one_hot(y, num_labels):
    """Y (m, K) with Y[i, y_i − 1] = 1: label k sits in column k − 1 (label 10 in column 9)."""
    y = check_labels(y, num_labels)
    Y = np.zeros((y.size, num_labels))
    Y[np.arange(y.size), y - 1] = 1.0
    return Y


def predict(thetas, X):
    """Predicted labels (m,) in 1..K: the index of the largest output, plus one."""
    a, _ = forward(thetas, X)
    return np.argmax(a[-1], axis=1) + 1


def accuracy(thetas, X, y):
    """Fraction of examples whose predicted label equals y (m,)."""
    return float(np.mean(predict(thetas, X) == np.asarray(y).ravel()))
