"""The network's cost written a third time, in PyTorch (float64), from the equations.

Never calls ``manual``. Gradients come from ``torch.autograd``.
"""
import numpy as np

from manual.errors import InputError  # the error type only; no math from manual
import torch
import torch.nn.functional as F


def sigmoid(z):
    """g(z) = 1/(1 + e^(−z)), written as exp(log g(z)) so that autograd's g'(z) is exact.

    torch.sigmoid's backward forms g(z)(1 − g(z)) from the rounded g(z): 1 − g(z) cancels for
    a saturated unit (relative error ≈ 1e-16·e^|z|: 1e-3 at z = 30, g' = 0 at z ≳ 37).
    The chain rule through exp ∘ logsigmoid gives g(z)·g(−z) instead, with no subtraction.
    """
    return torch.exp(F.logsigmoid(z))


def cost(thetas, X, Y, lambda_, loss):
    """J(Θ): thetas [(s_{l+1}, 1 + s_l)] tensors, X (m, s_1), Y (m, K) one-hot."""
    m = X.shape[0]
    a = X
    for theta in thetas:
        # a Θ[:, 1:]ᵀ + Θ[:, 0]: the bias unit folded in as an added row vector.
        z = torch.addmm(theta[:, 0], a, theta[:, 1:].T)
        a = sigmoid(z)
    if loss == "cross_entropy":
        data = -(Y * F.logsigmoid(z) + (1 - Y) * F.logsigmoid(-z)).sum() / m
    elif loss == "squared_error":
        # h − y as (1 − y) g(z) − y g(−z): the same number, but 1 − g(z) never cancels when y = 1.
        data = (((1 - Y) * a - Y * sigmoid(-z)) ** 2).sum() / (2 * m)
    else:
        raise ValueError(f"unknown loss {loss!r}")
    reg = sum((theta[:, 1:] ** 2).sum() for theta in thetas)
    return data + lambda_ / (2 * m) * reg


def _device(device):
    if device == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise InputError("--device gpu: PyTorch sees no GPU on this machine")
    return torch.device("cuda")


def value_and_grad(thetas, X, Y, lambda_=0.0, loss="cross_entropy", device="cpu"):
    """(J, [∂J/∂Θ^(l)]) as Python float and float64 numpy arrays."""
    dev = _device(device)
    tensor = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64), device=dev)  # noqa: E731
    params = [tensor(t).requires_grad_(True) for t in thetas]
    J = cost(params, tensor(X), tensor(Y), float(lambda_), loss)
    grads = torch.autograd.grad(J, params)
    return float(J.detach()), [g.detach().cpu().numpy() for g in grads]
