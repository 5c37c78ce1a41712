"""A verify result as text: the report a learner reads (``crosscheck verify``, ``print(verify(f))``).

The same :class:`~crosscheck.learner.judge.diagnosis.Diagnosis` is shown as JSON by
:mod:`~crosscheck.learner.show.as_json` and as HTML by :mod:`~crosscheck.learner.show.as_html`.
"""
import textwrap

from crosscheck.learner.judge.diagnosis import describe_where
from crosscheck.learner.show.as_json import to_json  # noqa: F401  (one import for both forms)


def _wrap(text, indent="    "):
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent)


def _table(result):
    n_layers = max((len(r.comparison.layer_rel_diff) for r in result.reports), default=2)
    lines = [f"{'problem':<52} {'cost err':>9} {'grad err':>9} "
             + " ".join(f"{'Θ^(%d)' % (i + 1):>9}" for i in range(n_layers)) + "  where"]
    reports = {r.problem: r for r in result.reports}
    for call in result.run.calls:
        if not call.ok:
            lines.append(f"{call.problem.name:<52} FAILED: {call.failure}")
            continue
        r = reports[call.problem]
        c = r.comparison
        lines.append(f"{r.problem.name:<52} {c.cost_rel_err:9.1e} {c.grad_rel_diff:9.1e} "
                     + " ".join(f"{d:9.1e}" for d in c.layer_rel_diff)
                     + ("  ok" if r.ok else f"  {describe_where(r.location)}"))
    return lines


def _convention_lines(run):
    """One line per convention the function was called in (none for a run that never started)."""
    if run.convention is None or run.failure:
        return []
    head = "conventions (inferred; pin one with --labels, --y, --x-bias, --order, --grad):"
    pinned = [f"    pinned: {', '.join(run.convention.fixed)}"] if run.convention.fixed else []
    return [head, *(f"    {line}" for line in run.convention.lines(octave=run.spec.endswith(".m")))] + pinned


def _finding_lines(i, f):
    mistake = f.mistake if f.explained else None
    head = f"{i}. {f.what} ({f.where}): " if f.where else f"{i}. {f.what}: "
    if mistake:
        lines = [_wrap(head + f"{f.id}: {f.description or mistake.summary}.", indent="")]
    else:
        lines = [_wrap(head + (f.description or "unexplained") + ("." if f.explained else " (unexplained)."),
                       indent="")]
    lines.append(_wrap("Evidence: " + f.evidence))
    if mistake:
        lines.append(_wrap(mistake.explanation))
        lines.append(f"    Corrected: {mistake.correction}")
    return lines


def to_text(result):
    run = result.run
    order_name = {"F": "column-major (course)", "C": "row-major"}[result.order]
    lines = [f"crosscheck verify {run.spec}: loss {result.loss}, unrolled {result.order} {order_name}, "
             f"y passed as {run.y_shape}",
             f"compared with JAX autodiff in float64: the cost and every gradient entry, tolerance "
             f"{result.tol:.0e} (relative)", *_convention_lines(run), *run.notes, ""]
    if run.failure:
        lines.append(f"WRONG: your {run.name} could not run: {run.failure}")
        return "\n".join(lines + at_line(run.location) + _printed(run))
    lines += _table(result) + [""]
    n = len(run.calls)
    if result.passed:
        lines.append(f"RIGHT: your {run.name} matches autodiff on all {n} problems.")
    else:
        bad = sum(not r.ok for r in result.reports) + len(result.failures)
        lines.append(f"WRONG: your {run.name} is wrong on {bad} of {n} problems"
                     + (f" ({len(result.failures)} of them failed to run)" if result.failures else "")
                     + ("; it also writes into its inputs" if run.mutated_inputs else "") + ".")
        lines += at_line(first_failure_location(run))
        if result.worst is not None:
            lines.append(f"Where: {result.where}.")
            lines.append(_wrap(f"Largest ({result.worst.problem.name}): " + result.worst.comparison.describe(),
                               indent=""))
        lines.append("")
        if result.recognised:
            verdict = "explained"
        else:
            verdict = ("partly explained" if any(f.explained for f in result.findings) else "unrecognised")
        lines.append(f"Diagnosis: {verdict}" + (f" ({', '.join(result.ids)})" if result.ids else "")
                     + (". The parts marked unexplained match no known mistake: look where they sit "
                        "(above) and derive that part again." if verdict != "explained" else "."))
        for i, f in enumerate(result.findings, 1):
            lines += _finding_lines(i, f)
    if run.warnings:
        lines.append("")
        lines.append("Notes on your function (warnings it raised): " + "; ".join(run.warnings[:3]))
    if run.seconds:
        lines.append(f"({len(run.seconds)} calls of your function, slowest {max(run.seconds):.3f} s)")
    return "\n".join(lines + _printed(run))


def first_failure_location(run):
    """The Location of the run's failure, or of its first failed call with one; None if unknown."""
    return run.location or next((c.location for c in run.calls if not c.ok and c.location), None)


def at_line(location):
    """["At <where>: `<the line>`"] when the line where the learner's code failed is known."""
    return [f"At {location.quoted()}"] if location is not None and location.text else []


def _printed(run):
    """The first lines the learner's function printed (captured in its worker, never on our stdout)."""
    if not run.printed:
        return []
    return ["", "your function printed (first lines):", *(f"    {line}" for line in run.printed)]
