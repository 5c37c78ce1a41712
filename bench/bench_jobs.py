"""Wall time of whole commands against the imports they cannot avoid, as ratios in one run.

    python bench/bench_jobs.py                  # main job, verify, pin --check, train; 5 rounds
    python bench/bench_jobs.py --speed          # issue #22's figures: verify, refused files, a class
    python bench/bench_jobs.py --busy 1         # the same with one competing process spinning
    python bench/bench_jobs.py --jobs main --rounds 9
    python bench/bench_jobs.py --before /tmp/old   # also time another checkout's crosscheck
                                                   # (e.g. git archive OLD | tar -x -C /tmp/old)

Each job is run as a subprocess, each round runs every job and its baseline once, interleaved,
so a busy machine slows them alike; the ratio is taken per round (job ÷ its baseline in the
same round) and the median over rounds is printed, with the medians and minima of both.
Baselines: ``python -c "import jax, torch"`` for the commands that run both frameworks
(the main job ``crosscheck``, ``crosscheck pin --check``), ``python -c "import numpy, scipy"``
for ``crosscheck verify`` (its reference answers are stored: no JAX), ``crosscheck train``
and every refused file ("refuse-*": a missing or broken file for each command, which must be
refused before JAX or PyTorch load). "peak MB" is each command's own maximum resident set.

``--speed`` also times a class (``--class-size`` targets, right, wrong and crashing, in a
temporary folder) with ``-j 1`` and ``-j 2``, once each, as targets per second.
"""
import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CROSSCHECK = str(BIN / "crosscheck") if (BIN / "crosscheck").exists() else None


def _command(*args):
    return [CROSSCHECK, *args] if CROSSCHECK else [sys.executable, "-m", "crosscheck", *args]


def _imports(modules):
    return [sys.executable, "-c", f"import {modules}"]


BAD = Path(tempfile.gettempdir()) / "crosscheck-bench-bad-input"     # the refused files, made by bad_files()
NUMPY_SCIPY = _imports("numpy, scipy")
JOBS = {
    "main": (_command(), _imports("jax, torch")),
    "verify": (_command("verify", "tests/student_code/correct.py:nnCostFunction"), NUMPY_SCIPY),
    "pin": (_command("pin", "--check"), _imports("jax, torch")),
    "train": (_command("train"), NUMPY_SCIPY),
    "refuse-report": (_command("report", "--weights", str(BAD / "garbage.mat")), NUMPY_SCIPY),
    "refuse-pin": (_command("pin", "--check", "--weights", str(BAD / "garbage.mat")), NUMPY_SCIPY),
    "refuse-train": (_command("train", "--data", str(BAD / "missing.mat")), NUMPY_SCIPY),
    "refuse-mistakes": (_command("mistakes", "--out", str(BAD / "garbage.mat")), NUMPY_SCIPY),
    "refuse-verify": (_command("verify", str(BAD / "missing.py") + ":nnCostFunction"), NUMPY_SCIPY),
}
DEFAULT_JOBS = ["main", "verify", "pin", "train"]
SPEED_JOBS = ["verify", *(job for job in JOBS if job.startswith("refuse-"))]


def bad_files():
    BAD.mkdir(exist_ok=True)
    (BAD / "garbage.mat").write_bytes(b"MATLAB 5.0 MAT-file, but then nothing sensible\n" * 4)


def wall(command, source=None):
    """(wall seconds, exit code, CPU seconds, peak MB) of one run, output discarded; ``source``:
    import crosscheck from there. CPU and peak memory are the child's own (os.wait4)."""
    env = dict(os.environ, PYTHONPATH=str(source)) if source else None
    if source and command[0] == CROSSCHECK:
        command = [sys.executable, "-m", "crosscheck", *command[1:]]
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=source or ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def compiled(*checkouts):
    """Write the bytecode of crosscheck's packages, as an install leaves it (pip compiles them; an
    editable install writes it at the first import, unless PYTHONDONTWRITEBYTECODE is set, when
    every run would compile them again: verify 0.31 s instead of 0.26, measured)."""
    for checkout in filter(None, checkouts):
        for package in ("crosscheck", "manual", "reference"):
            compileall.compile_dir(str(Path(checkout) / package), quiet=1)


