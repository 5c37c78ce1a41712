"""Labels 1..K (the course's: label 10 is the digit 0), one-hot targets, prediction."""
import numpy as np

from .backprop import forward
from .errors import InputError


def check_labels(y, num_labels):
    """y as an int vector (m,) in 1..K; raises InputError naming the problem."""
    y = np.asarray(y)
    if y.ndim == 2 and 1 in y.shape:
        y = y.ravel()
    if y.ndim != 1:
        raise InputError(f"labels must be a vector (m,) or (m, 1), got shape {y.shape}")
    if y.dtype.kind not in "iuf":
        raise InputError(f"labels must be numeric, got dtype {y.dtype}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise InputError("labels contain NaN or inf")
    if y.size and np.any(y != np.round(y)):
        raise InputError("labels must be whole numbers 1..K")
    y = y.astype(np.int64)
    if y.size and y.min() == 0 and y.max() <= num_labels - 1:
        raise InputError(
            f"labels look zero-based; the course uses 1..{num_labels} with {num_labels} for digit 0")
    if y.size and (y.min() < 1 or y.max() > num_labels):
        raise InputError(f"labels must lie in 1..{num_labels}, found {y.min()}..{y.max()}")
    return y


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
