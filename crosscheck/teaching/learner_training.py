"""What a learner's mistake does to training: their function trained beside the correct one.

The question the seed notebook's puzzles ask of a wrong gradient: does it matter? Both run
the gallery's training (``gallery``: the embedded 8×8 digits, the notebook's N(0, 1) start,
λ = 1e-3, TNC with 500 evaluations, the same held-out split) from the same start weights:

- the learner's: ``yours(params, s_1, s_2, K, X, y, λ) -> (J, grad)``, a course-signature
  callable that runs their code where verify runs it (a worker process with its limits, or the
  caller's kernel for ``verify(fn)``) and raises :class:`Stopped` when a call fails;
- the correct one: ``manual.course.nn_cost_function`` here, in this process (numpy only).

``learner_pair`` checks what each call returned. The optimiser itself runs here, so the weights are never the learner's to report: what comes
back from their code is one (J, grad) per evaluation, and every number shown (the accuracies,
the true cost along their run) is computed here with ``manual`` from this process's weights.
A whole training may take at most ``limit_s`` seconds besides the per-call limit.
"""
import time
from functools import lru_cache
from dataclasses import asdict, dataclass, field

import numpy as np

from manual.backprop import cost
from manual.labels import one_hot
from manual.layout import reroll

from crosscheck.teaching.gallery import CORRECT, GallerySettings, gallery_problem, variant_function
from crosscheck.teaching.notebook_training import accuracy_of, train_course_function

MATTERS = 0.02           # held-out accuracy points (as a fraction) that make a difference worth a sentence


class Stopped(Exception):
    """The learner's function could not go on (failed call, bad return, time budget): one line."""


@dataclass
class Side:
    """One training run as plain data."""
    costs: list                    # J per evaluation, as the function returned it (None: not finite)
    true_costs: list               # manual's cost at the same weights (the correct J)
    train_accuracy: float | None   # None: the weights went NaN/inf
    heldout_accuracy: float | None
    evaluations: int
    nonfinite_evaluations: int
    stop: str                      # the optimiser's stop reason, or why the learner's function stopped
    failure: str = ""              # the learner's function failed (time, crash, bad return): one line


@dataclass
class TrainingComparison:
    name: str                      # the learner's function's name
    loss: str
    settings: dict
    yours: Side
    correct: Side
    verified: bool                 # did verify find the function right?
    sentence: str = ""
    printed: list = field(default_factory=list)     # the first lines the learner's code printed

    def to_dict(self):
        return asdict(self)

    def __str__(self):
        return self.text()

    def _repr_html_(self):
        from crosscheck.teaching.training_figure import to_html
        return to_html(self)

    def text(self):
        rows = [("", "yours", "correct")]
        for label, key in (("held-out accuracy", "heldout_accuracy"), ("training accuracy", "train_accuracy")):
            rows.append((label, _pct(getattr(self.yours, key)), _pct(getattr(self.correct, key))))
        rows.append(("evaluations", str(self.yours.evaluations), str(self.correct.evaluations)))
        rows.append(("final true cost", _num(_last(self.yours.true_costs)), _num(_last(self.correct.true_costs))))
        s = self.settings
        lines = [f"Training ({s['train_examples']} digits 8×8, {s['heldout_examples']} held out; N(0, 1) start, "
                 f"λ={s['lambda_']:g}, TNC ≤ {s['maxfun']} evaluations, seed {s['seed']}): {self.sentence}"]
        lines += [f"  {a:<18}{b:>10}{c:>10}" for a, b, c in rows]
        return "\n".join(lines)


def _pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _num(x):
    return "n/a" if x is None else f"{x:.4g}"


def _last(values):
    return values[-1] if values else None


def _finite(x):
    return float(x) if x is not None and np.isfinite(x) else None


