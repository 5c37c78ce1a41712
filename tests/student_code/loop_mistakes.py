"""Per-example loop nnCostFunctions (the original notebook's style), each with ONE mistake.

Fixtures for tests/test_verify_confusion.py; every function is named after the catalogue id
it makes. Column-major unrolling, cross-entropy.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoidGradient(z):
    g = sigmoid(z)
    return g * (1 - g)


def _unpack(nn_params, input_layer_size, hidden_layer_size, num_labels):
    split = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:split].reshape(hidden_layer_size, input_layer_size + 1, order="F")
    Theta2 = nn_params[split:].reshape(num_labels, hidden_layer_size + 1, order="F")
    return Theta1, Theta2


def output_delta_dJ_dh(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    Theta1, Theta2 = _unpack(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    J = 0
    Delta1, Delta2 = np.zeros(Theta1.shape), np.zeros(Theta2.shape)
    for i in range(m):
        a1 = np.insert(X[i], 0, 1)
        z2 = Theta1 @ a1
        a2 = np.insert(sigmoid(z2), 0, 1)
        h = sigmoid(Theta2 @ a2)
        yk = np.zeros(num_labels)
        yk[y[i] - 1] = 1
        J += np.sum(-yk * np.log(h) - (1 - yk) * np.log(1 - h))
        d3 = -yk / h + (1 - yk) / (1 - h)               # dJ/dh: the derivative of the cost above
        d2 = (Theta2[:, 1:].T @ d3) * sigmoidGradient(z2)
        Delta2 += np.outer(d3, a2)
        Delta1 += np.outer(d2, a1)
    J = J / m + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    Theta1_grad, Theta2_grad = Delta1 / m, Delta2 / m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])


def sigmoid_prime_of_activation(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    Theta1, Theta2 = _unpack(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    J = 0
    Delta1, Delta2 = np.zeros(Theta1.shape), np.zeros(Theta2.shape)
    for i in range(m):
        a1 = np.insert(X[i], 0, 1)
        a2 = np.insert(sigmoid(Theta1 @ a1), 0, 1)
        a3 = sigmoid(Theta2 @ a2)
        yk = np.zeros(num_labels)
        yk[y[i] - 1] = 1
        J += np.sum(-yk * np.log(a3) - (1 - yk) * np.log(1 - a3))
        d3 = a3 - yk
        d2 = (Theta2.T @ d3)[1:] * sigmoidGradient(a2[1:])       # g' of the activation
        Delta2 += np.outer(d3, a2)
        Delta1 += np.outer(d2, a1)
    J = J / m + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    Theta1_grad, Theta2_grad = Delta1 / m, Delta2 / m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])


def no_reg_in_gradient(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    Theta1, Theta2 = _unpack(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = len(X)
    cost = 0.0
    acc1, acc2 = np.zeros_like(Theta1), np.zeros_like(Theta2)
    for x_i, y_i in zip(X, y):
        a_in = np.append(1, x_i)
        z_hid = Theta1.dot(a_in)
        a_hid = np.append(1, sigmoid(z_hid))
        out = sigmoid(Theta2.dot(a_hid))
        target = np.zeros(num_labels)
        target[int(y_i) - 1] = 1
        cost -= np.sum(target * np.log(out) + (1 - target) * np.log(1 - out))
        err_out = out - target
        err_hid = Theta2[:, 1:].T.dot(err_out) * sigmoidGradient(z_hid)
        acc2 += np.outer(err_out, a_hid)
        acc1 += np.outer(err_hid, a_in)
    cost = cost / m + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    return cost, np.concatenate([(acc1 / m).ravel(order="F"), (acc2 / m).ravel(order="F")])


def missing_divide_by_m(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    Theta1, Theta2 = _unpack(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    J = 0
    Delta1, Delta2 = np.zeros(Theta1.shape), np.zeros(Theta2.shape)
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
    Theta1_grad, Theta2_grad = Delta1, Delta2                    # Δ, not Δ/m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])


def hidden_missing_sigmoid_prime(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    Theta1, Theta2 = _unpack(nn_params, input_layer_size, hidden_layer_size, num_labels)
    m = X.shape[0]
    J = 0
    Delta1, Delta2 = np.zeros(Theta1.shape), np.zeros(Theta2.shape)
    for i in range(m):
        a1 = np.insert(X[i], 0, 1)
        a2 = np.insert(sigmoid(Theta1 @ a1), 0, 1)
        a3 = sigmoid(Theta2 @ a2)
        yk = np.zeros(num_labels)
        yk[y[i] - 1] = 1
        J += np.sum(-yk * np.log(a3) - (1 - yk) * np.log(1 - a3))
        d3 = a3 - yk
        d2 = Theta2[:, 1:].T @ d3                      # the error reaching the hidden units, no g'(z)
        Delta2 += np.outer(d3, a2)
        Delta1 += np.outer(d2, a1)
    J = J / m + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    Theta1_grad, Theta2_grad = Delta1 / m, Delta2 / m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])
