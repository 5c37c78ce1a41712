"""The course's checkNNGradients: 3-5-3, m = 5, debug weights; < 1e-9 for both losses."""
import numpy as np
import pytest

from crosscheck import tolerance
from manual import LOSSES, check_nn_gradients, cost_and_gradient


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", [0.0, 3.0])
def test_course_gradient_check(loss, lambda_):
    _, _, rel = check_nn_gradients(lambda_, loss)
    assert rel < tolerance("numerical") == 1e-9


def test_gradient_check_catches_a_planted_mistake():
    """Test the test: a gradient scaled by 1.001 must fail the same check."""
    def wrong(thetas, X, Y, lambda_, loss):
        J, grads = cost_and_gradient(thetas, X, Y, lambda_, loss)
        return J, [1.001 * g for g in grads]

    _, _, rel = check_nn_gradients(3.0, "cross_entropy", cost_and_gradient_fn=wrong)
    assert rel > 1e-4


@pytest.mark.parametrize("order, epsilon", [(2, 1e-4), (4, 1e-3)])
def test_numerical_gradient_of_a_known_function(order, epsilon):
    """f(θ) = Σ sin(θ): the derivative is cos(θ), to the stencil's accuracy."""
    from manual import numerical_gradient
    theta = np.linspace(-2, 2, 7)
    got = numerical_gradient(lambda t: float(np.sum(np.sin(t))), theta, epsilon, order)
    np.testing.assert_allclose(got, np.cos(theta), atol={2: 2e-9, 4: 1e-12}[order])
