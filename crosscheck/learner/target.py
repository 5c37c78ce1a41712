"""Loading a learner's ``nnCostFunction`` and calling it safely.

``load_user_function("mycode.py:nnCostFunction")`` imports the file and returns a
:class:`UserFunction`; calling it returns ``(J, grad)`` checked to be a finite float and a
finite float64 vector ``(n_params,)``. Every way this can fail (file missing, import error,
exception inside the function, wrong return type or shape, NaN, too slow) raises
``InputError`` with one line that names the problem and, where there is one, the line of
the learner's file it came from; never a traceback.

Time limit: the import and every call run under ``signal.setitimer``/``SIGALRM`` in the main
thread. The handler raises :class:`UserTimeout`, a ``BaseException`` so that a learner's
``except Exception:`` cannot swallow it, and the timer re-fires every 0.5 s until the call has
left the learner's code. Python delivers signals between bytecodes, so loops (the usual slow
code: per-example loops, a stray ``while``) are stopped on time; a single long C call (one
enormous matrix product) is stopped when it returns. Away from the main thread, or where
there is no SIGALRM (Windows), the limit is checked after the call returns. A subprocess
would also stop runaway C code, but would cost an interpreter start and re-import per run
and could not share the arrays; the learner's code is trusted, only slow or buggy.

The learner's ``print`` output goes to stderr, so that ``--json`` stdout stays one object;
their warnings (overflow in exp, ...) are recorded, not raised, and reported.
"""
import contextlib
import importlib
import importlib.util
import math
import signal
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from manual.errors import InputError
from manual.layout import unroll

from crosscheck.learner.calls import Call, Run, check_result
from crosscheck.learner.problems import PROBLEMS, problem_data

DEFAULT_TIMEOUT = 30.0
COURSE_SIGNATURE = "(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_) -> (J, grad)"


class UserCallError(InputError):
    """The learner's function raised an exception (as opposed to returning something wrong)."""


class CallTimeout(InputError):
    """A call of the learner's function ran past the time limit (later calls would too)."""


class UserTimeout(BaseException):
    """The learner's code ran past the time limit (BaseException: `except Exception` can't eat it)."""


@contextlib.contextmanager
def time_limit(seconds):
    """Raise UserTimeout inside the block once ``seconds`` have passed (see the module docstring)."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise UserTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _where(exc, path):
    """' (mycode.py line 12)': the deepest traceback frame in the learner's file, if any."""
    if path is None:
        return ""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return f" ({path.name} line {frames[-1].lineno})" if frames else ""


def _one_line(exc):
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextlib.contextmanager
def _guarded(seconds, recorded):
    """The learner's stdout to stderr, their warnings into ``recorded``, and the time limit."""
    with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings(record=True) as caught, \
            np.errstate(all="warn"):
        warnings.simplefilter("always")
        try:
            with time_limit(seconds):
                yield
        finally:
            for w in caught:
                message = f"{w.category.__name__}: {w.message}"
                if message not in recorded:
                    recorded.append(message)


def parse_spec(spec):
    """'path/to/file.py:function' -> (Path, function name)."""
    if ":" not in spec:
        raise InputError(f"expected FILE.py:FUNCTION (e.g. mycode.py:nnCostFunction), got {spec!r}")
    target, name = spec.rsplit(":", 1)
    if not target or not name.isidentifier():
        raise InputError(f"expected FILE.py:FUNCTION (e.g. mycode.py:nnCostFunction), got {spec!r}")
    return target, name


def _importer(target):
    """(path of the learner's file or None, a function that imports it and returns the module).

    ``target`` is a path to a .py file, or a dotted module name importable from sys.path.
    """
    path = Path(target)
    if target.endswith(".py") or path.exists() or "/" in target or "\\" in target:
        if not path.exists():
            raise InputError(f"{target}: no such file")
        if path.is_dir():
            raise InputError(f"{target}: is a directory; give the .py file that defines the function")
        if path.suffix != ".py":
            raise InputError(f"{target}: not a Python file (expected FILE.py:FUNCTION)")
        path = path.resolve()
        spec = importlib.util.spec_from_file_location(f"crosscheck_user_{abs(hash(str(path)))}", path)

        def load():
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            return module
        return path, load
    if not all(part.isidentifier() for part in target.split(".")):
        raise InputError(f"{target}: not a Python file or module name (expected FILE.py:FUNCTION)")
    if importlib.util.find_spec(target.split(".")[0]) is None:
        raise InputError(f"module {target!r} not found (give the path to your .py file, e.g. {target}.py:FUNCTION)")
    return None, lambda: importlib.import_module(target)


def _import(target, timeout, recorded):
    """The learner's module and its file's path; InputError naming what went wrong."""
    path, load = _importer(target)
    if path is not None:
        sys.path.insert(0, str(path.parent))       # so their own helper modules next to it import
    try:
        with _guarded(timeout, recorded):
            module = load()
    except UserTimeout:
        raise InputError(f"importing {target} took longer than the {timeout:g} s limit "
                         "(does it train or load data at import? put that under `if __name__ == '__main__':`)") from None
    except SyntaxError as exc:
        raise InputError(f"{target} line {exc.lineno}: SyntaxError: {exc.msg}") from None
    except (Exception, SystemExit) as exc:
        raise InputError(f"importing {target} raised {_one_line(exc)}{_where(exc, path)}") from None
    finally:
        if path is not None:
            with contextlib.suppress(ValueError):
                sys.path.remove(str(path.parent))
    return module, path or Path(getattr(module, "__file__", None) or target)


