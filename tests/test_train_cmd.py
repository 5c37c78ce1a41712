"""Training for real: the accuracy target, `crosscheck train`, its figures and its bad input."""
import json

import pytest
from threadpoolctl import threadpool_limits

from crosscheck.cli import main
from crosscheck.cli.train import DEFAULTS
from manual import (accuracy, cost_and_gradient, load_default_digits, train, train_test_split,
                    uniform_init)

TARGET = 0.97          # the held-out accuracy on the embedded digits, cross-entropy, λ = 1


def run_json(capsys, *argv):
    code = main(["train", "--json", *argv])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_cli_defaults_reach_the_accuracy_target(capsys):
    report = run_json(capsys)
    assert report["test_accuracy"] >= TARGET
    assert report["train_accuracy"] >= report["test_accuracy"] - 0.02
    assert report["iterations"] == DEFAULTS["maxiter"] and report["seconds"] > 0
    assert report["loss"] == "cross_entropy" and report["lambda"] == 1.0


def test_the_same_defaults_through_the_library():
    """Same seed, same split, same start: the library alone reaches the target too."""
    X, y = load_default_digits()
    Xtr, ytr, Xte, yte = train_test_split(X, y, DEFAULTS["test_fraction"], DEFAULTS["seed"])
    thetas0 = uniform_init((64, DEFAULTS["hidden"], 10), DEFAULTS["seed"], DEFAULTS["epsilon"])
    with threadpool_limits(DEFAULTS["threads"]):
        thetas, result = train(thetas0, Xtr, ytr, 1.0, "cross_entropy", DEFAULTS["method"], DEFAULTS["maxiter"])
    assert accuracy(thetas, Xte, yte) >= TARGET


def test_target_check_fails_for_an_untrained_network():
    """Test the test: the starting weights are far below the target on the same split."""
    X, y = load_default_digits()
    _, _, Xte, yte = train_test_split(X, y, DEFAULTS["test_fraction"], DEFAULTS["seed"])
    assert accuracy(uniform_init((64, 25, 10), 0, 0.12), Xte, yte) < 0.5


def test_a_planted_mistake_trains_worse():
    """Training through a gradient with a planted mistake (no 1/m) misses the target."""
    X, y = load_default_digits()
    Xtr, ytr, Xte, yte = train_test_split(X, y, 0.2, 0)

    def no_divide_by_m(thetas, X, Y, lambda_, loss):
        J, grads = cost_and_gradient(thetas, X, Y, lambda_, loss)
        return J, [g * X.shape[0] for g in grads]
    thetas, _ = train(uniform_init((64, 25, 10), 0, 0.12), Xtr, ytr, 1.0, "cross_entropy", "L-BFGS-B",
                      20, cost_and_gradient_fn=no_divide_by_m)
    assert accuracy(thetas, Xte, yte) < TARGET


@pytest.mark.parametrize("method", ["TNC", "CG"])
def test_other_methods_and_squared_error_train(capsys, method):
    report = run_json(capsys, "--method", method, "--loss", "squared_error", "--maxiter", "15")
    assert report["method"] == method and report["test_accuracy"] > 0.5


def test_float32_trains_like_float64(capsys):
    single = run_json(capsys, "--dtype", "float32", "--maxiter", "30")
    double = run_json(capsys, "--maxiter", "30")
    assert abs(single["test_accuracy"] - double["test_accuracy"]) <= 0.02


def test_text_output_and_figures(capsys, tmp_path):
    assert main(["train", "--maxiter", "8", "--out", str(tmp_path / "figs")]) == 0
    out = capsys.readouterr().out
    assert "held-out accuracy" in out and "training accuracy" in out
    for name in ("hidden_units.png", "cost_curves.png", "predictions.png"):
        data = (tmp_path / "figs" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_matplotlib_is_not_imported_without_out():
    import subprocess
    import sys
    code = ("import sys; from crosscheck.cli import main; main(['train', '--maxiter', '2', '--json']); "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("argv, message", [
    (["--maxiter", "0"], "≥ 1"),
    (["--test-fraction", "1.5"], "between 0 and 1"),
    (["--lambda", "-1"], "--lambda"),
    (["--epsilon", "nan"], "ε"),
    (["--method", "newton"], "invalid choice"),
    (["--data", "/nonexistent/ex4data1.mat"], "not found"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    assert main(["train", *argv]) == 2 if argv[0] == "--data" else _exits_2(argv)
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _exits_2(argv):
    with pytest.raises(SystemExit) as exc:
        main(["train", *argv])
    return exc.value.code == 2


@pytest.mark.parametrize("argv, words", [
    (["--test-fraction", "1.5"], "held-out fraction must lie strictly between 0 and 1"),
    (["--epsilon", "x"], "ε must be a number"),
    (["--maxiter", "0"], "whole number ≥ 1"),
])
def test_bad_training_options_are_one_line_exit_2(capsys, argv, words):
    from crosscheck.cli import main
    with pytest.raises(SystemExit) as exc:
        main(["train", *argv])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and words in err


def test_the_optimiser_runs_on_single_threaded_blas():
    """Training through CostGradient keeps the optimiser's own BLAS steps on one thread (their
    spinning threads would take a core from CostGradient); a caller's function keeps BLAS's."""
    from pathlib import Path

    from threadpoolctl import threadpool_info

    def numpys_blas_threads():
        return [lib["num_threads"] for lib in threadpool_info()
                if lib["user_api"] == "blas" and Path(lib["filepath"]).parent.name == "numpy.libs"]
    if not numpys_blas_threads():
        pytest.skip("numpy's BLAS is not a bundled numpy.libs library here")
    X, y = load_default_digits()
    thetas0 = uniform_init((64, 25, 10), 0, 0.12)
    for fn, expected in [(None, 1), (cost_and_gradient, 2)]:
        seen = []
        with threadpool_limits(2):
            train(thetas0, X[:200], y[:200], 1.0, "cross_entropy", "L-BFGS-B", 3,
                  callback=lambda J: seen.extend(numpys_blas_threads()), cost_and_gradient_fn=fn)
        assert seen and set(seen) == {expected}
