"""Correct nnCostFunctions as learners write them (fixtures for tests/test_verify_*.py).

Per-example loops like the original notebook, and vectorised versions in numpy's row-major
order; log h taken directly, as most learners do.
"""
import numpy as np
from scipy.special import expit


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoidGradient(z):
    return sigmoid(z) * (1 - sigmoid(z))


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Cross-entropy, per-example loop, course (column-major) unrolling."""
    Theta1 = np.reshape(nn_params[:hidden_layer_size * (input_layer_size + 1)],
                        (hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = np.reshape(nn_params[hidden_layer_size * (input_layer_size + 1):],
                        (num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]
    J = 0
    Delta1 = np.zeros(Theta1.shape)
    Delta2 = np.zeros(Theta2.shape)
    for i in range(m):
        a1 = np.insert(X[i], 0, 1)
        z2 = Theta1 @ a1
        a2 = np.insert(sigmoid(z2), 0, 1)
        a3 = sigmoid(Theta2 @ a2)
        yk = np.zeros(num_labels)
        yk[y[i] - 1] = 1
        J += np.sum(-yk * np.log(a3) - (1 - yk) * np.log(1 - a3))
        d3 = a3 - yk
        d2 = (Theta2[:, 1:].T @ d3) * sigmoidGradient(z2)
        Delta2 += np.outer(d3, a2)
        Delta1 += np.outer(d2, a1)
    J = J / m + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    Theta1_grad = Delta1 / m
    Theta2_grad = Delta2 / m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])


def nnCostFunctionSquared(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Squared error ½Σ(h − y)², per-example loop, column-major."""
    n1 = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:n1].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[n1:].reshape((num_labels, hidden_layer_size + 1), order="F")
    m = len(y)
    J = 0.0
    D1, D2 = np.zeros_like(Theta1), np.zeros_like(Theta2)
    for t in range(m):
        a1 = np.append(1, X[t, :])
        a2 = np.append(1, sigmoid(Theta1.dot(a1)))
        h = sigmoid(Theta2.dot(a2))
        target = (np.arange(1, num_labels + 1) == y[t]).astype(float)
        J += 0.5 * np.sum((h - target) ** 2)
        delta3 = (h - target) * h * (1 - h)
        delta2 = Theta2.T.dot(delta3)[1:] * a2[1:] * (1 - a2[1:])
        D2 += np.outer(delta3, a2)
        D1 += np.outer(delta2, a1)
    J = J / m + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    T1, T2 = Theta1.copy(), Theta2.copy()
    T1[:, 0] = 0
    T2[:, 0] = 0
    grad1 = D1 / m + lambda_ / m * T1
    grad2 = D2 / m + lambda_ / m * T2
    return J, np.r_[grad1.flatten("F"), grad2.flatten("F")]


def cost_rowmajor(params, n_in, n_hid, n_out, X, y, lam):
    """Cross-entropy, vectorised, numpy's row-major unrolling (verify with --order C)."""
    cut = n_hid * (n_in + 1)
    W1 = params[:cut].reshape(n_hid, n_in + 1)
    W2 = params[cut:].reshape(n_out, n_hid + 1)
    m = len(X)
    A1 = np.c_[np.ones(m), X]
    A2 = np.c_[np.ones(m), expit(A1 @ W1.T)]
    H = expit(A2 @ W2.T)
    Y = np.eye(n_out)[np.ravel(y) - 1]
    cost = -np.sum(Y * np.log(H) + (1 - Y) * np.log(1 - H)) / m
    cost += lam / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    D3 = H - Y
    D2 = (D3 @ W2)[:, 1:] * A2[:, 1:] * (1 - A2[:, 1:])
    G1 = D2.T @ A1 / m
    G2 = D3.T @ A2 / m
    G1[:, 1:] += lam / m * W1[:, 1:]
    G2[:, 1:] += lam / m * W2[:, 1:]
    return cost, np.hstack([G1.ravel(), G2.ravel()])


def cost_rowmajor_squared(params, n_in, n_hid, n_out, X, y, lam):
    """Squared error, vectorised, row-major (verify with --order C --loss squared_error)."""
    cut = n_hid * (n_in + 1)
    W1 = params[:cut].reshape(n_hid, n_in + 1)
    W2 = params[cut:].reshape(n_out, n_hid + 1)
    m = X.shape[0]
    A1 = np.hstack([np.ones((m, 1)), X])
    Z2 = A1 @ W1.T
    A2 = np.hstack([np.ones((m, 1)), expit(Z2)])
    H = expit(A2 @ W2.T)
    Y = np.zeros((m, n_out))
    Y[np.arange(m), np.ravel(y) - 1] = 1
    cost = np.sum((H - Y) ** 2) / (2 * m) + lam / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    D3 = (H - Y) * H * (1 - H)
    D2 = (D3 @ W2[:, 1:]) * expit(Z2) * (1 - expit(Z2))
    G1 = (D2.T @ A1 + lam * np.c_[np.zeros(n_hid), W1[:, 1:]]) / m
    G2 = (D3.T @ A2 + lam * np.c_[np.zeros(n_out), W2[:, 1:]]) / m
    return cost, np.concatenate([G1.ravel(), G2.ravel()])
