"""Is a learner's ``nnCostFunction`` right, where is it wrong, and what is wrong with it?

1. The runner (``target``) calls the function on every one of the fixed :data:`PROBLEMS` (three
   shapes, the course's 400-25-10 among them; λ = 0 and λ > 0; unsaturated, course-like and
   saturated weights; one problem with a label absent from y), in the declared unrolling
   ``order``, labels 1..K, and records each call's (J, grad) or why it failed.
2. Each (J, grad) is compared with JAX autodiff of the reference cost (one-hot targets built
   here, independently of ``manual``), cost AND gradient, in float64, element by element, with
   the table's "user" tolerance. Comparing the cost, not only the gradient with the learner's
   own cost, is what catches mistakes made consistently in both (regularize_bias, unroll_order,
   label_offset): their gradients are right for their wrong costs.
3. When it disagrees, :mod:`~crosscheck.learner.judge.attribution` separates the answer into parts
   (cost data term and penalty; per layer the gradient's data term, penalty and bias column;
   how Θ is read and the gradient written) and fits each with a small exact model;
   :mod:`~crosscheck.learner.judge.findings` names each wrong part (a catalogue id, a new id, or a
   description), :mod:`~crosscheck.learner.judge.crashes` reads the pattern of failed calls, and the
   runner's observations (inputs written into, non-determinism) become findings too. A part no
   model reproduces is "unexplained": never forced onto a name.
"""
from dataclasses import dataclass, field

import numpy as np

from manual.layout import reroll
from manual.mistake_table import named

from crosscheck.check.compare import compare, element_errors
from crosscheck.check.tolerances import tolerance
from crosscheck.learner.judge.attribution import attribute
from crosscheck.learner.judge.crashes import failure_findings
from crosscheck.learner.judge.findings import Finding, attribution_findings
from crosscheck.learner.judge.unfinished import changed_params_findings, unfinished_findings
from crosscheck.learner.problems import Problem, reference_result

KIND = "user"


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
        rows = np.flatnonzero(wrong.any(axis=1))
        layers.append({"bias": int(wrong[:, 0].sum()), "weights": int(wrong[:, 1:].sum()),
                       "n_bias": int(wrong.shape[0]), "n_weights": int(wrong[:, 1:].size),
                       "rows": rows.tolist() if 0 < rows.size < wrong.shape[0] else []})
    return {"cost": bool(cost_wrong), "layers": layers}


