"""Data: the course's .mat files when given, else scikit-learn's bundled 8×8 digits.

Course layout: ex4data1.mat holds X (m, 400) and y (m, 1) in 1..10 (10 is digit 0);
ex4weights.mat holds Theta1 (25, 401) and Theta2 (10, 26).
"""
import numpy as np
import scipy.io

from .errors import InputError


def _loadmat(path):
    try:
        return scipy.io.loadmat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except Exception as exc:   # scipy raises many types for a malformed file
        raise InputError(f"{path}: not a readable MATLAB .mat file ({exc})") from None


def _numeric(path, contents, key, ndim=2):
    if key not in contents:
        found = sorted(k for k in contents if not k.startswith("__"))
        raise InputError(f"{path}: missing variable {key!r} (found {found})")
    value = np.asarray(contents[key])
    if value.dtype.kind not in "iuf" or value.ndim != ndim:
        raise InputError(f"{path}: {key} must be a numeric {ndim}-D array, got {value.dtype} {value.shape}")
    value = value.astype(np.float64)
    if not np.all(np.isfinite(value)):
        raise InputError(f"{path}: {key} contains NaN or inf")
    return value


def load_ex4data(path, num_labels=10):
    """(X (m, n), y (m,) int labels 1..K) from a course-style ex4data1.mat."""
    from .labels import check_labels
    contents = _loadmat(path)
    X = _numeric(path, contents, "X")
    y = _numeric(path, contents, "y")
    if y.shape != (X.shape[0], 1) and y.shape != (1, X.shape[0]):
        raise InputError(f"{path}: y has shape {y.shape}; X has {X.shape[0]} rows, so y must be ({X.shape[0]}, 1)")
    try:
        return X, check_labels(y, num_labels)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def load_ex4weights(path):
    """[Theta1 (s_2, 1 + s_1), Theta2 (K, 1 + s_2)] from a course-style ex4weights.mat."""
    contents = _loadmat(path)
    theta1 = _numeric(path, contents, "Theta1")
    theta2 = _numeric(path, contents, "Theta2")
    if theta2.shape[1] != theta1.shape[0] + 1:
        raise InputError(
            f"{path}: Theta1 {theta1.shape} and Theta2 {theta2.shape} do not fit: "
            f"Theta2 needs {theta1.shape[0] + 1} columns")
    return [theta1, theta2]


def load_default_digits():
    """scikit-learn's bundled 8×8 digits: X (1797, 64) scaled to [0, 1], y (1797,) in 1..10.

    Mapped to the course's labels: digit d becomes label d, digit 0 becomes label 10.
    """
    from sklearn.datasets import load_digits
    digits = load_digits()
    X = digits.data.astype(np.float64) / 16.0
    y = np.where(digits.target == 0, 10, digits.target).astype(np.int64)
    return X, y


def train_test_split(X, y, test_fraction=0.2, seed=0):
    """A seeded held-out split: (X_train, y_train, X_test, y_test)."""
    order = np.random.default_rng(seed).permutation(X.shape[0])
    n_test = int(round(test_fraction * X.shape[0]))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]