def busy_processes(n):
    """n processes that spin a core each (pure Python: no threads of their own)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def measure(jobs, rounds, before=None):
    """{job: (job seconds [...], baseline seconds [...], exit codes {...}, job CPU seconds [...])},
    interleaved rounds;
    with ``before`` also "job (before)": the same command on the checkout at that path."""
    runs = [(job, None) for job in jobs] + [(f"{job} (before)", before) for job in jobs if before]
    out = {name: ([], [], set(), [], []) for name, _ in runs}
    for _ in range(rounds):
        for name, source in runs:
            command, baseline = JOBS[name.split()[0]]
            seconds, rc, cpu, peak = wall(command, source)
            out[name][0].append(seconds)
            out[name][2].add(rc)
            out[name][3].append(cpu)
            out[name][4].append(peak)
            out[name][1].append(wall(baseline)[0])
    return out


CLASS_MEMBERS = {     # file stem: source; a class of n has 60% right, 30% wrong, 10% crashing
    "right": "from correct import nnCostFunction\n",
    "wrong": "from vectorised_mistakes import regularize_bias as nnCostFunction\n",
    "crash": "def nnCostFunction(*args):\n    return 1 / 0\n",
}


def class_rate(n, jobs):
    """(targets per second, exit code, seconds per target ÷ the median bare ``import numpy, scipy``
    timed just before and after) of `crosscheck verify` on a class of ``n`` with ``-j jobs``."""
    base = [wall(NUMPY_SCIPY)[0] for _ in range(3)]
    with tempfile.TemporaryDirectory(prefix="crosscheck-bench-class-") as folder:
        for i in range(n):
            kind = "right" if i % 10 < 6 else "wrong" if i % 10 < 9 else "crash"
            Path(folder, f"{kind}_{i:04d}.py").write_text(CLASS_MEMBERS[kind])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(ROOT / "tests" / "student_code"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        command = _command("verify", f"{folder}/*.py:nnCostFunction", "-j", str(jobs))
        start = time.perf_counter()
        rc = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
        seconds = time.perf_counter() - start
    base += [wall(NUMPY_SCIPY)[0] for _ in range(3)]
    return n / seconds, rc, seconds / n / statistics.median(base)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", nargs="+", choices=sorted(JOBS), default=None,
                        help=f"default {' '.join(DEFAULT_JOBS)}; with --speed {' '.join(SPEED_JOBS)}")
    parser.add_argument("--speed", action="store_true",
                        help="issue #22's figures: verify, every refused file, and a class")
    parser.add_argument("--class-size", type=int, default=100, help="targets in the class (--speed)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--busy", type=int, default=0, help="competing processes spinning a core each")
    parser.add_argument("--before", metavar="DIR", help="also time the crosscheck package found in DIR")
    args = parser.parse_args(argv)
    jobs = args.jobs or (SPEED_JOBS if args.speed else DEFAULT_JOBS)
    bad_files()
    compiled(ROOT, args.before)
    spinners = busy_processes(args.busy)
    try:
        print(f"bench_jobs: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
              f"{args.busy} competing busy process(es), {args.rounds} rounds")
        results = measure(jobs, args.rounds, args.before)
        rates = {j: class_rate(args.class_size, j) for j in (1, 2)} if args.speed else {}
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    print(f"  {'job':17s} {'median s':>9s} {'min s':>7s} {'CPU s':>6s} {'peak MB':>8s} {'baseline median':>16s} "
          f"{'min':>6s} {'ratio median':>13s} {'exit':>5s}  baseline")
    for job, (times, base, codes, cpu, peak) in results.items():
        ratios = [t / b for t, b in zip(times, base)]
        print(f"  {job:17s} {statistics.median(times):9.2f} {min(times):7.2f} {statistics.median(cpu):6.2f} "
              f"{max(peak):8.0f} {statistics.median(base):16.2f} {min(base):6.2f} {statistics.median(ratios):13.2f} "
              f"{','.join(map(str, sorted(codes))):>5s}  "
              f"{JOBS[job.split()[0]][1][-1]}")
    for j, (rate, rc, ratio) in rates.items():
        print(f"  class of {args.class_size} (60% right, 30% wrong, 10% crashing), -j {j}: "
              f"{rate:.1f} targets/s, {ratio:.2f}× import numpy, scipy per target (exit {rc})")
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
