"""One place renders: the text, the JSON and the HTML of a verify result come from one Diagnosis
(crosscheck.learner.show), and so do the verdict and the class summary in each of their forms."""
import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from crosscheck.learner.judge.diagnosis import diagnose
from crosscheck.learner.run.target import UserFunction, run_problems
from crosscheck.learner.show.as_html import to_html
from crosscheck.learner.show.as_json import to_json
from crosscheck.learner.show.render import to_text
from crosscheck.cli.classes.record import FIELDS, record, write_csv
from crosscheck.learner.show.outcomes import summary, summary_lines
from crosscheck.learner.show.verdict import judge
from manual.catalogue import with_mistake


def run_of(fn, name):
    return run_problems(UserFunction(fn, f"catalogue.py:{name}", Path("catalogue.py")), order="F")


@pytest.fixture(scope="module")
def runs():
    def broken(*args):
        return 1 / 0
    return {"right": run_of(with_mistake([]), "right"),
            "bias": run_of(with_mistake("regularize_bias"), "bias"),
            "broken": run_of(broken, "broken")}


@pytest.mark.parametrize("name", ["right", "bias", "broken"])
def test_text_json_and_html_say_the_same(runs, name):
    result = diagnose(runs[name])
    text, data, page = to_text(result), to_json(result), to_html(result)
    verdict = next(line for line in text.splitlines() if line.startswith(("RIGHT", "WRONG")))
    assert verdict.split(":")[0] in page and data["passed"] is result.passed
    assert data["diagnosis"] == result.ids
    for f in result.findings:
        assert f.summary in text and f.summary in page
        assert f.summary in [g["description"] for g in data["findings"]]


def test_html_shows_non_finite_errors(runs):
    """The HTML is drawn from the Diagnosis, not from the JSON (where NaN and inf are null):
    a non-finite error reads 'nan'/'inf' in the table, as in the text."""
    result = diagnose(runs["bias"])
    for r in result.reports:
        r.comparison = replace(r.comparison, cost_rel_err=float("nan"), grad_rel_diff=float("inf"))
    page, text = to_html(result), to_text(result)
    assert re.search(r">nan</td><td[^>]*>inf</td>", page) and "nan" in text
    assert to_json(result)["problems"][0]["cost_rel_err"] is None


def test_the_class_summary_in_text_json_and_csv(runs):
    verdicts = [judge(runs[name], "cross_entropy") for name in ("right", "bias", "broken")]
    assert [v.passed for v in verdicts] == [True, False, False]
    records = [record(v.data, 0.0, None, v.run) for v in verdicts]
    s = summary(records)
    assert {k: s[k] for k in ("targets", "right", "wrong", "outcomes")} == \
        {"targets": 3, "right": 1, "wrong": 2, "outcomes": {"right": 1, "mistake": 1, "crash": 1}}
    assert list(s["mistakes"]) == ["regularize_bias"]
    text = "\n".join(summary_lines(s))
    assert "3 targets: 1 right, 2 wrong" in text and "     1  regularize_bias: " in text
    stream = io.StringIO()
    write_csv(records, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[0] == list(FIELDS)
    assert [r[FIELDS.index("outcome")] for r in rows[1:]] == ["right", "mistake", "crash"]
    assert [r[FIELDS.index("diagnosis")] for r in rows[1:]] == ["", "regularize_bias", ""]
