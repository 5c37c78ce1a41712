"""The benchmark's contenders compute the same numbers (tiny sizes; no timing is asserted)."""
import numpy as np
import pytest

from bench import bench_cost, bench_jobs, contenders
from crosscheck import compare
from manual import LOSSES, cost_and_gradient_loop


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_contender_agrees_with_the_loop(loss, dtype):
    results = contenders.agreement(m=12, loss=loss, dtype=dtype)
    assert {"course numpy", "manual CostGradient", "jax.jit(value_and_grad)", "torch autograd"} <= set(results)
    for name, comparison in results.items():
        assert comparison.passed, comparison.describe()


def test_course_transcription_check_catches_a_planted_mistake():
    """Test the test: the course transcription with its 1/m dropped must fail the same check."""
    thetas, X, y, Y = contenders.problem(12)
    J, grads = contenders.course_vectorised(thetas, X, Y, 1.0, "cross_entropy")
    reference = cost_and_gradient_loop(thetas, X, Y, 1.0, "cross_entropy")
    assert compare("course", (J, grads), "loop", reference, "loop").passed
    assert not compare("course (planted)", (J, [g * 12 for g in grads]), "loop", reference, "loop").passed


@pytest.mark.parametrize("sizes", [contenders.SIZES, (64, 25, 10), (9, 6, 4, 3)])
def test_flop_count_matches_the_products_shapes(sizes):
    """2·rows·inner·cols for each product the backprop takes, counted from the shapes."""
    m, products = 7, []
    for l in range(len(sizes) - 1):
        products += [(m, sizes[l] + 1, sizes[l + 1]),        # z^(l+1) = a^(l) Θ^(l)ᵀ
                     (sizes[l + 1], m, sizes[l] + 1)]        # Δ^(l) = δ^(l+1)ᵀ a^(l)
        if l > 0:
            products.append((m, sizes[l + 1], sizes[l]))    # δ^(l) = δ^(l+1) Θ^(l)[:, 1:]
    assert contenders.matmul_flops(m, sizes) == sum(2 * a * b * c for a, b, c in products)


def test_round_robin_times_every_contender():
    calls = {"a": lambda: None, "slow": lambda: None}
    times = bench_cost.time_round_robin(calls, rounds=10, sparse=("slow",))
    assert len(times["a"]) == 10 and len(times["slow"]) == 2


def test_quick_run_prints_the_table(capsys):
    assert bench_cost.main(["--quick", "--rounds", "1", "--no-scaling", "--no-jax", "--no-torch",
                            "--float64-only"]) == 0
    out = capsys.readouterr().out
    for needle in ("compute roofline", "memory bandwidth", "manual CostGradient", "median ms", "med÷manual",
                   "2.5× roofline"):
        assert needle in out


def test_jobs_bench_times_a_job_and_its_baseline(monkeypatch, capsys):
    """bench_jobs runs each command and its baseline once per round and prints their ratio."""
    fast = [bench_jobs.sys.executable, "-c", "pass"]
    monkeypatch.setitem(bench_jobs.JOBS, "main", (fast, fast))
    assert bench_jobs.main(["--jobs", "main", "--rounds", "2"]) == 0
    out = capsys.readouterr().out
    assert "ratio median" in out and "main" in out


def test_busy_processes_are_started_and_stopped():
    spinners = bench_jobs.busy_processes(1)
    assert spinners[0].poll() is None
    spinners[0].kill()
    assert spinners[0].wait() != 0
