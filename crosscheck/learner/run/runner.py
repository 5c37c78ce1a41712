"""The parent side of the worker process that runs a learner's code (``crosscheck.learner.run.worker``).

One worker per target, reused for all its problems; a fresh one after a call that killed it
(time limit, crash, exit), so that every problem still gets its own answer. Limits come from
outside the learner's process: the wall-clock limit is this side's ``select`` deadline, after
which the worker's whole process group gets SIGKILL; the memory limit is the worker's
``RLIMIT_AS``. What comes back is read as JSON and raw arrays (``_array``: numeric dtypes only,
the bytes matching the shape), and decoded into plain Python values for ``calls.check_result`` to
validate, here in the parent.
"""
import math
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crosscheck.learner.calls import FailureKind, Location
from crosscheck.learner import clean
from crosscheck.learner.run import forkserver, sandbox, worker

STARTUP_TIMEOUT = 120.0      # s for python + numpy to start in the worker (~0.2 s idle, more on a
                             # loaded machine): not the learner's time, so not --timeout
MAX_MESSAGE = 64 * 2 ** 20   # bytes in one reply: more than any honest one (worker.MAX_ELEMENTS: 8 MB)
MAX_ARRAYS = 1000            # arrays in one reply (an honest one has a handful)
PRINTED_LINES, PRINTED_BYTES = 10, 64 * 1024
SIGNAL_NAMES = {signal.SIGSEGV: "a segmentation fault", signal.SIGABRT: "an abort",
                signal.SIGBUS: "a bus error", signal.SIGFPE: "a floating-point trap",
                signal.SIGILL: "an illegal instruction",
                signal.SIGXFSZ: f"writing more than the {worker.FILE_SIZE_LIMIT >> 20} MiB file size limit"}


@dataclass
class Outcome:
    """What a session's ``call`` (or a failed ``load``) gave: a returned value (decoded), or why
    there is none, its kind and where."""
    value: object = None
    failure: str = ""            # "raised ZeroDivisionError: ... (mycode.py line 3)", "took longer ..."
    kind: FailureKind = FailureKind.OK
    seconds: float = 0.0
    after: list = field(default_factory=list)     # the watched arguments after the call
    in_call: bool = False        # a TypeError raised by the call itself (wrong signature)
    location: Location | None = None

    @classmethod
    def failed(cls, header, limit=None):
        """The Outcome of a worker's "failed" reply (plain data, validated here): its kind (unknown
        ones are crashes), one line, and where."""
        from crosscheck.learner.run.notebook import in_learner_terms
        kind = FailureKind.of(header.get("kind"))
        where = header.get("where") if isinstance(header.get("where"), dict) else {}
        location = in_learner_terms(Location.of(**{k: where.get(k) for k in ("file", "line", "cell")}))
        message = clean.text(header.get("message", header), limit or clean.MAX_TEXT)
        if location is not None:      # said here, from data: "(ex4.ipynb cell 3, line 2)"
            message = f"{location}: {message}" if kind == FailureKind.SYNTAX else f"{message} ({location})"
        return cls(failure=message, kind=kind, in_call=header.get("in_call") is True, location=location)


class WorkerGone(Exception):
    """The worker did not answer: ``kind`` and a one-line ``message`` say why."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind, self.message = kind, message


def _opaque(name):
    """A stand-in whose type is named after what the learner returned (for check_result's messages)."""
    return type(clean.text(name, 200) or "?", (), {})()


def decode(node, arrays):
    """Plain Python values from the worker's description (see ``worker.encode``)."""
    t = node["t"]
    if t in ("float", "int"):
        number = float(arrays[node["i"]].reshape(()))
        return int(number) if t == "int" and np.isfinite(number) else number
    if t == "array":
        array = arrays[node["i"]]
        return array.reshape(())[()] if node.get("scalar") else array
    if t == "str":
        return clean.text(node["v"])
    if t in ("list", "tuple"):
        items = (list(arrays[node["numbers"]].tolist()) if "numbers" in node
                 else [decode(item, arrays) for item in node["items"]])
        return tuple(items) if t == "tuple" else items
    return _opaque(node["name"])


_LIVE, _LIVE_LOCK, _STOPPING = set(), threading.Lock(), threading.Event()


def stop_all():
    """Ctrl-C during a class: SIGKILL every live worker and start no new one. The threads that
    drive them then see their worker gone and finish at once."""
    _STOPPING.set()
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for proc in procs:
        _end(proc)


def resume():
    """After a stop: workers may start again (a later check in the same process)."""
    _STOPPING.clear()


def track(start):
    """``start()``, a process running learner code (a worker, Octave), kept for stop_all;
    KeyboardInterrupt instead once stopping."""
    if _STOPPING.is_set():
        raise KeyboardInterrupt
    proc = start()
    with _LIVE_LOCK:
        _LIVE.add(proc)
    return proc


def start_worker(memory_mb, capture, visible=(), forked=True):
    """The worker, seeing only ``visible`` of the learner's files, its fd 1 and 2 going to
    ``capture``: the one place it is started. Forked by the fork server where it runs and
    ``forked`` (``forkserver``: a sandbox of its own, made in the server's); else ``worker.py``
    run as a script in the sandbox (``sandbox.wrap``)."""
    memory = int(memory_mb) * 2 ** 20
    child = forkserver.spawn(memory, capture, visible) if forked else None
    if child is not None:
        return child
    argv, env = sandbox.wrap(sandbox.python_argv(memory), visible, python=True, env=sandbox.ONE_THREAD,
                             fallback=[sys.executable, str(Path(worker.__file__)), str(memory)])
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=capture,
                            start_new_session=True, env=env, close_fds=True)
    for pipe in (proc.stdin, proc.stdout):
        forkserver.enlarge(pipe.fileno())
    return proc


