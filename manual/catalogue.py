"""The catalogue of common backprop mistakes, each a named, runnable variant.

Every variant has the course signature (see :func:`with_mistake`) and differs from
the correct ``nn_cost_function`` by exactly one thing. Teachers run them to show what a
mistake does; ``crosscheck verify`` compares a student's gradient with each of them to
name the mistake it sees.
"""
from dataclasses import dataclass

import numpy as np

from .activation import sigmoid
from .errors import InputError
from .labels import check_labels
from .backprop import forward
from .layout import reroll, unroll
from .losses import check_loss, data_loss_sum


@dataclass(frozen=True)
class Mistake:
    id: str
    summary: str
    explanation: str
    correction: str
    losses: tuple = ("cross_entropy", "squared_error")   # where the mistake can occur


MISTAKES = {m.id: m for m in [
    Mistake("output_delta_dJ_dh",
            "output delta is ∂J/∂h instead of ∂J/∂z",
            "The output delta must be the derivative with respect to the pre-activation z, "
            "δ = ∂J/∂z = ∂J/∂h ⊙ g'(z). Using ∂J/∂h = −y/h + (1−y)/(1−h) alone skips the g'(z) "
            "factor, so the output-layer gradient is divided by h(1−h): huge where the output is "
            "confident, and it points training the wrong way on saturated units.",
            "δ^(L) = h − y   (the h(1−h) of g'(z) cancels the denominators of ∂J/∂h)",
            losses=("cross_entropy",)),
    Mistake("squared_missing_sigmoid_prime",
            "squared-error output delta lacks ⊙ h(1−h)",
            "With squared error J = ½Σ(h−y)², ∂J/∂z = (h−y) ⊙ g'(z). Writing δ = h − y borrows the "
            "cross-entropy delta: the gradient then belongs to cross-entropy while the cost is "
            "squared error, so cost and gradient disagree (a gradient check fails).",
            "δ^(L) = (h − y) ⊙ h ⊙ (1 − h)",
            losses=("squared_error",)),
    Mistake("regularize_bias",
            "bias columns are regularised",
            "The L2 penalty skips column 0 of every Θ (the weights on the bias unit). Including it "
            "changes both cost and gradient consistently, so a gradient check passes; only the cost "
            "against a reference (or the gradient's bias column) shows it.",
            "J += λ/(2m) Σ Θ[:, 1:]²;   ∂J/∂Θ[:, 0] has no λ term"),
    Mistake("sigmoid_prime_of_activation",
            "g′ applied to the activation instead of z",
            "The hidden delta needs g'(z) = g(z)(1 − g(z)) = a(1 − a). Calling sigmoidGradient(a) "
            "computes g(a)(1 − g(a)) instead, a different function of a: every hidden-layer "
            "gradient entry is wrong, by a few percent on small course-like weights and by half or "
            "more once hidden units saturate (crosscheck verify's problems: 3e-2 to 0.66 relative "
            "in Θ^(1)), while the output layer's gradient and the cost stay right.",
            "δ^(l) = (δ^(l+1) Θ^(l))[:, 1:] ⊙ g'(z^(l)),  with g'(z) = a ⊙ (1 − a)"),
    Mistake("hidden_missing_sigmoid_prime",
            "hidden delta lacks ⊙ g′(z)",
            "Back-propagating δ^(l+1) through Θ^(l) gives ∂J/∂a^(l); the hidden delta is ∂J/∂z^(l), so it "
            "needs the factor g′(z^(l)) = a(1 − a). Without it each example's contribution to a hidden "
            "unit's gradient is 1/(a(1 − a)) ≥ 4 times too large, while the output layer's gradient and "
            "the cost stay right.",
            "δ^(l) = (δ^(l+1) Θ^(l))[:, 1:] ⊙ g'(z^(l)),  with g'(z) = a ⊙ (1 − a)"),
    Mistake("missing_divide_by_m",
            "gradient not divided by m",
            "The accumulated Δ = Σᵢ δ aᵀ sums over the m examples; the cost averages over them, so "
            "its gradient is Δ/m. Without the division every unregularised gradient entry is m "
            "times too large.",
            "∂J/∂Θ = (1/m) Δ + (λ/m) Θ"),
    Mistake("no_reg_in_gradient",
            "regularisation in the cost but not in the gradient",
            "The penalty λ/(2m) ΣΘ² is part of J, so its derivative (λ/m)Θ must be part of the "
            "gradient (except for the bias column). Leaving it out makes the gradient wrong "
            "wherever λ > 0; at λ = 0 the function is correct.",
            "∂J/∂Θ[:, 1:] = (1/m) Δ[:, 1:] + (λ/m) Θ[:, 1:]"),
    Mistake("gradient_reg_half",
            "gradient regularised with λ/(2m) instead of λ/m",
            "The derivative of λ/(2m) Θ² is (λ/m) Θ: the 2 of the square cancels the ½. Copying the "
            "cost's λ/(2m) into the gradient halves the regularisation term.",
            "∂J/∂Θ[:, 1:] = (1/m) Δ[:, 1:] + (λ/m) Θ[:, 1:]"),
    Mistake("unroll_order",
            "parameters unrolled in the wrong order (row- vs column-major)",
            "The course unrolls with Theta(:), column-major. Reshaping row-major (numpy's default) "
            "reads the right numbers into the wrong places: the cost is that of different weights. "
            "The gradient is consistent with that wrong cost, so a gradient check passes; only the "
            "cost against a reference shows it.",
            "Θ = reshape(nn_params, rows, cols) column-major: numpy reshape(..., order='F')"),
    Mistake("label_offset",
            "one-hot built with the wrong label mapping",
            "Label k belongs in column k − 1 (label 10, the digit 0, in the last column). Putting "
            "label k in column k mod K (digit-indexed columns) shifts every target by one class; "
            "comparing y with the column indices 0..K−1 (y == k for k in range(K)) shifts them the "
            "same way but leaves label K (the digit 0) with no column at all. Cost and gradient stay "
            "consistent, so a gradient check passes; the cost is wrong.",
            "Y[i, y_i − 1] = 1"),
]}

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
    for pair in (("no_reg_in_gradient", "gradient_reg_half"),
                 ("sigmoid_prime_of_activation", "hidden_missing_sigmoid_prime")):
        if set(pair) <= ids:
            raise InputError(f"{pair[0]} and {pair[1]} cannot be made together")
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
        used = ({"F": "C", "C": "F"}[order]) if "unroll_order" in ids else order
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
