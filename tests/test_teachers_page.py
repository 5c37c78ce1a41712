"""docs/teachers.md and its examples work as shown: every `crosscheck` command in its ```bash
blocks runs in a folder holding submissions/, the job-array script run as two array jobs and
merged gives one row per student, and the Gradescope run_autograder writes a valid results.json.
"""
import csv
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from class_files import write_class
from test_class_outputs import schema_errors

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "teachers.md"
EXAMPLES = ROOT / "docs" / "examples"
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.DOTALL | re.MULTILINE)
HANG_GUARD = 300
CROSSCHECK = f"{shlex.quote(sys.executable)} -m crosscheck"


def commands(text):
    return [line for block in BLOCK.findall(text) for line in block.splitlines() if line.startswith("crosscheck ")]


def env(**extra):
    return {**os.environ, "PYTHONPATH": str(ROOT), "CROSSCHECK": CROSSCHECK, **extra}


def run(command, cwd, **extra):
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env(**extra), capture_output=True, text=True,
                          timeout=HANG_GUARD)


def test_the_pages_commands_run(tmp_path):
    write_class(tmp_path / "submissions")
    (tmp_path / "results").mkdir()
    shown = commands(PAGE.read_text(encoding="utf-8"))
    assert len(shown) >= 5, "the page lost its commands (fence syntax?)"
    for command in shown:
        done = run(CROSSCHECK + command[len("crosscheck"):], tmp_path)
        assert done.returncode in (0, 1), (command, done.stderr)
        assert "Traceback" not in done.stderr
    merged = list(csv.DictReader((tmp_path / "results" / "merged.csv").open()))
    whole = list(csv.DictReader((tmp_path / "results" / "class.csv").open()))
    assert [r["target"] for r in merged] == [r["target"] for r in whole] and len(whole) == 4
    assert schema_errors(json.loads((tmp_path / "results" / "results.json").read_text())) == []
    assert (tmp_path / "results" / "feedback" / "submissions__alice.py-nnCostFunction.html").exists()


def test_the_job_array_script_checks_every_student_once(tmp_path):
    write_class(tmp_path / "submissions")
    for i in (1, 2):
        done = run(str(EXAMPLES / "class_array.sh"), tmp_path, SLURM_ARRAY_TASK_ID=str(i), SLURM_ARRAY_TASK_COUNT="2")
        assert done.returncode == 0, done.stderr
    shards = sorted((tmp_path / "results").glob("shard-*.jsonl"))
    assert len(shards) == 2
    done = run(f"{CROSSCHECK} verify --merge {' '.join(map(str, shards))} --json", tmp_path)
    report = json.loads(done.stdout)
    assert sorted(Path(r["target"].split(":")[0]).name for r in report["results"]) == \
        ["alice.py", "bob.py", "carol.py", "dave.py"]
    assert sum(report["summary"]["outcomes"].values()) == 4


def test_the_gradescope_autograder_writes_valid_results(tmp_path):
    write_class(tmp_path / "submission", names=("bob",))
    done = run(str(EXAMPLES / "run_autograder"), tmp_path, AUTOGRADER_ROOT=str(tmp_path))
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert schema_errors(results) == [] and results["score"] == 5 and "no_reg_in_gradient" in results["output"]
    (tmp_path / "submission" / "bob.py").unlink()
    done = run(str(EXAMPLES / "run_autograder"), tmp_path, AUTOGRADER_ROOT=str(tmp_path))
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert done.returncode == 0 and schema_errors(results) == [] and results["score"] == 0