class Worker:
    """One worker process: ``request(message, timeout) -> (header, arrays)`` or WorkerGone."""

    def __init__(self, memory_mb, capture, visible=()):
        self.start = (memory_mb, capture, visible)
        self.proc = track(lambda: start_worker(*self.start))

    def ready(self):
        """Wait for the worker's "ready". A forked one whose sandbox could not be set up (before
        any learner code ran) is replaced by a worker of its own, and the fork server given up."""
        forked = isinstance(self.proc, forkserver.Child)
        try:
            header, _ = self.request(None, STARTUP_TIMEOUT)
            why = "" if header.get("status") == "ready" else clean.text(header.get("message", header), 200)
        except WorkerGone as gone:
            if not forked:
                raise
            why = gone.message
        if why and forked:
            self.kill()
            forkserver.disable(why)
            self.proc = track(lambda: start_worker(*self.start, forked=False))
            self.ready()

    def request(self, message, timeout):
        """Send ``message`` (None: only read, e.g. the worker's "ready") and read the reply."""
        deadline = time.monotonic() + timeout
        try:
            if message is not None:
                worker.write_message(self.proc.stdin.fileno(), pickle.dumps(message, protocol=5))
            header = json.loads(self._read(deadline), parse_constant=_refuse)
            shapes = header.get("arrays", []) if isinstance(header, dict) else None
            if not (isinstance(shapes, list) and len(shapes) <= MAX_ARRAYS):
                raise ValueError("bad array count")
            arrays, total = [], 0
            for described in shapes:
                data = self._read(deadline)
                total += len(data)
                if total > MAX_MESSAGE:
                    raise ValueError(f"more than {MAX_MESSAGE} bytes")
                arrays.append(_array(data, described))
        except TimeoutError:
            self.kill()
            raise WorkerGone("timeout", f"took longer than the {timeout:g} s limit") from None
        except (EOFError, BrokenPipeError):
            raise self._gone() from None
        except (ValueError, TypeError, AttributeError, KeyError, OSError, RecursionError) as exc:
            self.kill()
            raise WorkerGone("crash", f"broke the worker's channel to crosscheck ({exc})") from None
        return header, arrays

    def _read(self, deadline):
        fd = self.proc.stdout.fileno()
        size = worker.FRAME.unpack(worker.read_exactly(fd, worker.FRAME.size, deadline))[0]
        if size > MAX_MESSAGE:
            raise ValueError(f"a message of {size} bytes")
        return worker.read_exactly(fd, size, deadline)

    def _gone(self):
        """WorkerGone saying how the worker ended, from its return code."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:          # alive, but closed its channel to us
            self.kill()
            return WorkerGone("crash", "closed the worker's channel to crosscheck")
        self.kill()
        if code < 0 or sandbox.exit_signal(code):
            number = -code if code < 0 else sandbox.exit_signal(code)
            try:
                name = f"{signal.Signals(number).name}, signal {number}"
            except ValueError:
                name = f"signal {number}"
            return WorkerGone("crash", f"crashed with {SIGNAL_NAMES.get(number, 'a signal')} ({name})")
        return WorkerGone("exit", f"ended the process with exit code {code} "
                                  "(os._exit, or a C library calling exit)")

    def kill(self):
        """SIGKILL the worker's process group: the worker, and threads or processes it started."""
        kill_group(self.proc)
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass

    def close(self):
        try:
            worker.write_message(self.proc.stdin.fileno(), pickle.dumps({"op": "quit"}))
            self.proc.wait(timeout=1)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        self.kill()


def _array(data, described):
    """The array ``data`` holds, as ``described`` ([dtype, shape]) in the header; ValueError or
    TypeError unless a numeric dtype of at most 8 bytes and a shape that ``data`` fills exactly."""
    dtype, shape = described
    dtype = np.dtype(str(dtype))
    if dtype.kind not in "iuf" or dtype.itemsize > 8:
        raise ValueError(f"an array of dtype {dtype}")
    if not (isinstance(shape, list) and len(shape) <= 32 and all(type(n) is int and n >= 0 for n in shape)
            and math.prod(shape) * dtype.itemsize == len(data)):
        raise ValueError("an array whose shape does not match its bytes")
    return np.frombuffer(data, dtype).reshape(tuple(shape)).copy()


def _refuse(constant):
    raise ValueError(f"non-strict JSON constant {constant}")


def kill_group(proc):
    """SIGKILL the process group ``proc`` leads (started with start_new_session=True), reap it,
    and forget it (see ``track``)."""
    with _LIVE_LOCK:
        _LIVE.discard(proc)
    _end(proc)
    proc.wait()


def _end(proc):
    """SIGKILL what ``proc`` started: its process group, or a forked worker's namespace."""
    if isinstance(proc, forkserver.Child):
        proc.kill()
        return
    if sandbox.isolation() == sandbox.LANDLOCK:      # its launcher kills what the target started
        try:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
