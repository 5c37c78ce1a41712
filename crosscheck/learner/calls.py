"""What running a learner's function produced, as plain data: the seam between running it
(``run``: in a worker process, from a notebook, in Octave or in the caller's own kernel) and
judging it (``judge``). Only numbers, arrays and strings cross it, never the learner's
objects, so nothing the learner's code does can reach the verdict except through these values.

:class:`Options` says how to run and judge (order, loss, limits, problems); a failure is its
:class:`FailureKind` and its :class:`Location` as data, never a message parsed back.
"""
import math
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from manual.errors import InputError

from crosscheck.learner.problems import PROBLEMS, Problem

DEFAULT_TIMEOUT = 30.0       # s per call of the learner's function (and for importing it)
DEFAULT_MEMORY_MB = 2048     # address space of the worker. Measured (VmPeak, one BLAS thread):
                             # python + numpy 97 MiB, + scipy 224 MiB, + jax 382 MiB, + torch
                             # 583 MiB; the problems themselves need kilobytes.


@dataclass(frozen=True)
class Options:
    """How a target is run and judged: one object from the CLI or ``verify`` down to the driver."""
    order: str = "F"                         # how nn_params is unrolled: F (the course's Theta(:)) or C
    loss: str = "cross_entropy"
    timeout: float | None = DEFAULT_TIMEOUT  # s per call; None: no limit (in-process only)
    memory: float = DEFAULT_MEMORY_MB        # MiB for the process running the learner's code
    problems: tuple = tuple(PROBLEMS)
    conventions: object = None               # run.conventions.Convention, what the user pinned: the
                                             # others are inferred (run.explore); None: the course's
                                             # with ``order``, nothing inferred
    advice: str = "flags"                    # how limits are raised where the learner is: "flags" on
                                             # the command line, "keywords" in Python (verify(...))

    def raise_limit(self, limit):
        """How the learner raises ``limit`` ("timeout", "memory") where they are."""
        return ADVICE[self.advice][limit]


ADVICE = {"flags": {"timeout": "--timeout S", "memory": "--memory MB"},
          "keywords": {"timeout": "timeout=S (seconds)", "memory": "memory=MB"}}


class FailureKind(StrEnum):
    """Why a call (or a whole target) gave no usable (J, grad)."""
    OK = "ok"
    EXCEPTION = "exception"      # the learner's code raised
    TIMEOUT = "timeout"          # ran past the time limit
    MEMORY = "memory"            # past the memory limit
    CRASH = "crash"              # a signal, a broken channel, anything unknown
    EXIT = "exit"                # sys.exit, os._exit, Octave's exit
    BAD_RETURN = "bad_return"    # returned something that is not (J, grad)
    IMPORT = "import"            # the target's top level raised while loading
    SYNTAX = "syntax"            # the target does not parse

    @classmethod
    def of(cls, text):
        """The kind of a failure named by ``text`` (plain data from a worker): CRASH for anything
        unknown, and for "ok" (a failure is never ok)."""
        try:
            kind = cls(str(text))
        except ValueError:
            return cls.CRASH
        return cls.CRASH if kind is cls.OK else kind


@dataclass(frozen=True)
class Location:
    """Where in the learner's code: a file (full path as run), a line, a notebook cell (or None),
    and the text of that line (read by this process from the learner's file, never sent by their
    code). A cell of a notebook target is counted from the top of the notebook; a cell of a live
    IPython kernel (its code compiled under a temporary file name) is its execution count, In[N]."""
    file: str = ""
    line: int | None = None
    cell: int | None = None
    text: str = ""

    @property
    def name(self):
        return Path(self.file).name

    @property
    def in_kernel(self):
        """A cell of a live kernel (``verify(fn)`` in Jupyter), not of a notebook file."""
        return self.cell is not None and not self.file.endswith(".ipynb")

    @classmethod
    def of(cls, file=None, line=None, cell=None):
        """A Location from plain data (a worker's reply), validated; None when nothing is known."""
        def whole(v):
            return v if isinstance(v, int) and not isinstance(v, bool) and 0 < v < 10**9 else None
        file = str(file)[:1000] if isinstance(file, str) else ""
        return cls(file, whole(line), whole(cell)) if file else None

    def __str__(self):
        """'ex4.ipynb cell 4, line 3', 'cell In[7], line 3', 'nnCostFunction.m line 28', 'mycode.py'."""
        line = f"line {self.line}" if self.line else ""
        if self.in_kernel:
            return ", ".join([f"cell In[{self.cell}]", *([line] if line else [])])
        if self.cell:
            return f"{self.name} cell {self.cell}" + (f", {line}" if line else "")
        return " ".join([self.name, *([line] if line else [])])

    def quoted(self):
        """``str(self)`` and the line itself: "ex4.ipynb cell 4, line 3: `J = J / 0`"."""
        return str(self) + (f": `{self.text}`" if self.text else "")


@dataclass
class Call:
    """One call of the learner's function on one problem."""
    problem: Problem
    J: float | None = None
    grad: np.ndarray | None = None   # (n_params,) float64 as the learner unrolled it, validated
    failure: str | None = None       # one line: why this call gave no usable (J, grad)
    kind: FailureKind = FailureKind.OK
    seconds: float = 0.0
    location: Location | None = None     # where in the learner's code it failed, when known
    params_after: np.ndarray | None = None   # nn_params as the function left them, when it wrote into them

    @property
    def ok(self):
        return self.failure is None


