"""Attribution: a learner's (J, grad) separated into parts, each described by a small model.

The reference on a problem with m examples and λ is

    J       = D(Θ, Y) + (λ/2m) Σ_l ‖Θ^(l)[:, 1:]‖²
    ∂J/∂Θ^(l) = Δ^(l)/m + (λ/m) [0, Θ^(l)[:, 1:]]

and the learner's answer is modelled, part by part, as

    J_u        = D_w(Θ_r, Y_w) + (λ/m) (c_w Σ_l ‖Θ_r^(l)[:, 1:]‖² + c_b Σ_l ‖Θ_r^(l)[:, 0]‖²)
    G_u^(l)    = s · Δ_v^(l)/m + (λ/m) [r_b Θ_r^(l)[:, 0], r_w Θ_r^(l)[:, 1:]],  written in order w

The *world* fixes what the whole function computes on: Θ_r, the parameters read in the
declared order or the other one; Y_w, the targets from the right label mapping or one of the
two wrong ones; D_w, the declared loss or the other. The *variant* v picks the output delta
(right, or the catalogued one for the loss) and the hidden g′ (g′(z), g′(a) or none). D_w and Δ_v/m
come from ``manual.catalogue.with_mistake`` called with λ = 0, so the mistakes are written once.

Each coefficient is fitted by least squares (they enter linearly), snapped to the values a
real mistake gives (``SNAPS``), and the snapped model is then checked element by element with
the "user" tolerance: a part is *explained* only when its model reproduces it, never because a
fit came close. λ = 0 problems see only the data terms; λ > 0 problems fix the penalties (the
penalty is known exactly, so c and r are pinned to 1e-9, far tighter than any two candidates).
"""
import functools
from dataclasses import dataclass

import numpy as np

from manual.catalogue import LABEL_OFFSET_FORMS, with_mistake
from manual.layout import OTHER_ORDER, reroll, unroll
from manual.losses import LOSSES
from manual.mistake_table import ids_of

from crosscheck.check.compare import element_errors
from crosscheck.check.tolerances import tolerance
from crosscheck.learner.problems import problem_data

TOL = tolerance("user")
OTHER = {**OTHER_ORDER, LOSSES[0]: LOSSES[1], LOSSES[1]: LOSSES[0]}
LABEL_FORMS = ("right", *LABEL_OFFSET_FORMS)
OUTPUT_VARIANT = ids_of("output delta")                  # {loss: the catalogued output delta's id}
HIDDEN_VARIANTS = tuple(ids_of("hidden delta").values())  # the ids of g′(a) and of no g′
# The values a coefficient takes in a real mistake; "m" is each problem's own m. Snapping
# needs agreement to 1e-6 (relative): the fits are exact to ~1e-12 when the model is right.
SNAPS = {"s": ("1", "m", "0", "2", "1/2", "-1"), "r": ("1", "0", "1/2", "2", "m"),
         "c": ("1/2", "0", "1", "m/2")}
SNAP_RTOL = 1e-6


def snap_value(symbol, m):
    """The number a SNAPS symbol stands for on a problem with m examples."""
    if symbol in ("m", "m/2"):
        return float(m) / (2.0 if symbol == "m/2" else 1.0)
    return 0.5 if symbol == "1/2" else float(symbol)


@dataclass(frozen=True)
class World:
    read: str          # "F" or "C": how nn_params is reshaped into Θ
    labels: str        # "right" or a LABEL_OFFSET_FORMS entry
    loss: str

    def deviations(self, order, loss):
        return (self.read != order) + (self.labels != "right") + (self.loss != loss)


@dataclass(frozen=True)
class Hypothesis:
    world: World
    output: bool       # the catalogued output delta for world.loss
    hidden: str        # "" (g′(z), right) or one of HIDDEN_VARIANTS
    write: str         # "F" or "C": how the gradient is unrolled

    def ids(self):
        ids = {OUTPUT_VARIANT[self.world.loss]} if self.output else set()
        return frozenset(ids | ({self.hidden} if self.hidden else set()))


@functools.lru_cache(maxsize=4096)
def data_terms(problem, declared, world, variant=frozenset()):
    """(D, [Δ_v^(l)/m], [Θ_r^(l)]) on ``problem`` for params unrolled in ``declared``."""
    thetas, X, y = problem_data(problem)
    ids = set(variant) | ({"label_offset"} if world.labels != "right" else set())
    form = world.labels if world.labels != "right" else LABEL_OFFSET_FORMS[0]
    f = with_mistake(ids, world.loss, world.read, form)
    params = unroll(thetas, declared)
    with np.errstate(all="ignore"):
        D, grad = f(params, *problem.sizes, X, y, 0.0)
    return float(D), reroll(grad, problem.sizes, world.read), reroll(params, problem.sizes, world.read)