def _side(fn, problem, settings, loss, failure=None):
    """Train ``fn`` with TNC; the accuracies and the true cost computed here with manual."""
    trail = []
    Y = one_hot(problem.y_train, problem.sizes[-1])

    def recorded(params, *args):
        J, grad = fn(params, *args)
        trail.append((_finite(J), np.array(params, dtype=float)))
        return J, grad
    try:
        outcome = train_course_function(recorded, problem.params0, problem.sizes, problem.X_train,
                                        problem.y_train, settings.lambda_, settings.maxfun)
        params, stop, nfev, nonfinite = outcome.params, outcome.message, outcome.nfev, outcome.nonfinite_evals
    except Stopped as exc:
        failure = str(exc)
        params = trail[-1][1] if trail else problem.params0
        stop, nfev, nonfinite = f"stopped: {failure}", len(trail) + 1, 0
    with np.errstate(all="ignore"):
        true = [_finite(cost(reroll(p, problem.sizes, "F"), problem.X_train, Y, settings.lambda_, loss))
                if np.all(np.isfinite(p)) else None for _, p in trail]
    return Side([J for J, _ in trail], true,
                accuracy_of(params, problem.sizes, problem.X_train, problem.y_train),
                accuracy_of(params, problem.sizes, problem.X_test, problem.y_test),
                nfev, nonfinite, str(stop), failure or "")


def sentence(name, yours, correct, verified):
    """One sentence: what the function trains to, beside the correct one."""
    ref = f"the correct one to {_pct(correct.heldout_accuracy)}"
    if yours.failure:
        return (f"your {name} stopped the training after {yours.evaluations - 1} evaluations: "
                f"{yours.failure}; {ref} held-out.")
    if yours.heldout_accuracy is None:
        return (f"your {name} drove the weights to NaN/inf within {yours.evaluations} evaluations, "
                f"so it predicts nothing; {ref} held-out.")
    mine = f"your {name} trains to {_pct(yours.heldout_accuracy)} held-out"
    if verified:
        return f"{mine}, as the correct one does ({_pct(correct.heldout_accuracy)})."
    gap = (correct.heldout_accuracy or 0.0) - yours.heldout_accuracy
    if abs(gap) < MATTERS:
        return (f"your mistake barely matters here: {mine}, {ref}; it is still a wrong gradient, "
                f"and on other data or settings it may matter.")
    if gap < 0:
        return f"{mine}; {ref}: here the mistake happens to help, but it is still a wrong gradient."
    return f"{mine}; {ref}."


@lru_cache(maxsize=4)
def correct_side(settings, loss):
    """The correct implementation's run for these settings (the same every time: kept)."""
    return _side(variant_function(CORRECT, loss), gallery_problem(settings), settings, loss)


def train_beside_correct(yours, name, loss, verified, settings=GallerySettings(), limit_s=None):
    """A :class:`TrainingComparison` of the learner's ``yours`` and the correct function, from the
    gallery's start; ``limit_s`` bounds the learner's whole training (besides each call's limit)."""
    settings.check()
    problem = gallery_problem(settings)
    start = time.monotonic()

    def budgeted(*args):
        if limit_s is not None and time.monotonic() - start > limit_s:
            raise Stopped(f"the training took longer than its {limit_s:g} s limit")
        return yours(*args)
    mine = _side(budgeted, problem, settings, loss)
    correct = correct_side(settings, loss)
    described = dict(asdict(settings), train_examples=int(problem.X_train.shape[0]),
                     heldout_examples=int(problem.X_test.shape[0]), sizes=list(problem.sizes))
    result = TrainingComparison(name, loss, described, mine, correct, verified)
    result.sentence = sentence(name, mine, correct, verified)
    return result


def learner_pair(value, n, name):
    """(J float, grad (n,) float64) from what the learner's function returned; non-finite values
    are kept (the optimiser counts them, as the gallery does), anything else raises Stopped."""
    try:
        J, grad = value
        J = float(np.asarray(J, dtype=float).reshape(()))
        grad = np.asarray(grad, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise Stopped(f"{name} returned something other than (J, grad) of numbers") from None
    if grad.size != n:
        raise Stopped(f"{name} returned a grad of {grad.size} numbers; expected {n}")
    return J, grad
