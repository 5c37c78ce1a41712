"""Cost functions written in the conventions learners use (fixtures for tests/test_conventions_verify.py).

Each front end does its convention's part (labels, y, X's bias column, unrolling, argument
names) the way learners write it; ``_backprop`` is the shared math, with one catalogue mistake
planted on request (``mistake``), so that every convention is tested right and with a mistake.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _backprop(Theta1, Theta2, A1, Y, lam, mistake=None):
    """(J, G1, G2) from Θ, A1 = X with its bias column, one-hot Y (m, K)."""
    m = A1.shape[0]
    Z2 = A1 @ Theta1.T
    A2 = np.hstack([np.ones((m, 1)), sigmoid(Z2)])
    H = sigmoid(A2 @ Theta2.T)
    J = np.sum(-Y * np.log(H) - (1 - Y) * np.log(1 - H)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    D3 = H - Y
    g = A2[:, 1:] * (1 - A2[:, 1:]) if mistake != "sigmoid_prime_of_activation" else \
        sigmoid(A2[:, 1:]) * (1 - sigmoid(A2[:, 1:]))
    D2 = (D3 @ Theta2)[:, 1:] * g
    scale = 1 if mistake == "missing_divide_by_m" else 1 / m
    G1 = scale * D2.T @ A1
    G2 = scale * D3.T @ A2
    G1[:, 1:] += lam / m * Theta1[:, 1:]
    G2[:, 1:] += lam / m * Theta2[:, 1:]
    return J, G1, G2


# --- labels 0..K-1 (the Python editions: digit 0 is 0), np.eye(K)[y] ---------------------------
def zero_based(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_, mistake=None):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    Y = np.eye(num_labels)[y]
    J, G1, G2 = _backprop(Theta1, Theta2, np.c_[np.ones(len(X)), X], Y, lambda_, mistake)
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def zero_based_no_divide(*args):
    return zero_based(*args, mistake="missing_divide_by_m")


def zero_based_activation_prime(*args):
    return zero_based(*args, mistake="sigmoid_prime_of_activation")


def labels_mixed(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """1-based labels in the cost, 0-based in the gradient: a mistake under every convention."""
    J, _ = zero_based(nn_params, input_layer_size, hidden_layer_size, num_labels, X, np.asarray(y) - 1, lambda_)
    _, grad = zero_based(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y % num_labels, lambda_)
    return J, grad


# --- the most copied Python port: one-hot y, numpy's row-major unrolling, learning_rate ------------
def onehot_port(params, input_size, hidden_size, num_labels, X, y, learning_rate, mistake=None):
    X, y = np.asarray(X), np.asarray(y)
    theta1 = np.reshape(params[:hidden_size * (input_size + 1)], (hidden_size, input_size + 1))
    theta2 = np.reshape(params[hidden_size * (input_size + 1):], (num_labels, hidden_size + 1))
    J, G1, G2 = _backprop(theta1, theta2, np.insert(X, 0, values=np.ones(X.shape[0]), axis=1), y,
                          learning_rate, mistake)
    return J, np.concatenate((np.ravel(G1), np.ravel(G2)))


def onehot_port_no_divide(*args):
    return onehot_port(*args, mistake="missing_divide_by_m")


def onehot_port_activation_prime(*args):
    return onehot_port(*args, mistake="sigmoid_prime_of_activation")


# --- y as the column ex4data1.mat loads (m, 1), compared against 1..K by broadcasting -------------
def column_labels(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_, mistake=None):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    Y = (y == np.arange(1, num_labels + 1)).astype(float)            # (m, 1) == (K,): (m, K)
    J, G1, G2 = _backprop(Theta1, Theta2, np.c_[np.ones(len(X)), X], Y, lambda_, mistake)
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def column_labels_activation_prime(*args):
    return column_labels(*args, mistake="sigmoid_prime_of_activation")


# --- X passed with its column of ones, arguments in another order --------------------------------
def x_bias_first(X, y, nn_params, input_layer_size, hidden_layer_size, num_labels, lamda, mistake=None):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    Y = (np.asarray(y).reshape(-1, 1) == np.arange(1, num_labels + 1)).astype(float)
    J, G1, G2 = _backprop(Theta1, Theta2, X, Y, lamda, mistake)
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def x_bias_first_no_divide(X, y, nn_params, input_layer_size, hidden_layer_size, num_labels, lamda):
    return x_bias_first(X, y, nn_params, input_layer_size, hidden_layer_size, num_labels, lamda,
                        mistake="missing_divide_by_m")


# --- row-major used consistently; and read F, written C (mixed) -----------------------------------
def rowmajor(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_, read="C", mistake=None):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order=read)
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order=read)
    Y = np.eye(num_labels)[np.asarray(y).ravel() - 1]
    J, G1, G2 = _backprop(Theta1, Theta2, np.c_[np.ones(len(X)), X], Y, lambda_, mistake)
    return J, np.concatenate([G1.ravel(), G2.ravel()])


def rowmajor_no_divide(*args):
    return rowmajor(*args, mistake="missing_divide_by_m")


def order_mixed(*args):
    return rowmajor(*args, read="F")


# --- unfinished: the starter stub, the cost written first ----------------------------------------
def starter_stub(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J = 0
    grad = np.zeros(nn_params.shape)
    return J, grad


def cost_only(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, _ = rowmajor(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_, read="F")
    return J, np.zeros(nn_params.shape)


# --- the gradient taken after writing into nn_params -----------------------------------------------
def zeroes_bias_first(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Zeroes the bias columns through views of nn_params, then computes everything there."""
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    Theta1[:, 0] = 0
    Theta2[:, 0] = 0
    Y = np.eye(num_labels)[np.asarray(y) - 1]
    J, G1, G2 = _backprop(Theta1, Theta2, np.c_[np.ones(len(X)), X], Y, lambda_)
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


# --- J alone, the gradient from its own function; and a signature that cannot be called -----------
def cost_alone(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    return rowmajor(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_, read="F")[0]


def cost_gradient(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[k:].reshape((num_labels, hidden_layer_size + 1), order="F")
    _, G1, G2 = _backprop(Theta1, Theta2, np.c_[np.ones(len(X)), X], np.eye(num_labels)[np.asarray(y) - 1],
                          lambda_)
    return np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def no_sizes(theta, X, y, lambda_):
    return 0.0, np.zeros_like(theta)
