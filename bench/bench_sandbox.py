"""What does the sandbox cost a class run? (issue 24: a class of 20 within 1.1× its time without)

    python bench/bench_sandbox.py               # 20 right submissions, -j 2, 3 rounds
    python bench/bench_sandbox.py --class-size 5 --rounds 1     # a smoke run

A script, not a test: it prints wall times measured in this one run and their ratio. Each round
times `crosscheck verify CLASS/*.py:nnCostFunction` once in bubblewrap's sandbox and once with
none (``--unsafe-no-sandbox``, bubblewrap made unfindable), alternating, so that a busy machine
slows both alike; the table shows each one's median and minimum over rounds.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RIGHT = (ROOT / "tests" / "learner_files" / "course_cost.py").read_text() + "\nnnCostFunction = nn_cost_function\n"


def one_run(folder, jobs, sandboxed):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    extra = []
    if not sandboxed:
        env["CROSSCHECK_SANDBOX"], extra = "none", ["--unsafe-no-sandbox"]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "crosscheck", "verify", f"{folder}/*.py:nnCostFunction",
                           "-j", str(jobs), *extra], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the class run failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crosscheck-bench-class-"))
    try:
        for k in range(args.class_size):
            (folder / f"learner{k:02d}.py").write_text(RIGHT)
        times = {True: [], False: []}
        for _ in range(args.rounds):
            for sandboxed in (True, False):
                times[sandboxed].append(one_run(folder, args.jobs, sandboxed))
    finally:
        shutil.rmtree(folder)
    print(f"a class of {args.class_size}, -j {args.jobs}, {args.rounds} rounds (wall seconds)")
    for sandboxed, label in ((False, "no sandbox"), (True, "bubblewrap")):
        print(f"  {label:<11} median {statistics.median(times[sandboxed]):6.2f}  min {min(times[sandboxed]):6.2f}")
    print(f"  ratio      median {statistics.median(times[True]) / statistics.median(times[False]):6.3f}  "
          f"min {min(times[True]) / min(times[False]):6.3f}")


if __name__ == "__main__":
    main()
