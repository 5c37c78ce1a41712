"""`crosscheck verify`'s exit codes, one rule: 1 when the learner's code is not right (it raises,
returns the wrong thing, cannot be imported, is too slow), 2 only when crosscheck cannot tell
what to check (no such file or function, a malformed target, bad options): one line on stderr,
never a traceback, and with --json exactly one JSON object on stdout either way."""
import json
from pathlib import Path

import numpy as np
import pytest

from crosscheck.cli import main
from crosscheck.learner.problems import PROBLEMS
from crosscheck.learner.run.target import run_target

STUDENT = Path(__file__).resolve().parent / "student_code"
BAD = STUDENT / "bad_functions.py"


def run_verify(capsys, *argv):
    code = main(["verify", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *words):
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("crosscheck verify: error:")]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], lines[0]


def wrong_json(capsys, *argv):
    """The JSON report of a target that must be judged wrong (exit 1)."""
    code, out, err = run_verify(capsys, *argv, "--json")
    assert code == 1 and "Traceback" not in err, err
    report = json.loads(out)
    assert report["passed"] is False
    return report


@pytest.mark.parametrize("function, kind, words", [
    ("raises", "exception", ["raised ZeroDivisionError", "division by zero", "bad_functions.py line"]),
    ("returns_scalar", "bad_return", ["returned a float", "expected the pair (J, grad)"]),
    ("returns_triple", "bad_return", ["returned a tuple of length 3", "(J, grad)"]),
    ("cost_nan", "bad_return", ["J = nan", "finite"]),
    ("cost_per_example", "bad_return", ["J with shape (6,)", "scalar"]),
    ("cost_text", "bad_return", ["J of type str", "number"]),
    ("grad_too_short", "bad_return", ["grad with shape (42,)", "expected (43,)"]),
    ("grad_not_unrolled", "bad_return", ["2 matrices", "unrolled", "(43,)"]),
    ("grad_nan", "bad_return", ["NaN/inf", "index 3"]),
    ("returns_grad_then_J", "bad_return", ["returned (grad, J)", "other order", "return J, grad"]),
    ("grad_as_two_vectors", "bad_return", ["2 vectors of lengths [25, 18]", "(43,)", "np.concatenate"]),
])
def test_a_function_that_fails_is_wrong_on_every_problem(capsys, function, kind, words):
    report = wrong_json(capsys, f"{BAD}:{function}")
    assert report["failure_kind"] == kind and len(report["problems"]) == len(PROBLEMS)
    assert {c["kind"] for c in report["problems"]} == {kind}
    for word in words:
        assert word in report["failure"], report["failure"]


def test_failure_names_the_problem(capsys):
    report = wrong_json(capsys, f"{BAD}:raises")
    assert "on small 4-5-3, m=6" in report["failure"]


def test_failure_text_report(capsys):
    code, out, _ = run_verify(capsys, f"{BAD}:raises")
    assert code == 1 and "WRONG" in out and "ZeroDivisionError" in out


def test_slow_function_hits_the_time_limit():
    run = run_target(f"{BAD}:sleeps", timeout=1, problems=PROBLEMS[:1])
    assert run.calls[0].kind == "timeout"
    assert "longer than the 1 s limit" in run.calls[0].failure and "--timeout" in run.calls[0].failure


@pytest.mark.parametrize("source, kind, words", [
    ("import numpy as np\n\nweights = np.load('my_weights.npy')\n\ndef nnCostFunction(*args):\n    return weights\n",
     "import", ["importing", "raised FileNotFoundError", "student.py line 3"]),
    ("from sigmoidGradient import sigmoidGradient\n", "import", ["ModuleNotFoundError", "sigmoidGradient", "student.py line 1"]),
    ("def nnCostFunction(nn_params):\n    return J grad\n", "syntax", ["student.py line 2", "SyntaxError"]),
    ("import time\ntime.sleep(20)\n", "timeout", ["importing", "longer than the 0.3 s limit", "__main__"]),
])
def test_a_module_that_cannot_be_imported_is_wrong(capsys, tmp_path, source, kind, words):
    """(The first needs `weights`, which only the failing statement defines: no fallback.)"""
    path = tmp_path / "student.py"
    path.write_text(source)
    report = wrong_json(capsys, f"{path}:nnCostFunction", "--timeout", "0.3")
    assert report["failure_kind"] == kind
    for word in words:
        assert word in report["failure"], report["failure"]


