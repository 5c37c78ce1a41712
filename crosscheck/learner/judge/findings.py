"""The named findings: what the attribution's parts, the failed calls and the runner's
observations mean, in a learner's terms. One :class:`Finding` per wrong part.

Ids are the catalogue's (``manual.catalogue.MISTAKES``) where a part matches a catalogued
mistake exactly, else one of :data:`NEW` below; a part that a model describes but no mistake
names gets a description and no id, and a part no model reproduces is *unexplained*.
"""
import re
from dataclasses import dataclass

from manual.catalogue import MISTAKES, Mistake

from crosscheck.learner.judge.attribution import OUTPUT_VARIANT

NEW = {m.id: m for m in [
    Mistake("no_penalty_in_cost", "the cost has no regularisation term",
            "The gradient may well carry (λ/m)Θ, but J itself never adds λ/(2m) ΣΘ²: the cost is right at "
            "λ = 0 and too small by exactly the penalty whenever λ > 0.",
            "J = (1/m) Σᵢ cost_i + λ/(2m) Σ_l ‖Θ^(l)[:, 1:]‖²"),
    Mistake("cost_penalty_lambda_over_m", "the cost's penalty is λ/m ΣΘ² instead of λ/(2m) ΣΘ²",
            "The ½ belongs to the cost (its derivative cancels it in the gradient). Using the gradient's "
            "λ/m in J doubles the penalty.",
            "J += λ/(2m) Σ_l ‖Θ^(l)[:, 1:]‖²"),
    Mistake("regularize_bias_cost_only", "the bias columns are regularised in the cost only",
            "The cost's penalty sums every Θ² including column 0, while the gradient (rightly) leaves the "
            "bias column out: the cost is too large and no longer matches its own gradient.",
            "J += λ/(2m) Σ_l ‖Θ^(l)[:, 1:]‖²   (skip column 0)"),
    Mistake("regularize_bias_gradient_only", "the bias columns are regularised in the gradient only",
            "The gradient adds (λ/m)Θ to column 0 too, while the cost (rightly) leaves the bias out.",
            "∂J/∂Θ[:, 0] = (1/m) Δ[:, 0]   (no λ term in the bias column)"),
    Mistake("raw_delta", "the gradient is the raw accumulated Δ: no ÷m and no penalty",
            "Δ = Σᵢ δ aᵀ is only the sum over the examples. The gradient of the averaged, regularised cost is "
            "Δ/m plus the penalty's derivative.",
            "∂J/∂Θ = (1/m) Δ + (λ/m) [0, Θ[:, 1:]]"),
    Mistake("reads_params_other_order", "nn_params is read in the other order, the gradient written in the right one",
            "Reshaping nn_params in one order and unrolling the gradient in the other mixes two layouts.",
            "reshape and unroll in the same order: the course's Theta(:) is order='F'"),
    Mistake("writes_grad_other_order", "the gradient is unrolled in the other order",
            "Θ is read right, but its gradient is flattened row- instead of column-major (or the reverse), so "
            "each entry lands on another weight.",
            "grad = np.concatenate([G1.ravel(order='F'), G2.ravel(order='F')])   (the order you reshape with)"),
    Mistake("other_loss", "a correct function for the other loss",
            "Cost and gradient are both right, for the other loss than the one checked.",
            "run crosscheck verify with --loss set to the loss you implemented"),
    Mistake("sizes_hard_coded", "layer sizes or the number of classes hard-coded",
            "The function runs on the course's 400-25-10 problems and fails on every other shape, so the numbers "
            "400, 25, 10 (or m) are written into the code. The course's own gradient check runs a 3-5-3 network.",
            "use input_layer_size, hidden_layer_size, num_labels and X.shape[0] instead of 400, 25, 10, 5000"),
    Mistake("one_hot_from_labels_present", "one-hot targets built from the labels present in y",
            "pd.get_dummies(y) or np.unique(y) gives one column per label that occurs; when a label is absent "
            "from y (a small batch, a subset) Y has fewer than K columns and no longer lines up with h.",
            "Y = np.eye(num_labels)[y - 1]   (K columns from num_labels, whatever y holds)"),
    Mistake("delta2_keeps_bias", "δ^(2) keeps the bias unit's column",
            "The bias unit has no input weights, so no error flows back to it: δ^(2) must drop column 0 of "
            "δ^(3) Θ^(2). Kept, δ^(2) has s_2 + 1 columns and Δ^(1) one row too many; numpy notices later.",
            "δ^(2) = (δ^(3) Θ^(2))[:, 1:] ⊙ g′(z^(2))"),
    Mistake("modifies_inputs", "the function writes into its inputs",
            "Theta1 = nn_params[...].reshape(...) is a view of nn_params (and X[:, 0] = 1 writes into X): "
            "assigning into it, e.g. Theta1[:, 0] = 0 to leave the bias out of the penalty, changes the "
            "caller's arrays, so an optimiser's weights change under it.",
            "copy before writing (Theta1 = ....reshape(...).copy()), or use Theta1[:, 1:] in the penalty"),
    Mistake("float32_arithmetic", "computed in single precision (float32)",
            "Single precision keeps about 7 significant digits, so even a right backprop is off by ~1e-7 "
            "relative, far above the 1e-9 tolerance. Every problem agrees to float32's own bound: the math "
            "itself may well be right.",
            "keep every array in double precision: in numpy no .astype(np.float32) or dtype=np.float32; "
            "in Octave no single(...)"),
    Mistake("nondeterministic", "two calls on the same problem gave different results",
            "The same inputs must give the same cost and gradient; randomness or state kept between calls "
            "makes every check (and the optimiser) unreliable.",
            "no random numbers or globals inside the cost function"),
    Mistake("cost_not_written", "the cost is not written yet",
            "J is 0 on every problem: the starter code's J = 0 is still there (or the cost is never assigned).",
            "J = (1/m) Σᵢ Σₖ [−y log h − (1 − y) log(1 − h)] + λ/(2m) Σ_l ‖Θ^(l)[:, 1:]‖²"),
    Mistake("gradient_not_written", "the gradient is not written yet",
            "Every entry of the gradient is 0 on every problem: the starter code's zeros(size(Theta)) are "
            "returned as they are. Backpropagation is the next step.",
            "δ^(3) = h − y, δ^(2) = (δ^(3) Θ^(2))[:, 1:] ⊙ g′(z^(2)), ∂J/∂Θ^(l) = (1/m) δ^(l+1)ᵀ a^(l) "
            "+ (λ/m) [0, Θ^(l)[:, 1:]]"),
    Mistake("gradient_at_changed_params", "the gradient is taken at parameters the function changed",
            "The function writes into nn_params (a view: Theta1 = nn_params[...].reshape(...)) before it "
            "computes the gradient, so the gradient is right, but for the changed parameters, not for the "
            "ones passed in.",
            "copy before writing (Theta1 = ....reshape(...).copy()), or use Theta1[:, 1:] in the penalty"),
]}

