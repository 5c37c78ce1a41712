"""A gradient returned as one matrix per layer (the Python ports' ``return J, [Theta1_grad,
Theta2_grad]``) is a convention: verify unrolls it itself and judges the math. A matrix of
another shape is still a wrong return, and a real mistake in per-layer form is still wrong."""
import json
import shutil
from pathlib import Path

import pytest

from crosscheck.cli import main
from crosscheck.learner.run import target

CORRECT = Path(__file__).resolve().parent / "student_code" / "correct.py"
PORT = '''
from correct import nnCostFunction as course


def layers(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = course(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    n1 = hidden_layer_size * (input_layer_size + 1)
    G1 = grad[:n1].reshape(hidden_layer_size, input_layer_size + 1, order="F")
    G2 = grad[n1:].reshape(num_labels, hidden_layer_size + 1, order="F")
    return J, [G1, G2]


def right(*args):
    return layers(*args)


def doubled(*args):
    J, (G1, G2) = layers(*args)
    return J, [G1, 2 * G2]


def transposed(*args):
    J, (G1, G2) = layers(*args)
    return J, (G1.T, G2)
'''


@pytest.fixture
def port(tmp_path):
    shutil.copy(CORRECT, tmp_path / "correct.py")
    (tmp_path / "port.py").write_text(PORT, encoding="utf-8")
    return tmp_path / "port.py"


def verify_json(capsys, spec):
    code = main(["verify", spec, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_per_layer_matrices_are_unrolled_and_judged(capsys, port):
    code, report = verify_json(capsys, f"{port}:right")
    assert code == 0 and report["passed"], report["findings"]
    assert target.LAYERS_NOTE in report["warnings"]


def test_a_mistake_in_per_layer_form_is_still_wrong(capsys, port):
    code, report = verify_json(capsys, f"{port}:doubled")
    assert code == 1 and all(p["ran"] for p in report["problems"])      # judged on its numbers
    assert "output layer" in report["where"] or "Θ^(2)" in report["where"], report["where"]


def test_matrices_of_another_shape_are_a_wrong_return(capsys, port):
    code, report = verify_json(capsys, f"{port}:transposed")
    assert code == 1 and report["failure_kind"] == "bad_return"


def test_without_the_unrolling_right_code_would_be_called_wrong(capsys, port, monkeypatch):
    monkeypatch.setattr(target, "unrolled_layers", lambda result, shapes, order: (result, False))
    code, report = verify_json(capsys, f"{port}:right")
    assert code == 1 and report["failure_kind"] == "bad_return"
