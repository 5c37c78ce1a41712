"""`crosscheck verify`: the confusion matrix over the catalogue, on learner-style code.

Every catalogued mistake, written the way a learner would (tests/student_code/), is
diagnosed as exactly that id; correct code in both unrolling orders and both losses passes
with no diagnosis; an error outside the catalogue is "unrecognised".
"""
import json
from pathlib import Path

import pytest

from crosscheck.cli import main
from manual.catalogue import MISTAKE_IDS, MISTAKES

STUDENT = Path(__file__).resolve().parent / "student_code"

# (file:function, extra options, expected diagnosis)
MISTAKEN = [
    ("loop_mistakes.py:output_delta_dJ_dh", [], ["output_delta_dJ_dh"]),
    ("vectorised_mistakes.py:squared_missing_sigmoid_prime", ["--loss", "squared_error"],
     ["squared_missing_sigmoid_prime"]),
    ("vectorised_mistakes.py:regularize_bias", [], ["regularize_bias"]),
    ("loop_mistakes.py:sigmoid_prime_of_activation", [], ["sigmoid_prime_of_activation"]),
    ("loop_mistakes.py:missing_divide_by_m", [], ["missing_divide_by_m"]),
    ("loop_mistakes.py:no_reg_in_gradient", [], ["no_reg_in_gradient"]),
    ("vectorised_mistakes.py:gradient_reg_half", [], ["gradient_reg_half"]),
    ("vectorised_mistakes.py:unroll_order", [], ["unroll_order"]),
    ("correct.py:nnCostFunction", ["--order", "C"], ["unroll_order"]),     # the reverse slip
    ("vectorised_mistakes.py:label_offset", [], ["label_offset"]),
    ("vectorised_mistakes.py:label_offset_zero_based", [], ["label_offset"]),
    ("vectorised_mistakes.py:bias_regularised_and_no_divide", [], ["regularize_bias", "missing_divide_by_m"]),
]

CORRECT = [
    ("correct.py:nnCostFunction", []),
    ("correct.py:nnCostFunctionSquared", ["--loss", "squared_error"]),
    ("correct.py:cost_rowmajor", ["--order", "C"]),
    ("correct.py:cost_rowmajor_squared", ["--order", "C", "--loss", "squared_error"]),
]


def verify_json(capsys, spec, options):
    code = main(["verify", str(STUDENT / spec), "--json", *options])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out)


def test_every_catalogue_id_has_a_student_implementation():
    covered = {i for _, _, ids in MISTAKEN if len(ids) == 1 for i in ids}
    assert covered == set(MISTAKE_IDS)


@pytest.mark.parametrize("spec, options, expected", MISTAKEN, ids=[m[0].split(":")[1] + "".join(m[1]) for m in MISTAKEN])
def test_mistake_is_diagnosed_as_exactly_its_id(capsys, spec, options, expected):
    code, report = verify_json(capsys, spec, options)
    assert code == 1
    assert report["passed"] is False
    assert report["diagnosis"] == expected
    assert report["matches"] == [expected]                       # one explanation, not several
    assert [e["id"] for e in report["explanations"]] == expected
    assert any(not p["agrees"] for p in report["problems"])


@pytest.mark.parametrize("spec, options", CORRECT, ids=[c[0].split(":")[1] for c in CORRECT])
def test_correct_code_passes_with_no_diagnosis(capsys, spec, options):
    code, report = verify_json(capsys, spec, options)
    assert (code, report["passed"], report["diagnosis"]) == (0, True, [])
    assert all(p["agrees"] and p["cost_rel_err"] <= report["tolerance"] for p in report["problems"])


def test_problems_cover_both_lambdas_and_saturation(capsys):
    _, report = verify_json(capsys, "correct.py:nnCostFunction", [])
    problems = report["problems"]
    assert {p["lambda"] == 0 for p in problems} == {True, False}
    assert {"saturated", "unsaturated", "course-like"} <= {p["regime"] for p in problems}
    assert len({tuple(p["sizes"]) for p in problems}) >= 2


def test_invisible_mistake_is_still_named(capsys):
    """no_reg_in_gradient is right at λ = 0: those problems agree, the λ > 0 ones name it."""
    _, report = verify_json(capsys, "loop_mistakes.py:no_reg_in_gradient", [])
    agree = {p["lambda"] == 0 for p in report["problems"] if p["agrees"]}
    assert agree == {True}
    assert report["diagnosis"] == ["no_reg_in_gradient"]


def test_consistent_mistake_is_caught_by_the_cost(capsys):
    """regularize_bias's gradient is right for its own cost; only the reference cost shows it."""
    _, report = verify_json(capsys, "vectorised_mistakes.py:regularize_bias", [])
    wrong = [p for p in report["problems"] if not p["agrees"]]
    assert wrong and all(p["cost_rel_err"] > report["tolerance"] for p in wrong)
    assert "bias column only" in report["where"]


def test_small_hidden_layer_error_is_located(capsys):
    _, report = verify_json(capsys, "loop_mistakes.py:sigmoid_prime_of_activation", [])
    assert "hidden layer" in report["where"] and "only" in report["where"]
    assert all(p["layer_rel_diff"][1] <= report["tolerance"] for p in report["problems"])


def test_unrecognised_error_gets_no_name(capsys):
    code, report = verify_json(capsys, "vectorised_mistakes.py:scaled_output_gradient", [])
    assert (code, report["passed"], report["diagnosis"], report["recognised"]) == (1, False, [], False)
    assert "output layer" in report["where"] and "only" in report["where"]


def test_text_report_explains_the_mistake(capsys):
    code = main(["verify", str(STUDENT / "vectorised_mistakes.py:gradient_reg_half")])
    out = capsys.readouterr().out
    mistake = MISTAKES["gradient_reg_half"]
    assert code == 1
    assert "WRONG" in out and "Diagnosis: gradient_reg_half" in out
    assert mistake.correction in out
    assert "λ/(2m)" in out


def test_text_report_says_unrecognised_and_right(capsys):
    assert main(["verify", str(STUDENT / "vectorised_mistakes.py:scaled_output_gradient")]) == 1
    assert "unrecognised" in capsys.readouterr().out
    assert main(["verify", str(STUDENT / "correct.py:nnCostFunction")]) == 0
    out = capsys.readouterr().out
    assert "RIGHT" in out and "Diagnosis" not in out