EXPLAINED = {**MISTAKES, **NEW}


@dataclass
class Finding:
    """One wrong part: what, where, the evidence, and an id (or a description)."""
    what: str
    where: str
    evidence: str
    id: str | None = None
    description: str = ""
    explained: bool = True

    def to_json(self):
        mistake = EXPLAINED.get(self.id)
        return {"id": self.id, "what": self.what, "where": self.where, "evidence": self.evidence,
                "description": self.description or (mistake.summary if mistake else ""),
                "explained": self.explained,
                "explanation": mistake.explanation if mistake else "",
                "correction": mistake.correction if mistake else ""}


def layer_name(l, n):
    return f"{'output' if l == n - 1 else 'hidden'} layer Θ^({l + 1})"


def layers_where(layers, n):
    return "every layer" if len(layers) == n else " and ".join(layer_name(l, n) for l in sorted(layers)) + " only"


HIDDEN_TEXT = {"sigmoid_prime_of_activation": "g′(a) in the hidden delta",
               "hidden_missing_sigmoid_prime": "no g′ in the hidden delta"}
SYMBOL_TEXT = {"m": "×m", "0": "×0", "2": "×2", "1/2": "×½", "-1": "×(−1)", "m/2": "×m/2"}


def attribution_findings(a, order, loss):
    """Findings for the wrong parts of an :class:`~crosscheck.learner.judge.attribution.Attribution`."""
    out, n = [], len(a.layers)
    cost, layers = a.cost, a.layers
    hyps = [p.hypothesis for p in layers if p.explained]
    world = cost.world or (hyps[0].world if hyps else None)
    if world is not None:
        writes = {h.write for h in hyps}
        if world.read != order and writes == {world.read}:
            out.append(Finding("the unrolling", "cost and gradient", f"read and written {world.read}, declared "
                               f"{order}: every problem matches with Θ reshaped in the other order", "unroll_order"))
        elif world.read != order:
            out.append(Finding("reading nn_params", "cost and gradient",
                               f"Θ reshaped {world.read}, gradient unrolled {order}", "reads_params_other_order"))
        elif writes == {{"F": "C", "C": "F"}[order]}:
            out.append(Finding("unrolling the gradient", "gradient", f"Θ read {order}, gradient unrolled "
                               f"{next(iter(writes))}", "writes_grad_other_order"))
        if world.labels != "right":
            form = {"digit_columns": "label k in column k mod K",
                    "zero_based": "label k in column k, label K in none"}[world.labels]
            out.append(Finding("the targets Y", "cost and gradient", f"every problem matches with {form}",
                               "label_offset"))
        grad_losses = {h.world.loss for h in hyps if not h.output}
        if world.loss != loss and cost.world and grad_losses <= {world.loss}:
            out.append(Finding("the loss", "cost and gradient", f"cost and gradient are those of {world.loss}",
                               "other_loss", f"a correct function for {world.loss}: run with --loss {world.loss}"))
        elif cost.world and cost.world.loss != loss:
            out.append(Finding("the cost's data term", "cost", f"J matches {cost.world.loss}, not {loss}",
                               description=f"the cost is the {cost.world.loss} cost"))
    out += _cost_findings(cost, layers, loss)
    out += _gradient_findings(layers, n, loss, cost)
    return out


