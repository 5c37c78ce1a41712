"""The logistic sigmoid g(z) = 1 / (1 + e^(-z)) and its derivative.

Both never overflow or warn: ``scipy.special.expit`` evaluates e^(-|z|) only.
"""
import numpy as np
from scipy.special import expit


def sigmoid(z):
    """g(z), elementwise; exact 0/1 limits for |z| beyond ~745, no warnings."""
    return expit(z)


def sigmoid_gradient(z):
    """g'(z) = g(z) ⊙ (1 − g(z)), elementwise, taken at the pre-activation z."""
    g = expit(z)
    return g * (1.0 - g)


def softplus(z):
    """log(1 + e^z) without overflow: −log g(−z). Used for a stable log-sigmoid."""
    return np.logaddexp(0.0, z)
