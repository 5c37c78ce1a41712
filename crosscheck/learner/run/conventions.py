"""The conventions a learner's cost function may be written in, as data: how its arguments are
built, which ones are tried, and which one is accepted.

The course's conventions (labels 1..K with K for digit 0, y a vector of labels, X without its
column of ones, Θ unrolled column-major, the argument order of ``nnCostFunction.m``) are one set
among several that learners really use. A :class:`Convention` fixes each of them; the driver
builds a call's arguments with :func:`call_args`, the runner tries :func:`candidates` (the
course's first), and the judge keeps one with :func:`choose`.

The rule (:func:`choose`): a convention is accepted only when it explains every problem exactly
and is one a learner's own data and optimiser could be using: each dimension below is
consistent by construction (the same labels in the cost and the gradient, Θ read and written in
one order), so a function that mixes two of them is exact under none and stays wrong. When none
is exact, the convention under which the function runs on the most problems and whose diagnosis
is explained best is kept, the course's winning ties; a convention may remove only its own
shadow (the finding a function written in it gets under the course's conventions, e.g.
``unroll_order`` for a consistent order C), never another catalogue mistake.
"""
import re
from dataclasses import dataclass, field, replace

import numpy as np

from manual.layout import add_bias, unroll

ROLES = ("params", "input_size", "hidden_size", "num_labels", "X", "y", "lambda")
COURSE_SIGNATURE = "(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_) -> (J, grad)"
# The argument names learners use, per role (compared in lower case, trailing '_' ignored).
NAMES = {
    "params": ("nn_params", "params", "theta", "thetas", "nn_param", "nnparams", "parameters", "weights",
               "w", "p", "theta_vec", "theta_unrolled", "initial_nn_params"),
    "input_size": ("input_layer_size", "input_size", "inputlayersize", "n_input", "n_inputs", "num_inputs",
                   "input_units", "n_in", "s1", "in_size"),
    "hidden_size": ("hidden_layer_size", "hidden_size", "hiddenlayersize", "n_hidden", "num_hidden",
                    "hidden_units", "n_hid", "s2", "hid_size"),
    "num_labels": ("num_labels", "num_classes", "output_size", "numlabels", "n_labels", "n_classes",
                   "output_layer_size", "n_out", "k", "num_outputs", "out_size"),
    "X": ("x", "x_data", "features", "inputs"),
    "y": ("y", "labels", "targets", "y_data", "y_onehot", "y_matrix"),
    "lambda": ("lambda", "lamda", "lambda_", "lmbda", "lambd", "lam", "lmbd", "learning_rate", "reg",
               "l", "reg_param", "reg_lambda", "regularization", "alpha"),
}
ROLE_OF = {name: role for role, names in NAMES.items() for name in names}
Y_FORMS = ("labels", "column", "onehot")
Y_SHAPES = {"labels": "(m,)", "column": "(m, 1)", "onehot": "(m, K)"}


@dataclass(frozen=True)
class Convention:
    """One way of writing the function: every dimension a learner may choose differently."""
    labels: int = 1                  # 1: labels 1..K, K for digit 0 (the course); 0: labels 0..K−1
    y: str = "labels"                # "labels" (m,), "column" (m, 1), "onehot" (m, K)
    x_bias: bool = False             # X passed with its column of ones already added
    order: str = "F"                 # how Θ is unrolled, read and written: F (course) or C
    signature: tuple = ROLES         # the roles of the function's arguments, in its order
    grad: str = ""                   # a separate gradient function's name ('' : it returns (J, grad))
    fixed: tuple = field(default=(), compare=False)   # the dimensions pinned by the user
    path: tuple = field(default=(), compare=False)    # folders the learner's code imports from (--path)

    def deviations(self, other):
        """How many dimensions differ from ``other`` (the course's, or the pinned ones)."""
        return sum(getattr(self, f) != getattr(other, f) for f in ("labels", "y", "x_bias", "order", "signature"))

    def lines(self, octave=False):
        """One line per convention, as the report prints them."""
        course = COURSE if not octave else OCTAVE
        mark = lambda same: " (the course's)" if same else ""          # noqa: E731
        return [
            f"labels {'1..K, K for digit 0' if self.labels == 1 else '0..K−1'}"
            + mark(self.labels == course.labels) if self.y != "onehot" else
            "y one-hot (m, K), label k in column k",
            f"y passed as {Y_SHAPES[self.y]}" + mark(self.y == course.y),
            f"X passed {'with' if self.x_bias else 'without'} its column of ones" + mark(self.x_bias == course.x_bias),
            f"Θ unrolled {self.order} ({'column-major, Theta(:)' if self.order == 'F' else 'row-major, numpy'})"
            + mark(self.order == course.order),
            "arguments (" + ", ".join(self.signature) + ")" + mark(self.signature == ROLES),
            f"gradient from {self.grad}" if self.grad else "returns (J, grad)",
        ]

    def to_json(self):
        return {"labels": f"{self.labels}..K{'' if self.labels else '-1'}" if self.y != "onehot" else "onehot",
                "label_base": self.labels, "y": self.y, "y_shape": Y_SHAPES[self.y], "x_bias": self.x_bias,
                "order": self.order, "signature": list(self.signature), "grad": self.grad or None}


COURSE = Convention()
OCTAVE = Convention(y="column")


def _key(name):
    return str(name).lower().rstrip("_") if str(name).lower().rstrip("_") else str(name).lower()


