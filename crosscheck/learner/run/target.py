"""Running a learner's ``nnCostFunction`` on the problems: a :class:`~crosscheck.learner.calls.Run`.

One driver (:func:`drive`) for every session, two ways in:

- ``run_target("mycode.py:nnCostFunction", options)``, what ``crosscheck verify`` calls: the
  target is parsed once (``kinds.parse``) and its kind opens a session: a worker process for
  Python (``pysession``), GNU Octave for a .m file (``octave``), so nothing the learner's code
  does (endless loops that swallow signals, long C calls, exits, segfaults, threads, replacing
  crosscheck's functions, printing to fd 1) can touch this process or its verdict.
- ``run_problems(UserFunction(fn, ...), options)``: the caller's own function, called in this
  process (``crosscheck.verify(fn)`` from a notebook), under a SIGALRM time limit.

The driver calls the function on every problem, even after some fail (each failure becomes a
``Call`` with its one-line reason, its ``FailureKind`` and ``Location``), then on every problem a
second time: a function whose answer changes between the two passes is nondeterministic (state
kept between calls, unseeded randomness). Every argument is compared before and after each call:
a function that writes into nn_params, X or y is reported in ``Run.mutated_inputs``.
"""
import math
from dataclasses import replace

import numpy as np

from manual.errors import InputError
from manual.layout import ORDERS, reroll, unroll
from manual.losses import check_loss

from crosscheck.check.compare import compare
from crosscheck.check.tolerances import tolerance
from crosscheck.learner.calls import DEFAULT_TIMEOUT, Call, FailureKind, Options, Run, check_result
from crosscheck.learner.problems import problem_data
from crosscheck.learner.run.inprocess import UserFunction, UserTimeout, time_limit  # noqa: F401  (API)

__all__ = ["DEFAULT_TIMEOUT", "UserFunction", "UserTimeout", "time_limit", "run_target", "run_problems",
           "drive", "call_args", "options", "check_limits", "check_timeout"]

COURSE_SIGNATURE = "(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_) -> (J, grad)"
WATCHED = {"nn_params": 0, "X": 4, "y": 5}       # the arguments compared before and after each call
FLOAT32_NOTE = (f"returned float32 values: their rounding (~1e-7) is far above the {tolerance('user'):.0e} "
                "tolerance, so compute in float64")


def call_args(problem, options, column):
    """The arguments of one call on ``problem``, in the course's signature: nn_params unrolled in
    ``options.order``, y as (m,) or, ``column``, (m, 1), labels 1..K. The one place they are built."""
    thetas, X, y = problem_data(problem)
    return (unroll(thetas, options.order), *problem.sizes, np.asarray(X), y[:, None] if column else y,
            float(problem.lambda_))


def _attempt(session, name, problem, options, column, notes):
    """(Call, [names of the arguments it wrote into]) of one call on ``problem``."""
    before = call_args(problem, options, column)
    args = tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in before)
    outcome = session.call(args, list(WATCHED.values()))
    on = f" on {problem.name}"
    if outcome.failure:
        hint = (f"; the course signature is {COURSE_SIGNATURE}"
                if outcome.in_call and "argument" in outcome.failure else
                " (an endless loop? raise the limit with --timeout S)" if outcome.kind == FailureKind.TIMEOUT else "")
        return Call(problem, failure=f"{name} {outcome.failure}{on}{hint}", kind=outcome.kind,
                    location=outcome.location), []
    try:
        J, grad = check_result(outcome.value, before[0].size, name, on)
    except InputError as exc:
        return Call(problem, failure=str(exc), kind=FailureKind.BAD_RETURN, seconds=outcome.seconds), []
    note = getattr(session, "float32_note", FLOAT32_NOTE)
    if note not in notes and any(getattr(v, "dtype", None) == np.float32 for v in outcome.value):
        notes.append(note)
    old = [before[i] for i in WATCHED.values()]
    mutated = [arg for arg, o, new in zip(WATCHED, old, outcome.after)
               if not (isinstance(new, np.ndarray) and new.shape == o.shape and np.array_equal(new, o))]
    return Call(problem, J, grad, seconds=outcome.seconds), mutated


def _same(first, second, order):
    """Do two calls on one problem agree within the table's "user" tolerance?"""
    sizes = first.problem.sizes
    return compare("first call", (first.J, reroll(first.grad, sizes, order)),
                   "second call", (second.J, reroll(second.grad, sizes, order)), "user").passed


