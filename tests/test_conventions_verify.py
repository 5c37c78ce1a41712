"""`crosscheck verify` meets code written in the learners' own conventions (issue #20): for each
convention and each kind of target (.py, notebook, .m), a correct function passes and the report
says which convention it used; the same function with one planted catalogue mistake is named
exactly; a function that mixes two conventions is still wrong. Also: unfinished code, the
gradient taken at changed parameters, sibling-folder imports, and the uncallable (exit 2)."""
import json
import shutil
import sys
from pathlib import Path

import pytest

from crosscheck import verify
from crosscheck.cli import main
from crosscheck.learner.problems import PROBLEMS

HERE = Path(__file__).resolve().parent
LEARNERS = HERE / "student_code" / "conventions" / "learners.py"
sys.path.insert(0, str(LEARNERS.parent))
import learners  # noqa: E402

needs_octave = pytest.mark.skipif(shutil.which("octave-cli") is None, reason="GNU Octave not installed")
COURSE = {"label_base": 1, "y": "labels", "x_bias": False, "order": "F"}


def verify_json(capsys, target, *options):
    code = main(["verify", str(target), "--json", *options])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    return code, json.loads(out)


def conventions(report, **expected):
    got = report["conventions"]
    return {k: got[k] for k in expected} == expected


# (function, options, conventions it is written in, diagnosis: [] right)
PY = [
    ("zero_based", [], {"label_base": 0}, []),
    ("zero_based_no_divide", [], {"label_base": 0}, ["missing_divide_by_m"]),
    ("zero_based_activation_prime", [], {"label_base": 0}, ["sigmoid_prime_of_activation"]),
    ("onehot_port", [], {"y": "onehot", "order": "C"}, []),
    ("onehot_port_no_divide", [], {"y": "onehot", "order": "C"}, ["missing_divide_by_m"]),
    ("onehot_port_activation_prime", [], {"y": "onehot", "order": "C"}, ["sigmoid_prime_of_activation"]),
    ("column_labels", [], {"y": "column"}, []),
    ("column_labels_activation_prime", [], {"y": "column"}, ["sigmoid_prime_of_activation"]),
    ("x_bias_first", [], {"x_bias": True}, []),
    ("x_bias_first_no_divide", [], {"x_bias": True}, ["missing_divide_by_m"]),
    ("rowmajor", [], {"order": "C"}, []),
    ("rowmajor_no_divide", [], {"order": "C"}, ["missing_divide_by_m"]),
    ("cost_alone", ["--grad", "cost_gradient"], COURSE, []),
    # pinned: no inference on what is pinned
    ("rowmajor", ["--order", "F"], {"order": "F"}, ["unroll_order"]),
    ("zero_based", ["--labels", "0"], {"label_base": 0}, []),
    ("onehot_port", ["--y", "onehot", "--order", "C"], {"y": "onehot", "order": "C"}, []),
]


@pytest.mark.parametrize("function, options, written_in, diagnosis", PY)
def test_py_convention_right_and_named(capsys, function, options, written_in, diagnosis):
    code, report = verify_json(capsys, f"{LEARNERS}:{function}", *options)
    assert (code, report["passed"], report["diagnosis"]) == (0 if not diagnosis else 1, not diagnosis, diagnosis)
    assert report["recognised"] and conventions(report, **written_in), report["conventions"]


def test_the_report_says_which_convention_it_used(capsys):
    assert main(["verify", f"{LEARNERS}:onehot_port"]) == 0
    out = capsys.readouterr().out
    assert "y passed as (m, K)" in out and "Θ unrolled C (row-major, numpy)" in out
    assert "labels 1..K" not in out                      # one-hot: no label base to speak of


@pytest.mark.parametrize("function, wrong", [("labels_mixed", None), ("order_mixed", "writes_grad_other_order")])
def test_mixing_two_conventions_stays_wrong(capsys, function, wrong):
    code, report = verify_json(capsys, f"{LEARNERS}:{function}")
    assert code == 1 and report["passed"] is False
    assert report["diagnosis"] == ([wrong] if wrong else [])


