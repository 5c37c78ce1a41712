"""Cross-checks of the hand-derived backprop in ``manual`` against JAX and PyTorch autodiff.

Library use (e.g. from your own pytest suite)::

    from crosscheck import check_against_autodiff

    def test_my_backprop():
        check_against_autodiff(my_cost_and_gradient, thetas, X, y, lambda_=1.0, loss="cross_entropy")

``check_against_autodiff`` raises :class:`GradientMismatch` naming the layer, row and column
of the worst element (see :mod:`crosscheck.check.autodiff`). The lower-level pieces are
``compare``/``assert_match`` (any two (cost, gradients) results), ``autodiff_value_and_grad``
and the one tolerance table ``TOLERANCES``.

Check a learner's own ``nnCostFunction`` (course signature) and name its mistake::

    from crosscheck import verify, assert_verified
    verify(nnCostFunction)            # in a notebook: the report, with a heat map
    assert_verified(nnCostFunction)   # AssertionError with the diagnosis when it is wrong

``import crosscheck`` imports neither numpy, JAX nor PyTorch: each name loads on first use.
"""
_COMPARE = {"Comparison", "GradientMismatch", "assert_match", "compare"}
_TOLERANCES = {"TOLERANCES", "tolerance"}
_LAZY = {"check_against_autodiff", "autodiff_value_and_grad", "BACKENDS"}
_LAZY_API = {"verify", "assert_verified", "VerifyResult"}     # crosscheck.learner.api

__all__ = ["Comparison", "GradientMismatch", "assert_match", "compare", "TOLERANCES", "tolerance",
           *sorted(_LAZY), *sorted(_LAZY_API)]


def __getattr__(name):
    # PEP 562: crosscheck.check.autodiff (and through it JAX / PyTorch) loads only when asked
    # for, and numpy too: the command line starts its fork server before numpy loads.
    if name in _COMPARE:
        from crosscheck.check import compare
        return getattr(compare, name)
    if name in _TOLERANCES:
        from crosscheck.check import tolerances
        return getattr(tolerances, name)
    if name in _LAZY:
        from crosscheck.check import autodiff
        return getattr(autodiff, name)
    if name in _LAZY_API:
        from crosscheck.learner import api
        return getattr(api, name)
    raise AttributeError(f"module 'crosscheck' has no attribute {name!r}")
