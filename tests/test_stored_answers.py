"""verify's reference answers, stored (reference/answers.json): recomputed by JAX and PyTorch they
hold; a planted change fails `crosscheck pin --check`; a new or changed problem is found missing
and verify falls back to JAX, saying so; a verify run with the stored answers imports neither
JAX nor PyTorch (asserted in a subprocess, and shown to fail on the fallback path)."""
import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crosscheck.cli import main, pin_answers
from crosscheck.learner import problems
from reference import answers

ROOT = Path(__file__).resolve().parent.parent
CORRECT = str(ROOT / "tests" / "student_code" / "correct.py") + ":nnCostFunction"
PROBE = """
import sys
from crosscheck.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("jax", "jaxlib", "torch"))
print("HEAVY", len(heavy), *heavy[:3])
sys.exit(code)
"""


def run_probe(*args, answers_env=None):
    env = {k: v for k, v in os.environ.items() if k != "CROSSCHECK_ANSWERS"}
    env["PYTHONPATH"] = str(ROOT)
    if answers_env is not None:
        env["CROSSCHECK_ANSWERS"] = answers_env
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)


def heavy_count(out):
    line = next(line for line in out.stdout.splitlines() if line.startswith("HEAVY"))
    return int(line.split()[1])


def test_verify_with_the_stored_answers_imports_neither_jax_nor_torch():
    out = run_probe("verify", CORRECT)
    assert out.returncode == 0, out.stderr
    assert "RIGHT" in out.stdout and heavy_count(out) == 0
    assert out.stderr == ""


@pytest.mark.parametrize("spec", ["vectorised_mistakes.py:regularize_bias", "conventions/learners.py:zeroes_bias_first"])
def test_judging_wrong_code_imports_neither_jax_nor_torch(spec):
    """A wrong function is diagnosed (attribution, the gradient at changed parameters) without the
    autodiff libraries too: a plain install has neither (JAX was once imported here)."""
    out = run_probe("verify", str(ROOT / "tests" / "student_code" / spec))
    assert out.returncode == 1, out.stderr
    assert "WRONG" in out.stdout and heavy_count(out) == 0, out.stdout[-300:]


def test_verify_falls_back_to_jax_and_says_so():
    """Without stored answers the same probe sees JAX (so the test above can fail) and the same verdict."""
    out = run_probe("verify", CORRECT, answers_env="off")
    assert out.returncode == 0, out.stderr
    assert "RIGHT" in out.stdout and heavy_count(out) > 0
    n = len(problems.PROBLEMS)
    assert f"stored reference answers are missing or stale for {n} of {n} problems" in out.stderr
    assert "computing them with JAX" in out.stderr and "crosscheck pin --update" in out.stderr


def test_the_stored_answers_are_what_jax_computes_now():
    """reference_result serves the stored answer; JAX recomputes it to the pin tolerance."""
    from reference import PIN_TOLERANCE
    for problem in problems.PROBLEMS:
        for loss in ("cross_entropy", "squared_error"):
            stored = problems.stored_result(problem, loss)
            assert stored is not None, problem.name
            assert pin_answers._moved(stored, problems.autodiff_result(problem, loss, "jax")) <= PIN_TOLERANCE


@pytest.fixture
def answer_copy(tmp_path):
    path = tmp_path / "answers.json"
    shutil.copyfile(answers.ANSWER_FILE, path)
    return path


def plant(path, edit):
    data = json.loads(path.read_text())
    edit(data["answers"])
    path.write_text(json.dumps(data))


def nudge_one_gradient_entry(entries, which=12, layer=0, index=7, factor=1 + 1e-8):
    g = entries[which]["gradients"][layer]
    array = np.frombuffer(base64.b64decode(g["float64"]), "<f8").copy()
    array[index] *= factor
    g["float64"] = base64.b64encode(array.tobytes()).decode()


def test_pin_check_holds_on_the_shipped_answers(capsys):
    assert pin_answers.check(answers.ANSWER_FILE) == 0
    out = capsys.readouterr().out
    assert f"{2 * len(problems.PROBLEMS)} answers hold, 0 FAILED" in out


