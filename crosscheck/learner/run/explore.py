"""Running a function under the course's conventions and, when it is not right under them, under
the others it could be written in (``conventions.candidates``): the run stage's half of the
inference. The judge's half, choosing among the runs, is ``conventions.choose``.

The base run (the course's conventions, with what the user pinned) comes first; when it agrees
with autodiff on every problem nothing else runs. Otherwise each candidate is called once on a
small problem (a probe: milliseconds); those exact on it, and when the base run failed somewhere
those that ran on it, else the order flipped and those that make a wrong cost right, are run in
full (at most :data:`MAX_FULL`) and travel as ``Run.alternatives`` for the judge.
"""
import re

from manual.errors import InputError
from manual.layout import reroll

from crosscheck.check.compare import compare, element_errors
from crosscheck.check.tolerances import tolerance
from crosscheck.learner.calls import Run
from crosscheck.learner.problems import reference_result
from crosscheck.learner.run.conventions import COURSE_SIGNATURE, NAMES, candidates, map_signature

MAX_FULL = 3
J_ALONE = re.compile(r" returned an? (float|int|float64|float32|int64) .*expected the pair \(J, grad\)")
STOPS = ("timeout", "memory", "crash", "exit")   # failures no convention explains: nothing else is tried


def _agrees(out, ref):
    """Cost and every gradient entry within the "user" tolerance (as the judge compares them)."""
    comparison = compare("yours", out, "reference", ref, "user")
    return comparison.passed and not comparison.shape_error and all(
        float(e.max(initial=0.0)) <= comparison.tol for e in element_errors(out[1], ref[1]))


def exact(run, loss):
    """Did every call run and agree with autodiff (cost and every gradient entry)?"""
    return bool(run.calls) and all(
        c.ok and _agrees((c.J, reroll(c.grad, c.problem.sizes, run.convention.order)),
                         reference_result(c.problem, loss)) for c in run.calls)


def cost_exact(run, loss):
    """Did every call run and return the right cost (the gradient aside)?"""
    tol = tolerance("user")
    return bool(run.calls) and all(c.ok and abs(c.J - J) <= tol * max(abs(J), 1e-300)
                                   for c in run.calls for J in [reference_result(c.problem, loss)[0]])


def signature_of(parameters, name):
    """The roles of the function's arguments from the worker's [names, required], the course's
    when unknown; InputError (exit 2, with the way out) when they cannot be told apart."""
    if parameters is None:
        return None
    names, required = parameters
    if required <= 7 <= len(names):
        roles = map_signature(names[:7])
        if roles is not None:
            return roles
    known = ", ".join("/".join(n[:2]) for n in NAMES.values())
    raise InputError(f"cannot tell which argument of {name}({', '.join(names)}) is which: crosscheck calls "
                     f"{COURSE_SIGNATURE} and matches your 7 arguments by name ({known}, ...) or by "
                     "position; wrap your function in one with that signature")


def explore(drive, problems, base, loss):
    """The base :class:`Run` (``drive(problems, convention, twice)`` runs one), with
    ``alternatives`` when it is not right under ``base``."""
    run = drive(problems, base, True)
    if run.failure or any(c.kind in STOPS for c in run.calls) or exact(run, loss):
        return run
    probe = [p for p in problems if p.lambda_ > 0 and p.m < 10][:1] or problems[:1]
    exacts, ran = [], []
    vectors_are_columns = base.y == "column" and "y" not in base.fixed       # Octave's session (y_column)
    for convention in candidates(base, octave=vectors_are_columns):
        trial = drive(probe, convention, False)
        if trial.calls and trial.calls[0].ok:
            (exacts if exact(trial, loss) else ran).append((not cost_exact(trial, loss), convention))
    failed = any(not c.ok for c in run.calls)
    base_cost = cost_exact(Run(run.spec, run.name, [c for c in run.calls if c.problem in probe]), loss)
    fixes_cost = [c for wrong_cost, c in ran if not wrong_cost and not base_cost]
    ran = [c for _, c in sorted(ran, key=lambda rc: (rc[0], rc[1].deviations(base)))]
    flipped = [c for c in ran if c.order != base.order and c.deviations(base) == 1]
    chosen = [c for _, c in exacts[:2]] + (ran if failed else flipped + fixes_cost)
    run.alternatives = [drive(problems, c, True) for c in chosen[:MAX_FULL]]
    return run


def separate_gradient(run, name, defined):
    """InputError (exit 2, the way out) when every call returned J alone and the module defines
    one gradient function (a name with 'grad') beside it: run again with --grad."""
    if not run.calls or not all(c.kind == "bad_return" and J_ALONE.search(c.failure) for c in run.calls):
        return
    found = [d for d in defined if "grad" in str(d).lower() and d != name]
    if len(found) == 1:
        raise InputError(f"{name} returns J alone and the gradient comes from another function: run again with "
                         f"--grad {found[0]} (verify(fn, grad=...) in Python)")