def drive(session, spec, name, options=Options(), path=None):
    """A :class:`Run` of ``session.call`` on every problem of ``options``, twice (see the module
    docstring).

    y is passed as (m,) (as (m, 1) from the start where the session says ``y_column``); if the
    first call raises, it is tried once with (m, 1), the shape ex4data1.mat loads as, and that
    shape is kept when it works. After a call runs past the time limit, the remaining problems
    are recorded as not run (kind TIMEOUT).
    """
    run, notes = Run(spec, name, path=path), []
    column = start = bool(getattr(session, "y_column", False))
    for index, problem in enumerate(options.problems):
        if run.calls and run.calls[-1].kind == FailureKind.TIMEOUT:
            # one time-out is enough: an endless loop would otherwise cost --timeout per problem
            run.calls.append(Call(problem, failure=f"not run: {name} ran past the time limit on an earlier "
                                                   "problem", kind=FailureKind.TIMEOUT))
            continue
        call, mutated = _attempt(session, name, problem, options, column, notes)
        if index == 0 and call.kind == FailureKind.EXCEPTION and not start:
            retry, retry_mutated = _attempt(session, name, problem, options, True, notes)
            if retry.ok:
                call, mutated, column = retry, retry_mutated, True
        run.calls.append(call)
        run.mutated_inputs += [arg for arg in mutated if arg not in run.mutated_inputs]
    timed_out = any(c.kind == FailureKind.TIMEOUT for c in run.calls)
    for call in [c for c in run.calls if c.ok and not timed_out]:
        again, mutated = _attempt(session, name, call.problem, options, column, notes)
        run.mutated_inputs += [arg for arg in mutated if arg not in run.mutated_inputs]
        if not (again.ok and _same(call, again, options.order)):
            run.nondeterministic.append(call.problem.name)
    run.y_shape = "(m, 1)" if column else "(m,)"
    run.warnings = [*session.warnings, *notes]
    run.float32 = getattr(session, "float32_note", FLOAT32_NOTE) in notes
    run.printed = session.printed()
    return run


def check_timeout(timeout, option="--timeout"):
    """InputError unless the time limit is None (no limit) or a positive finite number of seconds."""
    if timeout is not None and not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise InputError(f"{option} must be a positive number of seconds, got {timeout!r}")


def check_limits(timeout, memory):
    """InputError unless the time limit (s) and memory limit (MiB) are positive finite numbers."""
    check_timeout(timeout)
    if not (isinstance(memory, (int, float)) and math.isfinite(memory) and memory >= 64):
        raise InputError(f"--memory must be a number of MiB, at least 64 (python and numpy alone need ~100), got {memory}")


def options(given=None, **fields):
    """``given`` (an :class:`Options`) with ``fields`` replaced, validated: InputError for an
    unknown loss or order or a bad limit."""
    chosen = replace(given or Options(), **fields)
    if not isinstance(chosen.problems, tuple):
        chosen = replace(chosen, problems=tuple(chosen.problems))
    check_loss(chosen.loss)
    if chosen.order not in ORDERS:
        raise InputError(f"order must be one of {', '.join(ORDERS)} (F: the course's column-major "
                         f"Theta(:)), got {chosen.order!r}")
    return chosen


def run_problems(user, given=None, **fields):
    """A :class:`Run` of ``user`` (a :class:`UserFunction`, called in a forked child) on every problem."""
    try:
        return drive(user, user.spec, user.name, options(given, **fields), user.path)
    finally:
        user.close()


def run_target(target, given=None, **fields):
    """The one entry point for ``crosscheck verify``: a :class:`Run` of ``target`` (a
    ``kinds.Target``, or the string to parse into one: "FILE.py:FUNCTION",
    "NOTEBOOK.ipynb:FUNCTION", "MODULE:FUNCTION", "FILE.m") on the problems, each call limited to
    ``options.timeout`` seconds (and the loading too) and ``options.memory`` MiB. InputError when
    crosscheck cannot tell what to check: no such file or function, a malformed target, bad
    limits. A target that cannot be loaded gives a Run with ``failure`` and no calls."""
    from crosscheck.learner.run import kinds
    chosen = options(given, **fields)
    check_limits(chosen.timeout, chosen.memory)
    target = target if isinstance(target, kinds.Target) else kinds.parse(target)
    session = kinds.KINDS[target.kind].open(target, chosen)
    try:
        failed = session.load()
        path = target.path if target.path.is_file() else None
        if failed is not None:
            return Run(target.spec, target.name, failure=failed.failure, failure_kind=failed.kind,
                       location=failed.location, printed=session.printed(), warnings=list(session.warnings),
                       path=path)
        return drive(session, target.spec, target.name, chosen, path)
    finally:
        session.close()
