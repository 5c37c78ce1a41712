"""Vectorised forward pass and backpropagation for any depth.

Shapes, for layer sizes (s_1, ..., s_L), m examples, K = s_L:

    a^(1) = [1, X]                          (m, 1 + s_1)
    z^(l+1) = a^(l) Θ^(l)ᵀ                  (m, s_{l+1})
    a^(l+1) = [1, g(z^(l+1))]               (m, 1 + s_{l+1})     (no bias on the output)
    h = a^(L) = g(z^(L))                    (m, K)

Backward (δ^(l) is (m, s_l), Δ^(l) is Θ^(l)'s shape (s_{l+1}, 1 + s_l)):

    δ^(L) = see losses.output_delta
    δ^(l) = (δ^(l+1) Θ^(l))[:, 1:] ⊙ g'(z^(l))       g'(z) = g(z) ⊙ g(−z)

g'(z) is taken from z, not as a ⊙ (1 − a) from the rounded activation a = g(z): 1 − a
cancels for a saturated unit (a relative 1e-16·e^|z|, all of it once a rounds to 1 at
|z| ≳ 37), and g(z) ⊙ g(−z) is the same number without the subtraction.
    Δ^(l) = δ^(l+1)ᵀ a^(l)
    ∂J/∂Θ^(l) = (1/m) Δ^(l) + (λ/m) Θ^(l)             (bias column 0 unregularised)
"""

from .activation import sigmoid, sigmoid_gradient
from .layout import add_bias
from .losses import check_loss, data_loss_sum, output_delta, penalty, penalty_gradient


def forward(thetas, X):
    """Activations and pre-activations of every layer.

    Returns (a, z): a[0] = [1, X] (m, 1 + s_1), a[l] for hidden layers with their bias
    column, a[-1] = h (m, K) without one; z[l] is the pre-activation feeding a[l + 1].
    """
    a, z = [add_bias(X)], []
    for l, theta in enumerate(thetas):
        z.append(a[-1] @ theta.T)
        g = sigmoid(z[-1])
        a.append(g if l == len(thetas) - 1 else add_bias(g))
    return a, z


def cost(thetas, X, Y, lambda_=0.0, loss="cross_entropy"):
    """J(Θ) for one-hot targets Y (m, K), penalty included."""
    check_loss(loss)
    a, z = forward(thetas, X)
    m = X.shape[0]
    return data_loss_sum(z[-1], a[-1], Y, loss) / m + penalty(thetas, lambda_, m)


def cost_and_gradient(thetas, X, Y, lambda_=0.0, loss="cross_entropy"):
    """(J, [∂J/∂Θ^(1), ...]) by vectorised backprop. X (m, s_1), Y (m, K) one-hot."""
    check_loss(loss)
    m = X.shape[0]
    a, z = forward(thetas, X)
    h = a[-1]
    J = data_loss_sum(z[-1], h, Y, loss) / m + penalty(thetas, lambda_, m)

    delta = output_delta(h, Y, loss, z[-1])                    # δ^(L), (m, K)
    grads = [None] * len(thetas)
    for l in range(len(thetas) - 1, -1, -1):
        grads[l] = (delta.T @ a[l]) / m + penalty_gradient(thetas[l], lambda_, m)   # Δ^(l)/m + reg
        if l > 0:
            # δ^(l) = (δ^(l+1) Θ^(l))[:, 1:] ⊙ g'(z^(l)); z[l − 1] is z^(l), feeding a[l]
            delta = (delta @ thetas[l])[:, 1:] * sigmoid_gradient(z[l - 1])
    return J, grads
