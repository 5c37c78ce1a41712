"""The verdict on one target: right only when it ran on every problem, agrees with autodiff on
each, left its inputs untouched and gave the same answer twice (the diagnosis judges all of it).
Anything else is wrong. A :class:`Verdict` carries the target's report as JSON and as text, and
the Diagnosis they were made from (for the HTML page), all from one judgement.

A class is counted in :mod:`~crosscheck.learner.show.outcomes` (each target once, under its
primary outcome) from the targets' JSON objects, so that a class resumed or merged from JSON
Lines is counted by the same rule as one judged now.
"""
from dataclasses import dataclass

from manual.errors import one_line

from crosscheck.learner.judge.choice import judge_run
from crosscheck.learner.show.as_json import to_json
from crosscheck.learner.show.render import to_text


@dataclass
class Verdict:
    spec: str
    passed: bool
    data: dict                     # the target's JSON object
    text: str = ""                 # the text report
    result: object = None          # the Diagnosis (None when the target could not be checked at all)
    run: object = None             # the crosscheck.learner.calls.Run judged


def judge(run, loss):
    """The :class:`Verdict` on ``run`` (a crosscheck.learner.calls.Run): the diagnosis judges
    every run, including failed calls, inputs written into and changing answers, under the
    conventions that explain it best (``judge.choice``)."""
    result = judge_run(run, loss)
    return Verdict(result.run.spec, result.passed, to_json(result), to_text(result), result, result.run)


def error_data(spec, message):
    """The JSON object of a target crosscheck could not use (no such file or function)."""
    return {"target": spec, "passed": False, "diagnosis": [], "findings": [], "problems": [],
            "failure": one_line(message), "failure_kind": "unusable"}


def error_verdict(spec, exc):
    """The verdict on a target that could not be checked at all (in a class: one wrong row)."""
    message = one_line(exc)
    return Verdict(spec, False, error_data(spec, message), f"crosscheck verify {spec}: error: {message}")
