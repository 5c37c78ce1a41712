"""A verify result as HTML for a notebook (``VerifyResult._repr_html_``): verdict, per-problem
table, diagnosis with the corrected equation, the heat map of the gradient error inline (base64
PNG), and the text report folded. Built from the
:class:`~crosscheck.learner.judge.diagnosis.Diagnosis`, as the text and the JSON are.
"""
import base64
import html
import io

from manual.layout import reroll

from crosscheck.check.compare import element_errors
from crosscheck.check.tolerances import tolerance
from crosscheck.learner.judge.diagnosis import KIND, describe_where
from crosscheck.learner.problems import reference_result
from crosscheck.learner.show.as_json import failure_json
from crosscheck.learner.show.render import at_line, first_failure_location, to_text
from crosscheck.teaching.heatmap import WIDTH_PX


def worst_gradient(result):
    """(problem, yours [per layer], reference [per layer]) for the heat map: the largest problem
    whose gradient disagrees anywhere, the larger error on a tie; None when every gradient agrees.
    ``result``: anything with ``run``, ``order`` and ``loss`` (a Diagnosis, a VerifyResult)."""
    tol, best = tolerance(KIND), None
    for call in result.run.calls:
        if not call.ok:
            continue
        mine = reroll(call.grad, call.problem.sizes, result.order)
        ref = reference_result(call.problem, result.loss)[1]
        worst = max(float(e.max(initial=0.0)) for e in element_errors(mine, ref))
        key = (call.problem.m * sum(call.problem.sizes), worst)
        if worst > tol and (best is None or key > best[0]):
            best = (key, call.problem, mine, ref)
    return None if best is None else best[1:]


def heat_map_png(result):
    """The gallery's heat map of (your gradient − autodiff's) on :func:`worst_gradient`'s problem,
    as base64 PNG text; '' when every gradient agrees."""
    from crosscheck.teaching.heatmap import gradient_error_figure
    found = worst_gradient(result)
    if found is None:
        return ""
    problem, mine, ref = found
    buffer = io.BytesIO()
    gradient_error_figure(mine, ref, f"your {result.run.name} − autodiff: ∂J/∂Θ on {problem.name}",
                          "red: yours too large, blue: too small; the bias column is the strip on the left", buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


NUMBER = "white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums"   # a number never wraps
CELL = "padding:1px 8px"


def _td(text, number=False, extra=""):
    return f"<td style='{CELL};{NUMBER if number else 'text-align:left'}{extra}'>{text}</td>"


def _without_problem(call):
    """A failed call's one line without the problem's name: the same failure on every problem
    reads the same."""
    return call.failure.replace(f" on {call.problem.name}", "")


def _table(result):
    """One row per problem, the numbers unwrapped; the part common to every wrong row (where
    the error is) said once above the table instead of on each row."""
    calls = result.run.calls
    if not calls:
        return ""
    reports = {r.problem: r for r in result.reports}
    n_layers = len(result.reports[0].comparison.layer_rel_diff) if result.reports else 2
    wheres = {describe_where(r.location) for r in result.reports if not r.ok}
    common = wheres.pop() if len(wheres) == 1 else None
    failures = {_without_problem(c) for c in calls if not c.ok}
    one_failure = failures.pop() if len(failures) == 1 and len([c for c in calls if not c.ok]) > 1 else None
    heads = ["problem", "cost err", "grad err", *(f"Θ^({i + 1})" for i in range(n_layers)),
             "verdict" if common else "where"]
    head = "".join(f"<th style='{CELL};white-space:nowrap;text-align:{'left' if i == 0 else 'right'}'>{h}</th>"
                   for i, h in enumerate(heads))
    rows = []
    for call in calls:
        name = html.escape(call.problem.name)
        if not call.ok:
            said = "failed (as above)" if one_failure else f"failed: {html.escape(call.failure)}"
            rows.append(f"<tr>{_td(name)}<td colspan='{n_layers + 3}' style='{CELL};text-align:left;"
                        f"color:#cf222e'><b>{said}</b></td></tr>")
            continue
        r = reports[call.problem]
        c = r.comparison
        numbers = [f"{v:.1e}" for v in [c.cost_rel_err, c.grad_rel_diff, *c.layer_rel_diff]]
        verdict = "ok" if r.ok else "<b>wrong</b>" if common else f"<b>{html.escape(describe_where(r.location))}</b>"
        rows.append("<tr>" + _td(name) + "".join(_td(v, number=True) for v in numbers)
                    + _td(verdict, extra=";color:#cf222e" if not r.ok else "") + "</tr>")
    said = (f"<p>Where, on every wrong problem: <b>{html.escape(common)}</b>.</p>"
            if common and common != result.where else "")          # the verdict may have said it
    if one_failure:
        said += f"<p>Every problem that failed: <b>{html.escape(one_failure)}</b></p>"
    return (f"{said}<table style='border-collapse:collapse;font-size:0.9em'><tr>{head}</tr>"
            f"{''.join(rows)}</table>")


def _diagnosis(result):
    if result.passed:
        return ""
    parts = [f"<p><b>Diagnosis: {'explained' if result.recognised else 'not (fully) explained'}"
             + (f" ({html.escape(', '.join(result.ids))})" if result.ids else "") + "</b></p>"]
    for f in result.findings:
        mistake = f.mistake
        name = f"<code>{html.escape(f.id)}</code>: " if f.id else ""
        text = html.escape(f.summary or f.what)
        parts.append(f"<p><b>{name}{text}</b>" + (f" ({html.escape(f.where)})" if f.where else "")
                     + (f"<br>{html.escape(mistake.explanation)}" if mistake else "")
                     + (f"<br>Corrected: <code>{html.escape(mistake.correction)}</code>" if mistake else "")
                     + ("" if f.explained else "<br><i>unexplained: derive this part again</i>") + "</p>")
    return "".join(parts)


def _verdict(result):
    name, calls = html.escape(result.run.name), result.run.calls
    failure = failure_json(result.run)["failure"]
    at = "".join(f"<br><span style='font-weight:normal'>{html.escape(line)}</span>"
                 for line in at_line(first_failure_location(result.run)))
    if failure and not calls:
        return f"WRONG: your {name} could not be checked: {html.escape(failure)}{at}"
    if result.passed:
        return f"RIGHT: your {name} matches autodiff on all {len(calls)} problems."
    wrong = sum(not c.ok for c in calls) + sum(not r.ok for r in result.reports)
    return (f"WRONG: your {name} is wrong on {wrong} of {len(calls)} problems."
            + (f"<br>Where: {html.escape(result.where)}." if result.where != "nowhere" else "") + at)


def to_html(result):
    """The report of ``result`` (a Diagnosis) as HTML: see the module docstring."""
    colour = "#1a7f37" if result.passed else "#cf222e"
    parts = [f"<div><p style='color:{colour};font-weight:bold'>{_verdict(result)}</p>",
             f"<p>loss {html.escape(result.loss)}, unrolled {html.escape(result.order)}; compared with JAX "
             f"autodiff in float64, cost and every gradient entry</p>",
             _table(result), _diagnosis(result)]
    png = heat_map_png(result) if not result.passed else ""
    if png:
        parts.append(f"<p><img alt='heat map of the gradient error' width='{WIDTH_PX}' "
                     f"style='max-width:100%;height:auto' src='data:image/png;base64,{png}'/></p>")
    parts.append(f"<details><summary>text report</summary><pre>{html.escape(to_text(result))}</pre></details></div>")
    return "".join(parts)
