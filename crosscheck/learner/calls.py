"""What running a learner's function produced, as plain data: the seam between running it
(``target``: in a worker process, from a notebook, in Octave or in the caller's own kernel) and
judging it (``diagnosis``). Only numbers, arrays and strings cross it, never the learner's
objects, so nothing the learner's code does can reach the verdict except through these values.
"""
import math
from dataclasses import dataclass, field

import numpy as np

from manual.errors import InputError

from crosscheck.learner.problems import Problem


@dataclass
class Call:
    """One call of the learner's function on one problem."""
    problem: Problem
    J: float | None = None
    grad: np.ndarray | None = None   # (n_params,) float64 as the learner unrolled it, validated
    failure: str | None = None       # one line: why this call gave no usable (J, grad)
    kind: str = "ok"                 # "ok", or why not: "exception", "timeout", "memory", "crash",
                                     # "exit", "bad_return"
    seconds: float = 0.0
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
    failure_kind: str = ""           # "import", "syntax", "timeout", "crash", "exit", ...
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
