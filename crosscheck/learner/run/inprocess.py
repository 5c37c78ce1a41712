"""The caller's own function as a session (``crosscheck.verify(fn)`` from a notebook): the same
contract as a worker's session, called in a forked child that answers as a worker does
(``forked``); in this process, under a SIGALRM time limit, only where there is no fork."""
import contextlib
import os
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crosscheck.learner.calls import DEFAULT_TIMEOUT, FailureKind
from crosscheck.learner.run import worker
from crosscheck.learner.run.runner import Outcome


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
    y_column = False

    @property
    def name(self):
        return getattr(self.fn, "__name__", type(self.fn).__name__)

    session: object = None

    def call(self, args, watch):
        path = str(self.path.resolve()) if self.path else None
        if hasattr(os, "fork"):             # in a forked child that reports back as a worker does
            from crosscheck.learner.run.forked import ForkedSession
            self.session = self.session or ForkedSession(self.fn, path, self.timeout)
            outcome = self.session.call(args, watch)
            self.warnings += [w for w in self.session.warnings if w not in self.warnings]
            return outcome
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
            return Outcome(failure=f"took longer than the {self.timeout:g} s limit", kind=FailureKind.TIMEOUT)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:          # noqa: BLE001  the caller's code: report, don't crash
            return Outcome.failed(worker.classify(exc, path))
        elapsed = time.perf_counter() - start
        if self.timeout is not None and elapsed > self.timeout:
            return Outcome(failure=f"took {elapsed:.1f} s, longer than the {self.timeout:g} s limit", kind=FailureKind.TIMEOUT)
        return Outcome(value=result, seconds=elapsed, after=[args[i] for i in watch])

    def printed(self):
        return []                             # in-process prints went to stderr as they happened

    def load(self):
        return None                           # the caller's function, already there

    def close(self):
        if self.session is not None:
            self.session.close()
            self.session = None
