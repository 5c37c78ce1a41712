"""The Python API: ``verify(fn)`` / ``assert_verified(fn)`` on a learner's own function, its text,
JSON and notebook (HTML) forms, and the decision that the caller's function runs in-process."""
import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import crosscheck
from crosscheck.learner.problems import PROBLEMS
from crosscheck import assert_verified, verify
from crosscheck.cli import main
from manual.errors import InputError

STUDENT = Path(__file__).resolve().parent / "student_code"
sys.path.insert(0, str(STUDENT))
import correct  # noqa: E402
import loop_mistakes  # noqa: E402
import vectorised_mistakes  # noqa: E402

PLANTED = ["regularize_bias", "unroll_order", "sigmoid_prime_of_activation", "missing_divide_by_m"]


def planted(mistake):
    """The learner-style function (tests/student_code) that makes exactly ``mistake``."""
    return getattr(vectorised_mistakes, mistake, None) or getattr(loop_mistakes, mistake)


def pins(mistake):
    """unroll_order is a mistake only against a pinned order: read and written C it is a convention."""
    return {"order": "F"} if mistake == "unroll_order" else {}


def test_correct_function_passes():
    result = verify(correct.nnCostFunction)
    assert (result.passed, result.diagnosis, result.recognised) == (True, [], True)
    assert str(result).splitlines()[-2].startswith("RIGHT: your nnCostFunction matches autodiff")
    assert assert_verified(correct.nnCostFunction).passed


@pytest.mark.parametrize("mistake", PLANTED)
def test_planted_mistake_is_named(mistake):
    result = verify(planted(mistake), **pins(mistake))
    assert (result.passed, result.diagnosis, result.recognised) == (False, [mistake], True)
    assert result.to_dict()["diagnosis"] == [mistake]


@pytest.mark.parametrize("mistake", PLANTED)
def test_assert_verified_message_is_the_diagnosis(mistake):
    with pytest.raises(AssertionError) as caught:
        assert_verified(planted(mistake), **pins(mistake))
    message = str(caught.value)
    assert f"Diagnosis: explained ({mistake})" in message and f"{mistake}:" in message and "Corrected:" in message
    assert len(message.splitlines()) <= 60
    assert "array(" not in message and "[[" not in message       # no array dumps


def test_long_message_is_cut_to_sixty_lines(monkeypatch):
    from crosscheck.learner import api
    monkeypatch.setattr(api.VerifyResult, "__str__", lambda self: "\n".join(f"line {i}" for i in range(100)))
    with pytest.raises(AssertionError) as caught:
        assert_verified(vectorised_mistakes.regularize_bias)
    lines = str(caught.value).splitlines()
    assert len(lines) == 60 and "41 more lines" in lines[-1]


def test_to_dict_is_the_cli_json(capsys):
    """The same object `crosscheck verify --json` prints, but for the target's name and timings,
    and the fields the command adds for a class (score, outcome, reason, notes, file hash)."""
    from crosscheck.cli.classes.record import ADDED
    code = main(["verify", f"{STUDENT / 'vectorised_mistakes.py'}:regularize_bias", "--json"])
    cli = json.loads(capsys.readouterr().out)
    api = verify(vectorised_mistakes.regularize_bias).to_dict()
    assert code == 1
    assert set(ADDED) <= set(cli)
    for d in (cli, api):
        d.pop("target"), d.pop("call_seconds")
    for name in ADDED:
        cli.pop(name, None)
    assert (api.pop("isolation"), cli.pop("isolation")) == ("fork", "bubblewrap")    # forked / sandboxed
    assert json.loads(json.dumps(api)) == cli


def test_html_shows_verdict_table_diagnosis_and_heat_map():
    page = verify(loop_mistakes.sigmoid_prime_of_activation)._repr_html_()
    assert "WRONG: your sigmoid_prime_of_activation is wrong on" in page
    assert "<table" in page and page.count("<tr>") == 1 + len(PROBLEMS)        # header + every problem
    assert "sigmoid_prime_of_activation" in page and "Corrected:" in page
    png = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert png and base64.b64decode(png.group(1)).startswith(b"\x89PNG")


def test_html_of_a_right_function_has_no_heat_map():
    page = verify(correct.nnCostFunction)._repr_html_()
    assert f"RIGHT: your nnCostFunction matches autodiff on all {len(PROBLEMS)} problems." in page
    assert "data:image/png" not in page


