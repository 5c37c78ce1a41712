"""A verify result as text (the report a learner reads) or as one JSON object (for autograders)."""
import textwrap

from manual.catalogue import MISTAKES

from crosscheck.learner.diagnosis import describe_where


def _problem_json(report):
    c, p = report.comparison, report.problem
    layer, row, col = c.worst
    return {"name": p.name, "sizes": list(p.sizes), "m": p.m, "seed": p.seed, "regime": p.regime,
            "lambda": p.lambda_, "agrees": report.ok,
            "cost_yours": c.cost_a, "cost_reference": c.cost_b, "cost_rel_err": c.cost_rel_err,
            "grad_rel_diff": c.grad_rel_diff, "layer_rel_diff": c.layer_rel_diff,
            "layer_max_abs_err": c.layer_max_abs,
            "worst": {"layer": layer, "row": row, "column": col, "yours": c.worst_a, "reference": c.worst_b},
            "where": _where_text(report.location), "location": report.location}


def _where_text(location):
    return describe_where(location)


def to_json(result):
    return {
        "function": result.run.spec, "loss": result.loss, "order": result.order,
        "passed": result.passed,
        "diagnosis": result.ids,
        "recognised": result.recognised,
        "matches": result.matches,
        "explanations": [{"id": i, "summary": MISTAKES[i].summary, "explanation": MISTAKES[i].explanation,
                          "correction": MISTAKES[i].correction} for i in result.ids],
        "where": result.where if not result.passed else "nowhere",
        "tolerance": result.tol, "compared_with": "JAX autodiff, float64, cost and every gradient entry",
        "y_shape": result.y_shape,
        "problems": [_problem_json(r) for r in result.reports],
        "explanations_tried": result.tried,
        "call_seconds": result.run.seconds,
        "warnings": result.run.warnings,
    }


def _wrap(text, indent="    "):
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent)


def to_text(result):
    order_name = {"F": "column-major (course)", "C": "row-major"}[result.order]
    lines = [f"crosscheck verify {result.run.spec}: loss {result.loss}, unrolled {result.order} {order_name}, "
             f"labels 1..K, y passed as {result.y_shape}",
             f"compared with JAX autodiff in float64: the cost and every gradient entry, tolerance "
             f"{result.tol:.0e} (relative)", ""]
    n_layers = len(result.reports[0].comparison.layer_rel_diff)
    head = f"{'problem':<44} {'cost err':>9} {'grad err':>9} " + " ".join(
        f"{'Θ^(%d)' % (i + 1):>9}" for i in range(n_layers)) + "  where"
    lines.append(head)
    for r in result.reports:
        c = r.comparison
        lines.append(f"{r.problem.name:<44} {c.cost_rel_err:9.1e} {c.grad_rel_diff:9.1e} "
                     + " ".join(f"{d:9.1e}" for d in c.layer_rel_diff)
                     + ("  ok" if r.ok else f"  {_where_text(r.location)}"))
    lines.append("")
    n_bad = sum(not r.ok for r in result.reports)
    if result.passed:
        lines.append(f"RIGHT: your {result.run.name} matches autodiff on all {len(result.reports)} problems.")
    else:
        lines.append(f"WRONG: your {result.run.name} disagrees with autodiff on {n_bad} of {len(result.reports)} problems.")
        lines.append(f"Where: {result.where}.")
        worst = max((r for r in result.reports if not r.ok), key=lambda r: r.comparison.grad_rel_diff)
        lines.append(_wrap("Largest: " + worst.comparison.describe(), indent=""))
        lines.append("")
        if not result.matches:
            lines.append("Diagnosis: unrecognised. The error matches no catalogued mistake, alone or two "
                         "together, on every problem; look where it sits (above) and derive that part again.")
        else:
            if len(result.matches) > 1:
                lines.append("Diagnosis: ambiguous, these explanations all match: "
                             + "; ".join(" + ".join(m) for m in result.matches))
            elif len(result.ids) > 1:
                lines.append(f"Diagnosis: two mistakes together: {' + '.join(result.ids)}")
            for i in result.ids:
                mistake = MISTAKES[i]
                lines.append(f"Diagnosis: {i}: {mistake.summary}.")
                lines.append(_wrap(mistake.explanation))
                lines.append(f"    Corrected: {mistake.correction}")
    if result.run.warnings:
        lines.append("")
        lines.append("Notes on your function (warnings it raised): " + "; ".join(result.run.warnings[:3]))
    if result.run.seconds:
        lines.append(f"({len(result.run.seconds)} calls of your function, slowest {max(result.run.seconds):.3f} s)")
    return "\n".join(lines)
