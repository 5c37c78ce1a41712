"""`crosscheck mistakes`: the gallery's claims, its JSON, its figures, and that the checks can fail.

The gallery runs once per module at a small TNC budget (100 evaluations, seed 0), and every
accuracy claim below is asserted at exactly those settings.
"""
import contextlib
import copy
import io
import json

import numpy as np
import pytest

from crosscheck.cli import main
from manual.catalogue import MISTAKE_IDS

MAXITER = 100
ENTRY_KEYS = {"id", "loss", "summary", "matches_autodiff", "cost", "correct_cost", "cost_rel_err",
              "grad_rel_diff", "layer_rel_diff", "layer_error_share", "bias_error_share", "cosine",
              "gradient_finite", "worst", "train"}
TRAIN_KEYS = {"train_accuracy", "heldout_accuracy", "evaluations", "nonfinite_evaluations", "stop",
              "weights_finite"}
CLEAR_MARGIN = 0.10          # "clearly": ten percentage points


def run_json(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["mistakes", "--json", *argv])
    return code, json.loads(out.getvalue())


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    out = tmp_path_factory.mktemp("mistakes")
    code, report = run_json(["--out", str(out), "--maxiter", str(MAXITER), "--seed", "0"])
    assert code == 0
    return report, out


def claim_failures(report):
    """Every claim the gallery makes about the notebook, as a list of broken ones (empty: all hold)."""
    failures = []
    ce = report["baselines"]["cross_entropy"]
    dh = report["mistakes"]["output_delta_dJ_dh"]
    sq = report["mistakes"]["squared_missing_sigmoid_prime"]
    for loss, entry in report["baselines"].items():
        if not entry["matches_autodiff"]:
            failures.append(f"correct {loss} does not match autodiff")
    for mistake_id, entry in report["mistakes"].items():
        if entry["matches_autodiff"]:
            failures.append(f"{mistake_id} matches autodiff")
    for split in ("train_accuracy", "heldout_accuracy") if ce["train"] else ():   # not with --no-train
        if not ce["train"][split] >= dh["train"][split] + CLEAR_MARGIN:
            failures.append(f"correct {split} {ce['train'][split]} does not clearly beat "
                            f"output_delta_dJ_dh's {dh['train'][split]}")
        if not sq["train"][split] >= dh["train"][split] + CLEAR_MARGIN:
            failures.append(f"'squared' (δ = h − y) {split} does not clearly beat output_delta_dJ_dh")
    if not report["puzzles"]["squared_loss_works_better"]["is_cross_entropy_gradient"]:
        failures.append("δ = h − y under squared error is not the cross-entropy gradient")
    return failures


def test_the_notebooks_puzzles_are_reproduced(gallery):
    report, _ = gallery
    assert claim_failures(report) == []


def test_correct_beats_output_delta_dJ_dh_clearly(gallery):
    report, _ = gallery
    ce, dh = report["baselines"]["cross_entropy"]["train"], report["mistakes"]["output_delta_dJ_dh"]["train"]
    assert ce["heldout_accuracy"] >= dh["heldout_accuracy"] + CLEAR_MARGIN
    assert ce["train_accuracy"] >= dh["train_accuracy"] + CLEAR_MARGIN


def test_claims_fail_when_the_baseline_is_the_mistake(gallery):
    """Test the test: with output_delta_dJ_dh's numbers in the correct row, the claims break."""
    planted = copy.deepcopy(gallery[0])
    planted["baselines"]["cross_entropy"] = copy.deepcopy(planted["mistakes"]["output_delta_dJ_dh"])
    failures = claim_failures(planted)
    assert any("does not match autodiff" in f for f in failures)
    assert any("does not clearly beat" in f for f in failures)


def test_json_has_the_documented_keys(gallery):
    report, _ = gallery
    assert {"command", "settings", "baselines", "mistakes", "puzzles", "figures"} <= set(report)
    assert set(report["mistakes"]) == set(MISTAKE_IDS)
    assert set(report["baselines"]) == {"cross_entropy", "squared_error"}
    assert report["settings"]["maxfun"] == MAXITER
    for entry in [*report["baselines"].values(), *report["mistakes"].values()]:
        assert set(entry) == ENTRY_KEYS
        assert set(entry["train"]) == TRAIN_KEYS
        assert entry["train"]["evaluations"] >= 1


