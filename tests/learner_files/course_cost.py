"""A right nnCostFunction written the learner's way (numpy only), for the other files here to
import: a learner's file sees only itself and the helpers beside it that it names, never
crosscheck's own ``manual`` (the sandbox hides it)."""
import numpy as np


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = np.reshape(nn_params[:k], (hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = np.reshape(nn_params[k:], (num_labels, hidden_layer_size + 1), order="F")
    X = np.asarray(X, dtype=float)
    m = X.shape[0]
    Y = (np.ravel(y)[:, None] == np.arange(1, num_labels + 1)).astype(float)
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), _sigmoid(z2)])
    z3 = a2 @ Theta2.T
    # log h and log(1 - h) without cancellation: -log(1 + e^-z) and -log(1 + e^z)
    log_h, log_1mh = -np.logaddexp(0, -z3), -np.logaddexp(0, z3)
    J = -np.sum(Y * log_h + (1 - Y) * log_1mh) / m
    J += lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = _sigmoid(z3) - Y
    g2 = _sigmoid(z2)
    d2 = (d3 @ Theta2[:, 1:]) * g2 * (1 - g2)
    grad1, grad2 = d2.T @ a1 / m, d3.T @ a2 / m
    grad1[:, 1:] += lambda_ / m * Theta1[:, 1:]
    grad2[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([grad1.ravel(order="F"), grad2.ravel(order="F")])
