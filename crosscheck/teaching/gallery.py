"""The gallery's numbers: every catalogue mistake next to the correct implementation.

For each variant (a catalogue id, or ``"correct"`` per loss) on the embedded 8×8 digits:

- its cost and gradient at the start weights against autodiff of the *correct* cost
  (``crosscheck.check.compare``, kind "autodiff"): cost error, gradient error per layer, where the
  error sits (share per layer, share in the bias columns), and the cosine between the two
  gradients (a scaled gradient has cosine 1: right direction, wrong length);
- what TNC makes of it (train and held-out accuracy, evaluations, stop reason, how many
  evaluations returned inf/NaN).

Settings follow the original notebook: weights N(0, 1), λ = 1e-3, TNC with 500 evaluations.
The autodiff side is passed in (``value_and_grad`` of jax_cost or torch_cost), so this
module imports neither.
"""
from dataclasses import asdict, dataclass, field
from functools import partial

import numpy as np

from manual.backprop import forward
from manual.course import nn_cost_function
from manual.io.data import load_default_digits, train_test_split
from manual.errors import InputError
from manual.initialisation import normal_init
from manual.labels import one_hot
from manual.layout import reroll, unroll
from manual.losses import LOSSES
from manual.catalogue import MISTAKE_IDS, MISTAKES, with_mistake

from crosscheck.check.compare import compare
from crosscheck.strict_json import finite_or_none
from crosscheck.teaching.notebook_training import accuracy_of, train_course_function

CORRECT = "correct"


@dataclass(frozen=True)
class GallerySettings:
    lambda_: float = 1e-3        # the notebook's minimize(..., args=(..., 1e-3))
    maxfun: int = 500            # the notebook's options={'maxiter': 500}: TNC counted evaluations
    seed: int = 0                # start weights and the held-out split
    hidden: int = 25
    test_fraction: float = 0.2

    def check(self):
        if not (np.isfinite(self.lambda_) and self.lambda_ >= 0):
            raise InputError(f"λ must be a finite number ≥ 0, got {self.lambda_}")
        if int(self.maxfun) != self.maxfun or self.maxfun < 1:
            raise InputError(f"--maxiter must be a positive integer, got {self.maxfun}")
        if int(self.seed) != self.seed or self.seed < 0:
            raise InputError(f"--seed must be an integer ≥ 0, got {self.seed}")
        return self


@dataclass
class Problem:
    """The embedded digits split in two, and the notebook-style start weights."""
    X_train: np.ndarray          # (m_train, 64)
    y_train: np.ndarray          # (m_train,) labels 1..10
    X_test: np.ndarray           # (m_test, 64)
    y_test: np.ndarray
    sizes: tuple                 # (64, hidden, 10)
    params0: np.ndarray          # (n_params,) N(0, 1) weights unrolled column-major (course layout)


def gallery_problem(settings=GallerySettings()):
    X, y = load_default_digits()
    X_train, y_train, X_test, y_test = train_test_split(X, y, settings.test_fraction, settings.seed)
    sizes = (X.shape[1], settings.hidden, 10)
    params0 = unroll(normal_init(sizes, settings.seed), "F")
    return Problem(X_train, y_train, X_test, y_test, sizes, params0)


def variant_loss(variant_id):
    """The loss a mistake is shown with: the only one it can occur in, else cross-entropy."""
    return MISTAKES[variant_id].losses[0]


def variant_function(variant_id, loss):
    """Course-signature (J, grad) function: the correct one, or the catalogue's variant."""
    if variant_id == CORRECT:
        return partial(nn_cost_function, loss=loss)
    return with_mistake(variant_id, loss, "F")


def gradient_comparison(variant_id, loss, problem, lambda_, value_and_grad, backend="jax",
                        reference_loss=None):
    """(Comparison, variant's per-layer gradients, autodiff's) at the start weights.

    The variant is called as a student's code would be, through the course signature with
    column-major parameters; autodiff differentiates the correct cost of the same weights
    (for ``reference_loss``, default ``loss``), so the cost error is measured against the
    correct cost, not the variant's own.
    """
    sizes = problem.sizes
    with np.errstate(all="ignore"):                 # a wrong δ may overflow: reported as inf/NaN
        J, grad = variant_function(variant_id, loss)(problem.params0, *sizes, problem.X_train,
                                                     problem.y_train, lambda_)
    mine = [np.asarray(g, dtype=float) for g in reroll(np.asarray(grad, dtype=float), sizes, "F")]
    J_ref, ref = value_and_grad(reroll(problem.params0, sizes, "F"), problem.X_train,
                                one_hot(problem.y_train, sizes[-1]), lambda_, reference_loss or loss)
    return compare(variant_id, (J, mine), backend, (J_ref, ref), "autodiff"), mine, ref


def error_shares(mine, ref):
    """Where ‖mine − ref‖² sits: (share per layer, share in the bias columns); None if not finite."""
    diffs = [a - b for a, b in zip(mine, ref)]
    if not all(np.all(np.isfinite(d)) for d in diffs):
        return None, None
    per_layer = np.array([float(np.vdot(d, d)) for d in diffs])
    total = per_layer.sum()
    if total == 0:
        return [0.0] * len(diffs), 0.0
    bias = sum(float(np.vdot(d[:, 0], d[:, 0])) for d in diffs)
    return [float(s) for s in per_layer / total], bias / total


