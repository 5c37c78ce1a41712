"""What the report reuses instead of recomputing must be the very numbers it replaces."""
import numpy as np
import pytest

from conftest import random_problem
from crosscheck.cli.report import _loop_at
from manual import LOSSES, cost_and_gradient_loop
from manual.losses import penalty


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", [0.0, 1.0, 3.0, 0.37])
@pytest.mark.parametrize("sizes", [(5, 4, 3), (7, 6, 5, 3)])
def test_loop_at_lambda_from_the_loop_at_zero_is_bit_for_bit(sizes, lambda_, loss):
    thetas, X, Y, _ = random_problem(sizes, m=11, seed=31, scale=0.8)
    J, grads = _loop_at(lambda_, cost_and_gradient_loop(thetas, X, Y, 0.0, loss), thetas, X.shape[0])
    J_ref, grads_ref = cost_and_gradient_loop(thetas, X, Y, lambda_, loss)
    assert J == J_ref
    assert all(np.array_equal(g, r) for g, r in zip(grads, grads_ref))


def test_a_reuse_that_forgets_the_penalty_gradient_is_caught():
    """Test the test: adding the penalty to J but not to the gradient must not pass as equal."""
    thetas, X, Y, _ = random_problem((5, 4, 3), m=11, seed=31, scale=0.8)
    J0, grads0 = cost_and_gradient_loop(thetas, X, Y, 0.0, "cross_entropy")
    J_ref, grads_ref = cost_and_gradient_loop(thetas, X, Y, 1.0, "cross_entropy")
    assert J0 + penalty(thetas, 1.0, 11) == J_ref
    assert not all(np.array_equal(g, r) for g, r in zip(grads0, grads_ref))
