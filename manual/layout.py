"""Weight shapes, bias columns, and unrolling weights into one parameter vector.

A network with layer sizes (s_1, ..., s_L) has weights Θ^(l) of shape
(s_{l+1}, 1 + s_l); column 0 multiplies the bias unit a_0 = 1.

The course unrolls column-major (MATLAB's ``Theta1(:)``, ``order="F"``); numpy-style
code such as the original notebook unrolls row-major (``order="C"``).
"""
import numpy as np

from .errors import InputError

COURSE_LAYER_SIZES = (400, 25, 10)
ORDERS = ("F", "C")
OTHER_ORDER = {"F": "C", "C": "F"}          # the unrolling order a mix-up uses instead


def theta_shapes(layer_sizes):
    """[(s_{l+1}, 1 + s_l) for each l]: the shape of every Θ^(l)."""
    sizes = tuple(int(s) for s in layer_sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise InputError(f"layer sizes must be at least two positive integers, got {layer_sizes}")
    return [(sizes[i + 1], sizes[i] + 1) for i in range(len(sizes) - 1)]


def layer_sizes_of(thetas):
    """(s_1, ..., s_L) recovered from the weight shapes; checks that they chain."""
    sizes = [thetas[0].shape[1] - 1]
    for theta in thetas:
        if theta.ndim != 2 or theta.shape[1] != sizes[-1] + 1:
            raise InputError(
                f"weight shapes do not chain: {[t.shape for t in thetas]} "
                "(each Θ must be (units out, 1 + units in))")
        sizes.append(theta.shape[0])
    return tuple(sizes)


def _check_order(order):
    if order not in ORDERS:
        raise InputError(f"unroll order must be 'F' (course, column-major) or 'C' (row-major), got {order!r}")


def unroll(thetas, order="F"):
    """Concatenate every Θ^(l), each flattened in ``order``, into one vector (n_params,)."""
    _check_order(order)
    return np.concatenate([np.asarray(t).ravel(order=order) for t in thetas])


def reroll(params, layer_sizes, order="F"):
    """Inverse of :func:`unroll`: split (n_params,) back into [Θ^(1), ..., Θ^(L-1)]."""
    _check_order(order)
    params = np.asarray(params)
    shapes = theta_shapes(layer_sizes)
    expected = sum(r * c for r, c in shapes)
    if params.ndim != 1 or params.size != expected:
        raise InputError(
            f"parameter vector has shape {params.shape}; layer sizes {tuple(layer_sizes)} need ({expected},)")
    thetas, start = [], 0
    for rows, cols in shapes:
        thetas.append(params[start:start + rows * cols].reshape((rows, cols), order=order))
        start += rows * cols
    return thetas


def add_bias(a):
    """[1, a]: prepend the bias column of ones. (m, n) -> (m, 1 + n)."""
    out = np.empty((a.shape[0], a.shape[1] + 1), dtype=a.dtype)
    out[:, 0] = 1.0
    out[:, 1:] = a
    return out
