"""The class run's pieces on their own: the honest count, Gradescope's results.json checked against
its documented format, the feedback file names, the shard split, the progress line, the options."""
import io
import json

import pytest
from hypothesis import given, strategies as st

from class_files import targets, write_class
from crosscheck.cli import main
from crosscheck.cli.classes import gradescope, journal
from crosscheck.cli.classes.feedback import file_name
from crosscheck.learner.show.outcomes import OUTCOMES, primary, summary
from crosscheck.cli.classes.record import cell
from crosscheck.cli.classes.shard import shard, shard_of
from crosscheck.cli.progress import Progress
from crosscheck.learner.problems import PROBLEMS

# Gradescope's "Autograder Specifications", Output format: the keys it documents, with their types.
TOP = {"score": (int, float), "execution_time": (int, float), "output": str, "output_format": str,
       "test_output_format": str, "test_name_format": str, "visibility": str, "stdout_visibility": str,
       "extra_data": dict, "tests": list, "leaderboard": list}
TEST = {"score": (int, float), "max_score": (int, float), "status": str, "name": str, "name_format": str,
        "number": str, "output": str, "output_format": str, "tags": list, "visibility": str, "extra_data": dict}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def schema_errors(results):
    """What in ``results`` breaks the documented format (and the rule score ≤ max_score)."""
    errors = [f"unknown key {k}" for k in results if k not in TOP]
    errors += [f"{k} is not {TOP[k]}" for k, v in results.items() if k in TOP and not isinstance(v, TOP[k])]
    if "score" not in results and not all("score" in t for t in results.get("tests", [])):
        errors.append("a score is needed, at the top or on every test")
    for t in results.get("tests", []):
        errors += [f"test key {k}" for k in t if k not in TEST]
        errors += [f"test {k} is not {TEST[k]}" for k, v in t.items() if k in TEST and not isinstance(v, TEST[k])]
        errors += [f"test {t.get('name')} is missing {k}" for k in ("name", "score", "max_score", "output")
                   if k not in t]
        if t.get("status", "passed") not in ("passed", "failed"):
            errors.append(f"status {t['status']}")
        if t.get("visibility", "visible") not in VISIBILITY:
            errors.append(f"visibility {t['visibility']}")
        if not 0 <= t.get("score", 0) <= t.get("max_score", float("inf")):
            errors.append(f"test {t.get('name')}: score {t.get('score')} > max_score {t.get('max_score')}")
    if results.get("score", 0) > sum(t.get("max_score", 0) for t in results.get("tests", [])):
        errors.append("score > the sum of max_score")
    return errors


def test_the_schema_check_sees_a_planted_error():
    good = {"score": 1.0, "tests": [{"name": "a", "score": 1.0, "max_score": 2.0, "output": "x"}]}
    assert schema_errors(good) == []
    assert schema_errors({**good, "tests": [{**good["tests"][0], "score": 3.0}]})
    assert schema_errors({**good, "tests": [{"name": "a", "score": 1.0, "max_score": 2.0}]})
    assert schema_errors({**good, "grade": 1})


def test_gradescope_results_follow_the_documented_format(tmp_path, capsys):
    folder = write_class(tmp_path / "submission")
    lambda_0 = sum(p.lambda_ == 0 for p in PROBLEMS)        # no_reg_in_gradient is right where λ = 0
    for name, right in (("alice", len(PROBLEMS)), ("bob", lambda_0)):
        out = tmp_path / f"{name}.json"
        main(["verify", *targets(folder, [name]), "--gradescope", str(out)])
        capsys.readouterr()
        results = json.loads(out.read_text())
        assert schema_errors(results) == []
        assert results["score"] == right and sum(t["max_score"] for t in results["tests"]) == len(PROBLEMS)
        assert len(results["tests"]) == len({p.size for p in PROBLEMS})
    assert "no_reg_in_gradient" in results["output"]
    assert any("no_reg_in_gradient" in t["output"] for t in results["tests"] if t["status"] == "failed")
    missing = tmp_path / "missing.json"               # a submission without the function: 0, and why
    assert main(["verify", f"{folder / 'alice.py'}:nope", "--gradescope", str(missing)]) == 2
    results = json.loads(missing.read_text())
    assert schema_errors(results) == [] and results["score"] == 0 and "nope" in results["output"]


