"""The network's cost written again, independently of ``manual``: in JAX (``jax_cost``) and in
PyTorch (``torch_cost``), float64, gradients by autodiff. This package chooses between them.

Importing it loads neither framework: a backend module is imported when first asked for.
"""
import importlib

import numpy as np

from manual.errors import InputError
from manual.labels import one_hot
from manual.layout import layer_sizes_of
from manual.losses import check_loss

BACKENDS = ("jax", "torch")


def _backend(name):
    if name not in BACKENDS:
        raise InputError(f"unknown autodiff backend {name!r}; choose from {', '.join(BACKENDS)}")
    return importlib.import_module(f"crosscheck.backends.{name}_cost")


def _targets(Y, m, K):
    """Y as one-hot (m, K): accepts labels 1..K of shape (m,) or (m, 1), or one-hot (m, K)."""
    Y = np.asarray(Y)
    if Y.ndim == 2 and Y.shape == (m, K) and K > 1:
        return Y.astype(np.float64)
    return one_hot(Y, K)


def as_problem(thetas, X, Y):
    thetas = [np.asarray(t, dtype=np.float64) for t in thetas]
    sizes = layer_sizes_of(thetas)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != sizes[0]:
        raise InputError(f"X must be (m, {sizes[0]}) for these weights, got shape {X.shape}")
    Y = _targets(Y, X.shape[0], sizes[-1])
    if Y.shape[0] != X.shape[0]:
        raise InputError(f"X has {X.shape[0]} rows but the targets have {Y.shape[0]}")
    return thetas, X, Y


def check_device(device, backends=BACKENDS):
    """Raise InputError unless every backend in ``backends`` can run on ``device`` ("cpu"/"gpu")."""
    for backend in backends:
        _backend(backend)._device(device)


def autodiff_value_and_grad(backend, thetas, X, Y, lambda_=0.0, loss="cross_entropy", device="cpu"):
    """(J, [∂J/∂Θ^(l)]) from ``backend`` ("jax" or "torch"), float64.

    thetas: [Θ^(l) (s_{l+1}, 1 + s_l)]; X (m, s_1) without the bias column; Y one-hot (m, K)
    or labels 1..K (m,). J = data loss + λ/(2m) Σₗ ‖Θ^(l)[:, 1:]‖².
    """
    check_loss(loss)
    thetas, X, Y = as_problem(thetas, X, Y)
    return _backend(backend).value_and_grad(thetas, X, Y, float(lambda_), loss, device=device)
