"""A verify result as one JSON object (for autograders): ``crosscheck verify --json``, and
``VerifyResult.to_dict()``.

The contract: ``passed``; ``diagnosis``, the ids found (catalogue or new); ``recognised``,
true when every wrong part is explained; ``findings``, one entry per wrong part (what, where,
evidence, id or description, explanation, correction); ``mutated_inputs``; ``problems``, one
entry per problem, including those where the function failed, with the reason. The object is
already strict JSON by :mod:`crosscheck.strict_json`'s rule (NaN and inf are null).
"""
from crosscheck.learner.judge.diagnosis import describe_where
from crosscheck.strict_json import json_safe


def finding_json(f):
    """One :class:`~crosscheck.learner.judge.findings.Finding` as the contract's entry."""
    mistake = f.mistake
    return {"id": f.id, "what": f.what, "where": f.where, "evidence": f.evidence,
            "description": f.summary, "explained": f.explained,
            "explanation": mistake.explanation if mistake else "",
            "correction": mistake.correction if mistake else ""}


def _problem_json(problem):
    p = problem
    return {"name": p.name, "sizes": list(p.sizes), "m": p.m, "seed": p.seed, "regime": p.regime,
            "lambda": p.lambda_, "absent_label": p.absent or None}


def _report_json(report):
    c = report.comparison
    layer, row, col = c.worst
    return {**_problem_json(report.problem), "ran": True, "agrees": report.ok, "failure": None, "kind": "ok",
            "cost_yours": c.cost_a, "cost_reference": c.cost_b, "cost_rel_err": c.cost_rel_err,
            "grad_rel_diff": c.grad_rel_diff, "layer_rel_diff": c.layer_rel_diff,
            "layer_max_abs_err": c.layer_max_abs,
            "worst": {"layer": layer, "row": row, "column": col, "yours": c.worst_a, "reference": c.worst_b},
            "where": describe_where(report.location), "location": report.location}


def _problems_json(result):
    reports = {r.problem: r for r in result.reports}
    out = []
    for call in result.run.calls:
        if call.ok:
            out.append(_report_json(reports[call.problem]))
        else:
            out.append({**_problem_json(call.problem), "ran": False, "agrees": False,
                        "failure": call.failure, "kind": call.kind})
    return out


def conventions_json(run):
    """The conventions the reported run's arguments were written in, and which were pinned."""
    if run.convention is None:
        return None
    return {**run.convention.to_json(), "pinned": list(run.convention.fixed)}


def failure_json(run):
    """{"failure": one line, "failure_kind": ...}: why the target could not run, else why its first
    failing call failed, else both None."""
    if run.failure:
        return {"failure": run.failure, "failure_kind": run.failure_kind or "crash"}
    failed = [c for c in run.calls if not c.ok]
    if not failed:
        return {"failure": None, "failure_kind": None}
    return {"failure": failed[0].failure, "failure_kind": failed[0].kind}     # its text names the problem


def to_json(result):
    """The contract's object for ``result``, a :class:`~crosscheck.learner.judge.diagnosis.Diagnosis`."""
    run = result.run
    return json_safe({
        "target": run.spec, "loss": result.loss, "order": result.order,
        "passed": result.passed,
        "diagnosis": result.ids,
        "recognised": result.recognised,
        "findings": [finding_json(f) for f in result.findings],
        "mutated_inputs": list(run.mutated_inputs),
        "nondeterministic": [getattr(p, "name", str(p)) for p in run.nondeterministic],
        "where": result.where if not result.passed else "nowhere",
        "tolerance": result.tol, "compared_with": "JAX autodiff, float64, cost and every gradient entry",
        "y_shape": run.y_shape,
        "conventions": conventions_json(run),
        "found": list(run.notes),           # modules found outside the target's folder, one note each
        "problems": _problems_json(result),
        "call_seconds": run.seconds,
        "warnings": run.warnings,
        "printed": list(run.printed),
        **failure_json(run),
    })
