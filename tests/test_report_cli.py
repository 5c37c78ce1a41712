"""`crosscheck report`, in-process through crosscheck.cli.main: output, exit codes, bad input."""
import io
import json

import numpy as np
import pytest
import scipy.io

import crosscheck.cli.report as report
from crosscheck.cli import main
from crosscheck.cli.progress import Progress
from manual import load_default_digits

# One loss, one λ, every default weights kind, central differences on 5 rows: a few seconds.
FAST = ["--loss", "squared_error", "--lambda", "3", "--numerical-rows", "5"]
CHECK_KEYS = {"loss", "lambda", "weights", "backend", "cost", "grad_rel_err", "passed"}


def run_cli(capsys, *argv):
    try:
        code = main(["report", *argv])
    except SystemExit as exc:       # argparse usage errors leave through sys.exit(2)
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_every_check_and_exits_0(capsys):
    code, out, _ = run_cli(capsys, *FAST, "--json")
    result = json.loads(out)
    assert code == 0 and result["passed"] is True
    checks = result["checks"]
    assert all(CHECK_KEYS <= set(c) and c["passed"] is True for c in checks)
    assert {c["backend"] for c in checks} == {"jax", "torch", "loop", "numerical"}
    assert {c["weights"] for c in checks} == {"debug", "normal", "uniform", "trained"}
    assert {(c["loss"], c["lambda"]) for c in checks} == {("squared_error", 3.0)}
    assert len(checks) == 4 * 4 and result["skipped"] == []
    assert {c["m"] for c in checks if c["backend"] == "numerical"} == {5}
    assert {c["m"] for c in checks if c["backend"] != "numerical"} == {1797}


def test_table_names_rows_and_verdicts(capsys):
    code, out, _ = run_cli(capsys, *FAST, "--kinds", "debug")
    assert code == 0
    assert "cost manual" in out and "verdict" in out and "pass" in out
    assert "seeded subsample of 5 rows" in out and "all passed" in out


def test_planted_failure_exits_1_and_says_where(capsys, monkeypatch):
    """Test the test: the report's reference gradient 0.1 % off must fail every backend."""
    right = report.cost_and_gradient

    def planted(thetas, X, Y, lambda_, loss):
        J, grads = right(thetas, X, Y, lambda_, loss)
        return J, [1.001 * g for g in grads]

    monkeypatch.setattr(report, "cost_and_gradient", planted)
    code, out, _ = run_cli(capsys, *FAST, "--kinds", "debug", "--json")
    checks = json.loads(out)["checks"]
    assert code == 1
    assert {c["backend"] for c in checks if not c["passed"]} == {"jax", "torch", "loop", "numerical"}
    code, out, _ = run_cli(capsys, *FAST, "--kinds", "debug")
    assert code == 1 and "FAIL (jax, torch, loop, numerical)" in out and "worst at Θ^(" in out


def test_course_weights_with_course_shaped_data(capsys, ex4weights_path, tmp_path):
    """--data and --weights: a seeded stand-in for ex4data1.mat (absent) with 400 columns."""
    rng = np.random.default_rng(0)
    data = tmp_path / "ex4data1.mat"
    scipy.io.savemat(data, {"X": rng.uniform(0, 1, (30, 400)), "y": rng.integers(1, 11, (30, 1)).astype(float)})
    code, out, _ = run_cli(capsys, "--data", str(data), "--weights", str(ex4weights_path), "--kinds", "course",
                           "--loss", "cross_entropy", "--lambda", "1", "--numerical-rows", "3", "--json")
    result = json.loads(out)
    assert code == 0 and result["layer_sizes"] == [400, 25, 10]
    assert {c["weights"] for c in result["checks"]} == {"course"} and len(result["checks"]) == 4


def test_device_gpu_without_gpu_is_one_line_exit_2(capsys):
    import torch
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: --device gpu is valid here")
    code, out, err = run_cli(capsys, "--device", "gpu")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "gpu" in err.lower() and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--lambda", "-1"], ["--lambda", "nan"], ["--loss", "hinge"],
                                  ["--numerical-rows", "0"], ["--kinds", "course"]])
def test_bad_input_is_one_line_exit_2(capsys, argv):
    try:
        code = main(["report", *argv])
    except SystemExit as exc:       # argparse usage errors leave through sys.exit(2)
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err


def test_no_arguments_is_report(monkeypatch):
    seen = []
    monkeypatch.setattr(report, "run", lambda args: seen.append(vars(args)) or 0)
    assert main([]) == 0 and main(["report"]) == 0 and main(["--json"]) == 0
    assert seen[0] == seen[1] and seen[0]["command"] == "report"
    assert seen[2] == {**seen[0], "json": True}


def test_progress_counts_every_step():
    X, y = load_default_digits()
    stream = io.StringIO()
    progress = Progress(4 * 2, "report", stream=stream, enabled=True)   # 4 checks per scenario, as the result counts
    report.run_matrix(X[:40], y[:40], ["debug"], ["cross_entropy"], [0.0, 1.0],
                      numerical_rows=3, progress=progress)
    assert progress.done == progress.total and "8/8" in stream.getvalue() and "9/" not in stream.getvalue()