def merge_locations(locations):
    """One location summing the counts of several (same number of layers)."""
    if not locations:
        return {"cost": False, "layers": []}
    layers = [{k: sum(loc["layers"][i][k] for loc in locations) for k in locations[0]["layers"][i] if k != "rows"}
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
    comparison: object          # crosscheck.check.compare.Comparison
    ok: bool
    location: dict


@dataclass
class Diagnosis:
    passed: bool
    ids: list                    # the ids found (catalogue or new), in the order of the findings
    findings: list               # one Finding per wrong part
    reports: list                # one ProblemReport per call that ran
    loss: str
    order: str
    tol: float
    run: object = None           # the crosscheck.learner.calls.Run judged
    where: str = ""
    location: dict = field(default_factory=dict)
    worst: object = None         # the ProblemReport that shows best what is wrong

    @property
    def recognised(self):
        """True when every wrong part is explained (and when nothing is wrong)."""
        return all(f.explained for f in self.findings)

    @property
    def failures(self):
        return [c for c in self.run.calls if not c.ok] if self.run else []


def _worst(reports):
    """The disagreeing problem with the largest error in what is actually wrong: the gradient if
    it is wrong anywhere, else the cost."""
    wrong = [r for r in reports if not r.ok]
    if not wrong:
        return None
    grad_wrong = [r for r in wrong if r.comparison.shape_error or r.comparison.grad_rel_diff > r.comparison.tol
                  or any(d["bias"] or d["weights"] for d in r.location["layers"])]
    if grad_wrong:
        return max(grad_wrong, key=lambda r: r.comparison.grad_rel_diff)
    return max(wrong, key=lambda r: r.comparison.cost_rel_err)


def _layer_entries(layer, calls, agree, order, loss):
    """Which entries of Θ^(layer + 1) disagree: one text for every shape when they agree
    ('every entry', 'bias column only', 'rows 2, 5 of 10, ...'), else one per shape with the
    shape named ('... on 400-25-10')."""
    out = {}
    for c in calls:
        if agree[c.problem] or c.problem.sizes in out:
            continue
        _, errors, _ = agrees((c.J, reroll(c.grad, c.problem.sizes, order)), reference_result(c.problem, loss))
        d = locate(False, errors, tolerance(KIND))["layers"][layer]
        rows = (f"row{'s' * (len(d['rows']) > 1)} {', '.join(map(str, d['rows']))} of {d['n_bias']}"
                if 0 < len(d["rows"]) <= 3 else "")
        out[c.problem.sizes] = f"{rows}, {_entries(d)}" if rows else _entries(d)
    if len(set(out.values())) == 1:
        return list(out.values())[:1]
    return [f"{text} on {'-'.join(map(str, sizes))}" for sizes, text in out.items()]


def _attributed(calls, agree, order, loss):
    """Findings for the calls that ran and disagree; when the problem without some label is the
    only one that does not fit, the rest are attributed and that problem is named apart."""
    findings = attribution_findings(attribute(calls, order, loss), order, loss)
    absent = [c for c in calls if c.problem.absent and not agree[c.problem]]
    if absent and not all(f.explained for f in findings):
        rest = [c for c in calls if not c.problem.absent]
        retry = attribution_findings(attribute(rest, order, loss), order, loss) if rest else []
        if all(f.explained for f in retry):
            findings = retry + [Finding("the targets Y", "the problem without label "
                                        f"{absent[0].problem.absent}", "right or explained on every "
                                        "other problem, wrong only where a label is absent from y",
                                        named("calls", "wrong only where a label is absent from y"))]
    for f in findings:                 # say which entries an unexplained layer gets wrong
        layer = next((l for l in range(len(calls[0].problem.sizes) - 1) if f"Θ^({l + 1})" in f.where), None)
        if not f.explained and f.what == "the gradient" and layer is not None:
            f.where += " (" + "; ".join(_layer_entries(layer, calls, agree, order, loss)) + ")"
    if not findings:
        findings = [Finding("the function", "", "it disagrees with autodiff, but no single part stands out",
                            description="unexplained disagreement", explained=False)]
    return findings


def diagnose(run, loss="cross_entropy", order="F"):
    """Judge ``run`` (a :class:`~crosscheck.learner.calls.Run`: one Call per problem, in order,
    each with (J, grad unrolled in ``order``) or a failure) against autodiff, and say what is
    wrong with it, part by part."""
    tol = tolerance(KIND)
    if run.failure or not run.calls:
        why = run.failure or "no problem was run"
        return Diagnosis(False, [], [Finding("the function", run.spec, why, description="it could not "
                                             "run at all", explained=False)], [], loss, order, tol, run, "nowhere")
    ran = [c for c in run.calls if c.ok]
    reports = []
    for call in ran:
        out = (call.J, reroll(call.grad, call.problem.sizes, order))
        ref = reference_result(call.problem, loss)
        comparison, errors, ok = agrees(out, ref)
        location = locate(comparison.cost_rel_err > tol, errors, tol)
        reports.append(ProblemReport(call.problem, out, ref, comparison, ok, location))
    agree = {r.problem: r.ok for r in reports}
    findings = failure_findings(run.calls, agree, run.path.name if run.path else run.name)
    wrong = [c for c in ran if not agree[c.problem]]
    tol32 = tolerance(KIND, np.float32)
    if wrong and run.float32 and all(agrees(r.user, r.reference, tol32)[2] for r in reports):
        findings.append(Finding("the arithmetic", "cost and gradient",
                                "it returned single-precision (float32) values, and every problem agrees "
                                f"with autodiff to {tol32:g} (float32's bound), not to {tol:g}",
                                named("runner", "float32 values")))
    elif wrong:
        unfinished = unfinished_findings(reports)
        changed = [] if unfinished else changed_params_findings(run, reports, loss, order)
        if unfinished and not any(f.id == "cost_not_written" for f in unfinished):
            cost_wrong = any(r.comparison.cost_rel_err > tol for r in reports)
            unfinished += [f for f in _attributed(ran, agree, order, loss) if f.where.startswith("cost")
                           and f.what != "the gradient"] if cost_wrong else []
        findings += unfinished or changed or _attributed(ran, agree, order, loss)
    if run.mutated_inputs:
        findings.append(Finding("the inputs", ", ".join(run.mutated_inputs),
                                f"after a call, {', '.join(run.mutated_inputs)} no longer held what was passed in",
                                named("runner", "inputs written into")))
    if run.nondeterministic:
        findings.append(Finding("the function", ", ".join(getattr(p, "name", str(p)) for p in run.nondeterministic),
                                "two calls on the same problem returned different values",
                                named("runner", "two calls differ")))
    overall = merge_locations([r.location for r in reports if not r.ok])
    ids = []
    for f in findings:
        if f.id and f.explained and f.id not in ids:
            ids.append(f.id)
    return Diagnosis(passed=not findings, ids=ids, findings=findings, reports=reports, loss=loss,
                     order=order, tol=tol, run=run, where=describe_where(overall), location=overall,
                     worst=_worst(reports))
