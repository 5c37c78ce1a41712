"""Vectorised nnCostFunctions, each with ONE mistake (named after its catalogue id), plus
two that no single catalogued mistake explains. Fixtures for tests/test_verify_confusion.py.
Column-major unrolling unless the mistake is the unrolling.
"""
import numpy as np
from scipy.special import expit


def _weights(p, n_in, n_hid, n_out, order="F"):
    k = n_hid * (n_in + 1)
    return (np.reshape(p[:k], (n_hid, n_in + 1), order=order),
            np.reshape(p[k:], (n_out, n_hid + 1), order=order))


def _forward(W1, W2, X):
    m = X.shape[0]
    A1 = np.c_[np.ones(m), X]
    Z2 = A1 @ W1.T
    A2 = np.c_[np.ones(m), expit(Z2)]
    return A1, Z2, A2, expit(A2 @ W2.T)


def _xent(H, Y):
    return -np.sum(Y * np.log(H) + (1 - Y) * np.log(1 - H)) / H.shape[0]


def squared_missing_sigmoid_prime(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    W1, W2 = _weights(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = len(y)
    A1, Z2, A2, H = _forward(W1, W2, X)
    Y = np.eye(num_labels)[y - 1]
    J = np.sum((H - Y) ** 2) / (2 * m) + lambda_ / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    D3 = H - Y                                            # the cross-entropy delta, kept for squared error
    D2 = (D3 @ W2[:, 1:]) * expit(Z2) * (1 - expit(Z2))
    G1 = D2.T @ A1 / m
    G2 = D3.T @ A2 / m
    G1[:, 1:] += lambda_ / m * W1[:, 1:]
    G2[:, 1:] += lambda_ / m * W2[:, 1:]
    return J, np.concatenate([G1.flatten("F"), G2.flatten("F")])


def regularize_bias(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    Theta1, Theta2 = _weights(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), expit(z2)])
    h = expit(a2 @ Theta2.T)
    Y = np.zeros((m, num_labels))
    for k in range(1, num_labels + 1):
        Y[:, k - 1] = (y == k)
    J = _xent(h, Y) + lambda_ / (2 * m) * (np.sum(Theta1 ** 2) + np.sum(Theta2 ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2)[:, 1:] * expit(z2) * (1 - expit(z2))
    Theta1_grad = (d2.T @ a1) / m + lambda_ / m * Theta1
    Theta2_grad = (d3.T @ a2) / m + lambda_ / m * Theta2
    return J, np.r_[Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")]


def gradient_reg_half(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    W1, W2 = _weights(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    A1, Z2, A2, H = _forward(W1, W2, X)
    Y = np.eye(num_labels)[y - 1]
    reg = lambda_ / (2 * m)
    J = _xent(H, Y) + reg * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    D3 = H - Y
    D2 = (D3 @ W2)[:, 1:] * A2[:, 1:] * (1 - A2[:, 1:])
    G1 = D2.T @ A1 / m
    G2 = D3.T @ A2 / m
    G1[:, 1:] += reg * W1[:, 1:]                          # the cost's λ/(2m) reused
    G2[:, 1:] += reg * W2[:, 1:]
    return J, np.concatenate([G1.flatten("F"), G2.flatten("F")])


def unroll_order(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    W1, W2 = _weights(nn_params, input_layer_size, hidden_layer_size, num_labels, order="C")
    m = X.shape[0]
    A1, Z2, A2, H = _forward(W1, W2, X)
    Y = np.eye(num_labels)[y - 1]
    J = _xent(H, Y) + lambda_ / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    D3 = H - Y
    D2 = (D3 @ W2)[:, 1:] * A2[:, 1:] * (1 - A2[:, 1:])
    G1 = D2.T @ A1 / m
    G2 = D3.T @ A2 / m
    G1[:, 1:] += lambda_ / m * W1[:, 1:]
    G2[:, 1:] += lambda_ / m * W2[:, 1:]
    return J, np.concatenate([G1.flatten(), G2.flatten()])      # numpy's default: row-major


def label_offset(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    W1, W2 = _weights(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    A1, Z2, A2, H = _forward(W1, W2, X)
    Y = np.eye(num_labels)[y % num_labels]                # digit-indexed: label 10 -> column 0
    J = _xent(H, Y) + lambda_ / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    D3 = H - Y
    D2 = (D3 @ W2)[:, 1:] * A2[:, 1:] * (1 - A2[:, 1:])
    G1 = D2.T @ A1 / m
    G2 = D3.T @ A2 / m
    G1[:, 1:] += lambda_ / m * W1[:, 1:]
    G2[:, 1:] += lambda_ / m * W2[:, 1:]
    return J, np.concatenate([G1.flatten("F"), G2.flatten("F")])


def scaled_output_gradient(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Not in the catalogue: the output layer's gradient is 0.7 times what it should be."""
    W1, W2 = _weights(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    A1, Z2, A2, H = _forward(W1, W2, X)
    Y = np.eye(num_labels)[y - 1]
    J = _xent(H, Y) + lambda_ / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    D3 = H - Y
    D2 = (D3 @ W2)[:, 1:] * A2[:, 1:] * (1 - A2[:, 1:])
    G1 = D2.T @ A1 / m
    G2 = 0.7 * (D3.T @ A2) / m
    G1[:, 1:] += lambda_ / m * W1[:, 1:]
    G2[:, 1:] += 0.7 * lambda_ / m * W2[:, 1:]
    return J, np.concatenate([G1.flatten("F"), G2.flatten("F")])


def bias_regularised_and_no_divide(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Two catalogued mistakes at once: regularize_bias and missing_divide_by_m."""
    W1, W2 = _weights(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    A1, Z2, A2, H = _forward(W1, W2, X)
    Y = np.eye(num_labels)[y - 1]
    J = _xent(H, Y) + lambda_ / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    D3 = H - Y
    D2 = (D3 @ W2)[:, 1:] * A2[:, 1:] * (1 - A2[:, 1:])
    G1 = D2.T @ A1 + lambda_ / m * W1
    G2 = D3.T @ A2 + lambda_ / m * W2
    return J, np.concatenate([G1.flatten("F"), G2.flatten("F")])


def label_offset_zero_based(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """label_offset written the other way: column k holds label k, so label K has no column."""
    W1, W2 = _weights(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    A1, Z2, A2, H = _forward(W1, W2, X)
    Y = (y.reshape(-1, 1) == np.arange(num_labels)).astype(float)
    J = _xent(H, Y) + lambda_ / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    D3 = H - Y
    D2 = (D3 @ W2)[:, 1:] * A2[:, 1:] * (1 - A2[:, 1:])
    G1 = D2.T @ A1 / m + lambda_ / m * np.c_[np.zeros(len(W1)), W1[:, 1:]]
    G2 = D3.T @ A2 / m + lambda_ / m * np.c_[np.zeros(len(W2)), W2[:, 1:]]
    return J, np.concatenate([G1.flatten("F"), G2.flatten("F")])
