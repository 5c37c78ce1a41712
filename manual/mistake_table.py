"""The one table of mistakes: every id crosscheck can name, one row each.

Plantable rows (``plantable=True``) are the catalogue's: :func:`manual.catalogue.with_mistake`
can make them, and the gallery shows what each does. The other rows are named only by
``crosscheck verify``'s diagnosis (a crash pattern, the runner's observations, or a fitted part no
plantable mistake gives). Each row says

- ``signature``: (part, value), what the diagnosis sees when it names this id. Parts of the
  attribution (``crosscheck.learner.judge.attribution``): "output delta" (the loss whose catalogued
  output delta fits), "hidden delta" ("g′(a)" or "no g′"), "gradient scale s", "gradient penalty
  r_w", "gradient (s, r_w, r_b)", "cost penalty c_w" (the fitted symbols), "bias penalty" (where
  the bias columns are regularised), "unrolling", "labels", "loss"; and the parts seen outside it:
  "calls" (the pattern of failed or disagreeing calls) and "runner" (what the runner observed).
- ``conflicts``: ids that are never made together with it (they set the same part two ways, or
  together they read as a third id), listed on both rows.
- ``losses``: the losses where the mistake can occur.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    id: str
    summary: str
    explanation: str
    correction: str
    signature: tuple = ()          # (part, value): see the module docstring
    conflicts: tuple = ()          # ids never made together with this one
    plantable: bool = False        # manual.catalogue.with_mistake can make it
    losses: tuple = ("cross_entropy", "squared_error")   # where the mistake can occur


TABLE = {m.id: m for m in [
    Mistake("output_delta_dJ_dh",
        "output delta is ∂J/∂h instead of ∂J/∂z",
        "The output delta must be the derivative with respect to the pre-activation z, δ = ∂J/∂z = ∂J/∂h ⊙ "
        "g'(z). Using ∂J/∂h = −y/h + (1−y)/(1−h) alone skips the g'(z) factor, so the output-layer "
        "gradient is divided by h(1−h): huge where the output is confident, and it points training the "
        "wrong way on saturated units.",
        "δ^(L) = h − y   (the h(1−h) of g'(z) cancels the denominators of ∂J/∂h)",
        signature=("output delta", "cross_entropy"),
        conflicts=("squared_missing_sigmoid_prime", "other_loss"), plantable=True, losses=("cross_entropy",)),
    Mistake("squared_missing_sigmoid_prime",
        "squared-error output delta lacks ⊙ h(1−h)",
        "With squared error J = ½Σ(h−y)², ∂J/∂z = (h−y) ⊙ g'(z). Writing δ = h − y borrows the "
        "cross-entropy delta: the gradient then belongs to cross-entropy while the cost is squared error, "
        "so cost and gradient disagree (a gradient check fails).",
        "δ^(L) = (h − y) ⊙ h ⊙ (1 − h)",
        signature=("output delta", "squared_error"), conflicts=("output_delta_dJ_dh", "other_loss"),
        plantable=True, losses=("squared_error",)),
    Mistake("regularize_bias",
        "bias columns are regularised",
        "The L2 penalty skips column 0 of every Θ (the weights on the bias unit). Including it changes "
        "both cost and gradient consistently, so a gradient check passes; only the cost against a "
        "reference (or the gradient's bias column) shows it.",
        "J += λ/(2m) Σ Θ[:, 1:]²;   ∂J/∂Θ[:, 0] has no λ term",
        signature=("bias penalty", "cost and gradient"),
        conflicts=("no_reg_in_gradient", "no_penalty_in_cost", "regularize_bias_cost_only",
                   "regularize_bias_gradient_only", "raw_delta"),
        plantable=True),
    Mistake("sigmoid_prime_of_activation",
        "g′ applied to the activation instead of z",
        "The hidden delta needs g'(z) = g(z)(1 − g(z)) = a(1 − a). Calling sigmoidGradient(a) computes "
        "g(a)(1 − g(a)) instead, a different function of a: every hidden-layer gradient entry is wrong, by "
        "a few percent on small course-like weights and by half or more once hidden units saturate "
        "(crosscheck verify's problems: 3e-2 to 0.66 relative in Θ^(1)), while the output layer's gradient "
        "and the cost stay right.",
        "δ^(l) = (δ^(l+1) Θ^(l))[:, 1:] ⊙ g'(z^(l)),  with g'(z) = a ⊙ (1 − a)",
        signature=("hidden delta", "g′(a)"), conflicts=("hidden_missing_sigmoid_prime",), plantable=True),
    Mistake("hidden_missing_sigmoid_prime",
        "hidden delta lacks ⊙ g′(z)",
        "Back-propagating δ^(l+1) through Θ^(l) gives ∂J/∂a^(l); the hidden delta is ∂J/∂z^(l), so it "
        "needs the factor g′(z^(l)) = a(1 − a). Without it each example's contribution to a hidden unit's "
        "gradient is 1/(a(1 − a)) ≥ 4 times too large, while the output layer's gradient and the cost stay "
        "right.",
        "δ^(l) = (δ^(l+1) Θ^(l))[:, 1:] ⊙ g'(z^(l)),  with g'(z) = a ⊙ (1 − a)",
        signature=("hidden delta", "no g′"), conflicts=("sigmoid_prime_of_activation",), plantable=True),
    Mistake("missing_divide_by_m",
        "gradient not divided by m",
        "The accumulated Δ = Σᵢ δ aᵀ sums over the m examples; the cost averages over them, so its "
        "gradient is Δ/m. Without the division every unregularised gradient entry is m times too large.",
        "∂J/∂Θ = (1/m) Δ + (λ/m) Θ",
        signature=("gradient scale s", "m"), conflicts=("no_reg_in_gradient", "raw_delta"), plantable=True),
    Mistake("no_reg_in_gradient",
        "regularisation in the cost but not in the gradient",
        "The penalty λ/(2m) ΣΘ² is part of J, so its derivative (λ/m)Θ must be part of the gradient "
        "(except for the bias column). Leaving it out makes the gradient wrong wherever λ > 0; at λ = 0 "
        "the function is correct.",
        "∂J/∂Θ[:, 1:] = (1/m) Δ[:, 1:] + (λ/m) Θ[:, 1:]",
        signature=("gradient penalty r_w", "0"),
        conflicts=("regularize_bias", "missing_divide_by_m", "gradient_reg_half",
                   "regularize_bias_gradient_only", "raw_delta"),
        plantable=True),
    Mistake("gradient_reg_half",
        "gradient regularised with λ/(2m) instead of λ/m",
        "The derivative of λ/(2m) Θ² is (λ/m) Θ: the 2 of the square cancels the ½. Copying the cost's "
        "λ/(2m) into the gradient halves the regularisation term.",
        "∂J/∂Θ[:, 1:] = (1/m) Δ[:, 1:] + (λ/m) Θ[:, 1:]",
        signature=("gradient penalty r_w", "1/2"), conflicts=("no_reg_in_gradient", "raw_delta"),
        plantable=True),
    Mistake("unroll_order",
        "parameters unrolled in the wrong order (row- vs column-major)",
        "The course unrolls with Theta(:), column-major. Reshaping row-major (numpy's default) reads the "
        "right numbers into the wrong places: the cost is that of different weights. The gradient is "
        "consistent with that wrong cost, so a gradient check passes; only the cost against a reference "
        "shows it.",
        "Θ = reshape(nn_params, rows, cols) column-major: numpy reshape(..., order='F')",
        signature=("unrolling", "read and written in the other order"),
        conflicts=("reads_params_other_order", "writes_grad_other_order"), plantable=True),
    Mistake("label_offset",
        "one-hot built with the wrong label mapping",
        "Label k belongs in column k − 1 (label 10, the digit 0, in the last column). Putting label k in "
        "column k mod K (digit-indexed columns) shifts every target by one class; comparing y with the "
        "column indices 0..K−1 (y == k for k in range(K)) shifts them the same way but leaves label K (the "
        "digit 0) with no column at all. Cost and gradient stay consistent, so a gradient check passes; "
        "the cost is wrong.",
        "Y[i, y_i − 1] = 1",
        signature=("labels", "shifted"), plantable=True),
    Mistake("no_penalty_in_cost",
        "the cost has no regularisation term",
        "The gradient may well carry (λ/m)Θ, but J itself never adds λ/(2m) ΣΘ²: the cost is right at λ = "
        "0 and too small by exactly the penalty whenever λ > 0.",
        "J = (1/m) Σᵢ cost_i + λ/(2m) Σ_l ‖Θ^(l)[:, 1:]‖²",
        signature=("cost penalty c_w", "0"),
        conflicts=("regularize_bias", "cost_penalty_lambda_over_m", "regularize_bias_cost_only")),
    Mistake("cost_penalty_lambda_over_m",
        "the cost's penalty is λ/m ΣΘ² instead of λ/(2m) ΣΘ²",
        "The ½ belongs to the cost (its derivative cancels it in the gradient). Using the gradient's λ/m "
        "in J doubles the penalty.",
        "J += λ/(2m) Σ_l ‖Θ^(l)[:, 1:]‖²",
        signature=("cost penalty c_w", "1"), conflicts=("no_penalty_in_cost",)),
    Mistake("regularize_bias_cost_only",
        "the bias columns are regularised in the cost only",
        "The cost's penalty sums every Θ² including column 0, while the gradient (rightly) leaves the bias "
        "column out: the cost is too large and no longer matches its own gradient.",
        "J += λ/(2m) Σ_l ‖Θ^(l)[:, 1:]‖²   (skip column 0)",
        signature=("bias penalty", "cost"),
        conflicts=("regularize_bias", "no_penalty_in_cost", "regularize_bias_gradient_only")),
    Mistake("regularize_bias_gradient_only",
        "the bias columns are regularised in the gradient only",
        "The gradient adds (λ/m)Θ to column 0 too, while the cost (rightly) leaves the bias out.",
        "∂J/∂Θ[:, 0] = (1/m) Δ[:, 0]   (no λ term in the bias column)",
        signature=("bias penalty", "gradient"),
        conflicts=("regularize_bias", "no_reg_in_gradient", "regularize_bias_cost_only", "raw_delta")),
    Mistake("raw_delta",
        "the gradient is the raw accumulated Δ: no ÷m and no penalty",
        "Δ = Σᵢ δ aᵀ is only the sum over the examples. The gradient of the averaged, regularised cost is "
        "Δ/m plus the penalty's derivative.",
        "∂J/∂Θ = (1/m) Δ + (λ/m) [0, Θ[:, 1:]]",
        signature=("gradient (s, r_w, r_b)", ("m", "0", "0")),
        conflicts=("regularize_bias", "missing_divide_by_m", "no_reg_in_gradient",
                   "gradient_reg_half", "regularize_bias_gradient_only")),
    Mistake("reads_params_other_order",
        "nn_params is read in the other order, the gradient written in the right one",
        "Reshaping nn_params in one order and unrolling the gradient in the other mixes two layouts.",
        "reshape and unroll in the same order: the course's Theta(:) is order='F'",
        signature=("unrolling", "read in the other order"),
        conflicts=("unroll_order", "writes_grad_other_order")),
    Mistake("writes_grad_other_order",
        "the gradient is unrolled in the other order",
        "Θ is read right, but its gradient is flattened row- instead of column-major (or the reverse), so "
        "each entry lands on another weight.",
        "grad = np.concatenate([G1.ravel(order='F'), G2.ravel(order='F')])   (the order you reshape with)",
        signature=("unrolling", "written in the other order"),
        conflicts=("unroll_order", "reads_params_other_order")),
    Mistake("other_loss",
        "a correct function for the other loss",
        "Cost and gradient are both right, for the other loss than the one checked.",
        "run crosscheck verify with --loss set to the loss you implemented",
        signature=("loss", "the other"), conflicts=("output_delta_dJ_dh", "squared_missing_sigmoid_prime")),
    Mistake("sizes_hard_coded",
        "layer sizes or the number of classes hard-coded",
        "The function runs on the course's 400-25-10 problems and fails on every other shape, so the "
        "numbers 400, 25, 10 (or m) are written into the code. The course's own gradient check runs a "
        "3-5-3 network.",
        "use input_layer_size, hidden_layer_size, num_labels and X.shape[0] instead of 400, 25, 10, 5000",
        signature=("calls", "failing wherever a size differs from the course's")),
    Mistake("one_hot_from_labels_present",
        "one-hot targets built from the labels present in y",
        "pd.get_dummies(y) or np.unique(y) gives one column per label that occurs; when a label is absent "
        "from y (a small batch, a subset) Y has fewer than K columns and no longer lines up with h.",
        "Y = np.eye(num_labels)[y - 1]   (K columns from num_labels, whatever y holds)",
        signature=("calls", "wrong only where a label is absent from y")),
    Mistake("delta2_keeps_bias",
        "δ^(2) keeps the bias unit's column",
        "The bias unit has no input weights, so no error flows back to it: δ^(2) must drop column 0 of "
        "δ^(3) Θ^(2). Kept, δ^(2) has s_2 + 1 columns and Δ^(1) one row too many; numpy notices later.",
        "δ^(2) = (δ^(3) Θ^(2))[:, 1:] ⊙ g′(z^(2))",
        signature=("calls", "failing on a shape with s₂ + 1")),
    Mistake("modifies_inputs",
        "the function writes into its inputs",
        "Theta1 = nn_params[...].reshape(...) is a view of nn_params (and X[:, 0] = 1 writes into X): "
        "assigning into it, e.g. Theta1[:, 0] = 0 to leave the bias out of the penalty, changes the "
        "caller's arrays, so an optimiser's weights change under it.",
        "copy before writing (Theta1 = ....reshape(...).copy()), or use Theta1[:, 1:] in the penalty",
        signature=("runner", "inputs written into")),
    Mistake("float32_arithmetic",
        "computed in single precision (float32)",
        "Single precision keeps about 7 significant digits, so even a right backprop is off by ~1e-7 "
        "relative, far above verify's float64 tolerance. Every problem agrees to float32's own bound: the "
        "math itself may well be right.",
        "keep every array in double precision: in numpy no .astype(np.float32) or dtype=np.float32; in "
        "Octave no single(...)",
        signature=("runner", "float32 values")),
    Mistake("nondeterministic",
        "two calls on the same problem gave different results",
        "The same inputs must give the same cost and gradient; randomness or state kept between calls "
        "makes every check (and the optimiser) unreliable.",
        "no random numbers or globals inside the cost function",
        signature=("runner", "two calls differ")),
    Mistake("cost_not_written",
        "the cost is not written yet",
        "J is 0 on every problem: the starter code's J = 0 is still there (or the cost is never assigned).",
        "J = (1/m) Σᵢ Σₖ [−y log h − (1 − y) log(1 − h)] + λ/(2m) Σ_l ‖Θ^(l)[:, 1:]‖²",
        signature=("calls", "J = 0 on every problem")),
    Mistake("gradient_not_written",
        "the gradient is not written yet",
        "Every entry of the gradient is 0 on every problem: the starter code's zeros(size(Theta)) are "
        "returned as they are. Backpropagation is the next step.",
        "δ^(3) = h − y, δ^(2) = (δ^(3) Θ^(2))[:, 1:] ⊙ g′(z^(2)), ∂J/∂Θ^(l) = (1/m) δ^(l+1)ᵀ a^(l) "
        "+ (λ/m) [0, Θ^(l)[:, 1:]]",
        signature=("calls", "a zero gradient on every problem")),
    Mistake("gradient_at_changed_params",
        "the gradient is taken at parameters the function changed",
        "The function writes into nn_params (a view: Theta1 = nn_params[...].reshape(...)) before it "
        "computes the gradient, so the gradient is right, but for the changed parameters, not for the "
        "ones passed in.",
        "copy before writing (Theta1 = ....reshape(...).copy()), or use Theta1[:, 1:] in the penalty",
        signature=("runner", "the gradient is right at nn_params as the function left them")),
]}

# (part, value) → id: how the diagnosis turns what it fitted or saw into a name.
SIGNATURES = {m.signature: m.id for m in TABLE.values()}


def named(part, value):
    """The id whose signature is (``part``, ``value``), or None: no mistake is named so."""
    return SIGNATURES.get((part, value))


def ids_of(part):
    """{value: id} for every row whose signature is on ``part``."""
    return {m.signature[1]: m.id for m in TABLE.values() if m.signature[0] == part}
