"""Central differences many costs per numpy call (manual.numgrad.PerturbedCost): the same
costs, the same stencil, the same numbers as one vector at a time."""
import numpy as np
import pytest

from conftest import random_problem
from crosscheck import compare
from crosscheck.check.central import numerical_value_and_grad
from manual import LOSSES, cost, cost_and_gradient, reroll, unroll
from manual.numgrad import PerturbedCost, numerical_gradient, numerical_gradient_batched

SHAPES = [(5, 4, 3), (7, 6, 5, 3), (1, 1, 2)]


def costs_one_at_a_time(thetas, X, Y, lambda_, loss, index, value):
    sizes = [thetas[0].shape[1] - 1] + [t.shape[0] for t in thetas]
    out = []
    for i, v in zip(index, value):
        params = unroll(thetas)
        params[i] = v
        out.append(cost(reroll(params, sizes), X, Y, lambda_, loss))
    return np.array(out)


@pytest.mark.parametrize("sizes", SHAPES)
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", [0.0, 3.0])
def test_perturbed_costs_are_manuals_cost(sizes, loss, lambda_):
    """Every coordinate, moved, in one call: each J equals manual.backprop.cost there."""
    thetas, X, Y, _ = random_problem(sizes, m=9, seed=21, scale=0.8)
    n = unroll(thetas).size
    index = np.random.default_rng(22).permutation(n)          # any order, layers mixed
    value = unroll(thetas)[index] + np.linspace(-0.5, 0.5, n)
    got = PerturbedCost(thetas, X, Y, lambda_, loss)(index, value)
    np.testing.assert_allclose(got, costs_one_at_a_time(thetas, X, Y, lambda_, loss, index, value),
                               rtol=1e-14, atol=0)


def test_perturbed_costs_catch_a_planted_row_major_index(monkeypatch):
    """Test the test: moving Θ's element in row-major instead of column-major order must fail."""
    thetas, X, Y, _ = random_problem((5, 4, 3), m=9, seed=21, scale=0.8)
    n = unroll(thetas).size
    index, value = np.arange(n), unroll(thetas) + 0.25
    expected = costs_one_at_a_time(thetas, X, Y, 1.0, "cross_entropy", index, value)
    f = PerturbedCost(thetas, X, Y, 1.0, "cross_entropy")
    original = PerturbedCost._layer

    def planted(self, l, local, value):
        rows, cols = self.thetas[l].shape
        return original(self, l, (local % rows) * cols + local // rows, value)  # row-major
    monkeypatch.setattr(PerturbedCost, "_layer", planted)
    assert not np.allclose(f(index, value), expected, rtol=1e-9, atol=0)


@pytest.mark.parametrize("batch", [1, 2, 5, 1000])
def test_batch_size_changes_nothing(batch):
    """The stencil's arithmetic per coordinate is the same whatever the batch: the same numbers."""
    theta = np.linspace(-2, 2, 13)

    def costs(index, value):
        point = np.tile(theta, (index.size, 1))
        point[np.arange(index.size), index] = value
        return np.sum(np.sin(point) * np.arange(1, 14), axis=1)
    expected = numerical_gradient(lambda t: float(np.sum(np.sin(t) * np.arange(1, 14))), theta, 1e-3, 4)
    np.testing.assert_allclose(numerical_gradient_batched(costs, theta, 1e-3, 4, batch), expected,
                               rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(expected, np.cos(theta) * np.arange(1, 14), atol=1e-11)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", [0.0, 1.0])
def test_report_central_differences_match_one_vector_at_a_time(loss, lambda_):
    """The report's check (batched) gives manual's gradient to the "numerical" bound, and the
    same numbers as the same stencil on manual's cost one vector at a time (to rounding)."""
    thetas, X, Y, _ = random_problem((12, 7, 4), m=20, seed=23, course_like=True)
    batched = numerical_value_and_grad(thetas, X, Y, lambda_, loss)
    single = numerical_value_and_grad(thetas, X, Y, lambda_, loss, cost_fn=lambda *a: cost(*a))
    assert compare("batched", batched, "single", single, "numerical").grad_rel_diff < 1e-11
    result = compare("manual", cost_and_gradient(thetas, X, Y, lambda_, loss), "numerical", batched, "numerical")
    assert result.passed, result.describe()
