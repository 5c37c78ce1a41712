import numpy as np
import pytest

from manual import InputError, nn_cost_function, reroll, theta_shapes, unroll
from manual.numgrad import debug_problem


@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("sizes", [(400, 25, 10), (3, 5, 3), (7, 4, 6, 2)])
def test_unroll_reroll_round_trip(order, sizes):
    rng = np.random.default_rng(0)
    thetas = [rng.normal(size=s) for s in theta_shapes(sizes)]
    params = unroll(thetas, order)
    assert params.shape == (sum(r * c for r, c in theta_shapes(sizes)),)
    for a, b in zip(reroll(params, sizes, order), thetas):
        np.testing.assert_array_equal(a, b)


def test_course_order_is_column_major():
    """Theta1(:) in MATLAB walks down the columns first."""
    theta = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(unroll([theta], "F"), [1, 3, 2, 4])
    np.testing.assert_array_equal(unroll([theta], "C"), [1, 2, 3, 4])


def test_orders_are_not_interchangeable():
    """Test the test: rerolling in the wrong order gives different weights."""
    thetas, *_ = debug_problem()
    wrong = reroll(unroll(thetas, "F"), (3, 5, 3), "C")
    assert not np.allclose(wrong[0], thetas[0])


def test_nn_cost_function_grad_unrolled_like_params():
    thetas, X, y, sizes = debug_problem()
    for order in ("F", "C"):
        J, grad = nn_cost_function(unroll(thetas, order), *sizes, X, y, 1.0, order=order)
        assert grad.shape == unroll(thetas).shape
    J_f, grad_f = nn_cost_function(unroll(thetas, "F"), *sizes, X, y, 1.0)
    J_c, grad_c = nn_cost_function(unroll(thetas, "C"), *sizes, X, y, 1.0, order="C")
    assert J_f == J_c
    for a, b in zip(reroll(grad_f, sizes, "F"), reroll(grad_c, sizes, "C")):
        np.testing.assert_array_equal(a, b)


def test_reroll_rejects_wrong_length():
    with pytest.raises(InputError, match="need"):
        reroll(np.zeros(10), (3, 5, 3))