@dataclass
class Run:
    """Everything one target did on the problems, in problem order."""
    spec: str                        # the target as the user named it, e.g. "mycode.py:nnCostFunction"
    name: str                        # the function's name
    calls: list = field(default_factory=list)
    y_shape: str = "(m,)"            # the shape of y it accepted: "(m,)" or "(m, 1)"
    printed: list = field(default_factory=list)           # the first lines it printed
    warnings: list = field(default_factory=list)          # warnings it raised (overflow, ...)
    mutated_inputs: list = field(default_factory=list)    # arguments it wrote into
    nondeterministic: list = field(default_factory=list)  # problems where two calls differed
    float32: bool = False            # it returned float32 values
    failure: str | None = None       # the target as a whole could not run (import or syntax
                                     # error, with file:line): one line; calls is then empty
    failure_kind: FailureKind | str = ""     # IMPORT, SYNTAX, TIMEOUT, CRASH, EXIT, ... ("" when it ran)
    location: Location | None = None         # where its loading failed, when known
    path: Path | None = None                 # the learner's source file, when it has one
    convention: object = None        # the run.conventions.Convention its arguments were written in
    alternatives: list = field(default_factory=list)     # Runs under other conventions (run.explore)
    notes: list = field(default_factory=list)            # how the target was found (sibling imports, ...)

    @property
    def seconds(self):
        return [c.seconds for c in self.calls if c.ok]


def _numeric_size(value):
    """The number of entries of a numeric array-like, else -1."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return -1
    return array.size if array.dtype.kind in "iuf" else -1


def _ndim(value):
    """np.ndim, or -1 for what numpy cannot make an array of (ragged lists)."""
    try:
        return np.ndim(value)
    except (TypeError, ValueError):
        return -1


def unrolled_layers(result, shapes, order):
    """``(result, True)`` with grad unrolled in ``order`` when ``result`` is (J, grad) and grad is
    one matrix per layer of exactly ``shapes`` (the Python ports' ``[Theta1_grad, Theta2_grad]``):
    a convention, not a mistake. Anything else comes back as it is, with False, for
    :func:`check_result` to judge (a matrix of another shape stays a wrong return)."""
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        return result, False
    J, grad = result
    if not (isinstance(grad, (tuple, list)) and len(grad) == len(shapes) > 1):
        return result, False
    try:
        arrays = [np.asarray(g) for g in grad]
    except (TypeError, ValueError):
        return result, False
    if [a.shape for a in arrays] != [tuple(s) for s in shapes] or any(a.dtype.kind not in "iuf" for a in arrays):
        return result, False
    return (J, np.concatenate([a.astype(np.float64).ravel(order=order) for a in arrays])), True


def check_result(result, n_params, name="the function", on=""):
    """(J, grad) validated: J a finite float, grad a finite float64 vector (n_params,)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        got = (f"a {type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list))
               else f"a {type(result).__name__}")
        raise InputError(f"{name} returned {got}{on}; expected the pair (J, grad)")
    J, grad = result
    if _numeric_size(grad) == 1 and _numeric_size(J) == n_params > 1:
        raise InputError(f"{name} returned (grad, J){on}: the pair in the other order; return J, grad")
    try:
        J_arr = np.asarray(J)
    except (TypeError, ValueError):
        J_arr = np.asarray(None)
    if J_arr.dtype.kind not in "iuf":          # text, None, objects: not a number
        raise InputError(f"{name} returned J of type {type(J).__name__}{on}; expected a number")
    if J_arr.size != 1:
        raise InputError(f"{name} returned J with shape {J_arr.shape}{on}; expected a scalar "
                         "(did you forget to sum over examples or classes?)")
    J = float(J_arr.reshape(()).astype(np.float64))
    if not math.isfinite(J):
        raise InputError(f"{name} returned J = {J}{on}; expected a finite cost")
    if isinstance(grad, (tuple, list)) and grad and all(_ndim(g) == 2 for g in grad):
        raise InputError(f"{name} returned grad as {len(grad)} matrices {[np.shape(g) for g in grad]}{on}; "
                         f"expected them unrolled into one vector of shape ({n_params},)")
    if isinstance(grad, (tuple, list)) and len(grad) > 1 and all(_ndim(g) == 1 for g in grad) \
            and sum(_numeric_size(g) for g in grad) == n_params:
        raise InputError(f"{name} returned grad as {len(grad)} vectors of lengths {[_numeric_size(g) for g in grad]}"
                         f"{on}; expected one vector of shape ({n_params},): np.concatenate them")
    try:
        g = np.asarray(grad)
    except (TypeError, ValueError):
        g = np.asarray(None)
    if g.dtype.kind not in "iuf":
        raise InputError(f"{name} returned grad of type {type(grad).__name__}{on}; "
                         f"expected a numeric vector of shape ({n_params},)")
    g = g.astype(np.float64)
    if g.ndim == 2 and 1 in g.shape:
        g = g.ravel()                        # a column (n, 1) as in MATLAB is fine
    if g.shape != (n_params,):
        raise InputError(f"{name} returned grad with shape {g.shape}{on}; expected ({n_params},), "
                         "the same length as nn_params")
    bad = ~np.isfinite(g)
    if bad.any():
        first = int(np.argmax(bad))
        raise InputError(f"{name} returned a grad with {int(bad.sum())} NaN/inf entries{on} "
                         f"(first at index {first}: {g[first]})")
    return J, g