def _record(passed=False, diagnosis=(), findings=(), problems=(), **extra):
    return {"target": "t", "passed": passed, "diagnosis": list(diagnosis), "findings": list(findings),
            "problems": list(problems), "recognised": True, **extra}


RAN = {"ran": True, "agrees": False, "kind": "ok", "cost_yours": 1.0}
FAILED = {"ran": False, "agrees": False, "kind": "exception", "failure": "ValueError"}
FIND = {"id": "delta2_keeps_bias", "description": "δ^(2) keeps the bias", "explained": True}


def test_each_target_is_counted_once_under_its_primary_outcome():
    records = [_record(True, problems=[{**RAN, "agrees": True}]),
               _record(diagnosis=["delta2_keeps_bias"], findings=[FIND], problems=[FAILED, RAN]),
               _record(diagnosis=["no_reg_in_gradient"], problems=[{**RAN, "cost_yours": 0.0}],    # the stub
                       findings=[{**FIND, "id": "no_reg_in_gradient"}]),
               _record(problems=[FAILED, FAILED]),
               _record(failure="SyntaxError", failure_kind="syntax"),
               _record(problems=[{**FAILED, "kind": "bad_return"}]),
               _record(problems=[RAN], recognised=False)]
    s = summary(records)
    assert sum(s["outcomes"].values()) == s["targets"] == len(records)
    assert sum(e["count"] for e in s["mistakes"].values()) == s["outcomes"]["mistake"] == 1
    assert s["outcomes"] == {"right": 1, "mistake": 1, "unfinished": 1, "syntax": 1, "crash": 1,
                             "bad_return": 1, "unrecognised": 1}
    assert s["co_occurring"] == {"exception": {"count": 1, "meaning": dict((o.key, o.meaning)
                                                                          for o in OUTCOMES)["crash"]}}
    assert all(e["meaning"] for e in s["mistakes"].values())


@given(st.lists(st.sampled_from([{"passed": True}, {"diagnosis": ["a", "b"], "problems": [RAN, FAILED]},
                                 {"problems": [FAILED]}, {"problems": [RAN]}, {"failure": "x"}]), max_size=30))
def test_the_outcomes_always_add_up(kinds):
    records = [_record(**{"problems": [RAN], **k}) for k in kinds]
    s = summary(records)
    assert sum(s["outcomes"].values()) == len(records)
    assert sum(e["count"] for e in s["mistakes"].values()) == s["outcomes"].get("mistake", 0)
    assert all(primary(r)[0] in s["outcomes"] for r in records)


@pytest.mark.parametrize("target", ["../../etc/passwd:f", "/abs/a b/x.py:nnCostFunction", "..:f", ".hidden.py:f",
                                    "a\\..\\..\\b.m", "x" * 400 + ".py:f", "ok/é.ipynb:f"])
def test_feedback_names_stay_in_their_folder(tmp_path, target):
    name = file_name(target)
    assert "/" not in name and "\\" not in name and not name.startswith(".") and len(name) <= 120
    assert (tmp_path / f"{name}.html").resolve().parent == tmp_path.resolve()
    assert file_name(target) == name and file_name(target + "x") != name


