"""Wall time of whole commands against the imports they cannot avoid, as ratios in one run.

    python bench/bench_jobs.py                  # main job, verify, pin --check, train; 5 rounds
    python bench/bench_jobs.py --busy 1         # the same with one competing process spinning
    python bench/bench_jobs.py --jobs main --rounds 9
    python bench/bench_jobs.py --before /tmp/old   # also time another checkout's crosscheck
                                                   # (e.g. git archive OLD | tar -x -C /tmp/old)

Each job is run as a subprocess, each round runs every job and its baseline once, interleaved,
so a busy machine slows them alike; the ratio is taken per round (job ÷ its baseline in the
same round) and the median over rounds is printed, with the medians and minima of both.
Baselines: ``python -c "import jax, torch"`` for the commands that run both frameworks
(the main job ``crosscheck``, ``crosscheck pin --check``), ``python -c "import jax, numpy,
scipy"`` for ``crosscheck verify`` (JAX only), ``python -c "import numpy, scipy"`` for
``crosscheck train``.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CROSSCHECK = str(BIN / "crosscheck") if (BIN / "crosscheck").exists() else None


def _command(*args):
    return [CROSSCHECK, *args] if CROSSCHECK else [sys.executable, "-m", "crosscheck", *args]


def _imports(modules):
    return [sys.executable, "-c", f"import {modules}"]


JOBS = {
    "main": (_command(), _imports("jax, torch")),
    "verify": (_command("verify", "tests/student_code/correct.py:nnCostFunction"), _imports("jax, numpy, scipy")),
    "pin": (_command("pin", "--check"), _imports("jax, torch")),
    "train": (_command("train"), _imports("numpy, scipy")),
}


def wall(command, source=None):
    """(wall seconds, exit code, CPU seconds) of one run, output discarded; ``source``: import crosscheck from there."""
    env = dict(os.environ, PYTHONPATH=str(source)) if source else None
    if source and command[0] == CROSSCHECK:
        command = [sys.executable, "-m", "crosscheck", *command[1:]]
    start, cpu = time.perf_counter(), _children_cpu()
    rc = subprocess.run(command, cwd=source or ROOT, env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - start, rc, _children_cpu() - cpu


def _children_cpu():
    """User + system CPU seconds of this process's finished children (less sensitive to load)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def busy_processes(n):
    """n processes that spin a core each (pure Python: no threads of their own)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def measure(jobs, rounds, before=None):
    """{job: (job seconds [...], baseline seconds [...], exit codes {...}, job CPU seconds [...])},
    interleaved rounds;
    with ``before`` also "job (before)": the same command on the checkout at that path."""
    runs = [(job, None) for job in jobs] + [(f"{job} (before)", before) for job in jobs if before]
    out = {name: ([], [], set(), []) for name, _ in runs}
    for _ in range(rounds):
        for name, source in runs:
            command, baseline = JOBS[name.split()[0]]
            seconds, rc, cpu = wall(command, source)
            out[name][0].append(seconds)
            out[name][2].add(rc)
            out[name][3].append(cpu)
            out[name][1].append(wall(baseline)[0])
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", nargs="+", choices=sorted(JOBS), default=list(JOBS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--busy", type=int, default=0, help="competing processes spinning a core each")
    parser.add_argument("--before", metavar="DIR", help="also time the crosscheck package found in DIR")
    args = parser.parse_args(argv)
    spinners = busy_processes(args.busy)
    try:
        print(f"bench_jobs: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
              f"{args.busy} competing busy process(es), {args.rounds} rounds")
        results = measure(args.jobs, args.rounds, args.before)
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    print(f"  {'job':17s} {'median s':>9s} {'min s':>7s} {'CPU s':>6s} {'baseline median':>16s} {'min':>6s} "
          f"{'ratio median':>13s} {'exit':>5s}  baseline")
    for job, (times, base, codes, cpu) in results.items():
        ratios = [t / b for t, b in zip(times, base)]
        print(f"  {job:17s} {statistics.median(times):9.2f} {min(times):7.2f} {statistics.median(cpu):6.2f} "
              f"{statistics.median(base):16.2f} {min(base):6.2f} {statistics.median(ratios):13.2f} "
              f"{','.join(map(str, sorted(codes))):>5s}  "
              f"{JOBS[job.split()[0]][1][-1]}")
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
