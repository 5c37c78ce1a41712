"""Where one verify target's time goes, as CPU milliseconds (user + system), medians of N runs:
interpreter start, numpy, scipy.special (which learners import for expit), bubblewrap's start,
one target through the real runner (worker: start, load, the calls; parent: driving, judging;
run without the sandbox, whose process tree hides the worker's CPU from os.wait4: bwrap's own
start is its row), and a prototype (not used by crosscheck) of the same target forked from a
server that has numpy and scipy.special imported. CPU, not wall time: a class on 2 cores is
bound by CPU per target; wall ms are shown beside the starts.

    python bench/bench_target_cost.py            # 7 runs each
    python bench/bench_target_cost.py --runs 15
"""
import argparse
import importlib.util
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
    """CPU ms of the same target forked from this process (numpy and scipy.special imported):
    limits set after the fork, the module loaded, every problem called twice, exit."""
    import scipy.special  # noqa: F401  (preloaded, as a fork server would)
    from crosscheck.learner.problems import PROBLEMS, problem_data
    from manual.layout import unroll
    calls = [(unroll(list(problem_data(p)[0]), "F"), *p.sizes, problem_data(p)[1], problem_data(p)[2], p.lambda_)
             for p in PROBLEMS]
    before = cpu_ms(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        pid = os.fork()
        if pid == 0:                                     # the child: never returns
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
            os.setsid()
            spec = importlib.util.spec_from_file_location("learner", TARGET)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for args in calls:
                module.nnCostFunction(*args)
                module.nnCostFunction(*args)
            os._exit(0)
        os.waitpid(pid, 0)
    return (cpu_ms(resource.RUSAGE_CHILDREN) - before) / runs


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
    fork = forked(args.runs)
    print(f"  {'prototype: forked worker (load, calls)':42s} {fork:7.0f}")
    print(f"  bound on 2 cores: {2000 / (worker + parent):.1f} targets/s now, "
          f"{2000 / (fork + parent):.1f} targets/s forked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
