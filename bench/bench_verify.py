"""How much the worker process costs `crosscheck verify`: wall times measured in one run.

1. One correct target, ``python -m crosscheck verify tests/student_code/correct.py:nnCostFunction``,
   against ``python -c "import jax, numpy, scipy"`` (what any JAX-checked run pays anyway), and
   against the same check with the learner's function called in-process (no worker, what
   verify did before), interleaved round by round so that all see the same machine load.
   Target: verify ≤ 3× the import (medians).
2. A class: every function of tests/student_code/ and tests/learner_files/ that ends on its own
   quickly (right, wrong, crashing), checked in one call with ``-j 1`` and ``-j 2``; targets
   per second.

    .venv/bin/python bench/bench_verify.py            # --rounds N, --quick for a smoke run
"""
import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDENT, LEARNER = ROOT / "tests" / "student_code", ROOT / "tests" / "learner_files"
CORRECT = f"{STUDENT / 'correct.py'}:nnCostFunction"
CLASS = ([f"{STUDENT / 'correct.py'}:{f}" for f in ("nnCostFunction", "cost_rowmajor")]
         + [f"{STUDENT / 'loop_mistakes.py'}:{f}" for f in ("output_delta_dJ_dh", "sigmoid_prime_of_activation",
                                                           "missing_divide_by_m", "no_reg_in_gradient")]
         + [f"{STUDENT / 'vectorised_mistakes.py'}:{f}" for f in ("regularize_bias", "gradient_reg_half",
                                                                 "unroll_order", "label_offset")]
         + [f"{STUDENT / 'bad_functions.py'}:{f}" for f in ("raises", "grad_nan", "chatty_but_right")]
         + [f"{LEARNER / name}" for name in ("right.py:nnCostFunction", "segfault.py:nnCostFunction",
                                             "exits.py:os_exit", "memory_hog.py:nnCostFunction",
                                             "mutates.py:zeroes_bias_through_view",
                                             "stateful.py:accumulates_gradient", "atexit_wrong.py:nnCostFunction")])


IN_PROCESS = f"""
import importlib.util
from pathlib import Path
from crosscheck.cli import build_parser
from crosscheck.learner.judge.diagnosis import diagnose
from crosscheck.learner.show.render import to_text
from crosscheck.learner.run.target import UserFunction, run_problems
build_parser()
spec = importlib.util.spec_from_file_location("learner", {str(STUDENT / 'correct.py')!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(to_text(diagnose(run_problems(UserFunction(module.nnCostFunction, "correct.py:nnCostFunction",
                                                 Path(spec.origin))))))
"""


def wall(argv):
    """Seconds a command takes, start to exit (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, check=False)
    return time.perf_counter() - start


def verify(*argv):
    return [sys.executable, "-m", "crosscheck", "verify", *argv]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="one round, a class of four")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    targets = CLASS[:4] if args.quick else CLASS

    wall(verify(CORRECT))                             # warm the file cache and .pyc files
    commands = {"import jax, numpy, scipy": [sys.executable, "-c", "import jax, numpy, scipy"],
                "verify one correct target": verify(CORRECT),
                "the same, in-process (no worker)": [sys.executable, "-c", IN_PROCESS]}
    times = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            times[name].append(wall(command))
    print(f"wall time, {rounds} interleaved rounds (s)   median     min")
    for name, t in times.items():
        print(f"  {name:<38} {statistics.median(t):6.2f}  {min(t):6.2f}")
    ratio = statistics.median(times["verify one correct target"]) / statistics.median(times["import jax, numpy, scipy"])
    print(f"  ratio of medians: {ratio:.2f}× (target ≤ 3×: {'met' if ratio <= 3 else 'NOT met'}); "
          f"in-process ÷ import: {statistics.median(times['the same, in-process (no worker)']) / statistics.median(times['import jax, numpy, scipy']):.2f}×")

    print(f"\na class of {len(targets)} targets in one call (right, wrong, crashing)")
    for jobs in (1, 2):
        seconds = wall(verify(*targets, "-j", str(jobs), "--json"))
        print(f"  -j {jobs}: {seconds:6.2f} s, {len(targets) / seconds:5.2f} targets/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