def _bias_in_gradient(layers):
    return [p.layer for p in layers if p.explained and p.coefs[2] != "0" and p.coefs[2] == p.coefs[1]]


def _cost_findings(cost, layers, loss):
    if cost.world is None:
        return [Finding("the cost's data term", "cost", "J matches no known data term on the λ = 0 problems",
                        description="the cost is wrong even without regularisation", explained=False)]
    if not cost.explained:
        cw, cb = cost.fitted if cost.fitted else (float("nan"),) * 2
        return [Finding("the cost's penalty", "cost", f"J − data term = (λ/m)({cw:.4g} Σ‖Θ[:, 1:]‖² + "
                        f"{cb:.4g} Σ‖Θ[:, 0]‖²) fits best, and not to the tolerance",
                        description="the regularisation term of the cost is wrong", explained=False)]
    out, (cw, cb) = [], cost.c
    named = {"0": "no_penalty_in_cost", "1": "cost_penalty_lambda_over_m"}
    if cw in named:
        out.append(Finding("the cost's penalty", "cost", f"J − data term = {cw}·(λ/m) Σ‖Θ[:, 1:]‖²", named[cw]))
    elif cw != "1/2":
        out.append(Finding("the cost's penalty", "cost", f"J − data term = {cw}·(λ/m) Σ‖Θ[:, 1:]‖²",
                           description="the cost's penalty is λ/2 ΣΘ², never divided by m" if cw == "m/2"
                           else f"the cost's penalty is {cw}·(λ/m) ΣΘ² instead of λ/(2m) ΣΘ²"))
    grad_bias = _bias_in_gradient(layers)
    if cb != "0" and cb == cw:
        ident = "regularize_bias" if grad_bias else "regularize_bias_cost_only"
        out.append(Finding("the cost's penalty", "cost, bias columns", "J includes (λ/2m) Σ Θ[:, 0]²"
                           + (" and the gradient's bias column has its λ term" if grad_bias else ""), ident))
    elif cb != "0":
        out.append(Finding("the cost's penalty", "cost, bias columns", f"J includes {cb}·(λ/m) Σ Θ[:, 0]²",
                           description="the bias columns enter the cost's penalty with another factor"))
    elif grad_bias:
        out.append(Finding("the gradient's penalty", layers_where(grad_bias, len(layers)) + ", bias column",
                           "the bias column carries (λ/m)Θ[:, 0]; the cost leaves it out",
                           "regularize_bias_gradient_only"))
    return out