def test_unfinished_code_is_named_as_such(capsys):
    _, stub = verify_json(capsys, f"{LEARNERS}:starter_stub")
    assert stub["diagnosis"] == ["cost_not_written", "gradient_not_written"]
    _, half = verify_json(capsys, f"{LEARNERS}:cost_only")
    assert half["diagnosis"] == ["gradient_not_written"]
    assert "the cost is right" in half["findings"][0]["evidence"]


def test_gradient_taken_at_changed_parameters(capsys):
    _, report = verify_json(capsys, f"{LEARNERS}:zeroes_bias_first")
    assert report["diagnosis"] == ["gradient_at_changed_params", "modifies_inputs"]


def test_uncallable_signature_is_exit_2_with_the_way_out(capsys):
    code, report = verify_json(capsys, f"{LEARNERS}:no_sizes")
    assert code == 2 and "no_sizes(theta, X, y, lambda_)" in report["error"] and "wrap" in report["error"]
    code, report = verify_json(capsys, f"{LEARNERS}:cost_alone")
    assert code == 2 and "--grad cost_gradient" in report["error"]


def test_verify_keywords_pin_and_infer():
    assert verify(learners.zero_based).to_dict()["conventions"]["label_base"] == 0
    assert verify(learners.zero_based, labels=0).passed
    assert verify(learners.cost_alone, grad=learners.cost_gradient).passed
    assert verify(learners.rowmajor, order="F").diagnosis == ["unroll_order"]
    assert verify(learners.rowmajor_no_divide).diagnosis == ["missing_divide_by_m"]


# --- notebooks ------------------------------------------------------------------------------------
def notebook(tmp_path, source):
    cells = [source, "data = loadmat('ex4data1.mat')   # absent here: the cell fails"]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                     "id": f"c{i}", "source": text} for i, text in enumerate(cells)]}
    path = tmp_path / "ex4.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.mark.parametrize("function, written_in, diagnosis", [
    ("zero_based", {"label_base": 0}, []),
    ("zero_based_no_divide", {"label_base": 0}, ["missing_divide_by_m"]),
    ("onehot_port_activation_prime", {"y": "onehot", "order": "C"}, ["sigmoid_prime_of_activation"]),
    ("x_bias_first_no_divide", {"x_bias": True}, ["missing_divide_by_m"]),
    ("labels_mixed", {}, []),
])
def test_notebook_conventions(capsys, tmp_path, function, written_in, diagnosis):
    path = notebook(tmp_path, LEARNERS.read_text(encoding="utf-8"))
    code, report = verify_json(capsys, f"{path}:{function}")
    mixed = function == "labels_mixed"
    assert code == (1 if diagnosis or mixed else 0) and report["passed"] is not (bool(diagnosis) or mixed)
    assert report["diagnosis"] == diagnosis and conventions(report, **written_in)


# --- Octave ---------------------------------------------------------------------------------------
from test_octave_target import planted as m_file  # noqa: E402  (a copy of tests/octave_code, edited)


ARGS_XBIAS = [("function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...\n"
               "                                   num_labels, X, y, lambda)",
               "function [J grad] = nnCostFunction(X, y, nn_params, input_layer_size, ...\n"
               "                                   hidden_layer_size, num_labels, lambda)"),
              ("a1 = [ones(m, 1) X];", "a1 = X;")]
NO_DIVIDE = [("Theta1_grad = (d2' * a1) / m;", "Theta1_grad = d2' * a1;"),
             ("Theta2_grad = (d3' * a2) / m;", "Theta2_grad = d3' * a2;")]
READ_C = [("hidden_layer_size, (input_layer_size + 1));", "(input_layer_size + 1), hidden_layer_size)';"),
          ("num_labels, (hidden_layer_size + 1));", "(hidden_layer_size + 1), num_labels)';")]
