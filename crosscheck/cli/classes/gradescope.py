"""``--gradescope FILE``: Gradescope's ``results.json`` for one submission, so that the platform's
own container per submission runs the check (its autograder's ``run_autograder`` calls
``crosscheck verify SUBMISSION --gradescope /autograder/results/results.json``).

The format (Gradescope's "Autograder Specifications", Output format): top level ``score``,
``execution_time`` (s), ``output`` (shown to the student), ``tests``: one per problem group
(the small, medium and course-sized problems), each with ``name``, ``score`` (its problems
right), ``max_score`` (its problems), ``status`` ("passed"/"failed") and ``output``: the
diagnosis. ``score`` ≤ the sum of ``max_score`` by construction.
"""
import math
import os
from pathlib import Path

from crosscheck.strict_json import strict_json
from crosscheck.learner.problems import PROBLEMS

MAX_OUTPUT = 20_000          # characters of report per test: Gradescope folds it in a <pre>


def groups():
    """{size: [problem name, ...]} in PROBLEMS' order: one Gradescope test each."""
    out = {}
    for p in PROBLEMS:
        out.setdefault(p.size, []).append(p.name)
    return out


def _problem_line(p):
    if p.get("agrees"):
        return "right"
    return f"failed: {p.get('failure')}" if not p.get("ran") else f"wrong ({p.get('where')})"


def results(record, text):
    """The results.json object for ``record`` (the verify JSON of one target) and its text report."""
    said = {p["name"]: _problem_line(p) for p in record.get("problems") or []}
    right = {p["name"] for p in record.get("problems") or [] if p.get("agrees")}
    tests = []
    for number, (size, names) in enumerate(groups().items(), 1):
        score = sum(name in right for name in names)
        sizes = "-".join(map(str, next(p.sizes for p in PROBLEMS if p.size == size)))
        lines = [f"{name}: {said.get(name, 'not run: ' + str(record.get('failure')))}" for name in names]
        if score < len(names):
            lines += ["", f"Diagnosis: {record['reason']}"]
        tests.append({"name": f"{size} problems ({sizes})", "number": str(number),
                      "score": float(score), "max_score": float(len(names)),
                      "status": "passed" if score == len(names) else "failed",
                      "output": "\n".join(lines)[:MAX_OUTPUT]})
    seconds = record.get("seconds") or 0.0
    return {"score": float(sum(t["score"] for t in tests)),
            "execution_time": int(math.ceil(seconds)) if math.isfinite(seconds) else 0,
            "output": (f"{record['reason']}\n\n{text or ''}")[:MAX_OUTPUT],
            "tests": tests}


def write(path, record, text):
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(strict_json(results(record, text), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
