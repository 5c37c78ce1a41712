"""The benchmark's contenders compute the same numbers (tiny sizes; no timing is asserted)."""
import numpy as np
import pytest

from bench import bench_cost
from crosscheck import compare
from manual import LOSSES, cost_and_gradient_loop


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_contender_agrees_with_the_loop(loss, dtype):
    results = bench_cost.agreement(m=12, loss=loss, dtype=dtype)
    assert {"course numpy", "manual CostGradient", "jax.jit(value_and_grad)", "torch autograd"} <= set(results)
    for name, comparison in results.items():
        assert comparison.passed, comparison.describe()


def test_course_transcription_check_catches_a_planted_mistake():
    """Test the test: the course transcription with its 1/m dropped must fail the same check."""
    thetas, X, y, Y = bench_cost.problem(12)
    J, grads = bench_cost.course_vectorised(thetas, X, Y, 1.0, "cross_entropy")
    reference = cost_and_gradient_loop(thetas, X, Y, 1.0, "cross_entropy")
    assert compare("course", (J, grads), "loop", reference, "loop").passed
    assert not compare("course (planted)", (J, [g * 12 for g in grads]), "loop", reference, "loop").passed


def test_flop_count_matches_the_products_shapes():
    """2·rows·inner·cols for each product the backprop takes, counted from the shapes."""
    m, (n, h, k) = 7, bench_cost.SIZES
    products = [(m, n + 1, h), (m, h + 1, k),          # z2 = a1 Θ1ᵀ, z3 = a2 Θ2ᵀ
                (k, m, h + 1), (m, k, h),              # Δ2 = δ3ᵀ a2, δ2 = δ3 Θ2[:, 1:]
                (h, m, n + 1)]                         # Δ1 = δ2ᵀ a1
    assert bench_cost.matmul_flops(m) == sum(2 * a * b * c for a, b, c in products)


def test_round_robin_times_every_contender():
    calls = {"a": lambda: None, "slow": lambda: None}
    times = bench_cost.time_round_robin(calls, rounds=10, sparse=("slow",))
    assert len(times["a"]) == 10 and len(times["slow"]) == 2


def test_quick_run_prints_the_table(capsys):
    assert bench_cost.main(["--quick", "--rounds", "1", "--no-scaling", "--no-jax", "--no-torch"]) == 0
    out = capsys.readouterr().out
    assert "roofline" in out and "manual CostGradient" in out and "÷manual" in out
