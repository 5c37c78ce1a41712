"""Issue 24's parent-side hardening, without a sandbox needed: what comes back from learner code
is cleaned (crosscheck/learner/clean.py), CSV cells are not formulas, magics are found without
backtracking, the reference answers are verified before use, and where no sandbox can run one
target still runs (with one line saying so) while a class is refused unless --unsafe-no-sandbox."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crosscheck.learner import clean, problems
from crosscheck.learner.run import notebook, sandbox

ROOT = Path(__file__).resolve().parent.parent
RIGHT = ROOT / "tests" / "learner_files" / "right.py"
HOSTILE = "\x1b[2K\x1b[32mRIGHT\x1b[0m \x1b]52;c;cm0=\x07 \u202eevil\u202c \x9b31m\x00end"


def test_text_from_learner_code_loses_every_control_character_and_is_capped():
    line = clean.text(HOSTILE + "x" * 10_000)
    assert not clean.CONTROLS.search(line) and "\x1b" not in line and len(line) <= clean.MAX_TEXT
    assert clean.text("a\tb\n  c") == "a b c"
    block = clean.lines("ok\n" + HOSTILE)
    assert block.startswith("ok\n") and not clean.CONTROLS.search(block)
    assert clean.data({"k\x1b": [HOSTILE, 1.5]})["k"][1] == 1.5


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(cell):
    assert not str(clean.cell(cell)).startswith(clean.FORMULA_START)
    assert clean.cell("right") == "right" and clean.cell(True) is True


def test_the_cleaning_would_be_needed():
    """Test the test: the raw strings hold what the cleaning removes."""
    assert clean.CONTROLS.search(HOSTILE) and "=HYPERLINK(\"x\")".startswith(clean.FORMULA_START)


@pytest.mark.parametrize("line, magic", [("%matplotlib inline", True), ("!pip install x", True),
                                         ("x = !ls", True), ("np.sum?", True), ("a, b = %time f()", True),
                                         ("x = 5 % 2", False), ("y = x", False), ("import os", False),
                                         (" " * 1_000_000, False), ("a, " * 300_000 + "= !ls", True),
                                         (" " * 1_000_000 + "= %x", False)])
def test_magics_are_found_by_one_pass_over_the_line(line, magic):
    assert notebook.is_magic(line) is magic


def test_a_reference_from_a_poisoned_cache_is_dropped_and_computed_again(monkeypatch):
    """A reference computed now (no stored answer) is checked against numpy's before use."""
    from crosscheck.backends import jax_cost
    problem, good = problems.PROBLEMS[0], problems.autodiff_result
    calls, dropped = [], []

    def poisoned_once(*args, **kwargs):
        J, grads = good(*args, **kwargs)
        calls.append(1)
        return (J + 1.0, grads) if len(calls) == 1 else (J, grads)

    monkeypatch.setattr(problems, "stored_result", lambda *a: None)
    monkeypatch.setattr(problems, "autodiff_result", poisoned_once)
    monkeypatch.setattr(jax_cost, "drop_persistent_cache", lambda: dropped.append(1))
    monkeypatch.setattr(problems, "stored_result", lambda *a: None)    # the JAX fallback, as when stale
    problems.reference_result.cache_clear()
    try:
        problems.reference_result(problem, "cross_entropy")
        assert (len(calls), dropped) == (2, [1])
        monkeypatch.setattr(problems, "autodiff_result", lambda *a, **k: (np.float64(0.0), good(*a, **k)[1]))
        problems.reference_result.cache_clear()
        with pytest.raises(RuntimeError, match="disagrees with numpy"):
            problems.reference_result(problem, "cross_entropy")
    finally:
        problems.reference_result.cache_clear()


