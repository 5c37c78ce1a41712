"""The catalogue of common backprop mistakes, each a named, runnable variant.

Every variant has the course signature (see :func:`with_mistake`) and differs from
the correct ``nn_cost_function`` by exactly one thing. The ids, texts and conflicts are the
plantable rows of :mod:`manual.mistake_table`. Teachers run them to show what a
mistake does; ``crosscheck verify`` compares a student's gradient with each of them to
name the mistake it sees.
"""
import numpy as np

from .activation import sigmoid
from .errors import InputError
from .labels import check_labels
from .backprop import forward
from .layout import OTHER_ORDER, reroll, unroll
from .losses import check_loss, data_loss_sum
from .mistake_table import TABLE


# The plantable rows of the one table of mistakes (manual.mistake_table), in its order.
MISTAKES = {i: m for i, m in TABLE.items() if m.plantable}
MISTAKE_IDS = tuple(MISTAKES)

# The two ways of writing label_offset: label k in column k mod K, or in column k with
# label K dropped (its row of Y all zero).
LABEL_OFFSET_FORMS = ("digit_columns", "zero_based")


def mistake_set(mistake_id):
    """``mistake_id`` (one id, or several ids made together) as a frozenset of known ids."""
    ids = frozenset([mistake_id] if isinstance(mistake_id, str) else mistake_id)
    unknown = sorted(i for i in ids if i not in MISTAKES)
    if unknown:
        raise InputError(f"unknown mistake {unknown[0]!r}; the catalogue has {', '.join(MISTAKE_IDS)}")
    for first in sorted(ids, key=MISTAKE_IDS.index):
        clash = [i for i in MISTAKES[first].conflicts if i in ids]
        if clash:
            raise InputError(f"{first} and {clash[0]} cannot be made together")
    return ids


def with_mistake(mistake_id, loss="cross_entropy", order="F", label_form="digit_columns"):
    """A course-signature cost function that makes exactly ``mistake_id``.

    ``f(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_) -> (J, grad)``,
    unrolled in ``order`` (the variant ``unroll_order`` uses the other one). ``mistake_id``
    may also be a collection of ids: the function then makes all of them at once.
    ``label_form`` picks how ``label_offset`` is written (see LABEL_OFFSET_FORMS).
    """
    ids = mistake_set(mistake_id)
    check_loss(loss)
    if label_form not in LABEL_OFFSET_FORMS:
        raise InputError(f"unknown label_form {label_form!r}; choose one of {', '.join(LABEL_OFFSET_FORMS)}")

    def nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
        sizes = (input_layer_size, hidden_layer_size, num_labels)
        used = OTHER_ORDER[order] if "unroll_order" in ids else order
        thetas = reroll(np.asarray(nn_params, dtype=float), sizes, used)
        labels = check_labels(y, num_labels)
        if "label_offset" not in ids:
            columns = labels - 1
        else:
            columns = labels % num_labels if label_form == "digit_columns" else labels
        rows = np.flatnonzero(columns < num_labels)         # zero_based: label K gets no column
        Y = np.zeros((labels.size, num_labels))
        Y[rows, columns[rows]] = 1.0
        J, grads = mistaken_cost_and_gradient(ids, thetas, np.asarray(X, dtype=float), Y,
                                              lambda_, loss)
        return J, unroll(grads, used)

    nn_cost_function.__name__ = f"nn_cost_function_{'_and_'.join(sorted(ids))}"
    return nn_cost_function


def mistaken_cost_and_gradient(mistake_id, thetas, X, Y, lambda_, loss):
    """Vectorised backprop (as in manual.backprop) with the mistake(s) switched on.

    The layout mistakes (``unroll_order``, ``label_offset``) live in :func:`with_mistake`;
    here they compute the correct values. ``mistake_id``: one id or a collection of ids.
    """
    ids = mistake_set(mistake_id)
    m = X.shape[0]
    a, z = forward(thetas, X)
    h = a[-1]

    first_col = 0 if "regularize_bias" in ids else 1
    reg = sum(float(np.sum(t[:, first_col:] ** 2)) for t in thetas)
    J = data_loss_sum(z[-1], h, Y, loss) / m + lambda_ / (2 * m) * reg

    if "output_delta_dJ_dh" in ids and loss == "cross_entropy":
        with np.errstate(divide="ignore", invalid="ignore"):      # as a student's code would: h may be 0 or 1
            delta = -Y / h + (1 - Y) / (1 - h)
    elif "squared_missing_sigmoid_prime" in ids and loss == "squared_error":
        delta = h - Y
    elif loss == "cross_entropy":
        delta = h - Y
    else:
        delta = (h - Y) * h * (1 - h)

    reg_factor = (0.0 if "no_reg_in_gradient" in ids
                  else lambda_ / (2 * m) if "gradient_reg_half" in ids else lambda_ / m)
    scale = 1.0 if "missing_divide_by_m" in ids else 1.0 / m
    grads = [None] * len(thetas)
    for l in range(len(thetas) - 1, -1, -1):
        reg_grad = reg_factor * thetas[l]
        if "regularize_bias" not in ids:
            reg_grad[:, 0] = 0.0
        grads[l] = scale * (delta.T @ a[l]) + reg_grad
        if l > 0:
            act = a[l][:, 1:]
            if "sigmoid_prime_of_activation" in ids:
                act = sigmoid(act)                                 # g(a) where g(z) = a was meant
            delta = (delta @ thetas[l])[:, 1:]
            if "hidden_missing_sigmoid_prime" not in ids:
                delta = delta * act * (1 - act)
    return J, grads