def test_one_png_per_mistake(gallery):
    report, out = gallery
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(f"{m}.png" for m in MISTAKE_IDS)
    for path in report["figures"].values():
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("mistake_id, layers, bias_only", [
    ("regularize_bias", (0, 1), True),                 # only the bias columns move
    ("sigmoid_prime_of_activation", (0,), False),      # the hidden delta: Θ^(1) only
    ("no_reg_in_gradient", (0, 1), False),
])
def test_where_the_mistake_lands(gallery, mistake_id, layers, bias_only):
    entry = gallery[0]["mistakes"][mistake_id]
    shares = entry["layer_error_share"]
    assert sum(shares[l] for l in layers) == pytest.approx(1.0, abs=1e-12)
    if bias_only:
        assert entry["bias_error_share"] == pytest.approx(1.0, abs=1e-12)
    else:
        assert entry["bias_error_share"] < 0.5


def test_text_report_explains_both_puzzles(capsys, tmp_path):
    assert main(["mistakes", "--no-train", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "Puzzle 1" in text and "Puzzle 2" in text
    for mistake_id in MISTAKE_IDS:
        assert mistake_id in text


def test_planted_correct_implementation_is_shown_as_wrong(monkeypatch, tmp_path):
    """Test the test: if the 'correct' row were a mistake, the comparison would say so."""
    from crosscheck.teaching import gallery
    from manual.catalogue import with_mistake
    real = gallery.variant_function
    monkeypatch.setattr(gallery, "variant_function",
                        lambda v, loss: with_mistake("sigmoid_prime_of_activation", loss)
                        if v == gallery.CORRECT else real(v, loss))
    code, report = run_json(["--no-train", "--no-figures"])
    assert code == 0
    assert not report["baselines"]["cross_entropy"]["matches_autodiff"]
    assert "correct cross_entropy does not match autodiff" in claim_failures(report)


@pytest.mark.parametrize("argv", [["--maxiter", "0"], ["--seed", "-1"], ["--lambda", "nan"],
                                  ["--backend", "theano"]])
def test_bad_input_is_one_line_and_exit_2(capsys, argv):
    try:
        code = main(["mistakes", *argv])
    except SystemExit as exc:                      # argparse's usage errors exit from inside
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err


def test_out_that_is_a_file_is_bad_input(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["mistakes", "--out", str(blocker)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_saturated_outputs_are_reported_not_hidden(tmp_path):
    """output_delta_dJ_dh divides by h(1 − h): with saturated units that is inf/NaN. It must be
    counted, kept out of the JSON as null, drawn black, and raise no warning (pytest makes
    RuntimeWarning an error)."""
    from crosscheck.backends import jax_cost
    from crosscheck.teaching.heatmap import gradient_error_figure
    from crosscheck.teaching.gallery import GallerySettings, Problem, variant_entry
    from manual import normal_init, unroll

    rng = np.random.default_rng(0)
    sizes = (4, 3, 2)
    X = rng.normal(size=(12, 4))
    y = rng.integers(1, 3, size=12)
    params0 = 60.0 * unroll(normal_init(sizes, 0))          # z of hundreds: h rounds to 0 or 1
    problem = Problem(X, y, X, y, sizes, params0)
    entry, (mine, ref) = variant_entry("output_delta_dJ_dh", "cross_entropy", problem,
                                       GallerySettings(maxfun=20), jax_cost.value_and_grad, "jax")
    assert not entry["gradient_finite"] and entry["grad_rel_diff"] is None
    assert entry["train"]["nonfinite_evaluations"] >= 1
    json.dumps(entry, allow_nan=False)
    gradient_error_figure(mine, ref, "saturated", "test", tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 0


def test_explanation_reports_inf_nan_gradients(gallery):
    """When output_delta_dJ_dh's gradient went inf/NaN during training, the paragraph says how often."""
    from crosscheck.cli.mistakes import explain
    report = copy.deepcopy(gallery[0])
    report["mistakes"]["output_delta_dJ_dh"]["train"]["nonfinite_evaluations"] = 3
    assert "3 of those gradients were inf/NaN" in " ".join(explain(report))
    report["mistakes"]["output_delta_dJ_dh"]["train"]["nonfinite_evaluations"] = 0
    assert "inf/NaN" not in " ".join(explain(report)).split("Puzzle 2")[1].split("Cost differs")[0]
