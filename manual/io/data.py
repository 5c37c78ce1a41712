"""Data: the course's .mat files when given, else scikit-learn's bundled 8×8 digits.

Files are read by ``matfile.read_mat`` (v4, v5/v7 and v7.3); everything here checks what
was read, so that any file the network cannot use is one InputError naming the file and
the problem: a missing variable, text or cells instead of numbers, complex or NaN values,
shapes that do not fit, labels outside 1..K.

Course layout: ex4data1.mat holds X (m, 400) and y (m, 1) in 1..10 (10 is digit 0);
ex4weights.mat holds Theta1 (25, 401) and Theta2 (10, 26).
"""
import os
import re

import numpy as np

from ..errors import InputError
from .matfile import MAX_MAT_BYTES, NUMERIC_CLASSES, read_mat

_NOT_NUMBERS = {
    "logical": "holds logical (true/false) values, not numbers; convert it with double()",
    "char": "is text (char), not numbers",
    "cell": "is a cell array, not a numeric matrix",
    "struct": "is a struct, not a numeric matrix; store its fields as separate variables",
    "sparse": "is a sparse matrix; store it with full()",
}


def _numeric(name, variables, key):
    """variables[key] as a finite float64 array of MATLAB's shape, or InputError naming the problem."""
    if key not in variables:
        found = sorted(variables)
        raise InputError(f"{name}: missing variable {key!r} (the file has {found or 'no variables'})")
    cls, value = variables[key]
    if value is None or cls not in NUMERIC_CLASSES:
        shown = cls if cls.isidentifier() and cls.isascii() else "unknown"
        what = _NOT_NUMBERS.get(cls, f"is a MATLAB {shown} object, not numbers")
        raise InputError(f"{name}: {key} {what}")
    value = np.asarray(value)
    if value.dtype.kind == "c":
        raise InputError(f"{name}: {key} holds complex numbers; the network needs real ones")
    if value.dtype.kind == "b":
        raise InputError(f"{name}: {key} {_NOT_NUMBERS['logical']}")
    if value.dtype.kind not in "iuf":
        raise InputError(f"{name}: {key} is not numeric (dtype {value.dtype})")
    if value.size == 0:
        raise InputError(f"{name}: {key} is empty (shape {value.shape})")
    value = value.astype(np.float64)
    bad = ~np.isfinite(value)
    if bad.any():
        where = ", ".join(str(i + 1) for i in np.argwhere(bad)[0])
        raise InputError(f"{name}: {key} contains NaN or inf ({int(bad.sum())} of {value.size} values; "
                         f"the first at {key}({where}), counting from 1)")
    return value


def _matrix(name, variables, key, what):
    """A 2-D numeric variable (MATLAB's (rows, columns)); ``what`` names the expected shape."""
    value = _numeric(name, variables, key)
    if value.ndim != 2:
        raise InputError(f"{name}: {key} must be a 2-D matrix {what}, got shape {value.shape}")
    return value


def load_ex4data(path, num_labels=10, max_bytes=MAX_MAT_BYTES):
    """(X (m, n), y (m,) int labels 1..K) from a course-style ex4data1.mat (any MAT version).

    Raises InputError, one line naming the file, for anything the network cannot use;
    ``max_bytes`` bounds the file and each array in it (matfile.MAX_MAT_BYTES).
    """
    from ..labels import check_labels
    name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    variables = read_mat(path, max_bytes)
    X = _matrix(name, variables, "X", "(m examples, n features)")
    y = _numeric(name, variables, "y")
    m = X.shape[0]
    if y.ndim > 2 or (y.ndim == 2 and 1 not in y.shape):
        hint = ("; it looks one-hot, but the course stores one label 1..K per row"
                if y.ndim == 2 and y.shape[0] == m and np.all((y == 0) | (y == 1)) else "")
        raise InputError(f"{name}: y must be a vector of labels ({m}, 1), got shape {y.shape}{hint}")
    if y.size != m:
        raise InputError(f"{name}: y has {y.size} labels but X has {m} rows (examples); they must match")
    try:
        return X, check_labels(y, num_labels)
    except InputError as exc:
        raise InputError(f"{name}: y: {exc}") from None


def load_ex4weights(path, max_bytes=MAX_MAT_BYTES):
    """[Theta1 (s_2, 1 + s_1), Theta2 (K, 1 + s_2)] from a course-style ex4weights.mat (any MAT version).

    A third weight matrix (Theta3, ...) is refused, not ignored: this network has two layers
    of weights, and a file with three was made for another network.
    """
    name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    variables = read_mat(path, max_bytes)
    extra = sorted(v for v in variables if re.fullmatch(r"Theta[3-9]\d*", v))
    if extra:
        raise InputError(f"{name}: has {', '.join(extra)} besides Theta1 and Theta2; this network has "
                         "one hidden layer, so exactly two weight matrices")
    theta1 = _matrix(name, variables, "Theta1", "(hidden units, 1 + inputs)")
    theta2 = _matrix(name, variables, "Theta2", "(outputs, 1 + hidden units)")
    if theta1.shape[1] < 2:
        raise InputError(f"{name}: Theta1 is {theta1.shape}; it needs a bias column and at least one input column")
    if theta2.shape[1] != theta1.shape[0] + 1:
        transposed = theta2.shape[0] == theta1.shape[1] + 1
        raise InputError(
            f"{name}: Theta1 {theta1.shape} and Theta2 {theta2.shape} do not fit: Theta2 needs "
            f"1 + {theta1.shape[0]} = {theta1.shape[0] + 1} columns (one per hidden unit plus the bias)"
            + ("; both look transposed" if transposed else ""))
    return [theta1, theta2]


def check_fit(thetas, X, num_labels):
    """InputError unless Θ^(1) takes X's n features (n + 1 columns) and Θ^(L) has K = num_labels rows."""
    n_in, n_out = thetas[0].shape[1] - 1, thetas[-1].shape[0]
    if n_in != X.shape[1]:
        raise InputError(f"Theta1 is {thetas[0].shape}, which takes {n_in} input features, "
                         f"but the data has {X.shape[1]}")
    if n_out != num_labels:
        raise InputError(f"Theta{len(thetas)} is {thetas[-1].shape}, which gives {n_out} outputs, "
                         f"but the labels are 1..{num_labels}, which need {num_labels}")


def load_default_digits():
    """scikit-learn's bundled 8×8 digits: X (1797, 64) scaled to [0, 1], y (1797,) in 1..10.

    Mapped to the course's labels: digit d becomes label d, digit 0 becomes label 10.
    Read straight from scikit-learn's digits.csv.gz (what load_digits reads) when it is where
    scikit-learn 1.3+ keeps it: importing sklearn itself takes about 1 s, the file 0.1 s.
    """
    import importlib.util
    from pathlib import Path
    spec = importlib.util.find_spec("sklearn")                  # locates, does not import
    csv = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz" if spec else None
    if csv is not None and csv.is_file():
        table = np.loadtxt(csv, delimiter=",")                  # 64 pixels then the digit, per row
        data, target = table[:, :-1], table[:, -1].astype(np.int64)
    else:
        from sklearn.datasets import load_digits
        digits = load_digits()
        data, target = digits.data, digits.target
    X = data.astype(np.float64) / 16.0
    y = np.where(target == 0, 10, target).astype(np.int64)
    return X, y


def train_test_split(X, y, test_fraction=0.2, seed=0):
    """A seeded held-out split: (X_train, y_train, X_test, y_test)."""
    order = np.random.default_rng(seed).permutation(X.shape[0])
    n_test = int(round(test_fraction * X.shape[0]))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]
