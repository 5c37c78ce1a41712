"""A class of four, as a teacher would collect it (README.md's class run and its verify report): dev wrote the course's sizes in (right for 400-25-10 only)."""
import numpy as np
from scipy.special import expit as sigmoid


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    k = 25 * 401
    Theta1 = nn_params[:k].reshape((25, 401), order="F")
    Theta2 = nn_params[k:].reshape((10, 26), order="F")
    m = X.shape[0]
    Y = np.eye(num_labels)[y - 1]
    a1 = np.c_[np.ones(m), X]
    z2 = a1 @ Theta1.T
    a2 = np.c_[np.ones(m), sigmoid(z2)]
    h = sigmoid(a2 @ Theta2.T)
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid(z2) * (1 - sigmoid(z2))
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])