@pytest.mark.parametrize("planted, words", [
    (nudge_one_gradient_entry, "moved"),
    (lambda e: e[3].__setitem__("cost", e[3]["cost"] * (1 + 1e-9)), "moved"),
    (lambda e: e.pop(5), "missing from the answer file"),
    (lambda e: e[0].__setitem__("inputs", "0" * 64), "stale"),
    (lambda e: e.append(dict(e[0], problem=dict(e[0]["problem"], seed=99))), "not a problem of"),
])
def test_pin_check_fails_on_a_planted_change(answer_copy, capsys, planted, words):
    plant(answer_copy, planted)
    assert pin_answers.check(answer_copy) == 1
    out = capsys.readouterr().out
    assert words in out and "1 FAILED" in out


def test_pin_update_restores_a_planted_change_atomically(answer_copy, capsys):
    plant(answer_copy, nudge_one_gradient_entry)
    assert pin_answers.update(answer_copy) == 0
    assert "wrote" in capsys.readouterr().out
    assert pin_answers.check(answer_copy) == 0
    assert not [p for p in answer_copy.parent.iterdir() if p.name.endswith(".tmp")]
    assert pin_answers.update(answer_copy) == 0          # a second run changes nothing
    assert "nothing changed" in capsys.readouterr().out


def test_pin_command_checks_the_answer_file_given(answer_copy, capsys):
    plant(answer_copy, nudge_one_gradient_entry)
    assert main(["pin", "--check", "--answers", str(answer_copy)]) == 1
    assert "answers hold, 1 FAILED" in capsys.readouterr().out


@pytest.mark.parametrize("targets", [[CORRECT], [CORRECT, str(ROOT / "tests" / "student_code" / "vectorised_mistakes.py")
                                                           + ":regularize_bias"]])
def test_without_stored_answers_or_jax_verify_says_how_to_get_them(monkeypatch, capsys, targets):
    """The answers are prepared while the learners' code runs (``cli/references.py``); when they
    cannot be had, the run is refused as a whole (exit 2, one line, the way out), never a wrong
    row per learner, and --json still prints one object."""
    from crosscheck.cli import references
    from crosscheck.learner.run import sandbox
    if len(targets) > 1 and sandbox.isolation() == sandbox.NONE:
        pytest.skip("a class needs a sandbox")
    monkeypatch.setenv("CROSSCHECK_ANSWERS", "off")
    monkeypatch.setattr(references, "jax_installed", lambda: False)
    assert main(["verify", *targets, "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["error"].startswith("the stored reference answers are missing or stale")
    assert err.count("\n") == 1 and "backprop-crosscheck[autodiff]" in err and "Traceback" not in err


def test_a_bug_in_the_preparation_is_an_internal_error_not_a_verdict(monkeypatch, capsys):
    """The preparation runs in a thread; what goes wrong there is raised in the command's own
    thread, so a bug in crosscheck still exits 3 with its traceback, never 0 or 1."""
    from crosscheck.cli import references

    def broken(loss):
        raise KeyError("planted")
    monkeypatch.setattr(references, "prepare_references", broken)
    assert main(["verify", CORRECT]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "internal error" in err and "KeyError: 'planted'" in err


def test_a_new_problem_is_missing_and_computed_by_jax(monkeypatch):
    """Keyed by the full definition: a problem added (here: the course shape with the largest
    label absent) has no stored answer until `crosscheck pin --update`; the others keep theirs."""
    new = problems.Problem("course", (400, 25, 10), 20, 99, "course-like", 1.0, absent=10)
    assert new not in problems.PROBLEMS
    assert problems.missing_answers("cross_entropy", problems.PROBLEMS) == []
    assert problems.missing_answers("cross_entropy", (*problems.PROBLEMS, new)) == [new]
    J, grads = problems.reference_result(new, "cross_entropy")
    assert np.isfinite(J) and grads[0].shape == (25, 401)


def test_an_answer_with_other_inputs_is_stale(monkeypatch):
    """Same definition, other arrays (a generator that now draws other numbers): not used."""
    problem = problems.PROBLEMS[0]
    monkeypatch.setattr(problems, "inputs_digest", lambda p: "f" * 64)
    assert problems.stored_result(problem, "cross_entropy") is None
