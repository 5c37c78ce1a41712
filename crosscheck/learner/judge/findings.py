"""The named findings: what the attribution's parts, the failed calls and the runner's
observations mean, in a learner's terms. One :class:`Finding` per wrong part.

Ids are rows of the one table of mistakes (``manual.mistake_table.TABLE``): a fitted part is
named by looking its (part, value) up among the rows' signatures. A part that a model describes
but no row names gets a description and no id, and a part no model reproduces is *unexplained*.
"""
from dataclasses import dataclass

from manual.layout import OTHER_ORDER
from manual.mistake_table import TABLE, named

from crosscheck.learner.judge.attribution import OUTPUT_VARIANT

# Every id is a row of the one table (manual.mistake_table): the plantable ones are the
# catalogue's, the others (NEW) are named only here.
EXPLAINED = TABLE
NEW = {i: m for i, m in TABLE.items() if not m.plantable}


@dataclass
class Finding:
    """One wrong part: what, where, the evidence, and an id (or a description)."""
    what: str
    where: str
    evidence: str
    id: str | None = None
    description: str = ""
    explained: bool = True

    @property
    def mistake(self):
        """The table's row for ``id`` (summary, explanation, correction), or None."""
        return TABLE.get(self.id)

    @property
    def summary(self):
        """The description, else the named mistake's summary, else ''."""
        return self.description or (self.mistake.summary if self.mistake else "")


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
                               f"{order}: every problem matches with Θ reshaped in the other order",
                               named("unrolling", "read and written in the other order")))
        elif world.read != order:
            out.append(Finding("reading nn_params", "cost and gradient", f"Θ reshaped {world.read}, gradient "
                               f"unrolled {order}", named("unrolling", "read in the other order")))
        elif writes == {OTHER_ORDER[order]}:
            out.append(Finding("unrolling the gradient", "gradient", f"Θ read {order}, gradient unrolled "
                               f"{next(iter(writes))}", named("unrolling", "written in the other order")))
        if world.labels != "right":
            form = {"digit_columns": "label k in column k mod K",
                    "zero_based": "label k in column k, label K in none (if your y holds 0..K−1, "
                                  "that is a convention: pin --labels 0)"}[world.labels]
            out.append(Finding("the targets Y", "cost and gradient", f"every problem matches with {form}",
                               named("labels", "shifted")))
        grad_losses = {h.world.loss for h in hyps if not h.output}
        if world.loss != loss and cost.world and grad_losses <= {world.loss}:
            out.append(Finding("the loss", "cost and gradient", f"cost and gradient are those of {world.loss}",
                               named("loss", "the other"),
                               f"a correct function for {world.loss}: run with --loss {world.loss}"))
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
    if ident := named("cost penalty c_w", cw):
        out.append(Finding("the cost's penalty", "cost", f"J − data term = {cw}·(λ/m) Σ‖Θ[:, 1:]‖²", ident))
    elif cw != "1/2":
        out.append(Finding("the cost's penalty", "cost", f"J − data term = {cw}·(λ/m) Σ‖Θ[:, 1:]‖²",
                           description="the cost's penalty is λ/2 ΣΘ², never divided by m" if cw == "m/2"
                           else f"the cost's penalty is {cw}·(λ/m) ΣΘ² instead of λ/(2m) ΣΘ²"))
    grad_bias = _bias_in_gradient(layers)
    if cb != "0" and cb == cw:
        ident = named("bias penalty", "cost and gradient" if grad_bias else "cost")
        out.append(Finding("the cost's penalty", "cost, bias columns", "J includes (λ/2m) Σ Θ[:, 0]²"
                           + (" and the gradient's bias column has its λ term" if grad_bias else ""), ident))
    elif cb != "0":
        out.append(Finding("the cost's penalty", "cost, bias columns", f"J includes {cb}·(λ/m) Σ Θ[:, 0]²",
                           description="the bias columns enter the cost's penalty with another factor"))
    elif grad_bias:
        out.append(Finding("the gradient's penalty", layers_where(grad_bias, len(layers)) + ", bias column",
                           "the bias column carries (λ/m)Θ[:, 0]; the cost leaves it out",
                           named("bias penalty", "gradient")))
    return out


def _gradient_findings(layers, n, loss, cost):
    parts, out = {}, []
    for p in layers:
        if not p.explained:
            continue
        h, (s, rw, rb) = p.hypothesis, p.coefs
        if h.output:
            parts.setdefault((OUTPUT_VARIANT[h.world.loss], ""), []).append(p.layer)
        if h.hidden and p.layer < n - 1:
            parts.setdefault((h.hidden, ""), []).append(p.layer)
        if h.world.loss != (cost.world.loss if cost.world else loss) and not h.output:
            parts.setdefault((None, f"the gradient is that of {h.world.loss}"), []).append(p.layer)
        scaled = named("gradient (s, r_w, r_b)", (s, rw, rb)) or named("gradient scale s", s)
        if scaled:                                 # rw = rb = "0" only ever comes from a λ > 0 fit
            parts.setdefault((scaled, ""), []).append(p.layer)
        elif s != "1":
            parts.setdefault((None, f"the data term Δ/m is scaled {SYMBOL_TEXT[s]}"), []).append(p.layer)
        if s == "m" and rw in ("0", "1", "m"):
            pass                                   # part of missing_divide_by_m or raw_delta
        elif penalised := named("gradient penalty r_w", rw):
            parts.setdefault((penalised, ""), []).append(p.layer)
        elif rw != "1":
            parts.setdefault((None, f"the penalty (λ/m)Θ is scaled {SYMBOL_TEXT[rw]}"), []).append(p.layer)
        if rb not in ("0", rw):
            bias = f"the bias column's penalty is {SYMBOL_TEXT.get(rb, rb)} (λ/m)Θ[:, 0]"
            parts.setdefault((None, bias), []).append(p.layer)
    for (ident, text), where in parts.items():      # a named id, or (None, a description)
        out.append(Finding("the gradient", layers_where(where, n), _evidence(layers[where[0]], n), ident, text))
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