def test_prints_stay_off_json_stdout(capsys):
    code, out, err = run_verify(capsys, f"{BAD}:chatty_but_right", "--json")
    report = json.loads(out)
    assert code == 0 and report["passed"] is True
    assert "computing the cost" in report["printed"] and "bad_functions imported" in report["printed"]


@pytest.mark.parametrize("name", ["grad_as_list", "grad_as_list_of_scalars"])
def test_grad_as_a_list_is_accepted_at_the_course_size(capsys, name):
    """A list of numbers travels back as one array, even 10,285 of them (the worker once
    described lists item by item and stopped at 10,000)."""
    code, out, _ = run_verify(capsys, f"{BAD}:{name}", "--json")
    assert (code, json.loads(out)["passed"]) == (0, True)


def test_column_labels_are_accepted(capsys):
    code, out, _ = run_verify(capsys, f"{BAD}:needs_column_labels", "--json")
    report = json.loads(out)
    assert (code, report["passed"], report["y_shape"]) == (0, True, "(m, 1)")


def test_float32_is_wrong_and_says_why(capsys):
    """Right math in float32: wrong at the 1e-9 tolerance, and named for what it is."""
    code, out, _ = run_verify(capsys, f"{BAD}:in_float32", "--json")
    report = json.loads(out)
    assert (code, report["passed"], report["diagnosis"], report["recognised"]) == \
        (1, False, ["float32_arithmetic"], True)
    assert any("float32" in w for w in report["warnings"])


@pytest.mark.parametrize("mistake", ["2 * g", "g / 9"])
def test_float32_does_not_hide_a_real_mistake(capsys, tmp_path, mistake):
    """Test the test: a wrong gradient returned in float32 is not put down to float32."""
    path = tmp_path / "student.py"                  # its helper beside it: another folder is hidden
    (tmp_path / "correct.py").write_text((STUDENT / "correct.py").read_text())
    path.write_text("import numpy as np\n"
                    "from correct import nnCostFunction as right\n\n\n"
                    "def nnCostFunction(*args):\n    J, g = right(*args)\n"
                    f"    return np.float32(J), ({mistake}).astype(np.float32)\n")
    report = wrong_json(capsys, f"{path}:nnCostFunction")
    assert "float32_arithmetic" not in report["diagnosis"]
    assert any("float32" in w for w in report["warnings"])


def _not_python(tmp_path):
    path = tmp_path / "weights.mat"
    path.write_bytes(b"MATLAB")
    return f"{path}:nnCostFunction"


# (argv after `verify`, words in the one-line error): crosscheck cannot tell what to check
CANNOT_TELL = [
    (lambda tmp: [f"{BAD}:no_such_function"], ["has no function 'no_such_function'", "raises", "sleeps"]),
    (lambda tmp: [f"{BAD}:NOT_A_FUNCTION"], ["'NOT_A_FUNCTION' is a int, not a function"]),
    (lambda tmp: [f"{tmp / 'nowhere.py'}:nnCostFunction"], ["nowhere.py", "no such file"]),
    (lambda tmp: [f"{tmp / 'nowhere*.py'}:nnCostFunction"], ["nowhere*.py", "no file matches"]),
    (lambda tmp: [_not_python(tmp)], ["not a Python file"]),
    (lambda tmp: [str(tmp)  + ":nnCostFunction"], ["is a directory"]),
    (lambda tmp: ["no_such_module_xyz:nnCostFunction"], ["module 'no_such_module_xyz' not found"]),
    (lambda tmp: [str(BAD)], ["which function? name it after a colon"]),
    (lambda tmp: [f"{BAD}:raises", "--timeout", "0"], ["--timeout", "positive"]),
    (lambda tmp: [f"{BAD}:raises", "--timeout", "-1"], ["--timeout"]),
    (lambda tmp: [f"{BAD}:raises", "--timeout", "nan"], ["--timeout"]),
    (lambda tmp: [f"{BAD}:raises", "--timeout", "soon"], ["--timeout", "'soon'"]),
    (lambda tmp: [f"{BAD}:raises", "--memory", "10"], ["--memory", "at least 64"]),
    (lambda tmp: [f"{BAD}:raises", "--memory", "lots"], ["--memory"]),
    (lambda tmp: [f"{BAD}:raises", "--csv", str(tmp / "no" / "dir.csv")], ["--csv", "dir.csv"]),
]