@given(st.lists(st.text(min_size=1, max_size=12), unique=True, max_size=20), st.integers(1, 6))
def test_shards_cover_every_target_once_whatever_else_is_in_the_class(names, n):
    parts = [shard(names, i, n) for i in range(1, n + 1)]
    assert sorted(t for part in parts for t in part) == sorted(names)
    assert all(shard_of(t, n) == shard_of(t, n) for t in names)
    assert all(shard(names[:len(names) // 2], i, n) == [t for t in parts[i - 1] if t in names[:len(names) // 2]]
               for i in range(1, n + 1))


def test_progress_shows_what_runs_and_for_how_long():
    now = [100.0]
    p = Progress(4, "verify", stream=io.StringIO(), enabled=True, clock=lambda: now[0])
    p.start("alice.py:f")
    now[0] += 2.0
    p.step("alice.py:f")
    p.start("bob.py:f")
    p.start("zoe.py:f")
    now[0] += 30.0
    line = p.line()
    assert "1/4 done" in line and "running 2" in line
    assert "bob.py:f 30.0s!" in line and "zoe.py:f 30.0s!" in line      # 30 s vs 2 s for alice
    assert "s left" in line
    p.stop("bob.py:f")
    assert "running 1: zoe.py:f 30.0s" in p.line() and "bob" not in p.line()     # bob took as long
    assert "judging 1" in p.line() and "1/4 done" in p.line()
    p.step("bob.py:f")
    assert "judging" not in p.line() and "2/4 done" in p.line()


def test_progress_names_a_target_by_its_file_and_leaves_resumed_ones_out_of_the_estimate():
    now = [0.0]
    p = Progress(4, "verify", stream=io.StringIO(), enabled=True, clock=lambda: now[0])
    p.skip(2)
    p.start("/a/long/class/folder/zoe.py:nnCostFunction")
    assert "running 1: zoe.py:nnCostFunction" in p.line() and "left" not in p.line()
    now[0] = 10.0
    p.step("/a/long/class/folder/zoe.py:nnCostFunction")
    assert "3/4 done" in p.line() and "~10s left" in p.line()


def test_a_csv_cell_cannot_be_a_formula():
    assert [cell(v) for v in ("=1+1", "+a", "-b", "@c", "\tx", "ok", 3, ["a", "b"])] == \
        ["'=1+1", "'+a", "'-b", "'@c", "x", "ok", 3, "a; b"]     # a tab or CR at the start is folded away


def test_resume_keeps_only_records_of_the_same_file_and_options(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    spec = f"{path}:f"
    given = {"loss": "cross_entropy", "order": None}
    old = {"target": spec, "digest": journal.digest(spec), "checked_with": given}
    assert journal.unchanged([old], [spec], checked_with=given) == {spec: old}
    assert journal.unchanged([old], [spec], checked_with={**given, "order": "C"}) == {}
    assert journal.unchanged([old, {**old, "digest": "0" * 64}], [spec]) == {}        # the last record counts
    path.write_text("x = 2\n")
    assert journal.unchanged([old], [spec]) == {}


def test_a_journal_line_cut_by_a_kill_is_skipped(tmp_path):
    path = tmp_path / "j.jsonl"
    with journal.Journal(path) as j:
        j.append({"target": "a", "passed": True})
    path.write_text(path.read_text() + '{"target": "b", "pas')
    with journal.Journal(path) as j:
        j.append({"target": "c", "passed": False})
    assert journal.read(path) == ([{"target": "a", "passed": True}, {"target": "c", "passed": False}], 1)


@pytest.mark.parametrize("argv, words", [
    (["--resume", "x.py:f"], ["--resume needs --jsonl"]),
    (["--merge", "no_such.jsonl"], ["--merge", "no such file"]),
    (["--shard", "3/2", "x.py:f"], ["I/N"]),
    (["--gradescope", "r.json", "a.py:f", "b.py:f"], ["one target"]),
    ([], ["give a TARGET"]),
])
def test_bad_class_options_are_one_line_and_exit_2(capsys, argv, words):
    with pytest.raises(SystemExit) if "--shard" in argv else _nothing():
        code = main(["verify", *argv])
        assert code == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words) and "Traceback" not in err


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
