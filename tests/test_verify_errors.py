"""`crosscheck verify` on functions it cannot load or run: exit 2, one line, no traceback."""
import json
from pathlib import Path

import pytest

from crosscheck.cli import main

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


@pytest.mark.parametrize("function, words", [
    ("raises", ["raised ZeroDivisionError", "division by zero", "bad_functions.py line"]),
    ("returns_scalar", ["returned a float", "expected the pair (J, grad)"]),
    ("returns_triple", ["returned a tuple of length 3", "(J, grad)"]),
    ("cost_nan", ["J = nan", "finite"]),
    ("cost_per_example", ["J with shape (6,)", "scalar"]),
    ("cost_text", ["J of type str", "number"]),
    ("grad_too_short", ["grad with shape (42,)", "expected (43,)"]),
    ("grad_not_unrolled", ["2 matrices", "unrolled", "(43,)"]),
    ("grad_nan", ["NaN/inf", "index 3"]),
    ("too_few_parameters", ["raised TypeError", "positional argument", "course signature is (nn_params"]),
    ("NOT_A_FUNCTION", ["'NOT_A_FUNCTION' is a int, not a function"]),
    ("no_such_function", ["has no function 'no_such_function'", "raises", "sleeps"]),
])
def test_unusable_function(capsys, function, words):
    code, out, err = run_verify(capsys, f"{BAD}:{function}")
    assert_one_line_error(code, err, *words)
    assert out == ""


def test_error_names_the_problem(capsys):
    _, _, err = run_verify(capsys, f"{BAD}:raises")
    assert "on small 4-5-3, m=6" in err


@pytest.mark.parametrize("function", ["sleeps", "loops_forever_and_swallows"])
def test_slow_function_hits_the_time_limit(capsys, function):
    code, _, err = run_verify(capsys, f"{BAD}:{function}", "--timeout", "0.3")
    assert_one_line_error(code, err, "longer than the 0.3 s limit", "--timeout")


@pytest.mark.parametrize("value", ["0", "-1", "nan", "soon"])
def test_bad_timeout_value(capsys, value):
    code, _, err = run_verify(capsys, f"{BAD}:raises", "--timeout", value)
    assert_one_line_error(code, err, "--timeout")


def test_missing_file(capsys, tmp_path):
    code, _, err = run_verify(capsys, f"{tmp_path / 'nowhere.py'}:nnCostFunction")
    assert_one_line_error(code, err, "nowhere.py", "no such file")


def test_not_a_python_file(capsys, tmp_path):
    path = tmp_path / "weights.mat"
    path.write_bytes(b"MATLAB")
    code, _, err = run_verify(capsys, f"{path}:nnCostFunction")
    assert_one_line_error(code, err, "not a Python file")


def test_module_not_found(capsys):
    code, _, err = run_verify(capsys, "no_such_module_xyz:nnCostFunction")
    assert_one_line_error(code, err, "module 'no_such_module_xyz' not found")


def test_missing_colon(capsys):
    code, _, err = run_verify(capsys, str(BAD))
    assert_one_line_error(code, err, "FILE.py:FUNCTION")


def test_import_time_error(capsys, tmp_path):
    path = tmp_path / "student.py"
    path.write_text("import numpy as np\n\nweights = np.load('my_weights.npy')\n\n"
                    "def nnCostFunction(*args):\n    pass\n")
    code, _, err = run_verify(capsys, f"{path}:nnCostFunction")
    assert_one_line_error(code, err, "importing", "raised FileNotFoundError", "student.py line 3")


def test_import_of_missing_helper_module(capsys, tmp_path):
    path = tmp_path / "student.py"
    path.write_text("from sigmoidGradient import sigmoidGradient\n")
    code, _, err = run_verify(capsys, f"{path}:nnCostFunction")
    assert_one_line_error(code, err, "ModuleNotFoundError", "sigmoidGradient", "student.py line 1")


def test_syntax_error(capsys, tmp_path):
    path = tmp_path / "student.py"
    path.write_text("def nnCostFunction(nn_params):\n    return J grad\n")
    code, _, err = run_verify(capsys, f"{path}:nnCostFunction")
    assert_one_line_error(code, err, "line 2", "SyntaxError")


def test_slow_import(capsys, tmp_path):
    path = tmp_path / "student.py"
    path.write_text("import time\ntime.sleep(20)\n")
    code, _, err = run_verify(capsys, f"{path}:nnCostFunction", "--timeout", "0.3")
    assert_one_line_error(code, err, "importing", "longer than the 0.3 s limit")


def test_prints_stay_off_json_stdout(capsys):
    code, out, err = run_verify(capsys, f"{BAD}:chatty_but_right", "--json")
    assert code == 0 and json.loads(out)["passed"] is True
    assert "computing the cost" in err and "bad_functions imported" in err


def test_column_labels_are_accepted(capsys):
    code, out, _ = run_verify(capsys, f"{BAD}:needs_column_labels", "--json")
    report = json.loads(out)
    assert (code, report["passed"], report["y_shape"]) == (0, True, "(m, 1)")


def test_usage_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", f"{BAD}:raises", "--loss", "hinge"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--loss" in err and len(err.strip().splitlines()) == 1


def test_float32_is_wrong_and_says_why(capsys):
    code, out, _ = run_verify(capsys, f"{BAD}:in_float32", "--json")
    report = json.loads(out)
    assert (code, report["passed"], report["diagnosis"]) == (1, False, [])
    assert any("float32" in w for w in report["warnings"])
