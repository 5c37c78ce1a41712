"""The logistic sigmoid g(z) = 1 / (1 + e^(-z)) and its derivative.

Both never overflow or warn: ``scipy.special.expit`` evaluates e^(-|z|) only.
"""
import numpy as np


def expit(z):
    """``scipy.special.expit``, imported at first use: importing scipy.special costs about as much
    as numpy and scipy together (~0.1 s), which a command that never evaluates g should not pay."""
    from scipy.special import expit as scipy_expit
    return scipy_expit(z)


def sigmoid(z):
    """g(z), elementwise; exact 0/1 limits for |z| beyond ~745, no warnings."""
    return expit(z)


def sigmoid_gradient(z):
    """g'(z) = g(z) ⊙ g(−z), elementwise, taken at the pre-activation z.

    The same number as g(z) ⊙ (1 − g(z)) since g(z) + g(−z) = 1, but with no subtraction:
    both factors come from expit with full relative accuracy, so g' is exact to rounding for
    every z. From the rounded a = g(z), 1 − a cancels for a saturated unit (relative error
    ≈ 1e-16·e^|z|: 1e-3 at z = 30, and g' = 0 once a rounds to 1 at z ≳ 37), and where z
    moves a across a rounding step of a, g' jumps by a relative e^|z|·1e-16.
    """
    z = np.asarray(z)
    return expit(z) * expit(-z)


def softplus(z):
    """log(1 + e^z) without overflow: −log g(−z). Used for a stable log-sigmoid."""
    return np.logaddexp(0.0, z)
