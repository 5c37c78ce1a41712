"""Running a learner's ``nnCostFunction`` on the problems: a :class:`~crosscheck.learner.calls.Run`.

``run_target(spec, ...)`` (what ``crosscheck verify`` calls) imports and calls the learner's module
in a worker process (``runner``/``worker``), so nothing it does can touch this process or its
verdict; ``run_problems(UserFunction(fn, ...))`` calls the caller's own function in this process
under a SIGALRM time limit. One driver (:func:`drive`) calls it on every problem, even after some
fail, then a second time (a changed answer is nondeterminism), comparing nn_params, X and y before
and after each call (``Run.mutated_inputs``); ``explore`` runs it under other conventions.
"""
import contextlib
import importlib.util
import math
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from manual.errors import InputError
from manual.layout import reroll

from crosscheck.check.compare import compare
from crosscheck.learner.run import imports, worker
from crosscheck.learner.calls import Call, Run, check_result
from crosscheck.learner.problems import PROBLEMS, problem_data
from crosscheck.learner.run.conventions import COURSE, COURSE_SIGNATURE, Y_SHAPES, call_args, pinned
from crosscheck.learner.run.explore import explore, separate_gradient, signature_of
from crosscheck.learner.run.runner import DEFAULT_MEMORY_MB, Outcome, WorkerSession

DEFAULT_TIMEOUT = 30.0
FLOAT32_NOTE = ("returned float32 values: their rounding (~1e-7) is far above the 1e-9 tolerance, "
                "so compute in float64")


class UserTimeout(BaseException):
    """In-process only: the caller's code ran past the time limit (``except Exception`` can't eat it)."""


@contextlib.contextmanager
def time_limit(seconds):
    """In-process only: raise UserTimeout in the main thread once ``seconds`` have passed, again
    every 0.5 s until the block is left. Elsewhere the limit is checked after the call returns."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise UserTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, 1e7), 0.5)   # setitimer overflows past ~1e9 s
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class UserFunction:
    """The caller's function, run in this process: ``call(args, watch) -> runner.Outcome``."""
    fn: object
    spec: str
    path: Path
    timeout: float = DEFAULT_TIMEOUT
    warnings: list = field(default_factory=list)
    parameters: object = "read"      # worker.parameters of the function ("read": of fn itself)

    @property
    def name(self):
        return self.spec.rsplit(":", 1)[1]

    def call(self, args, watch):
        path = str(self.path.resolve()) if self.path else None
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings(record=True) as caught, \
                    np.errstate(all="warn"):
                warnings.simplefilter("always")
                try:
                    with time_limit(self.timeout):
                        result = self.fn(*args)
                finally:
                    self.warnings += [m for m in dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
                                      if m not in self.warnings]
        except UserTimeout:
            return Outcome(failure=f"took longer than the {self.timeout:g} s limit", kind="timeout")
        except KeyboardInterrupt:
            raise
        except BaseException as exc:          # noqa: BLE001  the caller's code: report, don't crash
            kind = "memory" if isinstance(exc, MemoryError) else "exit" if isinstance(exc, SystemExit) else "exception"
            return Outcome(failure=f"raised {worker.one_line(exc)}{worker.where(exc, path)}", kind=kind,
                           in_call=isinstance(exc, TypeError) and not worker.where(exc, path))
        elapsed = time.perf_counter() - start
        if self.timeout is not None and elapsed > self.timeout:
            return Outcome(failure=f"took {elapsed:.1f} s, longer than the {self.timeout:g} s limit", kind="timeout")
        return Outcome(value=result, seconds=elapsed, after=[args[i] for i in watch])

    def printed(self):
        return []                             # in-process prints went to stderr as they happened


# --- conventions seam (#20): the one place a call's arguments are built --------------------
WATCHED_ROLES = {"params": "nn_params", "X": "X", "y": "y"}


def _attempt(session, name, problem, convention, notes):
    """(Call, [names of the arguments it wrote into]) of one call on ``problem``, its arguments
    written in ``convention`` (``conventions.call_args``)."""
    args = call_args(problem_data(problem), problem.sizes, problem.lambda_, convention)
    watch = [convention.signature.index(role) for role in WATCHED_ROLES]
    before = [np.array(args[i]) for i in watch]
    outcome = session.call(args, watch)
    on = f" on {problem.name}"
    if outcome.failure:
        hint = (f"; the course signature is {COURSE_SIGNATURE}"
                if outcome.in_call and "argument" in outcome.failure else
                " (an endless loop? raise the limit with --timeout S)" if outcome.kind == "timeout" else "")
        return Call(problem, failure=f"{name} {outcome.failure}{on}{hint}", kind=outcome.kind), []
    try:
        J, grad = check_result(outcome.value, before[0].size, name, on)
    except InputError as exc:
        return Call(problem, failure=str(exc), kind="bad_return", seconds=outcome.seconds), []
    if FLOAT32_NOTE not in notes and any(getattr(v, "dtype", None) == np.float32 for v in outcome.value):
        notes.append(FLOAT32_NOTE)
    mutated = [arg for arg, old, new in zip(WATCHED_ROLES.values(), before, outcome.after)
               if not (isinstance(new, np.ndarray) and new.shape == old.shape and np.array_equal(new, old))]
    after = outcome.after[0] if "nn_params" in mutated and np.shape(outcome.after[0]) == before[0].shape else None
    return Call(problem, J, grad, seconds=outcome.seconds,
                params_after=None if after is None else np.asarray(after, dtype=np.float64)), mutated