ONE_HOT = [("for i = 1:m\n  Y(i, y(i)) = 1;                                        % label k in column k\nend",
            "Y = y;                                                   % y comes one-hot")]
WRITE_C = [("grad = [Theta1_grad(:) ; Theta2_grad(:)];",
            "G1 = Theta1_grad'; G2 = Theta2_grad'; grad = [G1(:) ; G2(:)];")]


@needs_octave
@pytest.mark.parametrize("replacements, written_in, diagnosis", [
    (ARGS_XBIAS, {"x_bias": True, "signature": ["X", "y", "params", "input_size", "hidden_size", "num_labels",
                                                 "lambda"]}, []),
    (ARGS_XBIAS + NO_DIVIDE, {"x_bias": True}, ["missing_divide_by_m"]),
    (ONE_HOT, {"y": "onehot"}, []),
    (ONE_HOT + NO_DIVIDE, {"y": "onehot"}, ["missing_divide_by_m"]),
    (READ_C + WRITE_C, {"order": "C"}, []),
    (READ_C + WRITE_C + NO_DIVIDE, {"order": "C"}, ["missing_divide_by_m"]),
    (READ_C, {"order": "F"}, ["reads_params_other_order"]),            # mixed: read C, written F
])
def test_octave_conventions(capsys, tmp_path, replacements, written_in, diagnosis):
    code, report = verify_json(capsys, m_file(tmp_path, replacements))
    assert (code, report["diagnosis"]) == (1 if diagnosis else 0, diagnosis), report["findings"]
    assert conventions(report, **written_in) and report["conventions"]["y"] in ("column", "onehot")


@needs_octave
def test_octave_one_hot_sized_by_the_largest_label_present_is_caught(capsys, tmp_path):
    loop = "for i = 1:m\n  Y(i, y(i)) = 1;                                        % label k in column k\nend"
    code, report = verify_json(capsys, m_file(tmp_path, [(loop, "Y = (y == 1:max(y));")]))
    failed = [p for p in report["problems"] if not p["ran"] or not p["agrees"]]
    assert code == 1 and [p["absent_label"] for p in failed] == [PROBLEMS[-1].absent] == [10]


@needs_octave
def test_octave_uncallable_signature_is_exit_2(capsys, tmp_path):
    head = ARGS_XBIAS[0][0]
    code, report = verify_json(capsys, m_file(tmp_path, [(head, "function [J grad] = nnCostFunction(theta, X, y, lambda)")]))
    assert code == 2 and "nnCostFunction(theta, X, y, lambda)" in report["error"]


# --- imports as the learner's project has them ---------------------------------------------------
RIGHT = LEARNERS.read_text(encoding="utf-8").replace("def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n", "")


def test_a_sibling_folder_is_imported_with_a_note(capsys, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ex2").mkdir()
    (tmp_path / "ex2" / "__init__.py").write_text("import numpy as np\n\ndef sigmoid(z):\n"
                                                  "    return 1.0 / (1.0 + np.exp(-z))\n")
    (tmp_path / "ex4").mkdir()
    target = tmp_path / "ex4" / "nn.py"
    target.write_text("from ex2 import sigmoid\n" + RIGHT)
    code, report = verify_json(capsys, f"{target}:zero_based")
    assert code == 0 and any("ex2" in n and "parent folder" in n for n in report["notes"]), report["notes"]


def test_path_adds_a_folder(capsys, tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "helpers.py").write_text("import numpy as np\n\ndef sigmoid(z):\n"
                                                 "    return 1.0 / (1.0 + np.exp(-z))\n")
    (tmp_path / "ex4").mkdir()
    target = tmp_path / "ex4" / "nn.py"
    target.write_text("from helpers import sigmoid\n" + RIGHT)
    code, report = verify_json(capsys, f"{target}:rowmajor")
    assert code == 1 and "No module named 'helpers'" in report["failure"]
    code, report = verify_json(capsys, f"{target}:rowmajor", "--path", str(tmp_path / "lib"))
    assert code == 0 and report["conventions"]["order"] == "C"

