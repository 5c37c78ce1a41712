"""One strict-JSON rule for every command (crosscheck.strict_json): NaN and ±inf are written as
null. Each command's --json output gets NaN and inf planted where its numbers come from, and must
still parse with a parser that refuses NaN and Infinity, with null in their place."""
import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from crosscheck.cli import main
from crosscheck.strict_json import json_safe, strict_json

STUDENT = Path(__file__).resolve().parent / "student_code"
NAN, INF = float("nan"), float("inf")


def strict(text):
    def refuse(name):
        raise ValueError(f"{name} in JSON output")
    return json.loads(text, parse_constant=refuse)


def test_the_rule():
    value = {"a": NAN, "b": (np.float64(INF), -INF, np.float32(1.5)), "c": np.array([1.0, NAN]),
             "d": np.int64(3), "e": [{"f": np.nan}], "g": "nan", "h": None}
    assert json_safe(value) == {"a": None, "b": [None, None, 1.5], "c": [1.0, None], "d": 3,
                                "e": [{"f": None}], "g": "nan", "h": None}
    assert strict(strict_json(value)) == json_safe(value)


def test_the_rule_is_needed():
    """Without it, the same value is not strict JSON: the tests below can fail."""
    with pytest.raises(ValueError):
        strict(json.dumps({"a": NAN}))


@pytest.fixture
def planted_verify(monkeypatch):
    """Every comparison of a verify run reads NaN and inf, as an overflowing learner's would."""
    from crosscheck.learner.judge import choice          # the verdict diagnoses through judge.choice
    real = choice.diagnose

    def diagnose(run, loss, order):
        result = real(run, loss=loss, order=order)
        for r in result.reports:
            c = r.comparison
            r.comparison = replace(c, cost_rel_err=NAN, grad_rel_diff=INF,
                                   layer_rel_diff=[-INF] * len(c.layer_rel_diff))
        return result
    monkeypatch.setattr(choice, "diagnose", diagnose)


def test_verify_json(planted_verify, capsys):
    main(["verify", f"{STUDENT / 'correct.py'}:nnCostFunction", "--json"])
    problem = strict(capsys.readouterr().out)["problems"][0]
    assert problem["cost_rel_err"] is None and problem["grad_rel_diff"] is None
    assert set(problem["layer_rel_diff"]) == {None}


def test_class_json(planted_verify, capsys):
    target = f"{STUDENT / 'correct.py'}:nnCostFunction"
    main(["verify", target, f"{STUDENT / 'vectorised_mistakes.py'}:regularize_bias", "--json", "-j", "1"])
    out = strict(capsys.readouterr().out)
    assert out["summary"]["targets"] == 2
    assert all(p["grad_rel_diff"] is None for r in out["results"] for p in r["problems"] if p["ran"])


def test_verify_error_json(capsys):
    assert main(["verify", f"{STUDENT / 'nowhere.py'}:f", "--json"]) == 2
    assert "error" in strict(capsys.readouterr().out)


def test_mistakes_json(monkeypatch, capsys):
    from crosscheck.teaching import gallery
    monkeypatch.setattr(gallery, "run_gallery", lambda *a, **k: SimpleNamespace(
        report={"mistakes": {"planted": {"cost_rel_err": NAN, "layer_rel_diff": [INF, -INF]}}}))
    assert main(["mistakes", "--json", "--no-figures", "--no-train"]) == 0
    entry = strict(capsys.readouterr().out)["mistakes"]["planted"]
    assert entry == {"cost_rel_err": None, "layer_rel_diff": [None, None]}


def test_mistakes_list_json(capsys):
    assert main(["mistakes", "--list", "--json"]) == 0
    assert len(strict(capsys.readouterr().out)["mistakes"]) > 10


def test_train_json(monkeypatch, capsys):
    import manual
    monkeypatch.setattr(manual, "accuracy", lambda *a: NAN)
    assert main(["train", "--maxiter", "3", "--json"]) == 0
    out = strict(capsys.readouterr().out)
    assert out["train_accuracy"] is None and out["test_accuracy"] is None


def test_report_json(monkeypatch, capsys):
    from crosscheck.cli import report
    monkeypatch.setattr(report, "run_matrix", lambda *a, **k: {
        "checks": [{"passed": True, "grad_rel_err": NAN}], "planted": [INF, -INF]})
    main(["report", "--json"])
    out = strict(capsys.readouterr().out)
    assert out["checks"][0]["grad_rel_err"] is None and out["planted"] == [None, None]


def test_pin_file_refuses_non_finite():
    """The pin file is no command's output but is JSON too: written strict, as it is read."""
    from reference import pinning
    with pytest.raises(ValueError):
        pinning.dumps({"x": NAN})
    assert pinning.dumps({"x": 1.0}).startswith("{")