def _gradient_findings(layers, n, loss, cost):
    named, out = {}, []
    for p in layers:
        if not p.explained:
            continue
        h, (s, rw, rb) = p.hypothesis, p.coefs
        if h.output:
            named.setdefault(OUTPUT_VARIANT[h.world.loss], []).append(p.layer)
        if h.hidden and p.layer < n - 1:
            named.setdefault(h.hidden, []).append(p.layer)
        if h.world.loss != (cost.world.loss if cost.world else loss) and not h.output:
            named.setdefault(f"~the gradient is that of {h.world.loss}", []).append(p.layer)
        if s == "m":
            raw = rw == "0" and rb == "0"          # "0" only ever comes from a λ > 0 fit
            named.setdefault("raw_delta" if raw else "missing_divide_by_m", []).append(p.layer)
        elif s != "1":
            named.setdefault(f"~the data term Δ/m is scaled {SYMBOL_TEXT[s]}", []).append(p.layer)
        if s == "m" and rw in ("0", "1", "m"):
            pass                                   # part of missing_divide_by_m or raw_delta
        elif rw == "0":
            named.setdefault("no_reg_in_gradient", []).append(p.layer)
        elif rw == "1/2":
            named.setdefault("gradient_reg_half", []).append(p.layer)
        elif rw != "1":
            named.setdefault(f"~the penalty (λ/m)Θ is scaled {SYMBOL_TEXT[rw]}", []).append(p.layer)
        if rb not in ("0", rw):
            named.setdefault(f"~the bias column's penalty is {SYMBOL_TEXT.get(rb, rb)} (λ/m)Θ[:, 0]", []).append(p.layer)
    for key, where in named.items():
        text = key[1:] if key.startswith("~") else ""
        out.append(Finding("the gradient", layers_where(where, n), _evidence(layers[where[0]], n),
                           None if text else key, text))
    for p in layers:
        if not p.explained:
            out.append(Finding("the gradient", layer_name(p.layer, n), _unexplained_evidence(p),
                               description=f"{layer_name(p.layer, n)} matches no model", explained=False))
    return out


def _evidence(p, n):
    """The fitted model of layer ``p``, as an equation in the module docstring's symbols."""
    s, rw, rb = p.coefs
    h = p.hypothesis
    delta = [f"output delta {OUTPUT_VARIANT[h.world.loss]}"] if h.output else []
    delta += [HIDDEN_TEXT[h.hidden]] if h.hidden and p.layer < n - 1 else []
    return (f"on every problem G^({p.layer + 1}) = {s}·Δ/m + {rw}·(λ/m)Θ[:, 1:] + {rb}·(λ/m)Θ[:, 0]"
            + (f" with Δ from {h.world.loss}" + (", " + ", ".join(delta) if delta else "")))


def _unexplained_evidence(p):
    scales = [f[0] for f in p.fitted]
    if scales and max(scales) - min(scales) <= 1e-6 * max(1.0, abs(max(scales))):
        return (f"≈ {scales[0]:.4g} × the right gradient on every problem (least squares); no known mistake "
                "gives this factor")
    return "no scale, ordering, label mapping, delta or penalty variant reproduces it"


FAILURE_WHERE = (re.compile(r"\(([^()]+?\.py) line (\d+)\)"), re.compile(r"([\w./\\-]+\.py):(\d+)"))


def failure_location(text):
    """(file name, line) a failure message names, or None."""
    for pattern in FAILURE_WHERE:
        found = pattern.search(text or "")
        if found:
            return found.group(1), int(found.group(2))
    return None
