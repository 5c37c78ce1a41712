"""Central-difference gradients and the course's checkNNGradients."""
import numpy as np

from .backprop import cost_and_gradient
from .initialisation import debug_initialize_weights
from .labels import one_hot
from .layout import reroll, unroll

NUMGRAD_EPSILON = 1e-4


def numerical_gradient(f, theta, epsilon=NUMGRAD_EPSILON):
    """∂f/∂θᵢ ≈ (f(θ + εeᵢ) − f(θ − εeᵢ)) / 2ε for every i. theta (n,) -> (n,)."""
    theta = np.array(theta, dtype=float)
    grad = np.empty_like(theta)
    for i in range(theta.size):
        saved = theta[i]
        theta[i] = saved + epsilon
        plus = f(theta)
        theta[i] = saved - epsilon
        minus = f(theta)
        theta[i] = saved
        grad[i] = (plus - minus) / (2.0 * epsilon)
    return grad


def relative_difference(a, b):
    """The course's ‖a − b‖ / ‖a + b‖ (0 when both are zero)."""
    denom = np.linalg.norm(np.asarray(a) + np.asarray(b))
    num = np.linalg.norm(np.asarray(a) - np.asarray(b))
    return 0.0 if denom == 0 else float(num / denom)


def debug_problem(input_layer_size=3, hidden_layer_size=5, num_labels=3, m=5):
    """The course's gradient-check problem: (thetas, X (m, n), y (m,), layer sizes)."""
    thetas = [debug_initialize_weights(hidden_layer_size, input_layer_size),
              debug_initialize_weights(num_labels, hidden_layer_size)]
    X = debug_initialize_weights(m, input_layer_size - 1)      # reuses the sin() trick for X
    y = 1 + np.arange(1, m + 1) % num_labels
    return thetas, X, y, (input_layer_size, hidden_layer_size, num_labels)


def check_nn_gradients(lambda_=0.0, loss="cross_entropy", cost_and_gradient_fn=cost_and_gradient):
    """(numerical, analytic, relative difference) on the course's 3-5-3, m = 5 problem."""
    thetas, X, y, sizes = debug_problem()
    Y = one_hot(y, sizes[-1])

    def cost_of(params):
        return cost_and_gradient_fn(reroll(params, sizes), X, Y, lambda_, loss)[0]

    analytic = unroll(cost_and_gradient_fn(thetas, X, Y, lambda_, loss)[1])
    numerical = numerical_gradient(cost_of, unroll(thetas))
    return numerical, analytic, relative_difference(numerical, analytic)
