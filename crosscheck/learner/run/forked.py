"""``verify(fn)``: the caller's function run in a forked child that answers as the worker does.

A function object has no file a worker could import again, so the child is a fork of the
caller's process (it has the function, its globals and its closure). It serves the worker's
protocol (``worker.serve``) over two pipes and ends with ``os._exit``: whatever the function
does (patching crosscheck's judge, replacing numpy's functions, exiting, looping, crashing),
it does it in the child, and the verdict is computed here from the plain data sent back. The
time limit is this side's: the child's session is SIGKILLed at the deadline. The child is not
sandboxed (it is a copy of the caller's own process, with the caller's permissions): a grading
setup should run ``crosscheck verify`` on the learner's file, since code that already ran in
the caller's process (earlier notebook cells) can have changed anything there.
"""
import os
import signal
import time
import warnings

from manual.threads import single_threaded_blas

from crosscheck.learner.calls import FailureKind
from crosscheck.learner.run import pysession, runner, worker

NO_LIMIT = 1e9          # s: what "no time limit" (None) waits


class _Child:
    """The forked child as ``runner.Worker`` uses a Popen: pid, stdin, stdout, wait()."""

    def __init__(self, pid, stdin, stdout):
        self.pid, self.stdin, self.stdout, self.returncode = pid, stdin, stdout, None

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                import subprocess
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            else:
                time.sleep(0.005)
        return self.returncode


class ForkedWorker(runner.Worker):
    """A child forked from this process, serving ``fn`` (see the module docstring)."""

    def __init__(self, fn, path):           # noqa: D107  (runner.Worker starts a program instead)
        from_parent, to_child = os.pipe()
        from_child, to_parent = os.pipe()
        with warnings.catch_warnings():     # JAX warns at every fork: the child uses numpy only
            warnings.simplefilter("ignore", RuntimeWarning)
            pid = os.fork()
        if pid == 0:                        # the child: never returns into the caller's code
            try:
                os.setsid()
                os.close(to_child), os.close(from_child)
                os.dup2(2, 1)               # the function's prints go to stderr, as before
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                worker.reply(to_parent, {"status": "ready"})
                with single_threaded_blas():         # as the worker: the same bits as the command line
                    worker.serve(from_parent, to_parent, fn, path)
            finally:
                os._exit(0)
        os.close(from_parent), os.close(to_parent)
        proc = _Child(pid, os.fdopen(to_child, "wb", buffering=0), os.fdopen(from_child, "rb", buffering=0))
        self.proc = runner.track(lambda: proc)


class ForkedSession(pysession.WorkerSession):
    """``runner.WorkerSession`` whose worker is a fork serving ``fn``: ``call(args, watch)``."""

    def __init__(self, fn, path, timeout):
        self.fn, self.path, self.timeout, self.memory_mb = fn, path, timeout or NO_LIMIT, 0
        self.worker, self.warnings, self.header = None, [], {}

    def load(self):
        """None once the child is ready, else the Outcome saying why not."""
        self.worker = ForkedWorker(self.fn, self.path)
        try:
            self.worker.request(None, runner.STARTUP_TIMEOUT)
        except runner.WorkerGone as gone:
            self.worker = None
            return runner.Outcome(failure=gone.message, kind=FailureKind.of(gone.kind))
        return None

    def printed(self):
        return []                           # the child's prints went to stderr as they happened

    def close(self):
        if self.worker is not None:
            self.worker.close()
            self.worker = None
