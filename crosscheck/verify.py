"""``crosscheck verify FILE.py:FUNCTION``: check a learner's own nnCostFunction and name its mistake.

Exit 0: right (matches autodiff on every problem); 1: wrong (with a diagnosis, or
"unrecognised"); 2: the function cannot be loaded or run (one line on stderr).
"""
import json
import math
import textwrap

from manual.errors import InputError
from manual.layout import ORDERS
from manual.losses import LOSSES

from .userfn import COURSE_SIGNATURE, DEFAULT_TIMEOUT


def _timeout(value):
    try:
        seconds = float(value)
    except ValueError:
        raise InputError(f"--timeout must be a number of seconds, got {value!r}") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise InputError(f"--timeout must be a positive number of seconds, got {value}")
    return seconds


def add_arguments(parser):
    parser.add_argument("function", metavar="FILE.py:FUNCTION",
                        help=f"your cost function, signature {COURSE_SIGNATURE}")
    parser.add_argument("--loss", choices=LOSSES, default="cross_entropy",
                        help="the loss your function implements (default cross_entropy)")
    parser.add_argument("--order", choices=ORDERS, default="F",
                        help="how your function unrolls the weights: F column-major, the course's "
                             "Theta(:) (default); C row-major, numpy's default")
    parser.add_argument("--timeout", type=str, default=str(DEFAULT_TIMEOUT), metavar="S",
                        help=f"time limit per call of your function in seconds (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def run(args):
    from .diagnose import diagnose
    from .userfn import load_user_function

    user = load_user_function(args.function, _timeout(args.timeout))
    result = diagnose(user, loss=args.loss, order=args.order)
    if args.json:
        print(json.dumps(to_json(result, user), indent=2))
    else:
        print(to_text(result, user))
    return 0 if result.passed else 1


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
    from .diagnose import describe_where
    return describe_where(location)


def to_json(result, user):
    from manual.mistakes import MISTAKES
    return {
        "function": user.spec, "loss": result.loss, "order": result.order,
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
        "call_seconds": user.seconds,
        "warnings": user.warnings,
    }


def _wrap(text, indent="    "):
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent)


def to_text(result, user):
    from manual.mistakes import MISTAKES
    order_name = {"F": "column-major (course)", "C": "row-major"}[result.order]
    lines = [f"crosscheck verify {user.spec}: loss {result.loss}, unrolled {result.order} {order_name}, "
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
        lines.append(f"RIGHT: your {user.name} matches autodiff on all {len(result.reports)} problems.")
    else:
        lines.append(f"WRONG: your {user.name} disagrees with autodiff on {n_bad} of {len(result.reports)} problems.")
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
    if user.warnings:
        lines.append("")
        lines.append("Notes on your function (warnings it raised): " + "; ".join(user.warnings[:3]))
    if user.seconds:
        lines.append(f"({len(user.seconds)} calls of your function, slowest {max(user.seconds):.3f} s)")
    return "\n".join(lines)