def _same(first, second, order):
    """Do two calls on one problem agree within the table's "user" tolerance?"""
    sizes = first.problem.sizes
    return compare("first call", (first.J, reroll(first.grad, sizes, order)),
                   "second call", (second.J, reroll(second.grad, sizes, order)), "user").passed


def drive(session, spec, name, problems=PROBLEMS, convention=COURSE, twice=True):
    """A :class:`Run` of ``session.call`` on every problem, its arguments written in ``convention``,
    twice unless ``twice`` is False (see the module docstring). After a call runs past the time
    limit, the remaining problems are recorded as not run (kind "timeout")."""
    run, notes = Run(spec, name, convention=convention), []
    for problem in problems:
        if run.calls and run.calls[-1].kind == "timeout":
            # one time-out is enough: an endless loop would otherwise cost --timeout per problem
            run.calls.append(Call(problem, failure=f"not run: {name} ran past the time limit on an earlier "
                                                   "problem", kind="timeout"))
            continue
        call, mutated = _attempt(session, name, problem, convention, notes)
        run.calls.append(call)
        run.mutated_inputs += [arg for arg in mutated if arg not in run.mutated_inputs]
    for call in [c for c in run.calls if twice and c.ok and not any(c.kind == "timeout" for c in run.calls)]:
        again, mutated = _attempt(session, name, call.problem, convention, notes)
        run.mutated_inputs += [arg for arg in mutated if arg not in run.mutated_inputs]
        if not (again.ok and _same(call, again, convention.order)):
            run.nondeterministic.append(call.problem.name)
    run.y_shape = Y_SHAPES[convention.y]
    run.warnings = [*session.warnings, *notes]
    run.float32 = FLOAT32_NOTE in notes
    run.printed = session.printed()
    return run


def _explored(session, spec, name, problems, base, loss, parameters):
    """``explore.explore`` over ``session``: the base Run, with runs under other conventions."""
    base = replace(base, signature=signature_of(parameters, name) or base.signature)
    return explore(lambda ps, convention, twice: drive(session, spec, name, ps, convention, twice),
                   problems, base, loss)


def run_problems(user, problems=PROBLEMS, order="F", *, base=None, loss="cross_entropy"):
    """A :class:`Run` of ``user`` (a :class:`UserFunction`, called in this process) on every
    problem: in ``order`` with the course's other conventions, or, given ``base`` (what
    ``verify(fn)`` pins), under the conventions that ``explore`` finds."""
    if base is None:
        return drive(user, user.spec, user.name, problems, pinned(order=order))
    params = worker.parameters(user.fn) if user.parameters == "read" else user.parameters
    return _explored(user, user.spec, user.name, problems, base, loss, params)


def parse_spec(spec):
    """'path/to/file.py:function' -> (target, function name)."""
    if ":" not in spec:
        raise InputError(f"expected FILE.py:FUNCTION (e.g. mycode.py:nnCostFunction), got {spec!r}")
    target, name = spec.rsplit(":", 1)
    if not target or not name.isidentifier():
        raise InputError(f"expected FILE.py:FUNCTION (e.g. mycode.py:nnCostFunction), got {spec!r}")
    return target, name


def load_request(target, name=None):
    """The worker's load request for ``target``: a .py file's resolved path, a notebook's
    definitions as source text (``notebook.module_source``: only what ``name`` needs), or a module
    name importable from sys.path; InputError when there is nothing to load."""
    path = Path(target)
    if target.endswith((".py", ".ipynb")) or path.exists() or "/" in target or "\\" in target:
        if not path.exists():
            raise InputError(f"{target}: no such file")
        if path.is_dir():
            raise InputError(f"{target}: is a directory; give the .py file that defines the function")
        if path.suffix == ".ipynb":
            from crosscheck.learner.run import notebook
            return {"op": "load", "path": str(path.resolve()), "source": notebook.module_source(path, name).text}
        if path.suffix != ".py":
            raise InputError(f"{target}: not a Python file or notebook (expected FILE.py:FUNCTION)")
        return {"op": "load", "path": str(path.resolve())}
    if not all(part.isidentifier() for part in target.split(".")):
        raise InputError(f"{target}: not a Python file or module name (expected FILE.py:FUNCTION)")
    if importlib.util.find_spec(target.split(".")[0]) is None:
        raise InputError(f"module {target!r} not found (give the path to your .py file, e.g. {target}.py:FUNCTION)")
    return {"op": "load", "module": target, "sys_path": [p or "." for p in sys.path]}


