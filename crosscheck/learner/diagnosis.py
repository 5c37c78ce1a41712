"""Is a learner's ``nnCostFunction`` right, where is it wrong, and which known mistake is it?

1. The learner's function runs on the fixed :data:`PROBLEMS` (two shapes; λ = 0 and λ > 0;
   unsaturated, course-like and saturated weights), course layout: parameters unrolled in
   ``order`` (column-major "F" by default), labels 1..K.
2. Its (J, grad) is compared with JAX autodiff of the reference cost (one-hot targets built
   here, independently of ``manual``), cost AND gradient, in float64, element by element, with
   the table's "user" tolerance. Comparing the cost, not only the gradient with the learner's own
   cost, is what catches mistakes made consistently in both (regularize_bias, unroll_order,
   label_offset): their gradients are right for their wrong costs.
3. When it disagrees, every catalogue variant (``manual.catalogue.with_mistake``) that applies
   to the loss runs on the same problems. A variant *matches* when the learner's (J, grad)
   equals the variant's within the same tolerance on EVERY problem, so a mistake invisible on
   some problems (no_reg_in_gradient at λ = 0, regularize_bias at λ = 0) is still pinned down by
   the others, and a mistake never borrows a name because it happens to coincide on one problem.
   If no single mistake matches, pairs of mistakes are tried (a learner can make two). Anything
   else is "unrecognised": never forced onto a name. The problem set separates every candidate
   from every other (tests/test_verify_diagnose.py checks this), so a match is unique.
"""
import functools
import itertools
from dataclasses import dataclass, field


from manual.layout import reroll, unroll
from manual.catalogue import LABEL_OFFSET_FORMS, MISTAKE_IDS, MISTAKES, with_mistake

from crosscheck.check.compare import compare, element_errors
from crosscheck.check.tolerances import tolerance
from crosscheck.learner.problems import Problem, problem_data, reference_result

KIND = "user"


CORRECT = (frozenset(), LABEL_OFFSET_FORMS[0])


@functools.lru_cache(maxsize=None)
def variant_result(candidate, problem, loss, order):
    """(J, [grad per layer]) of the catalogue variant ``candidate`` = (ids frozenset, label form)."""
    ids, label_form = candidate
    thetas, X, y = problem_data(problem)
    f = with_mistake(ids, loss, order, label_form)
    J, grad = f(unroll(thetas, order), *problem.sizes, X, y, problem.lambda_)
    return J, reroll(grad, problem.sizes, order)


def _forms(ids):
    """One candidate per way of writing the mistakes ``ids`` (label_offset has two)."""
    ids = frozenset(ids)
    forms = LABEL_OFFSET_FORMS if "label_offset" in ids else LABEL_OFFSET_FORMS[:1]
    return [(ids, form) for form in forms]


def candidates(loss):
    """Explanations to try, simplest first: ([every applicable id alone], [every compatible pair]),
    each a (frozenset of ids, label_offset form) candidate."""
    singles = [i for i in MISTAKE_IDS if loss in MISTAKES[i].losses]
    pairs = [p for p in itertools.combinations(singles, 2)
             if set(p) != {"no_reg_in_gradient", "gradient_reg_half"}]
    return ([c for i in singles for c in _forms([i])],
            [c for p in pairs for c in _forms(p)])


def agrees(a, b, tol=None):
    """(Comparison, element errors, ok): ok when cost and every gradient entry agree."""
    comparison = compare("yours", a, "reference", b, KIND, tol=tol)
    errors = element_errors(a[1], b[1]) if not comparison.shape_error else []
    ok = comparison.passed and all(float(e.max(initial=0.0)) <= comparison.tol for e in errors)
    return comparison, errors, ok


def locate(cost_wrong, errors, tol):
    """Where the disagreement sits: {"cost": bool, "layers": [{bias, weights, n_bias, n_weights}]}."""
    layers = []
    for e in errors:
        wrong = e > tol
        layers.append({"bias": int(wrong[:, 0].sum()), "weights": int(wrong[:, 1:].sum()),
                       "n_bias": int(wrong.shape[0]), "n_weights": int(wrong[:, 1:].size)})
    return {"cost": bool(cost_wrong), "layers": layers}


