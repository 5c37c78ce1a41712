"""The course's entry point, ``nnCostFunction``, with its unrolled parameter vector."""
import numpy as np

from .backprop import cost_and_gradient
from .errors import InputError
from .labels import one_hot
from .layout import reroll, unroll


def nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels,
                     X, y, lambda_, loss="cross_entropy", order="F"):
    """(J, grad) for the course's 3-layer network.

    nn_params (n_params,): [Θ^(1)(:); Θ^(2)(:)] unrolled column-major (order="F"),
        Θ^(1) (hidden, 1 + input), Θ^(2) (num_labels, 1 + hidden).
    X (m, input_layer_size); y (m,) or (m, 1), labels 1..num_labels (10 is digit 0).
    grad (n_params,): unrolled the same way as nn_params.
    """
    sizes = (input_layer_size, hidden_layer_size, num_labels)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != input_layer_size:
        raise InputError(f"X has shape {X.shape}; expected (m, {input_layer_size})")
    thetas = reroll(np.asarray(nn_params, dtype=float), sizes, order)
    J, grads = cost_and_gradient(thetas, X, one_hot(y, num_labels), lambda_, loss)
    return J, unroll(grads, order)
