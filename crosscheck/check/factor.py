"""Naming a wrong gradient by the simple factor it is off by: ×m, ÷m, ×2, ×½ or a flipped sign.

A learner's gradient that is the right one times m (forgot the 1/m), times 2 or ½ (the ½ of the
squared error, or of λ/2m), or with its sign flipped ((y − h) for (h − y)) is the commonest slip;
a failure that says so is read in one glance. ``factor_of(a, b, m)`` compares the ratio a/b at
one entry with the table; ``whole_layer(a, b, factor)`` says whether the whole matrix is that
multiple (then the factor is the mistake, not a coincidence at one entry).
"""
import numpy as np

RATIO_TOL = 1e-6         # |a/b − factor| ≤ RATIO_TOL·|factor|: a simple factor, not a near one

# label: (the factor as a function of m, what it usually means) — one line per entry
FACTORS = {
    "×m": (lambda m: m, "the 1/m is missing"),
    "÷m": (lambda m: 1.0 / m, "divided by m twice"),
    "×2": (lambda m: 2.0, "a factor 2 too many (the ½ of a square or of λ/2m?)"),
    "×½": (lambda m: 0.5, "a factor ½ too many"),
    "×(−1)": (lambda m: -1.0, "the sign is flipped ((y − h) for (h − y)?)"),
}


def factor_of(a, b, m):
    """The FACTORS label of a/b (two numbers, b ≠ 0), or '' when it is not one of them.
    With m = 2, ×m and ×2 are the same factor: the first in the table wins."""
    if not (np.isfinite(a) and np.isfinite(b)) or b == 0:
        return ""
    ratio = a / b
    for label, (value, _) in FACTORS.items():
        f = value(m)
        if abs(ratio - f) <= RATIO_TOL * abs(f):
            return label
    return ""


def whole_layer(a, b, label, m):
    """Is all of ``a`` (an array) ``label``'s factor times ``b``, up to RATIO_TOL?"""
    f = FACTORS[label][0](m)
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = float(np.max(np.abs(f * b), initial=0.0))
    return bool(scale > 0 and np.all(np.isfinite(a)) and np.max(np.abs(a - f * b)) <= RATIO_TOL * scale)


def meaning(label):
    return FACTORS[label][1]
