"""docs/teachers.md's examples work as shown (the page's own commands run in test_doc_pages): the
job-array script run as two array jobs and merged gives one row per student, and the Gradescope
run_autograder writes a valid results.json, also for a submission without a file to check.
"""
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from class_files import write_class
from crosscheck.learner.problems import PROBLEMS
from test_class_outputs import schema_errors

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
HANG_GUARD = 300
CROSSCHECK = f"{shlex.quote(sys.executable)} -m crosscheck"


def env(**extra):
    return {**os.environ, "PYTHONPATH": str(ROOT), "CROSSCHECK": CROSSCHECK, **extra}


def run(command, cwd, **extra):
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env(**extra), capture_output=True, text=True,
                          timeout=HANG_GUARD)


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
    lambda_0 = sum(p.lambda_ == 0 for p in PROBLEMS)        # no_reg_in_gradient is right where λ = 0
    assert schema_errors(results) == [] and results["score"] == lambda_0 and "no_reg_in_gradient" in results["output"]
    (tmp_path / "submission" / "bob.py").unlink()
    done = run(str(EXAMPLES / "run_autograder"), tmp_path, AUTOGRADER_ROOT=str(tmp_path))
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert done.returncode == 0 and schema_errors(results) == [] and results["score"] == 0
