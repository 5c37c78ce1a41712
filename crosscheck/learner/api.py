"""``verify(nnCostFunction)``: the learner's check as one Python call, for notebooks and autograders.

    from crosscheck import verify, assert_verified
    verify(nnCostFunction)             # in Jupyter: verdict, table, diagnosis and a heat map
    assert_verified(nnCostFunction)    # an autograded cell or a pytest test in one line

A function object runs in a **forked child** of the caller's process (``run.forked``): a function
defined in a notebook cell has no file a worker process could import again, and the child
reports back as the worker does, so the function cannot patch the judge or its result. It is not
sandboxed: code that already ran in the caller's process (earlier cells) could have changed
anything there, so a grading setup runs ``crosscheck verify`` on the learner's file. It gets the
same treatment as a .py target run by ``run_problems``: copies of the inputs, the time limit per
call (the child is killed at the deadline), every (J, grad) validated. A function that raises, overruns the limit or returns junk is
not right: ``verify`` returns a result that failed and says why, never raises for it. Bad options
(an unknown loss or order, a timeout ≤ 0) raise ``InputError``, a ``ValueError``.

A string names a target as on the command line ("mycode.py:nnCostFunction",
"ex4.ipynb:nnCostFunction", "nnCostFunction.m") and goes through ``run_target``, as
``crosscheck verify`` does: what makes the command exit 2 raises ``InputError`` here.
"""
import inspect
from dataclasses import dataclass
from pathlib import Path

from manual.errors import InputError

from crosscheck.learner.calls import DEFAULT_MEMORY_MB, Run
from crosscheck.learner.judge.choice import judge_run
from crosscheck.learner.run.conventions import Y_FORMS, pinned
from crosscheck.learner.run.worker import parameters, with_gradient
from crosscheck.learner.run.target import (DEFAULT_TIMEOUT, UserFunction, check_timeout, options, run_problems,
                                          run_target)
from crosscheck.learner.show.as_html import heat_map_png, to_html, worst_gradient  # noqa: F401  (API)
from crosscheck.learner.show.as_json import to_json
from crosscheck.learner.show.render import to_text

MAX_MESSAGE_LINES = 60


@dataclass
class VerifyResult:
    """What ``verify`` found: the :class:`~crosscheck.learner.judge.diagnosis.Diagnosis` of the run,
    including calls that failed (``error`` says why the first one did, in one line)."""
    run: Run
    diagnosis_result: object
    loss: str
    order: str
    isolation: str = "fork"      # a function: a forked child; a target: the CLI's sandbox
    source: object = None            # what was verified: the function, or the target string
    timeout: float | None = DEFAULT_TIMEOUT
    memory: float = DEFAULT_MEMORY_MB
    training: object = None          # after .train(): a learner_training.TrainingComparison

    def train(self):
        """Train the network on the embedded digits with this function beside the correct one (the
        gallery's settings, the same start): does the mistake matter? A target string runs in a
        worker with verify's limits; a function object in this kernel, as ``verify`` called it.
        Returns the :class:`~crosscheck.teaching.learner_training.TrainingComparison` (shown in
        Jupyter as one sentence and one figure) and keeps it in ``self.training``."""
        from crosscheck.learner.run.session_training import train_session, train_target
        chosen = options(loss=self.loss, order=self.order, timeout=self.timeout, memory=self.memory,
                         advice="keywords")
        if isinstance(self.source, (str, Path)):
            self.training = train_target(str(self.source), self.run, chosen, self.passed)
        else:
            self.training = train_session(_user_function(self.source, self.timeout), self.run, chosen, self.passed)
        return self.training

    @property
    def passed(self):
        return self.diagnosis_result.passed

    @property
    def diagnosis(self):
        """The ids found, catalogue or new (empty when right or unrecognised)."""
        return list(self.diagnosis_result.ids)

    @property
    def recognised(self):
        return self.diagnosis_result.recognised

    @property
    def error(self):
        """Why the function could not run, or its first failing call failed; '' when every call ran."""
        return self.to_dict()["failure"] or ""

    def to_dict(self):
        """The object ``crosscheck verify --json`` prints."""
        return {**to_json(self.diagnosis_result), "isolation": self.isolation}

    def __str__(self):
        """The text report ``crosscheck verify`` prints (and ``--train``'s part, once trained)."""
        text = to_text(self.diagnosis_result)
        return text + ("\n\n" + self.training.text() if self.training is not None else "")

    def __repr__(self):
        verdict = "passed" if self.passed else f"failed, diagnosis {self.diagnosis or 'unrecognised'}"
        return f"<VerifyResult {self.run.spec}: {verdict}>"

    def _repr_html_(self):
        """Jupyter's display: verdict, per-problem table, diagnosis with the corrected equation,
        the heat map of the gradient error inline (base64 PNG), and the text report folded; once
        trained, the training's sentence and figure."""
        return to_html(self.diagnosis_result) + (self.training._repr_html_() if self.training is not None else "")


