"""What does the sandbox cost a class run? (issue 24: a class of 20 within 1.1× its time without)

    python bench/bench_sandbox.py               # 20 right submissions, -j 2, 3 rounds
    python bench/bench_sandbox.py --class-size 5 --rounds 1     # a smoke run

A script, not a test: it prints wall times measured in this one run and their ratio. Each round
times `crosscheck verify CLASS/*.py:nnCostFunction` once with no sandbox (``--unsafe-no-sandbox``)
and once under each mechanism ($CROSSCHECK_SANDBOX: bubblewrap, with its fork server; Landlock),
alternating, so that a busy machine slows them alike; the table shows each one's median and
minimum over rounds, and its ratio to none.
"""
import argparse
import json
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


def one_run(folder, jobs, mechanism):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CROSSCHECK_SANDBOX": mechanism}
    extra = ["--unsafe-no-sandbox"] if mechanism == "none" else []
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "crosscheck", "verify", f"{folder}/*.py:nnCostFunction",
                           "-j", str(jobs), "--json", *extra], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or json.loads(done.stdout).get("isolation") != mechanism:
        raise SystemExit(f"the class run under {mechanism} failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mechanisms", nargs="+", default=["bubblewrap", "landlock"],
                        help="the sandboxes to time against none (each must work here)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crosscheck-bench-class-"))
    mechanisms = ["none", *args.mechanisms]
    try:
        for k in range(args.class_size):
            (folder / f"learner{k:02d}.py").write_text(RIGHT)
        times = {m: [] for m in mechanisms}
        for _ in range(args.rounds):
            for mechanism in mechanisms:
                times[mechanism].append(one_run(folder, args.jobs, mechanism))
    finally:
        shutil.rmtree(folder)
    print(f"a class of {args.class_size}, -j {args.jobs}, {args.rounds} rounds (wall seconds; ratio to none)")
    for m in mechanisms:
        print(f"  {m:<11} median {statistics.median(times[m]):6.2f}  min {min(times[m]):6.2f}   ratio median "
              f"{statistics.median(times[m]) / statistics.median(times['none']):6.3f}  min {min(times[m]) / min(times['none']):6.3f}")


if __name__ == "__main__":
    main()