@dataclass
class CostPart:
    world: World | None        # the data term's world (None: no world fits the λ = 0 costs)
    c: tuple = ("1/2", "0")    # (c_w, c_b) as symbols, or None when not explained
    fitted: tuple = (0.5, 0.0)  # the least-squares (c_w, c_b), for the description
    explained: bool = False


@dataclass
class LayerPart:
    layer: int                 # 0-based
    hypothesis: Hypothesis | None
    coefs: tuple | None = None  # (s, r_w, r_b) snapped symbols; None when not explained
    fitted: tuple = ()         # least squares (s, r_w, r_b) under the right hypothesis, per problem
    explained: bool = False


def _snap(kind, fits):
    """The first symbol of SNAPS[kind] that every (value, m) pair in ``fits`` agrees with."""
    for symbol in SNAPS[kind]:
        if all(abs(v - snap_value(symbol, m)) <= SNAP_RTOL * max(1.0, abs(snap_value(symbol, m)))
               for v, m in fits):
            return symbol
    return None


def fit_cost(calls, order, loss):
    """The cost part: the simplest world whose data term and snapped penalty reproduce J."""
    worlds = sorted((World(r, lab, los) for r in (order, OTHER[order]) for lab in LABEL_FORMS
                     for los in (loss, OTHER[loss])), key=lambda w: w.deviations(order, loss))
    data_only = unexplained = None
    for world in worlds:
        zero = [c for c in calls if c.problem.lambda_ == 0]
        if not zero or not all(abs(c.J - D) <= TOL * max(abs(c.J), abs(D))     # stops at the first miss
                               for c in zero for D in [data_terms(c.problem, order, world)[0]]):
            continue
        rows = [(c, data_terms(c.problem, order, world)) for c in calls]
        data_only = data_only or world
        positive = [(c, t) for c, t in rows if c.problem.lambda_ > 0]
        if not positive:
            return CostPart(world, explained=True)
        sums = np.array([[sum(float(np.sum(th[:, 1:] ** 2)) for th in t[2]),
                          sum(float(np.sum(th[:, 0] ** 2)) for th in t[2])] for _, t in positive])
        k = np.array([c.problem.lambda_ / c.problem.m for c, _ in positive])
        resid = np.array([c.J - t[0] for c, t in positive])
        ms = np.array([c.problem.m for c, _ in positive], dtype=float)
        # c constant across problems, or c ∝ m (a penalty never divided by m): fit both ways
        for per_m in (False, True):
            scale = k * (ms if per_m else 1.0)
            fit = tuple(float(v) for v in np.linalg.lstsq(sums * scale[:, None], resid, rcond=None)[0])
            if not per_m:
                fitted = fit               # the constant-c fit is the one reported when neither snaps
            cw, cb = (_snap("c", [(v * m if per_m else v, m) for m in ms]) for v in fit)
            if cw is not None and cb is not None:
                model = [t[0] + kk * (snap_value(cw, m) * sw + snap_value(cb, m) * sb)
                         for (c, t), kk, (sw, sb), m in zip(positive, k, sums, ms)]
                if all(abs(c.J - v) <= TOL * max(abs(c.J), abs(v)) for (c, _), v in zip(positive, model)):
                    return CostPart(world, (cw, cb), fitted, True)
        if world == data_only:
            unexplained = CostPart(world, None, fitted, False)
    return unexplained if data_only else CostPart(None, None, (), False)


def _layer_fit(call, hypothesis, layer, order):
    """Least-squares (s, r_w, r_b) of layer ``layer`` of ``call`` under ``hypothesis``, and the
    arrays to rebuild the model: (fit, G_u, Gd, λ/m·[Θ_r weights], λ/m·[Θ_r bias])."""
    p = call.problem
    _, Gd, Th = data_terms(p, order, hypothesis.world, hypothesis.ids())
    G = reroll(call.grad, p.sizes, hypothesis.write)[layer]
    gd, th = Gd[layer], Th[layer]
    k = p.lambda_ / p.m
    tw = np.zeros_like(th)
    tw[:, 1:] = k * th[:, 1:]
    tb = np.zeros_like(th)
    tb[:, 0] = k * th[:, 0]
    columns = [gd] + ([tw, tb] if p.lambda_ > 0 else [])
    A = np.stack([a.ravel() for a in columns], axis=1)
    fit = np.linalg.lstsq(A, G.ravel(), rcond=None)[0] if np.all(np.isfinite(A)) else np.full(len(columns), np.nan)
    return fit, G, gd, tw, tb


