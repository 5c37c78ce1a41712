"""Cross-checks of the hand-derived backprop in ``manual`` against JAX and PyTorch autodiff.

Library use (e.g. from your own pytest suite)::

    from crosscheck import compare, assert_match, TOLERANCES
"""
from .compare import Comparison, GradientMismatch, assert_match, compare
from .tolerances import TOLERANCES, tolerance

__all__ = ["Comparison", "GradientMismatch", "assert_match", "compare", "TOLERANCES", "tolerance"]
