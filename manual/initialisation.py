"""Starting weights: the course's uniform ±ε, the notebook's N(0, 1), the debug weights.

Every random start takes an explicit seed and uses ``numpy.random.default_rng``.
"""
import numpy as np

from .layout import theta_shapes

COURSE_EPSILON = 0.12


def epsilon_for(fan_in, fan_out):
    """The course's suggested ε = √6 / √(L_in + L_out)."""
    return np.sqrt(6.0) / np.sqrt(fan_in + fan_out)


def rand_initialize_weights(fan_in, fan_out, rng, epsilon=COURSE_EPSILON):
    """Θ (fan_out, 1 + fan_in) uniform in [−ε, ε] (course's randInitializeWeights)."""
    return rng.uniform(-epsilon, epsilon, size=(fan_out, 1 + fan_in))


def uniform_init(layer_sizes, seed, epsilon=COURSE_EPSILON):
    """Course-style start for every layer; ``epsilon="auto"`` uses √6/√(L_in + L_out)."""
    rng = np.random.default_rng(seed)
    return [rand_initialize_weights(c - 1, r, rng,
                                    epsilon_for(c - 1, r) if epsilon == "auto" else epsilon)
            for r, c in theta_shapes(layer_sizes)]


def normal_init(layer_sizes, seed):
    """The original notebook's start, np.random.normal(0, 1, shape), here seeded."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, 1.0, size=shape) for shape in theta_shapes(layer_sizes)]


def debug_initialize_weights(fan_out, fan_in):
    """Course's debugInitializeWeights: sin(1..n) reshaped column-major to
    (fan_out, 1 + fan_in), divided by 10. Deterministic, so checks are repeatable."""
    n = fan_out * (1 + fan_in)
    return np.sin(np.arange(1, n + 1)).reshape((fan_out, 1 + fan_in), order="F") / 10.0


def debug_init(layer_sizes):
    """debug_initialize_weights for every layer."""
    return [debug_initialize_weights(r, c - 1) for r, c in theta_shapes(layer_sizes)]