@dataclass
class UserFunction:
    """The learner's function, callable as ``(J, grad) = f(problem args)`` with every check."""
    fn: object
    spec: str
    path: Path
    timeout: float = DEFAULT_TIMEOUT
    warnings: list = field(default_factory=list)
    seconds: list = field(default_factory=list)            # wall time of every call
    mutated: list = field(default_factory=list)            # argument names it wrote into

    @property
    def name(self):
        return self.spec.rsplit(":", 1)[1]

    def __call__(self, nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_,
                 context=""):
        """(J float, grad (n_params,) float64); ``context`` names the problem in error messages."""
        on = f" on {context}" if context else ""
        args = (np.array(nn_params, dtype=np.float64), int(input_layer_size), int(hidden_layer_size),
                int(num_labels), np.array(X, dtype=np.float64), np.array(y), float(lambda_))
        start = time.perf_counter()
        try:
            with _guarded(self.timeout, self.warnings):
                result = self.fn(*args)      # copies: the learner may modify arrays in place
        except UserTimeout:
            raise CallTimeout(f"{self.name} took longer than the {self.timeout:g} s limit{on} "
                             "(an endless loop? raise the limit with --timeout S)") from None
        except (Exception, SystemExit) as exc:
            where = _where(exc, self.path)
            hint = ""
            if isinstance(exc, TypeError) and not where and "argument" in str(exc):
                hint = f"; the course signature is {COURSE_SIGNATURE}"     # failed at the call itself
            raise UserCallError(f"{self.name} raised {_one_line(exc)}{where}{on}{hint}") from None
        finally:
            self._note_mutations(args, nn_params, X, y)
        elapsed = time.perf_counter() - start
        self.seconds.append(elapsed)
        if self.timeout is not None and elapsed > self.timeout:
            raise InputError(f"{self.name} took {elapsed:.1f} s, longer than the {self.timeout:g} s limit{on} "
                             "(raise it with --timeout S)")
        J, grad = check_result(result, args[0].size, self.name, on)
        if any(getattr(v, "dtype", None) == np.float32 for v in result):
            note = ("returned float32 values: their rounding (~1e-7) is far above the 1e-9 tolerance, "
                    "so compute in float64")
            if note not in self.warnings:
                self.warnings.append(note)
        return J, grad

    def _note_mutations(self, args, nn_params, X, y):
        """Record which of the arrays handed to the learner it wrote into (compared with the
        originals, which it never saw)."""
        for name, given, original in (("nn_params", args[0], nn_params), ("X", args[4], X), ("y", args[5], y)):
            original = np.asarray(original)
            if name not in self.mutated and not (given.shape == original.shape
                                                 and np.array_equal(given, original, equal_nan=True)):
                self.mutated.append(name)


def load_user_function(spec, timeout=DEFAULT_TIMEOUT):
    """'FILE.py:FUNCTION' -> UserFunction; InputError with one clear line on any failure."""
    if timeout is not None and not (timeout > 0 and math.isfinite(timeout)):
        raise InputError(f"--timeout must be a positive number of seconds, got {timeout}")
    target, name = parse_spec(spec)
    recorded = []
    module, path = _import(target, timeout, recorded)
    if not hasattr(module, name):
        defined = sorted(k for k, v in vars(module).items()
                         if callable(v) and not k.startswith("_")
                         and getattr(v, "__module__", None) == module.__name__)
        has = f"; it defines {', '.join(defined)}" if defined else "; it defines no functions"
        raise InputError(f"{target} has no function {name!r}{has}")
    fn = getattr(module, name)
    if not callable(fn):
        raise InputError(f"{target}: {name!r} is a {type(fn).__name__}, not a function")
    return UserFunction(fn, spec, path, timeout, recorded)


def run_problems(user, problems=PROBLEMS, order="F"):
    """A :class:`Run` of ``user`` (a :class:`UserFunction`) on every problem: its (J, grad),
    and the y shape it accepted.

    y is passed as (m,); if the function raises on the first problem it is tried once with
    (m, 1), the shape ex4data1.mat loads as, and that shape is kept when it works.
    A call that raises or returns something unusable is recorded as a failed :class:`Call` and the
    next problem runs; a time-out stops the run. If no call at all succeeds, the first failure
    is raised (one line, as before).
    """
    calls, column, first = [], False, None
    for index, problem in enumerate(problems):
        thetas, X, y = problem_data(problem)
        args = (unroll(thetas, order), *problem.sizes, X)
        try:
            try:
                J, grad = user(*args, y[:, None] if column else y, problem.lambda_, context=problem.name)
            except UserCallError:
                if index or column:
                    raise
                J, grad = _retry_column(user, args, y, problem)
                column = True
        except CallTimeout:
            raise
        except InputError as exc:
            first = first or exc
            kind = "exception" if isinstance(exc, UserCallError) else "bad_return"
            calls.append(Call(problem, failure=str(exc), kind=kind))
            continue
        calls.append(Call(problem, J, grad, seconds=user.seconds[-1]))
    if first is not None and not any(c.ok for c in calls):
        raise first
    return Run(user.spec, user.name, calls, "(m, 1)" if column else "(m,)", warnings=user.warnings,
               mutated_inputs=list(user.mutated))


def _retry_column(user, args, y, problem):
    try:
        return user(*args, y[:, None], problem.lambda_, context=problem.name)
    except UserCallError:
        pass
    return user(*args, y, problem.lambda_, context=problem.name)     # raises the (m,) error again


def run_target(spec, order="F", timeout=DEFAULT_TIMEOUT, problems=PROBLEMS):
    """The one entry point for ``crosscheck verify``: a :class:`Run` of the target ``spec``
    ("FILE.py:FUNCTION") on ``problems``. InputError when crosscheck cannot tell what to check."""
    return run_problems(load_user_function(spec, timeout), problems, order)