def _user_function(fn, timeout):
    """``fn`` as a UserFunction; its spec 'module:name' and its source file for error lines."""
    if not callable(fn):
        raise InputError(f"verify needs your function (or 'FILE.py:FUNCTION'), got a {type(fn).__name__}")
    name = getattr(fn, "__name__", type(fn).__name__)
    try:
        source = inspect.getsourcefile(fn)
    except TypeError:                    # a builtin, a C function, a callable object
        source = None
    return UserFunction(fn, f"{getattr(fn, '__module__', None) or '?'}:{name}",
                        Path(source) if source else None, timeout)


def verify(fn, *, loss="cross_entropy", order=None, labels=None, y=None, x_bias=None, grad=None, path=None,
           timeout=DEFAULT_TIMEOUT, memory=DEFAULT_MEMORY_MB, train=False):
    """Check ``fn`` (course signature ``(nn_params, input_layer_size, hidden_layer_size,
    num_labels, X, y, lambda_) -> (J, grad)``) against autodiff and name its mistake.

    ``fn`` may also be a target string as on the command line. ``timeout``: seconds per call,
    or None for no limit. The conventions (``order`` "F"/"C", ``labels`` 1/0, ``y``
    "labels"/"column"/"onehot", ``x_bias``) are inferred unless given; ``grad``: a separate
    gradient function (a callable, or its name for a target string) when ``fn`` returns J
    alone; ``path``: folders the target imports from; ``memory``: MiB for the worker that runs a
    target string. ``train=True``: also :meth:`VerifyResult.train`. Returns a :class:`VerifyResult`.
    """
    if labels not in (None, 0, 1) or y not in (None, *Y_FORMS):
        raise InputError(f"labels must be 0 or 1 and y one of {', '.join(Y_FORMS)}, got {labels!r}, {y!r}")
    folders = [path] if isinstance(path, (str, Path)) else list(path or ())
    base = pinned(labels=labels, y=y, x_bias=x_bias, order=order,
                  grad=grad if isinstance(grad, str) else None, path=tuple(map(str, folders)) or None)
    chosen = options(loss=loss, order=order or "F", timeout=timeout, memory=memory, conventions=base,
                     advice="keywords")
    check_timeout(timeout, "timeout")                 # None: no limit
    if isinstance(fn, (str, Path)):
        from crosscheck.learner.run.sandbox import isolation
        run, where = run_target(str(fn), chosen), isolation()
    else:
        user = _user_function(fn, timeout)
        if callable(grad):
            user.fn, user.parameters = with_gradient(fn, grad), parameters(fn)
        run, where = run_problems(user, chosen), "fork"
    from manual.threads import command_threads
    with command_threads():           # judged on one BLAS thread, as the command line judges
        result = judge_run(run, loss)
    verified = VerifyResult(result.run, result, loss, result.order, where, source=fn, timeout=timeout,
                            memory=memory)
    if train:
        verified.train()
    return verified


def assert_verified(fn, **options_):
    """``verify(fn, ...)``, raising ``AssertionError`` with the text report (at most
    MAX_MESSAGE_LINES lines, no arrays) when it is not right. pytest hides this frame."""
    __tracebackhide__ = True
    result = verify(fn, **options_)
    if not result.passed:
        lines = str(result).splitlines()
        if len(lines) > MAX_MESSAGE_LINES:
            lines = lines[:MAX_MESSAGE_LINES - 1] + [f"... ({len(lines) - MAX_MESSAGE_LINES + 1} more "
                                                     "lines: print(verify(fn)) shows them all)"]
        raise AssertionError("\n".join(lines))
    return result
