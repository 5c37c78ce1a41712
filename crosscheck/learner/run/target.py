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
from types import SimpleNamespace

import numpy as np

from manual.errors import InputError
from manual.layout import ORDERS, reroll, theta_shapes
from manual.losses import check_loss

from crosscheck.check.compare import compare
from crosscheck.check.tolerances import tolerance
from crosscheck.learner.calls import DEFAULT_TIMEOUT, Call, FailureKind, Options, Run, check_result, unrolled_layers
from crosscheck.learner.problems import problem_data
from crosscheck.learner.run import conventions, worker
from crosscheck.learner.run.conventions import COURSE_SIGNATURE
from crosscheck.learner.run.explore import explore, separate_gradient, signature_of
from crosscheck.learner.run.inprocess import UserFunction, UserTimeout, time_limit  # noqa: F401  (API)

__all__ = ["DEFAULT_TIMEOUT", "UserFunction", "UserTimeout", "time_limit", "run_target", "run_problems",
           "drive", "call_args", "options", "check_limits", "check_timeout"]

WATCHED = {"params": "nn_params", "X": "X", "y": "y"}   # roles compared before and after each call
FLOAT32_NOTE = (f"returned float32 values: their rounding (~1e-7) is far above the {tolerance('user'):.0e} "
                "tolerance, so compute in float64")
LAYERS_NOTE = ("returned the gradient as one matrix per layer: crosscheck unrolled them itself (a convention, "
               "not a mistake)")


def call_args(problem, convention):
    """The arguments of one call on ``problem``, written in ``convention`` (the course's: nn_params
    unrolled F, the sizes, X, y (m,) with labels 1..K, λ; ``conventions.call_args``), in the
    function's own order. The one place they are built."""
    return conventions.call_args(problem_data(problem), problem.sizes, problem.lambda_, convention)


def _attempt(session, name, problem, convention, notes, timeout_words="--timeout S"):
    """(Call, [names of the arguments it wrote into]) of one call on ``problem``."""
    before = call_args(problem, convention)
    args = tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in before)
    watch = [convention.signature.index(role) for role in WATCHED]
    outcome = session.call(args, watch)
    on = f" on {problem.name}"
    if outcome.failure:
        hint = (f"; the course signature is {COURSE_SIGNATURE}"
                if outcome.in_call and "argument" in outcome.failure else
                f" (an endless loop? raise the limit with {timeout_words})"
                if outcome.kind == FailureKind.TIMEOUT else "")
        return Call(problem, failure=f"{name} {outcome.failure}{on}{hint}", kind=outcome.kind,
                    location=outcome.location), []
    value, layered = unrolled_layers(outcome.value, theta_shapes(problem.sizes), convention.order)
    if layered and LAYERS_NOTE not in notes:
        notes.append(LAYERS_NOTE)
    try:
        J, grad = check_result(value, before[watch[0]].size, name, on)
    except InputError as exc:
        return Call(problem, failure=str(exc), kind=FailureKind.BAD_RETURN, seconds=outcome.seconds), []
    note = getattr(session, "float32_note", FLOAT32_NOTE)
    if note not in notes and any(getattr(v, "dtype", None) == np.float32 for v in outcome.value):
        notes.append(note)
    old = [before[i] for i in watch]
    mutated = [arg for arg, o, new in zip(WATCHED.values(), old, outcome.after)
               if not (isinstance(new, np.ndarray) and new.shape == o.shape and np.array_equal(new, o))]
    after = outcome.after[0] if "nn_params" in mutated and np.size(outcome.after[0]) == old[0].size else None
    return Call(problem, J, grad, seconds=outcome.seconds,
                params_after=None if after is None else np.asarray(after, dtype=np.float64).ravel()), mutated


def _same(first, second, order):
    """Do two calls on one problem agree within the table's "user" tolerance?"""
    sizes = first.problem.sizes
    return compare("first call", (first.J, reroll(first.grad, sizes, order)),
                   "second call", (second.J, reroll(second.grad, sizes, order)), "user").passed


def base_convention(session, options):
    """The conventions a session's calls start from: what ``options`` pins (the course's, in
    ``options.order``, when it pins nothing), y a column where the session says ``y_column``."""
    base = options.conventions or conventions.pinned(order=options.order)
    return base if "y" in base.fixed or not getattr(session, "y_column", False) else replace(base, y="column")


