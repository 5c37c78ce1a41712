"""Backpropagation one example at a time, exactly as the lecture writes it.

For i = 1..m:
    a^(1) = [1; x^(i)]                                   (1 + s_1,)
    z^(l+1) = Θ^(l) a^(l);   a^(l+1) = [1; g(z^(l+1))]    (no bias on the output)
    δ^(L) = h − y  (cross-entropy)   or   (h − y) ⊙ g'(z^(L))  (squared error)
    δ^(l) = (Θ^(l)ᵀ δ^(l+1))[1:] ⊙ g'(z^(l))             (the bias row is dropped)
    with g'(z) = g(z) ⊙ g(−z) (= h ⊙ (1 − h), exact for saturated units: see activation)
    Δ^(l) := Δ^(l) + δ^(l+1) a^(l)ᵀ
Then D^(l) = (1/m) Δ^(l) + (λ/m) Θ^(l), with the bias column unregularised.

Slow on purpose: it is the form to read, and the vectorised form must match it.
"""
import numpy as np

from .activation import sigmoid, sigmoid_gradient
from .losses import check_loss, data_loss_sum, output_delta, penalty, penalty_gradient


def cost_and_gradient_loop(thetas, X, Y, lambda_=0.0, loss="cross_entropy"):
    """(J, [D^(1), ...]) with the per-example accumulation Δ := Δ + δ aᵀ."""
    check_loss(loss)
    m = X.shape[0]
    Deltas = [np.zeros_like(t, dtype=float) for t in thetas]
    total = 0.0
    for i in range(m):
        a = [np.concatenate(([1.0], X[i]))]              # a^(1) = [1; x^(i)]
        z = []
        for l, theta in enumerate(thetas):
            z.append(theta @ a[-1])                        # z^(l+1) = Θ^(l) a^(l)
            g = sigmoid(z[-1])
            a.append(g if l == len(thetas) - 1 else np.concatenate(([1.0], g)))
        h, y = a[-1], Y[i]
        total += data_loss_sum(z[-1], h, y, loss)
        delta = output_delta(h, y, loss, z[-1])                # δ^(L)
        for l in range(len(thetas) - 1, -1, -1):
            Deltas[l] += np.outer(delta, a[l])             # Δ^(l) := Δ^(l) + δ^(l+1) a^(l)ᵀ
            if l > 0:
                delta = (thetas[l].T @ delta)[1:] * sigmoid_gradient(z[l - 1])   # δ^(l)
    J = total / m + penalty(thetas, lambda_, m)
    return J, [D / m + penalty_gradient(t, lambda_, m) for D, t in zip(Deltas, thetas)]
