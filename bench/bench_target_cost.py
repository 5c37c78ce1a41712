"""Where one verify target's time goes, as CPU milliseconds (user + system), medians of N runs:
interpreter start, numpy, scipy.special (which learners import for expit), bubblewrap's start,
one target through the real runner (worker: start, load, the calls; parent: driving, judging;
run without the sandbox, whose process tree hides the worker's CPU from os.wait4: bwrap's own
start is its row), and the same target forked from crosscheck's fork server (numpy and
scipy.special imported there), in its sandbox, as a class run does. CPU, not wall time: a class on 2 cores is
bound by CPU per target; wall ms are shown beside the starts.

    python bench/bench_target_cost.py            # 7 runs each
    python bench/bench_target_cost.py --runs 15
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tests" / "student_code" / "correct.py"
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
BWRAP = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--die-with-parent"]
STARTS = {
    "python -S -c pass": [sys.executable, "-S", "-c", "pass"],
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "python -c 'import numpy, scipy'": [sys.executable, "-c", "import numpy, scipy"],
    "python -c 'import numpy, scipy.special'": [sys.executable, "-c", "import numpy, scipy.special"],
    "bwrap (all namespaces) true": [*BWRAP, "true"],
}


def child_ms(command):
    """(CPU ms, wall ms) of one child process, its own usage (os.wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **ONE_THREAD})
    _, _, usage = os.wait4(proc.pid, 0)
    return 1000 * (usage.ru_utime + usage.ru_stime), 1000 * (time.perf_counter() - start)


def cpu_ms(who):
    usage = resource.getrusage(who)
    return 1000 * (usage.ru_utime + usage.ru_stime)


def through_the_runner(runs):
    """(worker CPU ms, parent CPU ms) of one target run and judged as `crosscheck verify` does."""
    from crosscheck.learner.run.target import run_target
    from crosscheck.learner.show.verdict import judge
    from manual.threads import command_threads
    spec = f"{TARGET}:nnCostFunction"
    worker, parent = [], []
    with command_threads():
        judge(run_target(spec), "cross_entropy")           # the parent's imports and caches, warm
        for _ in range(runs):
            w0, p0 = cpu_ms(resource.RUSAGE_CHILDREN), cpu_ms(resource.RUSAGE_SELF)
            judge(run_target(spec), "cross_entropy")
            worker.append(cpu_ms(resource.RUSAGE_CHILDREN) - w0)
            parent.append(cpu_ms(resource.RUSAGE_SELF) - p0)
    return statistics.median(worker), statistics.median(parent)


def forked(runs):
    """(wall ms, parent CPU ms) of the same target forked by crosscheck's fork server, in its
    sandbox (each target's own namespaces, its files copied in), run and judged; the server
    started (and numpy, scipy.special imported there) before the first run. The forked worker's
    CPU is not this process's child usage (the server reaps it), so wall time is shown: one
    target at a time, it is the worker's time plus the parent's."""
    from crosscheck.learner.run import forkserver, sandbox
    from crosscheck.learner.run.target import run_target
    from crosscheck.learner.show.verdict import judge
    from manual.threads import command_threads
    os.environ["CROSSCHECK_SANDBOX"] = "bubblewrap"
    sandbox._works.cache_clear()
    if sandbox.isolation() != sandbox.BUBBLEWRAP:
        return None, None
    spec = f"{TARGET}:nnCostFunction"
    wall, parent = [], []
    with command_threads():
        judge(run_target(spec), "cross_entropy")            # the server started, caches warm
        for _ in range(runs):
            p0, start = cpu_ms(resource.RUSAGE_SELF), time.perf_counter()
            judge(run_target(spec), "cross_entropy")
            wall.append(1000 * (time.perf_counter() - start))
            parent.append(cpu_ms(resource.RUSAGE_SELF) - p0)
    forkserver.disable("the bench is done")
    return statistics.median(wall), statistics.median(parent)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    saved = dict(os.environ)
    try:
        return _measure(args)
    finally:                                           # as it was (a test calls main in-process)
        os.environ.clear()
        os.environ.update(saved)


def _measure(args):
    os.environ.update(ONE_THREAD)
    os.environ["CROSSCHECK_SANDBOX"] = "none"           # no sandbox for the runner rows (see above)
    print(f"bench_target_cost: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"{args.runs} runs, CPU ms (median)")
    for name, command in STARTS.items():
        if command[0] == "bwrap" and not shutil.which("bwrap"):
            print(f"  {name:42s}  (bwrap not installed)")
            continue
        runs = [child_ms(command) for _ in range(args.runs)]
        print(f"  {name:42s} {statistics.median(c for c, _ in runs):7.0f}   wall {statistics.median(w for _, w in runs):5.0f}")
    worker, parent = through_the_runner(args.runs)
    print(f"  {'one target: worker (start, load, calls)':42s} {worker:7.0f}")
    print(f"  {'one target: parent (drive, judge)':42s} {parent:7.0f}")
    print(f"  bound on 2 cores, a worker of its own per target: {2000 / (worker + parent):.1f} targets/s")
    wall, fork_parent = forked(args.runs)
    if wall is None:
        print("  forked from the fork server: (no bubblewrap sandbox here)")
        return 0
    print(f"  {'one target forked (wall: fork, sandbox, load, calls, judge)':42s} {wall:7.0f}   parent CPU {fork_parent:5.0f}")
    print(f"  one at a time, forked: {1000 / wall:.1f} targets/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