def drive(session, spec, name, options=Options(), path=None, convention=None, twice=True):
    """A :class:`Run` of ``session.call`` on every problem of ``options``, its arguments written
    in ``convention`` (default :func:`base_convention`), twice unless ``twice`` is False (see the
    module docstring). Without conventions to infer (``options.conventions`` None), a y the first
    call raises on is tried once as (m, 1), the shape ex4data1.mat loads as. After a call runs
    past the time limit, the remaining problems are recorded as not run (kind TIMEOUT).
    """
    convention = convention or base_convention(session, options)
    words = options.raise_limit("timeout")
    run, notes = Run(spec, name, path=path, convention=convention), []
    for index, problem in enumerate(options.problems):
        if run.calls and run.calls[-1].kind == FailureKind.TIMEOUT:
            # one time-out is enough: an endless loop would otherwise cost --timeout per problem
            run.calls.append(Call(problem, failure=f"not run: {name} ran past the time limit on an earlier "
                                                   "problem", kind=FailureKind.TIMEOUT))
            continue
        call, mutated = _attempt(session, name, problem, convention, notes, words)
        if index == 0 and call.kind == FailureKind.EXCEPTION and convention.y == "labels" and not options.conventions:
            column = replace(convention, y="column")
            retry, retry_mutated = _attempt(session, name, problem, column, notes, words)
            if retry.ok:
                call, mutated, convention = retry, retry_mutated, column
                run.convention = column
        run.calls.append(call)
        run.mutated_inputs += [arg for arg in mutated if arg not in run.mutated_inputs]
    timed_out = any(c.kind == FailureKind.TIMEOUT for c in run.calls)
    for call in [c for c in run.calls if twice and c.ok and not timed_out]:
        again, mutated = _attempt(session, name, call.problem, convention, notes, words)
        run.mutated_inputs += [arg for arg in mutated if arg not in run.mutated_inputs]
        if not (again.ok and _same(call, again, convention.order)):
            run.nondeterministic.append(call.problem.name)
    run.y_shape = conventions.Y_SHAPES[convention.y]
    run.warnings = [*session.warnings, *notes]
    run.float32 = getattr(session, "float32_note", FLOAT32_NOTE) in notes
    run.printed = session.printed()
    return run


def explored(session, target, chosen, path):
    """The base Run and, when ``chosen.conventions`` is given and it is not right, the runs under
    the other conventions (``explore``); the signature read from the session's parameters."""
    if chosen.conventions is None:
        return drive(session, target.spec, target.name, chosen, path)
    base = base_convention(session, chosen)
    base = replace(base, signature=signature_of(getattr(session, "parameters", None), target.name) or base.signature)
    run = explore(lambda ps, c, twice: drive(session, target.spec, target.name, replace(chosen, problems=tuple(ps)),
                                             path, c, twice), chosen.problems, base, chosen.loss)
    separate_gradient(run, target.name, [] if base.grad else getattr(session, "defined", []))
    run.notes = list(getattr(session, "found", []))
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
    if user.parameters == "read":
        user.parameters = worker.parameters(user.fn)
    target = SimpleNamespace(spec=user.spec, name=user.name)
    try:
        return explored(user, target, options(given, **fields), user.path)
    finally:
        user.close()


def run_target(target, given=None, *, meanwhile=None, **fields):
    """The one entry point for ``crosscheck verify``: a :class:`Run` of ``target`` (a
    ``kinds.Target``, or the string to parse into one: "FILE.py:FUNCTION",
    "NOTEBOOK.ipynb:FUNCTION", "MODULE:FUNCTION", "FILE.m") on the problems, each call limited to
    ``options.timeout`` seconds (and the loading too) and ``options.memory`` MiB. InputError when
    crosscheck cannot tell what to check: no such file or function, a malformed target, bad
    limits. A target that cannot be loaded gives a Run with ``failure`` and no calls.
    ``meanwhile()``: called as the learner's process starts (work of the caller's that overlaps
    with it: the judge's preparation)."""
    from crosscheck.learner.run import kinds
    chosen = options(given, **fields)
    check_limits(chosen.timeout, chosen.memory)
    target = target if isinstance(target, kinds.Target) else kinds.parse(target)
    _no_link_in_a_class(target.path)
    session = kinds.KINDS[target.kind].open(target, chosen)
    try:
        if meanwhile is not None:
            meanwhile()
        failed = session.load()
        path = target.path if target.path.is_file() else None
        if failed is not None:
            return Run(target.spec, target.name, failure=failed.failure, failure_kind=failed.kind,
                       location=failed.location, printed=session.printed(), warnings=list(session.warnings),
                       path=path)
        return explored(session, target, chosen, path)
    finally:
        session.close()


def _no_link_in_a_class(path):
    """InputError for a class's target that is a symbolic link, or in a folder that is one: its
    contents could be any file crosscheck can read (a classmate's submission, the teacher's key),
    shown to the learner's code and quoted in the report. One's own file may be a link."""
    from crosscheck.learner.run import sandbox
    if sandbox.class_targets and (path.is_symlink() or path.parent.is_symlink()):
        where = "a symbolic link" if path.is_symlink() else "in a folder that is a symbolic link"
        raise InputError(f"{path.name}: {where}; "
                         "a class run checks only regular files: copy the file in its place, or check it alone")
