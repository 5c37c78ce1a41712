"""`crosscheck verify nnCostFunction.m`: a learner's Octave file run in GNU Octave on the same
problems, with the same diagnosis. tests/octave_code/ holds a correct course-style solution
(with sigmoid.m and sigmoidGradient.m beside it, as in the course); each test plants one
catalogue mistake by replacing its line(s)."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from crosscheck.learner.problems import PROBLEMS
from crosscheck.cli import main
from crosscheck.learner.run import octave

CODE = Path(__file__).resolve().parent / "octave_code"
needs_octave = pytest.mark.skipif(shutil.which("octave-cli") is None,
                                  reason="GNU Octave not installed (apt-get install -y --no-install-recommends octave)")


def run_verify(capsys, *argv):
    code = main(["verify", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def planted(tmp_path, replacements):
    """A copy of tests/octave_code with each (old, new) made in nnCostFunction.m; fails if ``old`` is absent."""
    folder = tmp_path / "ex4"
    shutil.copytree(CODE, folder)
    path = folder / "nnCostFunction.m"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(code, err, *words):
    lines = [line for line in err.splitlines() if line.startswith("crosscheck verify: error:")]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], lines[0]


def wrong_because(code, out, err, *words):
    """The learner's code is not right (exit 1), and the report says why."""
    assert code == 1 and "Traceback" not in err, err
    for word in words:
        assert word in out, out


@needs_octave
def test_correct_m_file_is_right(capsys):
    code, out, err = run_verify(capsys, CODE / "nnCostFunction.m")
    assert code == 0, err
    assert f"RIGHT: your nnCostFunction matches autodiff on all {len(PROBLEMS)} problems." in out
    assert "y passed as (m, 1)" in out


MISTAKES = {
    "regularize_bias": [("sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2))",
                         "sum(Theta1(:) .^ 2) + sum(Theta2(:) .^ 2)"),
                        ("Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + lambda / m * Theta1(:, 2:end);",
                         "Theta1_grad = Theta1_grad + lambda / m * Theta1;"),
                        ("Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + lambda / m * Theta2(:, 2:end);",
                         "Theta2_grad = Theta2_grad + lambda / m * Theta2;")],
    "missing_divide_by_m": [("Theta1_grad = (d2' * a1) / m;", "Theta1_grad = d2' * a1;"),
                            ("Theta2_grad = (d3' * a2) / m;", "Theta2_grad = d3' * a2;")],
    "sigmoid_prime_of_activation": [("sigmoidGradient(z2)", "sigmoidGradient(a2(:, 2:end))")],
    "label_offset": [("Y(i, y(i)) = 1;", "Y(i, mod(y(i), num_labels) + 1) = 1;")],
    "no_reg_in_gradient": [("Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + lambda / m * Theta1(:, 2:end);", ""),
                           ("Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + lambda / m * Theta2(:, 2:end);", "")],
}


@needs_octave
@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_planted_mistake_is_named(capsys, tmp_path, mistake):
    code, out, err = run_verify(capsys, planted(tmp_path, MISTAKES[mistake]), "--json")
    assert code == 1, err
    result = json.loads(out)
    assert result["diagnosis"] == [mistake] and result["y_shape"] == "(m, 1)"


@needs_octave
def test_same_report_as_a_python_target(capsys):
    """The JSON has the same fields, problems and verdict as for the equivalent .py file."""
    _, out_m, _ = run_verify(capsys, CODE / "nnCostFunction.m", "--json")
    _, out_py, _ = run_verify(capsys, f"{CODE.parent / 'student_code' / 'correct.py'}:nnCostFunction", "--json")
    m, py = json.loads(out_m), json.loads(out_py)
    assert m.keys() == py.keys()
    assert [p["name"] for p in m["problems"]] == [p["name"] for p in py["problems"]]
    assert (m["passed"], m["diagnosis"]) == (py["passed"], py["diagnosis"]) == (True, [])


@needs_octave
def test_octave_error_names_the_file_and_line(capsys, tmp_path):
    path = planted(tmp_path, [("d3 = h - Y;", "d3 = h - Yy;")])
    wrong_because(*run_verify(capsys, path), "raised an error in Octave", "'Yy' undefined", "(nnCostFunction.m line 28)")


@needs_octave
def test_wrong_return_is_named(capsys, tmp_path):
    path = planted(tmp_path, [("grad = [Theta1_grad(:) ; Theta2_grad(:)];", "grad = {Theta1_grad, Theta2_grad};")])
    wrong_because(*run_verify(capsys, path), "returned grad of class cell")


@needs_octave
def test_a_pause_left_in_the_function_does_not_wait(capsys, tmp_path):
    """ex4.m pauses for a key press after each step; one copied into the function used to wait
    for the whole time limit and fail as "an endless loop?"."""
    path = planted(tmp_path, [("grad = [Theta1_grad(:) ; Theta2_grad(:)];",
                               "grad = [Theta1_grad(:) ; Theta2_grad(:)];\npause;")])
    code, out, err = run_verify(capsys, path, "--timeout", "5")
    assert code == 0, out + err


@needs_octave
def test_single_precision_is_named(capsys, tmp_path):
    """Right math in single precision: wrong at 1e-9, and named float32_arithmetic."""
    path = planted(tmp_path, [("grad = [Theta1_grad(:) ; Theta2_grad(:)];",
                               "grad = single([Theta1_grad(:) ; Theta2_grad(:)]); J = single(J);")])
    wrong_because(*run_verify(capsys, path), "explained (float32_arithmetic)", "single-precision")


@needs_octave
def test_endless_loop_is_stopped_and_octave_killed(capsys, tmp_path, monkeypatch):
    started, real_popen = [], subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]
    monkeypatch.setattr(octave.subprocess, "Popen", popen)
    path = planted(tmp_path, [("m = size(X, 1);", "m = size(X, 1);\nwhile true\nend")])
    wrong_because(*run_verify(capsys, path, "--timeout", "0.5"), "longer than the 0.5 s limit", "--timeout")
    assert started and started[0].poll() is not None              # the process group was killed


@needs_octave
def test_memory_hog_is_stopped_inside_octave(capsys, tmp_path):
    """7 GB for a problem of kilobytes: Octave's address space is limited (octave.MEMORY_BYTES)."""
    path = planted(tmp_path, [("m = size(X, 1);", "m = size(X, 1); waste = ones(3e4);")])
    wrong_because(*run_verify(capsys, path), "out of memory", "(nnCostFunction.m line 12)")


@needs_octave
def test_exit_inside_the_function(capsys, tmp_path):
    path = planted(tmp_path, [("m = size(X, 1);", "exit(0);")])
    wrong_because(*run_verify(capsys, path), "Octave exited with code 0", "exit or quit")


def test_missing_octave_gives_the_install_hint(capsys, monkeypatch):
    monkeypatch.setattr(octave.shutil, "which", lambda name: None)
    code, out, err = run_verify(capsys, CODE / "nnCostFunction.m")
    one_line_error(code, err, "octave-cli not found", "apt-get install -y --no-install-recommends octave")
    assert out == ""


@pytest.mark.parametrize("target, words", [
    ("nowhere/nnCostFunction.m", ["no such file"]),
    (f"{CODE / 'nnCostFunction.m'}:costFunction", ["calls the function in nnCostFunction.m 'nnCostFunction'"]),
])
def test_bad_octave_target(capsys, target, words):
    one_line_error(*run_verify(capsys, target)[::2], *words)
