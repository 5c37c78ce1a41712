"""The verdict on one target and the class summary over many, in each of their forms.

The verdict of a run: right only when it ran on every problem, agrees with autodiff on each,
left its inputs untouched and gave the same answer twice (the diagnosis judges all of it).
Anything else is wrong. A :class:`Verdict` carries its one-line reason, its labels for the
class summary, and the target's report as JSON and as text, all from one Diagnosis.

A class is shown as text (one RIGHT/WRONG line per target, then the counts), as one JSON object
(``results`` and ``summary``) or as CSV rows (target, passed, diagnosis, reason).
"""
from dataclasses import dataclass, field

from crosscheck.learner.judge.choice import judge_run
from crosscheck.learner.show.as_json import to_json
from crosscheck.learner.show.render import to_text


def _one_line(message):
    """``message`` with its line breaks and runs of spaces folded, as the command line's errors are."""
    return " ".join(str(message).split())


@dataclass
class Verdict:
    spec: str
    passed: bool
    reason: str                                   # one line
    labels: list = field(default_factory=list)    # for the class summary: diagnosis ids, failure kinds, ...
    data: dict = field(default_factory=dict)      # the target's JSON object
    text: str = ""


def _reason(result, run, described):
    failed = [c for c in run.calls if not c.ok]
    if run.failure:
        return run.failure
    if failed and not result.ids:
        return f"failed on {len(failed)} of {len(run.calls)} problems: {failed[0].failure}"
    named = [*result.ids, *dict.fromkeys(described)]
    reason = "; ".join(named) or f"unrecognised ({result.where})"
    return reason + (" (partly explained)" if not result.recognised and named else "")


def judge(run, loss):
    """The :class:`Verdict` on ``run`` (a crosscheck.learner.calls.Run): the diagnosis judges
    every run, including failed calls, inputs written into and changing answers, under the
    conventions that explain it best (``judge.choice``)."""
    result = judge_run(run, loss)
    run = result.run
    if result.passed:
        labels, reason = ["right"], "right"
    else:
        kinds = [run.failure_kind] if run.failure else [c.kind for c in run.calls if not c.ok]
        # ids where a mistake is named; a described part (explained, no id) by its description
        described = [f.description for f in result.findings if f.explained and not f.id and f.description]
        labels = (list(dict.fromkeys([*result.ids, *kinds]))
                  or ["described" if described and result.recognised else "unrecognised"])
        reason = _reason(result, run, described)
    return Verdict(run.spec, result.passed, _one_line(reason), labels, to_json(result), to_text(result))


def error_verdict(spec, exc):
    """The verdict on a target that could not be checked at all (in a class: one wrong row)."""
    message = _one_line(exc)
    return Verdict(spec, False, message, ["error"], {"function": spec, "passed": False, "error": message},
                   f"crosscheck verify {spec}: error: {message}")


def summary(verdicts):
    """Counts for the class: right, wrong, and how often each diagnosis or failure occurs."""
    counts = {}
    for v in verdicts:
        for label in v.labels:
            counts[label] = counts.get(label, 0) + 1
    right = sum(v.passed for v in verdicts)
    return {"targets": len(verdicts), "right": right, "wrong": len(verdicts) - right,
            "diagnoses": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))}


def class_json(verdicts):
    """The class as one JSON object: every target's report and the summary."""
    return {"results": [v.data for v in verdicts], "summary": summary(verdicts)}


def class_text(verdicts):
    """The class as text: one line per target, then the counts."""
    width = max(len(v.spec) for v in verdicts)
    lines = [f"{'RIGHT' if v.passed else 'WRONG'}  {v.spec:<{width}}  {v.reason}" for v in verdicts]
    s = summary(verdicts)
    lines += ["", f"{s['targets']} targets: {s['right']} right, {s['wrong']} wrong"]
    lines += [f"  {n:4d}  {label}" for label, n in s["diagnoses"].items()]
    return "\n".join(lines)


def csv_rows(verdicts):
    """The class as CSV rows, the header first."""
    return [["target", "passed", "diagnosis", "reason"],
            *([v.spec, v.passed, " ".join(v.labels), v.reason] for v in verdicts)]
