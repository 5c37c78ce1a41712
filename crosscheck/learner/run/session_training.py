"""``--train``: the learner's function trained beside the correct one, where verify runs it.

A target (``"mycode.py:nnCostFunction"``, a notebook) is loaded into a fresh worker process with
the same load request, time limit per call and memory limit as ``run_target``; a function object
(``verify(fn).train()``) is called in the caller's kernel through the same ``UserFunction`` as
``verify(fn)``. Either way only (J, grad) pairs come back; the optimiser, the weights and every
number reported live in this process (``crosscheck.teaching.learner_training``).
"""
from manual.errors import InputError

from crosscheck.learner.run.runner import DEFAULT_MEMORY_MB, WorkerSession
from crosscheck.learner.run.target import DEFAULT_TIMEOUT, check_limits, load_request, parse_spec
from crosscheck.teaching.gallery import GallerySettings
from crosscheck.teaching.learner_training import CourseCaller, Stopped, train_beside_correct

# The whole training may take this many times the per-call limit (500 calls of a function near
# the limit would otherwise take hours); at least TRAIN_FLOOR_S.
TRAIN_LIMIT_CALLS, TRAIN_FLOOR_S = 10, 60.0


def training_limit(timeout):
    return None if timeout is None else max(TRAIN_FLOOR_S, TRAIN_LIMIT_CALLS * timeout)


def train_session(session, run, loss, order, verified, timeout, settings=GallerySettings()):
    """Train through ``session`` (anything with ``call(args, watch)``); ``run`` is verify's Run of the
    same function (its name, and the shape of y it accepted)."""
    caller = CourseCaller(session, run.name, order, run.y_shape == "(m, 1)")
    return train_beside_correct(caller, run.name, loss, verified, settings, training_limit(timeout))


def train_target(spec, run, loss="cross_entropy", order="F", verified=False, timeout=DEFAULT_TIMEOUT,
                 memory=DEFAULT_MEMORY_MB, settings=GallerySettings()):
    """:func:`train_session` in a fresh worker for the target ``spec`` (.py or notebook)."""
    from crosscheck.learner.run import octave
    if octave.is_octave_target(spec):
        raise InputError(f"{spec}: --train runs Python functions (.py, .ipynb); an Octave .m file is "
                         "checked, not trained")
    check_limits(timeout, memory)
    target, name = parse_spec(spec)
    session = WorkerSession({**load_request(target, name), "name": name}, timeout, memory)
    try:
        header = session.load()
        if header.get("status") != "loaded":
            def failing(*args):
                raise Stopped(f"{name} could not be loaded again: {header.get('message', header.get('status'))}")
            return train_beside_correct(failing, name, loss, verified, settings)
        result = train_session(session, run, loss, order, verified, timeout, settings)
        result.printed = session.printed()
        return result
    finally:
        session.close()