def map_signature(names):
    """The roles of the arguments named ``names`` (the function's required parameters, in order),
    or None when they cannot be told apart: each name the table knows takes its role, the
    others take the roles left over in the course's order; there must be exactly seven."""
    names = list(names)
    if len(names) != len(ROLES):
        return None
    known = [ROLE_OF.get(_key(n)) or ROLE_OF.get(str(n).lower()) for n in names]
    taken = [r for r in known if r]
    if len(set(taken)) != len(taken):
        return None
    left = iter([r for r in ROLES if r not in taken])
    return tuple(r or next(left) for r in known)


OCTAVE_FUNCTION = re.compile(r"^\s*function\s+(?:\[([^\]]*)\]|(\w+))?\s*=?\s*(\w+)\s*\(([^)]*)\)", re.M)


def octave_signature(text, name):
    """(outputs, arguments) of the function ``name`` declared in an .m file's text, or None."""
    text = re.sub(r"(\.\.\.|[%#])[^\n]*\n", " \n", text + "\n")     # comments, continuations
    for found in OCTAVE_FUNCTION.finditer(text):
        if found.group(3) == name:
            outs = (found.group(1) or found.group(2) or "").replace(",", " ").split()
            args = [a.strip() for a in found.group(4).split(",") if a.strip()]
            return outs, args
    return None


def one_hot(y, K):
    """Y (m, K), Y[i, k − 1] = 1 for label k: the reference's column order."""
    return (np.asarray(y)[:, None] == np.arange(1, K + 1)[None, :]).astype(np.float64)


def call_args(problem_arrays, sizes, lambda_, convention):
    """The arguments of one call, in the function's order: ``problem_arrays`` (thetas, X, y with
    labels 1..K) written in ``convention``. Fresh arrays every time."""
    thetas, X, y = problem_arrays
    K = sizes[-1]
    labels = np.asarray(y) - (1 - convention.labels) * 1   # 0-based: label k → k − 1 (digit 0 first)
    ys = {"labels": lambda: np.array(labels), "column": lambda: np.array(labels)[:, None],
          "onehot": lambda: one_hot(y, K)}[convention.y]()
    by_role = {"params": unroll(thetas, convention.order), "input_size": sizes[0], "hidden_size": sizes[1],
               "num_labels": K, "X": add_bias(X) if convention.x_bias else np.array(X), "y": ys,
               "lambda": float(lambda_)}
    return tuple(by_role[r] for r in convention.signature)


def candidates(base, octave=False):
    """The conventions tried after ``base`` (the course's, with ``base.fixed`` pinned): every
    combination of the dimensions not pinned, fewest changes first."""
    pinned = base.fixed
    labels = (base.labels,) if "labels" in pinned or octave else (1, 0)
    ys = (base.y,) if "y" in pinned else ("column", "onehot") if octave else Y_FORMS
    biases = (base.x_bias,) if "x_bias" in pinned else (False, True)
    orders = (base.order,) if "order" in pinned else ("F", "C")
    out = [replace(base, labels=l, y=y, x_bias=b, order=o) for l in labels for y in ys for b in biases
           for o in orders if not (y == "onehot" and l == 0)]
    return sorted([c for c in out if c != base], key=lambda c: c.deviations(base))


PINNABLE = ("labels", "y", "x_bias", "order")


def pinned(base=COURSE, **values):
    """``base`` with the given dimensions fixed (None: inferred), the fixed ones remembered."""
    fixed = {k: v for k, v in values.items() if v is not None}
    return replace(base, **fixed, fixed=tuple(sorted(fixed)))


@dataclass(frozen=True)
class Outcome:
    """What the judge found under one convention, as plain data for :func:`choose`."""
    convention: Convention
    failed: int                 # calls that did not run
    passed: bool
    recognised: bool            # every wrong part explained
    ids: tuple                  # the explained ids found
    right_where_ran: bool = False   # it ran on some problem, and agrees wherever it ran


def shadow(convention, base):
    """The ids a function written in ``convention`` gets when judged in ``base``'s: what the
    convention may take away. Labels 0..K−1 have none: code that runs on labels 1..K and is
    explained there as label_offset stays label_offset (pin --labels 0 for data labelled so)."""
    return {"unroll_order"} if convention.order != base.order else set()


def choose(base, others):
    """The :class:`Outcome` to report: ``base`` (the course's or pinned conventions) unless
    another explains more (see the module docstring). ``others`` fewest changes first."""
    if base.passed:
        return base
    # right wherever it ran under the base: those are the learner's conventions, and the problems
    # where it fails show a real bug (e.g. Y sized by the largest label present), never a convention
    theirs = base.right_where_ran
    for o in others:
        if o.passed and not theirs and (base.failed or not base.recognised
                                        or set(base.ids) <= shadow(o.convention, base.convention)):
            return o
    if not base.failed:
        for o in others:
            gone = shadow(o.convention, base.convention) & set(base.ids)
            if not o.failed and o.recognised and gone and set(o.ids) == set(base.ids) - gone:
                return o
        # unexplained under the base, explained under another: that one is the learner's
        better = [o for o in others if not base.recognised and not o.failed and o.recognised]
        return min(better, key=lambda o: (len(o.ids), o.convention.deviations(base.convention))) if better else base
    ran = [o for o in others if o.failed < base.failed]
    if not ran or theirs:
        return base
    return min(ran, key=lambda o: (o.failed, not o.recognised, len(o.ids), o.convention.deviations(base.convention)))
