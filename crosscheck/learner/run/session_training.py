"""``--train``: the learner's function trained beside the correct one, where verify runs it.

A target (``"mycode.py:nnCostFunction"``, a notebook) is opened as ``run_target`` opens it (its
kind's session: a fresh worker process with the same load request, time limit per call and memory
limit); a function object (``verify(fn).train()``) is called in the caller's kernel through the
same ``UserFunction`` as ``verify(fn)``. Either way only (J, grad) pairs come back; the optimiser,
the weights and every number reported live in this process
(``crosscheck.teaching.learner_training``).
"""
from dataclasses import dataclass, field

import numpy as np

from manual.errors import InputError
from manual.layout import reroll, unroll

from crosscheck.learner.calls import Options
from crosscheck.learner.run import conventions
from crosscheck.learner.run.target import check_limits
from crosscheck.teaching.gallery import GallerySettings
from crosscheck.teaching.learner_training import Stopped, learner_pair, train_beside_correct

# The whole training may take this many times the per-call limit (500 calls of a function near
# the limit would otherwise take hours); at least TRAIN_FLOOR_S.
TRAIN_LIMIT_CALLS, TRAIN_FLOOR_S = 10, 60.0
SETTINGS = GallerySettings()       # the gallery's: its accuracies are reproduced for the catalogue


def training_limit(timeout):
    return None if timeout is None else max(TRAIN_FLOOR_S, TRAIN_LIMIT_CALLS * timeout)


@dataclass
class CourseCaller:
    """``session.call`` (a worker's session, or the caller's own function) as a course-signature
    callable for ``train_beside_correct``: each call's arguments written in the learner's
    conventions (``conventions.call_args``: their order of Θ, labels, y form, X bias, argument
    order), the gradient read back in their order; each (J, grad) checked here."""
    session: object
    name: str
    convention: object = conventions.COURSE
    calls: int = field(default=0)

    def __call__(self, params, s1, s2, K, X, y, lambda_):
        sizes = (s1, s2, K)
        thetas = reroll(params, sizes, "F")
        args = conventions.call_args((thetas, X, y), sizes, lambda_, self.convention)
        outcome = self.session.call(args, [])
        self.calls += 1
        if outcome.failure:
            raise Stopped(f"{self.name} {outcome.failure}")
        J, grad = learner_pair(outcome.value, int(np.size(params)), self.name)
        return J, unroll(reroll(grad, sizes, self.convention.order), "F")


def train_session(session, run, options, verified, settings=None):
    """Train through ``session`` (anything with ``call(args, watch)``); ``run`` is verify's Run of the
    same function (its name, and the conventions its arguments were written in)."""
    caller = CourseCaller(session, run.name, run.convention or conventions.pinned(order=options.order))
    return train_beside_correct(caller, run.name, options.loss, verified, settings or SETTINGS,
                                training_limit(options.timeout))


def train_target(spec, run, options=Options(), verified=False, settings=None):
    """:func:`train_session` in a fresh session of the target ``spec`` (.py, notebook, module)."""
    from crosscheck.learner.run import kinds
    check_limits(options.timeout, options.memory)
    target = kinds.parse(spec)
    if target.kind == "octave":
        raise InputError(f"{spec}: --train runs Python functions (.py, .ipynb); an Octave .m file is "
                         "checked, not trained")
    session = kinds.KINDS[target.kind].open(target, options)
    try:
        failed = session.load()
        if failed is not None:
            def failing(*args):
                raise Stopped(f"{target.name} could not be loaded again: {failed.failure}")
            return train_beside_correct(failing, target.name, options.loss, verified, settings or SETTINGS)
        result = train_session(session, run, options, verified, settings)
        result.printed = session.printed()
        return result
    finally:
        session.close()
