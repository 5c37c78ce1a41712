"""How much time does the diagnosis add to ``crosscheck verify``?

    python bench/bench_diagnosis.py         # in-process: run vs reference comparison vs diagnosis
    python bench/bench_diagnosis.py --cli   # also whole `crosscheck verify` runs in a subprocess

A script, not a test: it prints times measured in this one run. For each target (a right
function, one mistake, three mistakes, a partly explained one, and the worst case: a cost and
gradient that no model explains, so every hypothesis is tried), it times, minimum over
``--rounds`` after one warm-up (JAX compiled, references cached, as in a verify run after
its first problem): calling the function on every problem (``run``), and ``diagnose`` as a
whole (the reference comparison plus the attribution). The attribution's share is
``diagnose`` minus the comparison that any verdict needs.
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))                          # run from anywhere
sys.path.insert(0, str(ROOT / "tests" / "student_code"))

import switchable  # noqa: E402

from crosscheck.learner import problems as pb  # noqa: E402
from crosscheck.learner.judge.diagnosis import agrees, diagnose  # noqa: E402
from crosscheck.learner.run.target import UserFunction, run_problems  # noqa: E402
from manual.layout import reroll  # noqa: E402


def unexplained(*args):
    """Neither the cost nor the gradient matches any model: the attribution's worst case."""
    J, grad = switchable.make([])(*args)
    return 1.3 * J, 0.7 * grad


TARGETS = {
    "right (vectorised)": switchable.make([]),
    "right (loop)": switchable.make([], style="loop"),
    "one mistake": switchable.make(["sigmoid_prime_of_activation"]),
    "three mistakes": switchable.make(["raw_delta", "regularize_bias_cost_only", "label_offset"]),
    "nothing explains it": unexplained,
}


def best_of(rounds, fn):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def in_process(rounds):
    print(f"{'target':<22} {'run':>8} {'compare':>8} {'diagnose':>9}   ids")
    for name, fn in TARGETS.items():
        user = UserFunction(fn, f"bench.py:{name}", Path("bench.py"))
        run = run_problems(user)
        result = diagnose(run)                          # warm-up: JAX, references, caches
        t_run = best_of(rounds, lambda: run_problems(user))
        t_cmp = best_of(rounds, lambda: [agrees((c.J, reroll(c.grad, c.problem.sizes)),
                                                pb.reference_result(c.problem, "cross_entropy"))
                                         for c in run.calls])
        t_diag = best_of(rounds, lambda: diagnose(run))
        print(f"{name:<22} {t_run:8.3f} {t_cmp:8.3f} {t_diag:9.3f}   {result.ids or '-'}"
              + ("" if result.recognised else " (not all explained)"))


SHAPES_SNIPPET = """
import sys
from crosscheck.learner.run.target import run_target
from crosscheck.learner.judge.diagnosis import diagnose
from crosscheck.learner.problems import PROBLEMS
diagnose(run_target(sys.argv[1], problems=PROBLEMS[:int(sys.argv[2])]))
"""


def cli(rounds):
    """Whole verify runs in fresh processes: with the six small and medium problems only, and
    with all of them (the 400-25-10 ones add a JAX compile for their shape)."""
    print("\nwhole verify (run_target + diagnose) in a fresh process: start, imports, JAX compile")
    spec = "tests/student_code/correct.py:nnCostFunction"
    for n in (6, len(pb.PROBLEMS)):
        cmd = [sys.executable, "-c", SHAPES_SNIPPET, spec, str(n)]
        t = best_of(rounds, lambda: subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True))
        print(f"  {spec} on the first {n:>2} problems: {t:6.2f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cli", action="store_true", help="also time whole verify runs")
    args = parser.parse_args(argv)
    print(f"{len(pb.PROBLEMS)} problems; times in seconds, minimum over {args.rounds} rounds")
    in_process(args.rounds)
    if args.cli:
        cli(max(1, args.rounds // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
