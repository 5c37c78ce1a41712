"""Bad input is refused before anything heavy loads: for every command, a bad path or file exits
2 with one line on stderr, and JAX and PyTorch were never imported (asserted from a fresh
subprocess's sys.modules). Timing and memory are the bench's (bench/bench_jobs.py), not here."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matfiles import small_weights, write_v5

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import sys
from crosscheck.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("jax", "jaxlib", "torch"))
sys.stdout.write(f"HEAVY {len(heavy)}\\n")
sys.exit(code)
"""


def files(tmp):
    (tmp / "garbage.mat").write_bytes(b"not a mat file at all\n" * 10)
    (tmp / "folder").mkdir()
    (tmp / "a_file").write_text("x")
    (tmp / "garbage.json").write_text("{not json")
    (tmp / "garbage.ipynb").write_text("{not json")
    write_v5(tmp / "small_weights.mat", **dict(zip(("Theta1", "Theta2"), small_weights())))
    return tmp


CASES = {
    "report missing data": ["report", "--data", "{t}/nosuch.mat"],
    "report garbage data": ["report", "--data", "{t}/garbage.mat"],
    "report weights folder": ["report", "--weights", "{t}/folder"],
    "report weights of the wrong shape": ["report", "--weights", "{t}/small_weights.mat"],
    "pin missing pin file": ["pin", "--check", "--file", "{t}/nosuch.json"],
    "pin garbage answers": ["pin", "--check", "--answers", "{t}/garbage.json"],
    "pin garbage weights": ["pin", "--check", "--weights", "{t}/garbage.mat"],
    "pin missing data": ["pin", "--check", "--data", "{t}/nosuch.mat"],
    "pin update into no folder": ["pin", "--update", "--answers", "{t}/nosuch/answers.json"],
    "train garbage data": ["train", "--data", "{t}/garbage.mat"],
    "train data folder": ["train", "--data", "{t}/folder"],
    "train out is a file": ["train", "--out", "{t}/a_file", "--maxiter", "1"],
    "mistakes out is a file": ["mistakes", "--out", "{t}/a_file", "--no-train"],
    "verify missing file": ["verify", "{t}/nosuch.py:nnCostFunction"],
    "verify a folder": ["verify", "{t}/folder:nnCostFunction"],
    "verify missing .m": ["verify", "{t}/nosuch.m"],
    "verify garbage notebook": ["verify", "{t}/garbage.ipynb:nnCostFunction"],
    "verify csv in no folder": ["verify", "{t}/nosuch.py:f", "--csv", "{t}/nosuch/x.csv"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_before_jax_and_torch_load(case, tmp_path):
    tmp = files(tmp_path)
    argv = [a.format(t=tmp) for a in CASES[case]]
    env = dict(os.environ, PYTHONPATH=str(ROOT), EX4_WEIGHTS="", EX4_DATA="")
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                         cwd=tmp, env=env, timeout=300)
    assert out.returncode == 2, (out.returncode, out.stderr[-2000:])
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.startswith(f"crosscheck {argv[0]}: error:"), out.stderr
    assert "HEAVY 0" in out.stdout, f"JAX or PyTorch was imported before refusing: {out.stdout}"


def test_the_probe_sees_jax_when_a_command_loads_it(tmp_path):
    """The check above can fail: a good file makes `pin --check --scenario` load JAX and PyTorch."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), EX4_WEIGHTS="", EX4_DATA="")
    out = subprocess.run([sys.executable, "-c", PROBE, "pin", "--check", "--scenario", "debug_3_5_3_ce_lambda1"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "HEAVY 0" not in out.stdout


CORRECT = str(ROOT / "tests" / "student_code" / "correct.py") + ":nnCostFunction"


@pytest.fixture
def without_autodiff(monkeypatch):
    """As if JAX and PyTorch were not installed (a plain `pip install backprop-crosscheck`)."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a, **k: None if name.split(".")[0] in ("jax", "torch") else real(name, *a, **k))


@pytest.mark.parametrize("argv, answers", [
    (["report"], None), (["pin", "--check"], None), (["mistakes", "--no-figures", "--no-train"], None),
    (["report", "--device", "gpu"], None), (["verify", CORRECT], "off")])
def test_a_command_that_needs_the_extra_says_how_to_get_it(without_autodiff, monkeypatch, capsys, argv, answers):
    from crosscheck.cli import main
    if answers:
        monkeypatch.setenv("CROSSCHECK_ANSWERS", answers)
    try:
        code = main(argv)
    except SystemExit as exc:                 # --device is checked while parsing
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "pip install 'backprop-crosscheck[autodiff]'" in err


def test_verify_needs_no_extra(without_autodiff, capsys):
    from crosscheck.cli import main
    assert main(["verify", CORRECT]) == 0
    assert "RIGHT" in capsys.readouterr().out
