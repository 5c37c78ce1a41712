"""Functions `crosscheck verify` cannot use, one per failure (tests/test_verify_errors.py),
and a few awkward but correct ones."""
import time

import numpy as np

from correct import nnCostFunction as _correct        # a helper module next to this file

print("bad_functions imported")                       # must not reach --json stdout

NOT_A_FUNCTION = 42


def raises(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    m = X.shape[0]
    return m / 0


def returns_scalar(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    return 1.0


def returns_triple(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return J, grad, None


def cost_nan(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    _, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return float("nan"), grad


def cost_per_example(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return np.full(X.shape[0], J), grad


def cost_text(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    _, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return "0.5", grad


def grad_too_short(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return J, grad[:-1]


def grad_not_unrolled(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    k = hidden_layer_size * (input_layer_size + 1)
    # matrices of Θ's transposed shapes: not the per-layer convention (exactly Θ's shapes), a wrong return
    return J, [grad[:k].reshape(hidden_layer_size, -1, order="F").T, grad[k:].reshape(num_labels, -1, order="F").T]


def returns_grad_then_J(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return grad, J


def grad_as_two_vectors(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    n1 = hidden_layer_size * (input_layer_size + 1)
    return J, (grad[:n1], grad[n1:])


def grad_nan(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    grad[3] = np.nan
    return J, grad


def sleeps(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    time.sleep(20)


def loops_forever_and_swallows(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    while True:
        try:
            sum(range(1000))
        except Exception:                  # must not swallow the time limit
            pass


def chatty_but_right(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    print("computing the cost")
    return _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)


def needs_column_labels(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Right, but written for y of shape (m, 1) as ex4data1.mat loads it."""
    labels = y[:, 0]
    return _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, labels, lambda_)


def too_few_parameters(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y):
    return 0.0, nn_params


def in_float32(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return np.float32(J), grad.astype(np.float32)


def grad_as_list(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Right, with grad.tolist(): 10,285 Python floats on the course's shape."""
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return J, grad.tolist()


def grad_as_list_of_scalars(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Right, with list(grad): numpy float64 scalars."""
    J, grad = _correct(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return J, list(grad)
