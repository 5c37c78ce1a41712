"""`crosscheck verify`: the confusion matrix, on learner-style code.

Every catalogued mistake and every new named finding, written the way a learner would
(tests/student_code/: loops and vectorised, F and C order, both losses), is diagnosed as
exactly its id, alone and in combinations of two and three; correct code in every style gets
no finding; an error no model explains is "unrecognised", and no id is ever given to a
mistake it does not describe (every comparison below is of the whole id set).
"""
import itertools
import json
import random
import sys
from pathlib import Path

import pytest

from crosscheck.cli import main
from crosscheck.learner.judge.diagnosis import diagnose
from crosscheck.learner.judge.findings import NEW
from crosscheck.learner.run.target import UserFunction, run_problems
from manual.catalogue import MISTAKE_IDS, MISTAKES

STUDENT = Path(__file__).resolve().parent / "student_code"
sys.path.insert(0, str(STUDENT))
import switchable  # noqa: E402

# (file:function, extra options, expected diagnosis)
MISTAKEN = [
    ("loop_mistakes.py:output_delta_dJ_dh", [], ["output_delta_dJ_dh"]),
    ("vectorised_mistakes.py:squared_missing_sigmoid_prime", ["--loss", "squared_error"],
     ["squared_missing_sigmoid_prime"]),
    ("vectorised_mistakes.py:regularize_bias", [], ["regularize_bias"]),
    ("loop_mistakes.py:sigmoid_prime_of_activation", [], ["sigmoid_prime_of_activation"]),
    ("loop_mistakes.py:hidden_missing_sigmoid_prime", [], ["hidden_missing_sigmoid_prime"]),
    ("loop_mistakes.py:missing_divide_by_m", [], ["missing_divide_by_m"]),
    ("loop_mistakes.py:no_reg_in_gradient", [], ["no_reg_in_gradient"]),
    ("vectorised_mistakes.py:gradient_reg_half", [], ["gradient_reg_half"]),
    ("vectorised_mistakes.py:unroll_order", ["--order", "F"], ["unroll_order"]),   # a mistake against a pin
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
    ("correct.py:cost_rowmajor", []),                          # read and written C: a convention, inferred
    ("vectorised_mistakes.py:unroll_order", []),
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
    assert sorted(report["diagnosis"]) == sorted(expected)
    assert report["recognised"] is True
    assert sorted(f["id"] for f in report["findings"]) == sorted(expected)   # one finding per mistake
    assert all(f["correction"] for f in report["findings"])
    assert any(not p["agrees"] for p in report["problems"])


@pytest.mark.parametrize("spec, options", CORRECT, ids=[c[0].split(":")[1] for c in CORRECT])
def test_correct_code_passes_with_no_diagnosis(capsys, spec, options):
    code, report = verify_json(capsys, spec, options)
    assert (code, report["passed"], report["diagnosis"], report["findings"]) == (0, True, [], [])
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
    [finding] = report["findings"]
    assert finding["id"] is None and finding["explained"] is False
    assert "0.7 × the right gradient" in finding["evidence"]       # what is known, said


def test_text_report_explains_the_mistake(capsys):
    code = main(["verify", str(STUDENT / "vectorised_mistakes.py:gradient_reg_half")])
    out = capsys.readouterr().out
    mistake = MISTAKES["gradient_reg_half"]
    assert code == 1
    assert "WRONG" in out and "gradient_reg_half: gradient regularised" in out
    assert mistake.correction in out
    assert "λ/(2m)" in out


def test_text_report_says_unrecognised_and_right(capsys):
    assert main(["verify", str(STUDENT / "vectorised_mistakes.py:scaled_output_gradient")]) == 1
    assert "unrecognised" in capsys.readouterr().out
    assert main(["verify", str(STUDENT / "correct.py:nnCostFunction")]) == 0
    out = capsys.readouterr().out
    assert "RIGHT" in out and "Diagnosis" not in out


# --- every switch, alone and combined, in every style -----------------------------------------

STYLES = [("vectorised", "F"), ("loop", "C"), ("vectorised", "C"), ("loop", "F")]


def switched(mistakes, loss, order, style):
    fn = switchable.make(mistakes, loss, order, style)
    run = run_problems(UserFunction(fn, f"switchable.py:{fn.__name__}", STUDENT / "switchable.py"), order=order)
    return diagnose(run, loss, order)


def test_every_named_finding_has_a_switch():
    """The switches cover the catalogue and the new numerical findings (the others, which need
    a crash or the runner, have their own ports in test_verify_ports.py; float32_arithmetic, from
    the returned dtype, is in test_verify_errors.py)."""
    by_runner = {"sizes_hard_coded", "one_hot_from_labels_present", "delta2_keeps_bias",
                 "modifies_inputs", "nondeterministic", "float32_arithmetic",
                 # unfinished code and writes before the gradient: tests/test_conventions_verify.py
                 "cost_not_written", "gradient_not_written", "gradient_at_changed_params"}
    assert set(switchable.SWITCHES) == (set(MISTAKE_IDS) | set(NEW)) - by_runner


# each switch in all four styles: two with each loss
SINGLES = [(m, loss, style, order) for m in ("", *switchable.SWITCHES)
           for loss, styles in (("cross_entropy", STYLES[:2]), ("squared_error", STYLES[2:]))
           for style, order in styles if switchable.compatible([m] if m else [], loss)]


@pytest.mark.parametrize("mistake, loss, style, order", SINGLES)
def test_each_switch_alone_is_named_exactly(mistake, loss, style, order):
    result = switched([mistake] if mistake else [], loss, order, style)
    assert result.passed is (not mistake)
    assert result.ids == ([mistake] if mistake else [])
    assert result.recognised


def _combos(n, seed=None, limit=None):
    """Every compatible combination of n switches, each in one style, order and loss picked
    in turn (a seeded sample of ``limit`` when given)."""
    combos = [c for c in itertools.combinations(switchable.SWITCHES, n)
              if any(switchable.compatible(c, loss) for loss in ("cross_entropy", "squared_error"))]
    if limit:
        combos = random.Random(seed).sample(combos, limit)
    out = []
    for i, combo in enumerate(combos):
        losses = [loss for loss in ("cross_entropy", "squared_error") if switchable.compatible(combo, loss)]
        style, order = STYLES[i % len(STYLES)]
        out.append((combo, losses[i % len(losses)], style, order))
    return out


@pytest.mark.parametrize("combo, loss, style, order", _combos(2) + _combos(3, seed=12, limit=40),
                         ids=lambda v: "+".join(v) if isinstance(v, tuple) else str(v))
def test_combinations_are_named_exactly(combo, loss, style, order):
    result = switched(combo, loss, order, style)
    assert not result.passed
    assert sorted(result.ids) == sorted(combo)
    assert result.recognised and all(f.explained and f.id for f in result.findings)


def test_confusion_check_can_fail():
    """Test the test: a switch the diagnosis does not know (the output gradient ×0.7) is not
    given any id, so exact-id comparisons above do fail for a misnamed mistake."""
    result = switched(["no_penalty_in_cost"], "cross_entropy", "F", "vectorised")
    assert result.ids == ["no_penalty_in_cost"] != ["cost_penalty_lambda_over_m"]
    fn = switchable.make([], "cross_entropy", "F")

    def scaled(*args):
        J, grad = fn(*args)
        return J, grad * 1.5
    run = run_problems(UserFunction(scaled, "x.py:scaled", STUDENT / "x.py"))
    assert diagnose(run).ids == [] and not diagnose(run).recognised
