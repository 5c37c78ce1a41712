"""Central-difference gradients and the course's checkNNGradients."""
import numpy as np

from .backprop import cost_and_gradient
from .initialisation import debug_initialize_weights
from .labels import one_hot
from .layout import reroll, unroll

NUMGRAD_EPSILON = 1e-4


def numerical_gradient(f, theta, epsilon=NUMGRAD_EPSILON, order=2):
    """∂f/∂θᵢ by central differences for every i. theta (n,) -> (n,).

    order=2 (the course's): (f(θ + εeᵢ) − f(θ − εeᵢ)) / 2ε, error O(ε²·f⁽³⁾) + O(u·|f|/ε).
    order=4: (−f(θ+2εeᵢ) + 8f(θ+εeᵢ) − 8f(θ−εeᵢ) + f(θ−2εeᵢ)) / 12ε, error O(ε⁴·f⁽⁵⁾) + O(u·|f|/ε).
    With ε = 1e-4 the two error terms of order 2 meet near 1e-9 relative, the course's bound:
    an unlucky random problem (m = 1, squared error) measured 1.2e-9. Randomised tests use
    order=4 with ε = 1e-3, measured ≤ 3e-12 over 400 random shapes.
    """
    stencils = {2: ((1, 0.5), (-1, -0.5)),
                4: ((2, -1 / 12), (1, 8 / 12), (-1, -8 / 12), (-2, 1 / 12))}
    if order not in stencils:
        raise ValueError(f"order must be 2 or 4, got {order}")
    theta = np.array(theta, dtype=float)
    grad = np.zeros_like(theta)
    for i in range(theta.size):
        saved = theta[i]
        for step, weight in stencils[order]:
            theta[i] = saved + step * epsilon
            grad[i] += weight * f(theta)
        theta[i] = saved
    return grad / epsilon


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
