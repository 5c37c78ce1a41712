"""A class of four, as a teacher would collect it (README.md's class run and its verify report): cleo regularises the bias columns too."""
import numpy as np
from scipy.special import expit as sigmoid


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]
    Y = np.eye(num_labels)[y - 1]
    a1 = np.c_[np.ones(m), X]
    z2 = a1 @ Theta1.T
    a2 = np.c_[np.ones(m), sigmoid(z2)]
    h = sigmoid(a2 @ Theta2.T)
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lambda_ / (2 * m) * (np.sum(Theta1 ** 2) + np.sum(Theta2 ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid(z2) * (1 - sigmoid(z2))
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    Theta1_grad += lambda_ / m * Theta1
    Theta2_grad += lambda_ / m * Theta2
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])
