"""The two losses, their output deltas, and the L2 penalty that skips bias columns.

Symbols (as in the code): m examples, K outputs, z = z^(L) the output
pre-activations (m, K), h = g(z) the outputs (m, K), Y the one-hot targets (m, K).

    cross-entropy   J = (1/m) Σᵢ Σₖ [−yₖ log hₖ − (1 − yₖ) log(1 − hₖ)]
    squared error   J = (1/(2m)) Σᵢ Σₖ (hₖ − yₖ)²
    penalty         + λ/(2m) Σₗ Σ_{j, k≥1} (Θ^(l)_{jk})²        (column k = 0 is the bias)

Output deltas δ^(L) = ∂(m·J)/∂z^(L):

    cross-entropy   δ = h − y                 (the g'(z) cancels against ∂J/∂h;
                                               computed as (1 − y) g(z) − y g(−z))
    squared error   δ = (h − y) ⊙ g'(z),  g'(z) = g(z) ⊙ g(−z)  (= h ⊙ (1 − h))
                                              (h − y likewise as (1 − y) g(z) − y g(−z))
"""
import numpy as np

from .activation import sigmoid, sigmoid_gradient
from .errors import InputError

LOSSES = ("cross_entropy", "squared_error")


def check_loss(loss):
    if loss not in LOSSES:
        raise InputError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    return loss


def data_loss_sum(z, h, Y, loss):
    """m·J without the penalty. z, h, Y: (m, K).

    Cross-entropy is taken from z, never from log h: with −log g(z) = softplus(−z)
    and −log(1 − g(z)) = softplus(z), each term is softplus(z) − y·z, finite and
    warning-free for saturated units (h rounding to exactly 0 or 1). It is split as
    [max(z, 0) − y·z] + log(1 + e^(−|z|)): for one-hot y the bracket is exact and ≥ 0, so a
    confident, correct unit (y = 1, z = 30) costs e^(−30) without cancelling 30 − 30.
    Squared error's residual h − y is taken as (1 − y) ⊙ g(z) − y ⊙ g(−z) for the same
    reason (see residual).
    """
    if loss == "cross_entropy":
        return float(np.sum(np.maximum(z, 0.0) - Y * z) + np.sum(np.log1p(np.exp(-np.abs(z)))))
    check_loss(loss)
    r = residual(z, Y)
    return 0.5 * float(np.vdot(r, r))


def residual(z, Y):
    """h − y (m, K), taken as (1 − y) ⊙ g(z) − y ⊙ g(−z): the same number since
    g(z) + g(−z) = 1, but exact for one-hot y (no 1 − g(z) that cancels when y = 1, z ≫ 0)."""
    return (1.0 - Y) * sigmoid(z) - Y * sigmoid(-z)


def output_delta(h, Y, loss, z=None):
    """δ^(L), (m, K): h − y (cross-entropy) or (h − y) ⊙ h ⊙ (1 − h) (squared error).

    Pass z = z^(L) (backprop does): h − y is then taken as (1 − y) ⊙ g(z) − y ⊙ g(−z),
    the same number since g(z) + g(−z) = 1, but exact for one-hot y, and squared error's
    h ⊙ (1 − h) as g'(z) = g(z) ⊙ g(−z). Plain h − y and 1 − h cancel for a saturated unit
    (z = 30: 1 − g(30) ≈ 9e−14 keeps only ~3 digits, and 0 once g rounds to 1 at z ≳ 37),
    which would leave a well-trained network's small gradient mostly rounding error.
    """
    check_loss(loss)
    if z is None:
        r = h - Y
        return r if loss == "cross_entropy" else r * h * (1.0 - h)
    r = residual(z, Y)                                       # h − y, exact for one-hot y
    return r if loss == "cross_entropy" else r * sigmoid_gradient(z)


def penalty(thetas, lambda_, m):
    """λ/(2m) Σₗ ‖Θ^(l)[:, 1:]‖²: the bias column 0 of every layer is left out."""
    return lambda_ / (2.0 * m) * sum(float(np.vdot(t[:, 1:], t[:, 1:])) for t in thetas)


def penalty_gradient(theta, lambda_, m):
    """(λ/m) Θ with column 0 zeroed, same shape as Θ."""
    grad = (lambda_ / m) * theta
    grad[:, 0] = 0.0
    return grad