def test_heat_map_only_where_the_gradient_is_wrong():
    """unroll_order's gradient is right for its (wrong) cost... but not against the reference's
    gradient: the map exists. A cost-only difference draws no map."""
    from crosscheck.learner import api
    wrong = verify(vectorised_mistakes.unroll_order, order="F")
    assert api.worst_gradient(wrong) is not None
    right = verify(correct.nnCostFunction)
    assert api.worst_gradient(right) is None


def test_caller_function_runs_in_a_forked_child_on_copies():
    """The decision (issue 24): the caller's own function runs in a forked child of the caller's
    process: it sees their closures and globals, but what it changes stays in the child; it gets
    copies of the problems' inputs, and writing into its arguments is still wrong (with
    scipy.optimize nn_params is the optimiser's own vector), as on the command line."""
    pids, scale = [], 1.0

    def mine(nn_params, *args):
        pids.append(os.getpid())
        J, grad = correct.nnCostFunction(nn_params, *args)
        return J * scale, grad                  # a closure: the child has it

    def writes(nn_params, *args):
        J, grad = correct.nnCostFunction(nn_params, *args)
        nn_params[:] = 0.0                      # writes into its argument
        return J, grad

    assert verify(mine).passed
    assert pids == []                           # appended in the child only
    written = verify(writes)
    assert not written.passed and written.diagnosis == ["modifies_inputs"]
    assert written.to_dict()["mutated_inputs"] == ["nn_params"]


def test_a_function_cannot_patch_the_judge_it_is_checked_by():
    """Patching crosscheck's judge from inside the function (tests/learner_files/replaces_checker.py
    does it at import, and fools an in-process checker) changes nothing: it happens in the child."""
    import crosscheck.learner.judge.diagnosis as diagnosis

    def patches(nn_params, *args):
        diagnosis.agrees = lambda *a, **k: (type("Agrees", (), {"passed": True, "shape_error": ""})(), [], True)
        return 0.0, np.zeros_like(nn_params)

    original = diagnosis.agrees
    result = verify(patches)
    assert diagnosis.agrees is original and not result.passed


def test_a_function_that_raises_fails_with_the_reason():
    def broken(*args):
        return 1 / 0

    result = verify(broken)                     # returns, does not raise
    assert (result.passed, result.diagnosis, result.recognised) == (False, [], False)
    assert "raised ZeroDivisionError" in result.error and "test_api.py line" in result.error
    assert result.to_dict()["failure"] == result.error and result.to_dict()["failure_kind"] == "exception"
    assert "Every problem that failed: <b>broken raised ZeroDivisionError" in result._repr_html_()   # said once
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        assert_verified(broken)


def test_time_limit_applies_per_call():
    result = verify(lambda *args: time.sleep(5), timeout=0.2)
    assert "longer than the 0.2 s limit" in result.error


@pytest.mark.parametrize("options, words", [
    ({"loss": "hinge"}, "unknown loss"),
    ({"order": "K"}, "order must be one of F, C"),
    ({"timeout": 0}, "timeout must be a positive number"),
])
def test_bad_options_raise_input_error(options, words):
    with pytest.raises(InputError, match=words):
        verify(correct.nnCostFunction, **options)


def test_not_a_function():
    with pytest.raises(InputError, match="verify needs your function"):
        verify(42)


def test_string_target_goes_through_run_target():
    assert verify(f"{STUDENT / 'correct.py'}:cost_rowmajor", order="C").passed


def test_exports_load_lazily():
    """`crosscheck.verify` is exported, and looking it up loads neither JAX nor PyTorch."""
    assert {"verify", "assert_verified", "VerifyResult"} <= set(crosscheck.__all__)
    code = ("import sys, crosscheck; crosscheck.verify, crosscheck.assert_verified; "
            "print(sorted(m for m in ('jax', 'torch', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_pytest_failure_shows_the_diagnosis_not_crosschecks_frames(tmp_path):
    """An autograder's test in one line; pytest shows the diagnosis and hides crosscheck's frame."""
    test = tmp_path / "test_student.py"
    test.write_text(f"import sys\nsys.path.insert(0, {str(STUDENT)!r})\n"
                    "from vectorised_mistakes import regularize_bias as nnCostFunction\n"
                    "from crosscheck import assert_verified\n\n"
                    "def test_cost():\n    assert_verified(nnCostFunction)\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                         capture_output=True, text=True, cwd=tmp_path).stdout
    assert "1 failed" in out
    assert "Diagnosis: explained (regularize_bias)" in out
    assert "api.py" not in out and "def assert_verified" not in out