def check_timeout(timeout, option="--timeout"):
    """InputError unless the time limit is None (no limit) or a positive finite number of seconds."""
    if timeout is not None and not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise InputError(f"{option} must be a positive number of seconds, got {timeout!r}")


def check_limits(timeout, memory):
    """InputError unless the time limit (s) and memory limit (MiB) are positive finite numbers."""
    check_timeout(timeout)
    if not (isinstance(memory, (int, float)) and math.isfinite(memory) and memory >= 64):
        raise InputError(f"--memory must be a number of MiB, at least 64 (python and numpy alone need ~100), got {memory}")


def _definitions_only(target, spec, name, failure, options):
    """A :class:`Run` on a .py script's imports and definitions only (``notebook.script_source``),
    for a script whose top level failed with ``failure``; None when that cannot load either."""
    from crosscheck.learner.run import notebook
    timeout, memory, problems, base, loss = options
    try:
        source = notebook.script_source(target, name)
    except InputError:
        return None
    session = WorkerSession({"op": "load", "path": str(Path(target).resolve()), "source": source.text,
                             "name": name}, timeout, memory)
    try:
        header = session.load()
        if header.get("status") != "loaded":
            return None
        run = _explored(session, spec, name, problems, base, loss, header.get("parameters"))
    finally:
        session.close()
    not_run = ", ".join(f"line {s.line} `{s.text[:40].rstrip()}`" for s in source.skipped[:3])
    run.warnings.insert(0, f"{failure}; crosscheck ran only the file's imports and definitions, as for a "
                           f"notebook ({len(source.skipped)} statement(s) not run: {not_run})")
    return run


def run_target(spec, base=COURSE, timeout=DEFAULT_TIMEOUT, problems=PROBLEMS, *, memory=DEFAULT_MEMORY_MB,
               loss="cross_entropy"):
    """The one entry point for ``crosscheck verify``: a :class:`Run` of ``spec`` ("FILE.py:FUNCTION",
    "NOTEBOOK.ipynb:FUNCTION" or "FILE.m") on ``problems`` in a worker limited to ``timeout`` s per call
    and ``memory`` MiB, under ``base``'s conventions and those ``explore`` finds. InputError when
    crosscheck cannot tell what to check; a module that cannot be imported: a Run with ``failure``."""
    check_limits(timeout, memory)
    from crosscheck.learner.run import octave
    if octave.is_octave_target(spec):
        return octave.run_octave(spec, base, timeout, problems, loss)
    target, name = parse_spec(spec)
    request, notes = {**load_request(target, name), "name": name, "grad": base.grad}, []
    request["sys_path"] = [*request.get("sys_path", []), *(str(Path(p).resolve()) for p in base.path)]
    session, header = imports.load_finding_parents(lambda: WorkerSession(request, timeout, memory), request,
                                                   target, notes)
    try:
        status = header.get("status")
        if status == "no_function":
            name = header.get("missing") or name
            defined = [str(d) for d in header.get("defined", [])][:30]
            has = f"; it defines {', '.join(defined)}" if defined else "; it defines no functions"
            raise InputError(f"{target} has no function {name!r}{has}")
        if status == "not_callable":
            raise InputError(f"{target}: {name!r} is a {header.get('type')}, not a function")
        if status != "loaded":
            kind, message = str(header.get("kind", "crash")), str(header.get("message", header))
            if kind != "syntax" and target.endswith(".py"):
                run = _definitions_only(target, spec, name, f"importing {Path(target).name} {message}",
                                        (timeout, memory, problems, base, loss))
                if run is not None:
                    return run
            if kind == "timeout":
                message += " (does it train or load data at import? put that under `if __name__ == '__main__':`)"
            failure = message if kind == "syntax" else f"importing {target} {message}"
            return Run(spec, name, failure=failure, failure_kind=kind, printed=session.printed(),
                       warnings=session.warnings)
        run = _explored(session, spec, name, problems, base, loss, header.get("parameters"))
        separate_gradient(run, name, [str(d) for d in header.get("defined", [])] if not base.grad else [])
        run.notes = notes
        return run
    finally:
        session.close()