def _narrow(viable, value, m):
    """The symbols of ``viable`` that ``value`` (on a problem with m examples) agrees with."""
    return [sym for sym in viable
            if abs(value - snap_value(sym, m)) <= SNAP_RTOL * max(1.0, abs(snap_value(sym, m)))]


def fit_layer(calls, hypothesis, layer, order, full=False):
    """(snapped (s, r_w, r_b) or None, per-problem fitted values). Problems are fitted smallest
    first and a hypothesis is dropped as soon as no symbol fits, so a wrong one costs one small
    problem; ``full`` fits every problem anyway (for the description of an unexplained part)."""
    viable = {"s": list(SNAPS["s"]), "r_w": list(SNAPS["r"]), "r_b": list(SNAPS["r"])}
    fits = []
    for c in sorted(calls, key=lambda c: c.grad.size):
        f = _layer_fit(c, hypothesis, layer, order)
        fits.append((c, f))
        m = c.problem.m
        viable["s"] = _narrow(viable["s"], f[0][0], m)
        if c.problem.lambda_ > 0:
            viable["r_w"] = _narrow(viable["r_w"], f[0][1], m)
            viable["r_b"] = _narrow(viable["r_b"], f[0][2], m)
        if not all(viable.values()) and not full:
            break
    order_of = {id(c): i for i, c in enumerate(calls)}
    fitted = tuple(tuple(float(v) for v in f[0]) for _, f in sorted(fits, key=lambda cf: order_of[id(cf[0])]))
    if not all(viable.values()):
        return None, fitted
    if not any(c.problem.lambda_ > 0 for c in calls):
        viable["r_b"] = ["0"]
    s, r_w, r_b = viable["s"][0], viable["r_w"][0], viable["r_b"][0]
    for c, (_, G, gd, tw, tb) in fits:
        m = c.problem.m
        model = snap_value(s, m) * gd + snap_value(r_w, m) * tw + snap_value(r_b, m) * tb
        if float(element_errors([G], [model])[0].max(initial=0.0)) > TOL:
            return None, fitted
    return (s, r_w, r_b), fitted


def hypotheses(cost, order, loss):
    """Gradient hypotheses, simplest first: deviations counted from the cost's world when it is
    known (a learner's cost and gradient usually share how they read Θ and build Y)."""
    base = cost.world or World(order, "right", loss)
    if cost.world:
        worlds = [World(base.read, base.labels, los) for los in (base.loss, OTHER[base.loss])]
    else:
        worlds = [World(r, lab, los) for r in (order, OTHER[order]) for lab in LABEL_FORMS
                  for los in (loss, OTHER[loss])]
    every = [Hypothesis(w, out, hid, wr) for w in worlds for out in (False, True)
             for hid in ("", *HIDDEN_VARIANTS) for wr in (base.read, OTHER[base.read])]

    def cost_of(h):   # a variant before a change of loss: squared + h − y is the catalogue's id
        return (h.world.deviations(base.read, base.loss) * 1.5 + h.output + bool(h.hidden)
                + (h.write != base.read), )
    return sorted(every, key=cost_of)


def fit_gradient(calls, cost, order, loss):
    """One LayerPart per layer: the first hypothesis that explains every layer, else per layer
    the first that explains it (partly explained), else unexplained with the right-model fit."""
    n_layers = len(calls[0].problem.sizes) - 1
    per_layer = [None] * n_layers
    for h in hypotheses(cost, order, loss):
        parts = [fit_layer(calls, h, l, order) for l in range(n_layers)]
        if all(coefs for coefs, _ in parts):
            return [LayerPart(l, h, coefs, fitted, True) for l, (coefs, fitted) in enumerate(parts)]
        for l, (coefs, fitted) in enumerate(parts):
            if coefs and per_layer[l] is None:
                per_layer[l] = LayerPart(l, h, coefs, fitted, True)
    right = Hypothesis(World(order, "right", loss), False, "", order)
    return [per_layer[l] or LayerPart(l, None, None, fit_layer(calls, right, l, order, full=True)[1], False)
            for l in range(n_layers)]


@dataclass
class Attribution:
    cost: CostPart
    layers: list


def attribute(calls, order, loss):
    """Attribution of the successful ``calls`` (at least one)."""
    cost = fit_cost(calls, order, loss)
    return Attribution(cost, fit_gradient(calls, cost, order, loss))