def _cli(*argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CROSSCHECK_SANDBOX": "none"}
    done = subprocess.run([sys.executable, "-m", "crosscheck", "verify", *map(str, argv)],
                          capture_output=True, text=True, env=env, timeout=300)
    return done.returncode, done.stdout, done.stderr


def test_without_a_sandbox_one_target_runs_and_says_so():
    code, out, err = _cli(f"{RIGHT}:nnCostFunction", "--json")
    assert code == 0 and json.loads(out)["isolation"] == "none"
    assert err.splitlines()[0] == f"crosscheck verify: {sandbox.NONE_NOTE}"                # one line


def test_without_a_sandbox_a_class_is_refused_unless_unsafe():
    targets = [f"{RIGHT}:nnCostFunction", f"{RIGHT.parent / 'helper_inside' / 'main.py'}:nnCostFunction"]
    code, out, err = _cli(*targets, "--json")
    assert code == 2 and "no sandbox" in json.loads(out)["error"] and "--unsafe-no-sandbox" in err
    code, out, _ = _cli(*targets, "--json", "--unsafe-no-sandbox")
    assert code == 0 and json.loads(out)["isolation"] == "none"


def test_a_learner_sees_its_helpers_but_not_a_classmate(tmp_path):
    """helpers(): the target and the files it names (followed); in a class sharing one folder,
    never one that defines the same function (a classmate's submission) nor another target."""
    (tmp_path / "alice.py").write_text("import helper\nimport bob\nimport carol\ndef nnCostFunction(): pass\n")
    (tmp_path / "helper.py").write_text("import deeper\n")
    (tmp_path / "deeper.py").write_text("")
    (tmp_path / "bob.py").write_text("def nnCostFunction(): pass\n")
    (tmp_path / "carol.py").write_text("x = 1\n")
    (tmp_path / "unrelated.py").write_text("")
    (tmp_path / "secret.py").symlink_to(tmp_path / "unrelated.py")          # a link could name any file
    (tmp_path / "alice.py").write_text((tmp_path / "alice.py").read_text() + "import secret\n")
    seen = {Path(p).name for p in sandbox.helpers(tmp_path / "alice.py", "nnCostFunction", {str(tmp_path / "carol.py")})}
    assert seen == {"alice.py", "helper.py", "deeper.py"}
    alone = {Path(p).name for p in sandbox.helpers(tmp_path / "alice.py", "nnCostFunction")}
    assert alone == {"alice.py", "helper.py", "deeper.py", "bob.py", "carol.py"}   # one learner's own files


def test_a_module_found_in_a_parent_folder_is_shown_but_never_a_classmates_folder(tmp_path):
    """imports.find_in_parents puts a parent folder on the worker's path: from it the sandbox
    shows what the learner names (a course library), never a folder holding another target."""
    for learner in ("alice", "mallory"):
        (tmp_path / learner).mkdir()
        (tmp_path / learner / "ex4.py").write_text("import ex2_lib\nimport alice\ndef nnCostFunction(): pass\n")
    (tmp_path / "ex2_lib.py").write_text("")
    mallory, alice = tmp_path / "mallory" / "ex4.py", tmp_path / "alice" / "ex4.py"
    seen = {Path(p).name for p in sandbox.helpers(mallory, "nnCostFunction", {str(alice), str(mallory)}, [tmp_path])}
    assert seen == {"ex4.py", "ex2_lib.py"}
    assert "alice" in {Path(p).name for p in sandbox.helpers(mallory, "nnCostFunction", (), [tmp_path])}


def test_a_class_run_checks_no_symbolic_link(tmp_path, capsys):
    """A submission that is a link (to a classmate's file, to the teacher's key) or lies in a
    linked folder is one wrong row that says so, and nothing of the file it names is shown; the
    classmate is checked as usual. Checked alone, one's own link is followed."""
    from crosscheck.cli import main
    subs = tmp_path / "subs"
    subs.mkdir()
    right = Path(__file__).resolve().parent / "student_code" / "correct.py"
    (subs / "alice.py").write_text(right.read_text())
    secret = tmp_path / "teacher_key.py"
    secret.write_text("TOPSECRET-7f3a = 1\n")
    (subs / "mallory.py").symlink_to(secret)
    (subs / "trudy.py").symlink_to(subs / "alice.py")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "ex4.py").write_text(right.read_text())
    (subs / "linked").symlink_to(tmp_path / "elsewhere")
    code = main(["verify", f"{subs}/*.py:nnCostFunction", f"{subs}/linked/ex4.py:nnCostFunction", "--json"])
    out = capsys.readouterr().out
    report = json.loads(out)
    rows = {Path(r["target"].split(":")[0]).name: r for r in report["results"]}
    assert code == 1 and rows["alice.py"]["passed"] is True, rows["alice.py"].get("failure")
    for name in ("mallory.py", "trudy.py", "ex4.py"):
        assert rows[name]["passed"] is False and "symbolic link" in rows[name]["failure"]
    assert "TOPSECRET" not in out
    assert main(["verify", f"{subs}/trudy.py:nnCostFunction"]) == 0


@pytest.mark.skipif(not sandbox._landlock_works(), reason="Landlock is not available in this kernel")
def test_where_bubblewrap_cannot_run_landlock_isolates_a_class():
    """bubblewrap missing (as where user namespaces are refused): the Landlock launcher runs the
    targets, the class is not refused, and the report says which isolation ran."""
    targets = [f"{RIGHT}:nnCostFunction", f"{RIGHT.parent / 'helper_inside' / 'main.py'}:nnCostFunction"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CROSSCHECK_BWRAP": "/nonexistent/bwrap"}
    env.pop("CROSSCHECK_SANDBOX", None)
    done = subprocess.run([sys.executable, "-m", "crosscheck", "verify", *targets, "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0 and json.loads(done.stdout)["isolation"] == "landlock", done.stderr[-2000:]
    assert "no sandbox" not in done.stderr


def test_landlock_is_never_probed_off_linux(monkeypatch):
    """Its syscall numbers are Linux's: on macOS the same numbers are other calls."""
    monkeypatch.setattr(sys, "platform", "darwin")
    sandbox._landlock_works.cache_clear()
    try:
        assert sandbox._landlock_works() is False
    finally:
        sandbox._landlock_works.cache_clear()