@pytest.mark.parametrize("make_argv, words", CANNOT_TELL)
@pytest.mark.parametrize("as_json", [False, True])
def test_cannot_tell_what_to_check_is_exit_2(capsys, tmp_path, make_argv, words, as_json):
    code, out, err = run_verify(capsys, *make_argv(tmp_path), *(["--json"] if as_json else []))
    assert_one_line_error(code, err, *words)
    if as_json:
        assert list(json.loads(out)) == ["error"] and words[0] in json.loads(out)["error"]
    else:
        assert out == ""


@pytest.mark.parametrize("argv, words", [(["--loss", "hinge"], ["--loss"]), (["--bogus"], ["--bogus"]),
                                         (["-j", "0"], ["-j"])])
@pytest.mark.parametrize("as_json", [False, True])
def test_usage_errors_are_one_line_and_json(capsys, argv, words, as_json):
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", f"{BAD}:raises", *argv, *(["--json"] if as_json else [])])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert all(word in err for word in words)
    assert (list(json.loads(out)) == ["error"]) if as_json else out == ""


ODD_VALUES = [1.0, np.float32(2), [1, [2, 3]], [[1, 2], [3]], np.ones(6), np.ones((2, 3)), [np.ones(3), np.ones(3)],
              (np.ones(4), np.ones(2)), [np.ones((2, 2)), np.ones(2)], "x", None, {"a": 1}, [], (), np.array([]),
              np.array([np.nan]), [1, 2, 3, 4, 5, 6], [[1, 2, 3, 4, 5, 6]], np.ones((6, 1)), [[1], [2, [3]]],
              np.array(["a"]), object(), [None] * 6, 10 ** 400, [10 ** 400] * 6, np.ones(6, dtype=complex), True,
              [np.ones((2, 2)), [1, [2]]], [np.ones(2), [1, [2]]]]


def test_check_result_refuses_odd_returns_with_an_input_error_only():
    """Every (J, grad) pair of odd values is either accepted or refused with one InputError
    (a ragged list once reached numpy unguarded: an internal error, exit 3)."""
    import itertools

    from crosscheck.learner.calls import check_result
    from manual.errors import InputError
    accepted = 0
    for J, grad in itertools.product(ODD_VALUES, repeat=2):
        try:
            check_result((J, grad), 6)
            accepted += 1
        except InputError:
            pass
    assert accepted == 2 * 4          # J 1.0 or float32 2; grad 6 numbers: vector, list, row, column


SCRIPT = """import numpy as np
from scipy.io import loadmat

from correct import nnCostFunction as _right     # a helper module next to the script

data = loadmat('ex4data1.mat')          # the learner's script: data and a trial call at the top
X, y = data['X'], data['y'].ravel()


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = _right(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return J, {scale} * grad


print(nnCostFunction(np.zeros(10285), 400, 25, 10, X, y, 1.0)[0])
"""


@pytest.mark.parametrize("scale, code, diagnosis", [(1, 0, []), (2, 1, None)])
def test_a_script_whose_top_level_fails_is_checked_on_its_definitions(capsys, tmp_path, scale, code, diagnosis):
    """Data loading at the top of a .py script fails here: the function is still checked, on the
    script's imports and definitions only (as for a notebook), and the report says so."""
    path = tmp_path / "ex4.py"
    path.write_text(SCRIPT.format(scale=scale))
    (tmp_path / "correct.py").write_text((STUDENT / "correct.py").read_text())
    got, out, _ = run_verify(capsys, f"{path}:nnCostFunction", "--json")
    report = json.loads(out)
    assert got == code and not report["failure_kind"]
    assert diagnosis is None or report["diagnosis"] == diagnosis
    note = report["warnings"][0]
    assert "importing ex4.py raised FileNotFoundError" in note and "(ex4.py line 6)" in note
    assert "ran only the file's imports and definitions" in note and "line 6 `data = loadmat" in note
