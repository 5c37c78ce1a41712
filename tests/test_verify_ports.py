"""`crosscheck verify` on code shaped like real ports (tests/student_code/ports.py): sizes
hard-coded (checked on the course's shape), one-hot from the labels present, δ^(2) with its
bias column (pointed at the line that makes it), inputs written into, one layer m times too
large, a partly explained function, and the JSON contract."""
import json
import math
from pathlib import Path

import pytest

from crosscheck.cli import main
from crosscheck.learner.judge.diagnosis import diagnose
from crosscheck.learner.problems import PROBLEMS
from crosscheck.learner.show.render import to_json, to_text
from crosscheck.learner.run.target import run_target

STUDENT = Path(__file__).resolve().parent / "student_code"
PORTS = STUDENT / "ports.py"


def verify_json(capsys, spec, *options):
    code = main(["verify", str(spec), "--json", *options])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    report = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    return code, report


def contract_run(spec):
    """The Run the worker delivers: one Call per problem, failed ones included, even when every
    call fails."""
    return run_target(str(spec))


def line_of(marker):
    return next(i for i, line in enumerate(PORTS.read_text().splitlines(), 1) if marker in line)


@pytest.mark.parametrize("function, expected, right_on_course", [
    ("hard_coded_right", ["sizes_hard_coded"], True),
    ("hard_coded_no_reg_grad", ["sizes_hard_coded", "no_reg_in_gradient"], False),
])
def test_hard_coded_sizes_are_checked_on_the_course_shape(capsys, function, expected, right_on_course):
    code, report = verify_json(capsys, f"{PORTS}:{function}")
    assert code == 1 and report["passed"] is False and report["recognised"] is True
    assert report["diagnosis"] == expected
    course = [p for p in report["problems"] if tuple(p["sizes"]) == (400, 25, 10)]
    others = [p for p in report["problems"] if tuple(p["sizes"]) != (400, 25, 10)]
    assert course and all(p["ran"] for p in course)
    assert all(p["agrees"] for p in course) is right_on_course
    assert others and all(not p["ran"] and "reshape" in p["failure"] for p in others)
    finding = report["findings"][0]
    assert finding["what"] == ("right for 400-25-10 only: sizes hard-coded" if right_on_course
                               else "sizes hard-coded")
    assert finding["where"].startswith("ports.py line ")          # and the line itself, read by crosscheck


def test_number_of_classes_hard_coded(capsys):
    """np.eye(10): runs wherever K = 10 (20-10-10 too), fails on 4-5-3; named for K alone."""
    code, report = verify_json(capsys, f"{PORTS}:classes_hard_coded")
    assert (code, report["diagnosis"], report["recognised"]) == (1, ["sizes_hard_coded"], True)
    assert report["findings"][0]["what"] == "right for num_labels = 10 only: num_labels hard-coded"
    assert {tuple(p["sizes"]) for p in report["problems"] if not p["ran"]} == {(4, 5, 3)}


def test_one_hot_from_labels_present(capsys):
    code, report = verify_json(capsys, f"{PORTS}:one_hot_unique")
    assert (code, report["diagnosis"], report["recognised"]) == (1, ["one_hot_from_labels_present"], True)
    failed = [p for p in report["problems"] if not p["ran"]]          # label 3 absent, label K absent
    assert sorted(p["absent_label"] for p in failed) == [3, 10] and all("broadcast" in p["failure"] for p in failed)


@pytest.mark.parametrize("function, made, noticed", [
    ("delta2_with_bias", "DELTA2_LINE:", "NOTICED_LINE"),
    ("delta2_with_bias_loop", "DELTA2_LINE_LOOP", "NOTICED_LINE_LOOP"),
])
def test_delta2_keeping_its_bias_points_at_the_line_that_makes_it(function, made, noticed):
    result = diagnose(contract_run(f"{PORTS}:{function}"))
    assert result.ids == ["delta2_keeps_bias"] and result.recognised
    where = result.findings[0].where
    assert where.startswith(f"ports.py:{line_of(made)} ") and f"line {line_of(noticed)}" in where


def test_a_crash_that_is_not_a_delta_shape_is_unexplained():
    """Test the test: the δ^(2) finding needs the s_2 + 1 vs s_2 shapes on every failed call."""
    run = contract_run(f"{PORTS}:delta2_with_bias")
    for call in run.calls:
        call.failure = call.failure.replace(f"({call.problem.sizes[1] + 1},", "(999,")
    result = diagnose(run)
    assert result.ids == [] and not result.recognised


@pytest.mark.parametrize("function, names", [("zeroes_callers_bias", ["nn_params"]), ("writes_into_X", ["X"])])
def test_inputs_written_into_are_wrong(capsys, function, names):
    code, report = verify_json(capsys, f"{PORTS}:{function}")
    assert all(p["agrees"] for p in report["problems"])             # the values are right...
    assert (code, report["passed"], report["mutated_inputs"]) == (1, False, names)   # ...the writes are not
    assert report["diagnosis"] == ["modifies_inputs"] and "view" in report["findings"][0]["explanation"]


def test_a_clean_function_modifies_nothing(capsys):
    _, report = verify_json(capsys, f"{STUDENT / 'correct.py'}:nnCostFunction")
    assert report["mutated_inputs"] == [] and report["passed"] is True


def test_one_layer_m_times_too_large(capsys):
    code, report = verify_json(capsys, f"{PORTS}:output_layer_times_m")
    assert (code, report["diagnosis"]) == (1, ["missing_divide_by_m"])
    assert report["findings"][0]["where"] == "output layer Θ^(2) only"


@pytest.mark.parametrize("spec, options, implemented", [
    ("correct.py:nnCostFunctionSquared", [], "squared_error"),
    ("correct.py:nnCostFunction", ["--loss", "squared_error"], "cross_entropy"),
])
def test_right_for_the_other_loss(capsys, spec, options, implemented):
    code, report = verify_json(capsys, STUDENT / spec, *options)
    assert (code, report["diagnosis"]) == (1, ["other_loss"])
    assert f"--loss {implemented}" in report["findings"][0]["description"]


def test_partly_explained(capsys):
    code, report = verify_json(capsys, f"{PORTS}:no_penalty_and_odd_output")
    assert code == 1 and report["diagnosis"] == ["no_penalty_in_cost"] and report["recognised"] is False
    assert [f["explained"] for f in report["findings"]] == [True, False]
    assert main(["verify", f"{PORTS}:no_penalty_and_odd_output"]) == 1
    assert "Diagnosis: partly explained (no_penalty_in_cost)" in capsys.readouterr().out


def test_json_contract_keys_and_strictness():
    report = to_json(diagnose(contract_run(f"{PORTS}:hard_coded_no_reg_grad")))
    assert {"passed", "diagnosis", "recognised", "findings", "mutated_inputs", "problems"} <= set(report)
    for finding in report["findings"]:
        assert {"what", "where", "evidence", "id", "description"} <= set(finding)
        assert finding["id"] or finding["description"]
    assert len(report["problems"]) == len(PROBLEMS)
    json.dumps(report, allow_nan=False)
    assert all(not isinstance(v, float) or math.isfinite(v) for p in report["problems"] for v in p.values())


def test_text_keeps_every_correction():
    result = diagnose(contract_run(f"{PORTS}:hard_coded_no_reg_grad"))
    text = to_text(result)
    assert "Corrected: use input_layer_size" in text and "Corrected: ∂J/∂Θ[:, 1:]" in text
    assert "FAILED: hard_coded_no_reg_grad raised ValueError" in text
