"""The one comparison helper: two (cost, per-layer gradients) results, side by side.

Shapes are compared before values. A failure names the layer, row and column of the
worst element, which side is which, both values and the relative error there.
"""
from dataclasses import dataclass, field

import numpy as np

from crosscheck.check.tolerances import tolerance


class GradientMismatch(AssertionError):
    """Two implementations disagree beyond the tolerance table."""


GradientMismatch.__module__ = "crosscheck"     # where it is imported from; pytest's summary names it so


@dataclass
class Comparison:
    """The outcome of comparing side ``a`` with side ``b`` (e.g. manual vs jax)."""
    a_name: str
    b_name: str
    kind: str
    tol: float
    cost_a: float
    cost_b: float
    cost_rel_err: float
    layer_rel_diff: list = field(default_factory=list)   # ‖a − b‖/‖a + b‖ per Θ^(l)
    layer_max_abs: list = field(default_factory=list)    # max |a − b| per Θ^(l)
    grad_rel_diff: float = 0.0                           # over all layers together
    max_abs_err: float = 0.0
    worst: tuple = (0, 0, 0)                             # (layer 1-based, row, column)
    worst_a: float = 0.0
    worst_b: float = 0.0
    shape_error: str = ""

    @property
    def passed(self):
        return (not self.shape_error and self.grad_rel_diff <= self.tol
                and self.cost_rel_err <= self.tol)

    def describe(self):
        """One paragraph a person can act on."""
        head = f"{self.a_name} vs {self.b_name} ({self.kind}, tolerance {self.tol:.0e})"
        if self.shape_error:
            return f"{head}: {self.shape_error}"
        layer, row, col = self.worst
        where = f"Θ^({layer})[{row}, {col}]" + (" (bias column)" if col == 0 else "")
        elem_rel = abs(self.worst_a - self.worst_b) / max(abs(self.worst_a), abs(self.worst_b), 1e-300)
        verdict = "agree" if self.passed else "DISAGREE"
        return (f"{head}: {verdict}; cost {self.a_name}={self.cost_a:.12g} {self.b_name}={self.cost_b:.12g} "
                f"(rel err {self.cost_rel_err:.2e}); gradient rel diff {self.grad_rel_diff:.2e} "
                f"[per layer {', '.join(f'{r:.2e}' for r in self.layer_rel_diff)}]; worst at {where}: "
                f"{self.a_name}={self.worst_a:.12g} {self.b_name}={self.worst_b:.12g} (rel err {elem_rel:.2e})")


# Two entries closer than 2^−1000 (≈ 1e-301, 2^22 times the smallest normal float64) count as
# equal: results that small pass through subnormal numbers, which one side may flush to zero
# (XLA on CPU does), losing up to the smallest normal number per term summed. Measured: a
# network sure of its answer (output bias 700) gives gradient entries near 4e-305 on which
# numpy and JAX differ by 4e-308.
SUBNORMAL_NOISE = 2.0 ** -1000


def _rel_diff(a, b):
    """‖a − b‖ / ‖a + b‖ computed on a/s and b/s, s = the largest |entry| of either.

    Unscaled, the squares inside the norms overflow once entries pass ~1e154: ‖a + b‖
    becomes inf and any difference passes (a/∞ = 0); below ~1e-154 they underflow to 0,
    and 0/0 passed too. The ratio is the same for a/s and b/s, whose entries are all within
    [−1, 1]. A NaN or inf anywhere gives inf: never a pass.
    """
    with np.errstate(invalid="ignore"):
        scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if not np.isfinite(scale):
        return float("inf")
    if scale == 0:
        return 0.0
    a, b = a / scale, b / scale
    diff = np.where(np.abs(a - b) <= SUBNORMAL_NOISE / scale, 0.0, a - b)
    num, denom = np.linalg.norm(diff), np.linalg.norm(a + b)
    return 0.0 if num == 0 else float(num / denom) if denom else float("inf")


def compare(a_name, a, b_name, b, kind, dtype=np.float64, tol=None):
    """Compare a = (cost, [grad Θ^(1), ...]) with b likewise; returns a Comparison.

    Non-finite values never pass: NaN compares as an infinite error.
    """
    tol = tolerance(kind, dtype) if tol is None else tol
    (cost_a, grads_a), (cost_b, grads_b) = a, b
    grads_a = [np.asarray(g, dtype=np.float64) for g in grads_a]
    grads_b = [np.asarray(g, dtype=np.float64) for g in grads_b]
    cost_a, cost_b = float(cost_a), float(cost_b)
    result = Comparison(a_name, b_name, kind, tol, cost_a, cost_b, cost_rel_err=float("inf"))
    shapes_a, shapes_b = [g.shape for g in grads_a], [g.shape for g in grads_b]
    if shapes_a != shapes_b:
        result.shape_error = f"gradient shapes differ: {a_name} {shapes_a}, {b_name} {shapes_b}"
        return result
    scale = max(abs(cost_a), abs(cost_b))
    result.cost_rel_err = (abs(cost_a - cost_b) / scale if scale else 0.0) if np.isfinite([cost_a, cost_b]).all() else float("inf")
    result.layer_rel_diff = [_rel_diff(ga, gb) for ga, gb in zip(grads_a, grads_b)]
    flat_a = np.concatenate([g.ravel() for g in grads_a])
    flat_b = np.concatenate([g.ravel() for g in grads_b])
    result.grad_rel_diff = _rel_diff(flat_a, flat_b)
    with np.errstate(over="ignore", invalid="ignore"):      # |a − b| of ±1e308 is inf: the truth
        errors = [np.nan_to_num(np.abs(ga - gb), nan=np.inf) for ga, gb in zip(grads_a, grads_b)]
    result.layer_max_abs = [float(e.max(initial=0.0)) for e in errors]
    layer = int(np.argmax([e.max(initial=-1.0) for e in errors]))
    if errors[layer].size:
        row, col = np.unravel_index(int(np.argmax(errors[layer])), errors[layer].shape)
        result.worst = (layer + 1, int(row), int(col))
        result.worst_a = float(grads_a[layer][row, col])
        result.worst_b = float(grads_b[layer][row, col])
        result.max_abs_err = float(errors[layer][row, col])
    return result


def element_errors(grads_a, grads_b):
    """Per layer, |a − b| element by element, relative to that layer's largest entry.

    [(s_{l+1}, 1 + s_l)] arrays in [0, ∞]; an entry above the tolerance is an element that
    disagrees. Scaling by the layer's largest |a| or |b| (not by each element) keeps tiny
    entries from flagging rounding noise. NaN counts as an infinite error.
    """
    errors = []
    for ga, gb in zip(grads_a, grads_b):
        ga, gb = np.asarray(ga, dtype=np.float64), np.asarray(gb, dtype=np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.nan_to_num(np.abs(ga - gb), nan=np.inf)
        scale = max(float(np.max(np.abs(ga), initial=0.0)), float(np.max(np.abs(gb), initial=0.0)))
        errors.append(diff / scale if np.isfinite(scale) and scale > 0
                      else np.where(diff > 0, np.inf, 0.0))
    return errors


def assert_match(a_name, a, b_name, b, kind, dtype=np.float64, tol=None):
    """compare(), raising GradientMismatch with the description when it fails."""
    result = compare(a_name, a, b_name, b, kind, dtype, tol)
    if not result.passed:
        raise GradientMismatch(result.describe())
    return result