def merge_locations(locations):
    """One location summing the counts of several (same number of layers)."""
    if not locations:
        return {"cost": False, "layers": []}
    layers = [{k: sum(loc["layers"][i][k] for loc in locations) for k in locations[0]["layers"][i]}
              for i in range(len(locations[0]["layers"]))]
    return {"cost": any(loc["cost"] for loc in locations), "layers": layers}


def _entries(d):
    if d["bias"] and not d["weights"]:
        return "bias column only" if d["bias"] == d["n_bias"] else f"{d['bias']} of {d['n_bias']} bias entries only"
    if d["weights"] and not d["bias"]:
        return ("every weight but not the bias column" if d["weights"] == d["n_weights"]
                else f"{d['weights']} of {d['n_weights']} weights, not the bias column")
    total, n = d["bias"] + d["weights"], d["n_bias"] + d["n_weights"]
    return "every entry" if total == n else f"{total} of {n} entries"


def describe_where(location):
    """'cost; gradient: every layer, bias column only' and the like; 'nowhere' when all agree."""
    layers = location["layers"]
    wrong = [(i, d) for i, d in enumerate(layers) if d["bias"] or d["weights"]]
    parts = ["cost wrong" if location["cost"] else "cost right"]
    if not wrong:
        parts.append("gradient right")
    else:
        kinds = {_entries(d) for _, d in wrong}
        if len(wrong) == len(layers) and len(kinds) == 1:
            parts.append(f"gradient wrong in every layer, {kinds.pop()}")
        else:
            named = [f"{'output' if i == len(layers) - 1 else 'hidden'} layer Θ^({i + 1}) ({_entries(d)})"
                     for i, d in wrong]
            only = " only" if len(wrong) < len(layers) else ""
            parts.append("gradient wrong in " + " and ".join(named) + only)
    if not location["cost"] and not wrong:
        return "nowhere"
    return "; ".join(parts)


@dataclass
class ProblemReport:
    problem: Problem
    user: tuple                 # (J, [grad per layer])
    reference: tuple
    comparison: object          # crosscheck.compare.Comparison
    ok: bool
    location: dict


@dataclass
class Diagnosis:
    passed: bool
    ids: list                    # the diagnosis: catalogue ids, empty when right or unrecognised
    matches: list                # every explanation that matched (a list of sorted id lists)
    reports: list
    loss: str
    order: str
    tol: float
    y_shape: str = "(m,)"
    tried: int = 0               # explanations compared
    where: str = ""
    location: dict = field(default_factory=dict)
    run: object = None           # the crosscheck.learner.calls.Run judged

    @property
    def recognised(self):
        return self.passed or bool(self.matches)


def diagnose(run, loss="cross_entropy", order="F"):
    """Judge ``run`` (a :class:`~crosscheck.learner.calls.Run`: the learner's (J, grad) on each
    problem, unrolled in ``order``) against autodiff, and name its mistake when one fits."""
    tol = tolerance(KIND)
    problems = [c.problem for c in run.calls]
    outputs = [(c.J, reroll(c.grad, c.problem.sizes, order)) for c in run.calls]
    reports = []
    for problem, out in zip(problems, outputs):
        ref = reference_result(problem, loss)
        comparison, errors, ok = agrees(out, ref)
        location = locate(comparison.cost_rel_err > tol, errors, tol)
        reports.append(ProblemReport(problem, out, ref, comparison, ok, location))
    overall = merge_locations([r.location for r in reports if not r.ok])
    result = Diagnosis(passed=all(r.ok for r in reports), ids=[], matches=[], reports=reports,
                       loss=loss, order=order, tol=tol, y_shape=run.y_shape, run=run,
                       where=describe_where(overall), location=overall)
    if result.passed:
        return result
    for group in candidates(loss):               # singles; only if none matches, pairs
        for candidate in group:
            result.tried += 1
            ids = sorted(candidate[0], key=MISTAKE_IDS.index)
            if ids not in result.matches and all(
                    agrees(out, variant_result(candidate, problem, loss, order))[2]
                    for problem, out in zip(problems, outputs)):
                result.matches.append(ids)
        if result.matches:
            break
    result.ids = sorted({i for match in result.matches for i in match}, key=MISTAKE_IDS.index)
    return result
