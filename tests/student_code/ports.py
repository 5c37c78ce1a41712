"""nnCostFunctions shaped like public Python ports of the exercise, with the mistakes found in
them: sizes hard-coded, one-hot from the labels present, δ^(2) keeping its bias column, the
caller's weights written into through a view, one layer's gradient m times too large.
Fixtures for tests/test_verify_ports.py. Column-major unrolling, cross-entropy.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoidGradient(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def _cost_and_grad(Theta1, Theta2, X, Y, lambda_, reg_grad=True):
    m = X.shape[0]
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    h = sigmoid(a2 @ Theta2.T)
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoidGradient(z2)
    g1, g2 = d2.T @ a1 / m, d3.T @ a2 / m
    if reg_grad:
        g1[:, 1:] += lambda_ / m * Theta1[:, 1:]
        g2[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, g1, g2


def hard_coded_right(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Right for the course's network only."""
    Theta1 = np.reshape(nn_params[:25 * 401], (25, 401), order="F")
    Theta2 = np.reshape(nn_params[25 * 401:], (10, 26), order="F")
    m = X.shape[0]
    Y = np.zeros((m, 10))
    for i in range(m):
        Y[i, y[i] - 1] = 1
    J, g1, g2 = _cost_and_grad(Theta1, Theta2, X, Y, lambda_)
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


def hard_coded_no_reg_grad(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Hard-coded sizes, and no penalty in the gradient."""
    Theta1 = nn_params[:10025].reshape((25, 401), order="F")
    Theta2 = nn_params[10025:].reshape((10, 26), order="F")
    Y = np.eye(10)[y - 1]
    J, g1, g2 = _cost_and_grad(Theta1, Theta2, X, Y, lambda_, reg_grad=False)
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


def one_hot_unique(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """One column per label present, as pd.get_dummies(y) gives."""
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    Y = (y.reshape(-1, 1) == np.unique(y)).astype(float)
    J, g1, g2 = _cost_and_grad(Theta1, Theta2, X, Y, lambda_)
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


def delta2_with_bias(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]
    Y = np.eye(num_labels)[y - 1]
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    h = sigmoid(a2 @ Theta2.T)
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2) * a2 * (1 - a2)                      # DELTA2_LINE: keeps the bias column
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    Theta1_grad[:, 1:] = Theta1_grad[:, 1:] + lambda_ / m * Theta1[:, 1:]   # NOTICED_LINE
    Theta2_grad[:, 1:] = Theta2_grad[:, 1:] + lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])


def delta2_with_bias_loop(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]
    J = 0
    Delta1, Delta2 = np.zeros(Theta1.shape), np.zeros(Theta2.shape)
    for t in range(m):
        a1 = np.r_[1, X[t]]
        z2 = Theta1 @ a1
        a2 = np.r_[1, sigmoid(z2)]
        a3 = sigmoid(Theta2 @ a2)
        yk = (np.arange(1, num_labels + 1) == y[t]).astype(float)
        J += np.sum(-yk * np.log(a3) - (1 - yk) * np.log(1 - a3))
        delta3 = a3 - yk
        delta2 = Theta2.T @ delta3 * sigmoidGradient(np.r_[1, z2])      # DELTA2_LINE_LOOP
        Delta2 += np.outer(delta3, a2)
        Delta1 += np.outer(delta2, a1)                                  # NOTICED_LINE_LOOP
    J = J / m + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    return J, np.concatenate([(Delta1 / m).ravel(order="F"), (Delta2 / m).ravel(order="F")])


def zeroes_callers_bias(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Right values, but Theta1/Theta2 are views of nn_params and their bias columns are zeroed."""
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    Y = np.eye(num_labels)[y - 1]
    J, g1, g2 = _cost_and_grad(Theta1, Theta2, X, Y, lambda_, reg_grad=False)
    m = X.shape[0]
    Theta1[:, 0] = 0                                    # "skip the bias" in the penalty...
    Theta2[:, 0] = 0                                    # ...by writing into the caller's weights
    g1 += lambda_ / m * Theta1
    g2 += lambda_ / m * Theta2
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


def output_layer_times_m(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """The output layer's Δ is never divided by m (the hidden one is)."""
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]
    Y = np.eye(num_labels)[y - 1]
    J, g1, g2 = _cost_and_grad(Theta1, Theta2, X, Y, lambda_, reg_grad=False)
    g2 = g2 * m
    g1[:, 1:] += lambda_ / m * Theta1[:, 1:]
    g2[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


def no_penalty_and_odd_output(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Two mistakes: a known one (no penalty in the cost) and one no model explains."""
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]
    J, g1, g2 = _cost_and_grad(Theta1, Theta2, X, np.eye(num_labels)[y - 1], lambda_)
    J -= lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    return J, np.concatenate([g1.ravel(order="F"), 0.7 * g2.ravel(order="F")])


def writes_into_X(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Right values, then "normalises" the caller's X in place."""
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    J, g1, g2 = _cost_and_grad(Theta1, Theta2, X, np.eye(num_labels)[y - 1], lambda_)
    X -= X.mean(axis=0)
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


def classes_hard_coded(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Reads the layer sizes, but builds Y for the course's 10 classes."""
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    Y = np.eye(10)[y - 1]
    J, g1, g2 = _cost_and_grad(Theta1, Theta2, X, Y, lambda_)
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])
