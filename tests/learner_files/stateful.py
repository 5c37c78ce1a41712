"""Functions whose answer depends on earlier calls."""
import numpy as np

from course_cost import nn_cost_function

_calls = 0
_buffers = {}


def accumulates_gradient(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Sums into a buffer kept between calls (forgot to zero it): right only the first time."""
    J, grad = nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    buffer = _buffers.setdefault(grad.shape, np.zeros(grad.shape))
    buffer += grad
    return J, buffer.copy()


def drifts_after_one_pass(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Right on its first 12 calls (one pass over verify's 12 problems), then off by a little."""
    global _calls
    _calls += 1
    J, grad = nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return J * (1 + 1e-6 * (_calls > 12)), grad