def cosine(mine, ref):
    """cos ∠(mine, ref) over all weights: 1 means the right direction whatever the length."""
    a = np.concatenate([g.ravel() for g in mine])
    b = np.concatenate([g.ravel() for g in ref])
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    return float(np.dot(a, b) / norms) if norms else None


def train_entry(variant_id, loss, problem, settings):
    """TNC on the training split; accuracies on both splits (None if the weights went NaN)."""
    outcome = train_course_function(variant_function(variant_id, loss), problem.params0,
                                    problem.sizes, problem.X_train, problem.y_train,
                                    settings.lambda_, settings.maxfun)
    return {
        "train_accuracy": accuracy_of(outcome.params, problem.sizes, problem.X_train, problem.y_train),
        "heldout_accuracy": accuracy_of(outcome.params, problem.sizes, problem.X_test, problem.y_test),
        "evaluations": outcome.nfev,
        "nonfinite_evaluations": outcome.nonfinite_evals,
        "stop": outcome.message,
        "weights_finite": outcome.weights_finite,
    }


def variant_entry(variant_id, loss, problem, settings, value_and_grad, backend, train=True):
    """One gallery row as a JSON-ready dict, plus the two gradients for the heat map."""
    cmp, mine, ref = gradient_comparison(variant_id, loss, problem, settings.lambda_,
                                         value_and_grad, backend)
    layer_share, bias_share = error_shares(mine, ref)
    layer, row, col = cmp.worst
    entry = {
        "id": variant_id,
        "loss": loss,
        "summary": "the correct implementation" if variant_id == CORRECT else MISTAKES[variant_id].summary,
        "matches_autodiff": cmp.passed,
        "cost": finite_or_none(cmp.cost_a),
        "correct_cost": finite_or_none(cmp.cost_b),
        "cost_rel_err": finite_or_none(cmp.cost_rel_err),
        "grad_rel_diff": finite_or_none(cmp.grad_rel_diff),
        "layer_rel_diff": [finite_or_none(r) for r in cmp.layer_rel_diff],
        "layer_error_share": layer_share,
        "bias_error_share": bias_share,
        "cosine": cosine(mine, ref),
        "gradient_finite": bool(all(np.all(np.isfinite(g)) for g in mine)),
        "worst": {"layer": layer, "row": row, "column": col},
        "train": train_entry(variant_id, loss, problem, settings) if train else None,
    }
    return entry, (mine, ref)


def variants():
    """(id, loss) in gallery order: the correct baselines first, then the catalogue."""
    return [(CORRECT, loss) for loss in LOSSES] + [(mid, variant_loss(mid)) for mid in MISTAKE_IDS]


@dataclass
class GalleryResult:
    report: dict                                     # JSON-ready
    gradients: dict = field(default_factory=dict)    # id -> (variant's grads, autodiff's grads)


def run_gallery(settings, value_and_grad, backend="jax", train=True, step=None):
    """Every variant's entry, and the evidence for the notebook's two puzzles.

    ``step(label)`` is called after each variant (for a progress indicator).
    """
    settings.check()
    problem = gallery_problem(settings)
    baselines, mistakes, gradients = {}, {}, {}
    for variant_id, loss in variants():
        entry, grads = variant_entry(variant_id, loss, problem, settings, value_and_grad, backend, train)
        if variant_id == CORRECT:
            baselines[loss] = entry
        else:
            mistakes[variant_id] = entry
            gradients[variant_id] = grads
        if step is not None:
            step(f"{variant_id} ({loss})")
    report = {
        "settings": dict(asdict(settings), data="digits8x8", sizes=list(problem.sizes),
                         train_examples=int(problem.X_train.shape[0]),
                         heldout_examples=int(problem.X_test.shape[0]),
                         init="normal(0, 1)", method="TNC", backend=backend),
        "baselines": baselines,
        "mistakes": mistakes,
        "puzzles": puzzle_evidence(problem, settings, value_and_grad, backend),
    }
    return GalleryResult(report, gradients)


def puzzle_evidence(problem, settings, value_and_grad, backend="jax"):
    """Numbers behind the two explanations (no training: the accuracies are in the rows).

    - "squared loss works better": δ = h − y with a squared-error cost is exactly the
      cross-entropy gradient; its gradient is compared with autodiff of the cross-entropy cost.
    - "cross-entropy only ~70%": δ = ∂J/∂h is the right δ divided by h(1 − h); how large that
      factor is at the start weights.
    """
    as_ce, _, _ = gradient_comparison("squared_missing_sigmoid_prime", "squared_error", problem,
                                      settings.lambda_, value_and_grad, backend,
                                      reference_loss="cross_entropy")
    a, _ = forward(reroll(problem.params0, problem.sizes, "F"), problem.X_train)
    h = a[-1]
    with np.errstate(divide="ignore"):
        inflation = 1.0 / (h * (1.0 - h))            # inf where h rounded to exactly 0 or 1
    return {
        "squared_loss_works_better": {
            "id": "squared_missing_sigmoid_prime",
            "grad_rel_diff_vs_cross_entropy": finite_or_none(as_ce.grad_rel_diff),
            "is_cross_entropy_gradient": bool(as_ce.grad_rel_diff <= as_ce.tol),
        },
        "cross_entropy_only_70": {
            "id": "output_delta_dJ_dh",
            "delta_inflation_median": finite_or_none(np.median(inflation)),
            "delta_inflation_max": finite_or_none(np.max(inflation)),
            "saturated_outputs": int(np.sum(~np.isfinite(inflation))),
        },
    }

