"""The parent side of the worker process that runs a learner's code (``crosscheck.learner.run.worker``).

One worker per target, reused for all its problems; a fresh one after a call that killed it
(time limit, crash, exit), so that every problem still gets its own answer. Limits come from
outside the learner's process: the wall-clock limit is this side's ``select`` deadline, after
which the worker's whole process group gets SIGKILL; the memory limit is the worker's
``RLIMIT_AS``. What comes back is read as JSON and ``np.load(allow_pickle=False)`` arrays, and
decoded into plain Python values for ``calls.check_result`` to validate, here in the parent.
"""
import io
import json
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crosscheck.learner import clean
from crosscheck.learner.run import sandbox, worker

DEFAULT_MEMORY_MB = 2048     # address space of the worker. Measured (VmPeak, one BLAS thread):
                             # python + numpy 97 MiB, + scipy 224 MiB, + jax 382 MiB, + torch
                             # 583 MiB; the problems themselves need kilobytes.
STARTUP_TIMEOUT = 120.0      # s for python + numpy to start in the worker (~0.2 s idle, more on a
                             # loaded machine): not the learner's time, so not --timeout
MAX_MESSAGE = 64 * 2 ** 20   # bytes in one reply: more than any honest one (worker.MAX_ELEMENTS: 8 MB)
MAX_ARRAYS = 1000            # arrays in one reply (an honest one has a handful)
PRINTED_LINES, PRINTED_BYTES = 10, 64 * 1024
# One BLAS/OpenMP thread in the worker: the problems are kilobytes, and with -j N workers
# running side by side more threads would only contend for the cores and inflate RLIMIT_AS.
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
SIGNAL_NAMES = {signal.SIGSEGV: "a segmentation fault", signal.SIGABRT: "an abort",
                signal.SIGBUS: "a bus error", signal.SIGFPE: "a floating-point trap",
                signal.SIGILL: "an illegal instruction",
                signal.SIGXFSZ: f"writing more than the {worker.FILE_SIZE_LIMIT >> 20} MiB file size limit"}


@dataclass
class Outcome:
    """One reply of the worker: a returned value (decoded), or why there is none."""
    value: object = None
    failure: str = ""            # "raised ZeroDivisionError: ... (mycode.py line 3)", "took longer ..."
    kind: str = "ok"             # "exception", "timeout", "memory", "crash", "exit", "import", "syntax"
    seconds: float = 0.0
    after: list = field(default_factory=list)     # the watched arguments after the call
    in_call: bool = False        # a TypeError raised by the call itself (wrong signature)


class WorkerGone(Exception):
    """The worker did not answer: ``kind`` and a one-line ``message`` say why."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind, self.message = kind, message


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
    return type(clean.text(node["name"], 200) or "?", (), {})()     # a stand-in named after what came back


_LIVE, _LIVE_LOCK, _STOPPING = set(), threading.Lock(), threading.Event()


def stop_all():
    """Ctrl-C during a class: SIGKILL every live worker and start no new one. The threads that
    drive them then see their worker gone and finish at once."""
    _STOPPING.set()
    with _LIVE_LOCK:
        pids = [w.proc.pid for w in _LIVE]
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def resume():
    """After a stop: workers may start again (a later check in the same process)."""
    _STOPPING.clear()


class Worker:
    """One worker process: ``request(message, timeout) -> (header, arrays)`` or WorkerGone."""

    def __init__(self, memory_mb, capture, visible=()):
        if _STOPPING.is_set():
            raise KeyboardInterrupt
        memory = int(memory_mb) * 2 ** 20
        argv, env = sandbox.wrap(sandbox.python_argv(memory), visible, python=True, env=ONE_THREAD,
                                 fallback=[sys.executable, str(Path(worker.__file__)), str(memory)])
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=capture,
                                     start_new_session=True, env=env, close_fds=True)
        with _LIVE_LOCK:
            _LIVE.add(self)

    def request(self, message, timeout):
        """Send ``message`` (None: only read, e.g. the worker's "ready") and read the reply."""
        deadline = time.monotonic() + timeout
        try:
            if message is not None:
                worker.write_message(self.proc.stdin.fileno(), pickle.dumps(message, protocol=5))
            header = json.loads(self._read(deadline), parse_constant=_refuse)
            n = header.get("n_arrays", 0) if isinstance(header, dict) else -1
            if not (isinstance(n, int) and 0 <= n <= MAX_ARRAYS):
                raise ValueError("bad array count")
            arrays, total = [], 0
            for _ in range(n):
                data = self._read(deadline)
                total += len(data)
                if total > MAX_MESSAGE:
                    raise ValueError(f"more than {MAX_MESSAGE} bytes")
                arrays.append(self._array(data))
        except TimeoutError:
            self.kill()
            raise WorkerGone("timeout", f"took longer than the {timeout:g} s limit") from None
        except (EOFError, BrokenPipeError):
            raise self._gone() from None
        except (ValueError, TypeError, AttributeError, KeyError, OSError, RecursionError) as exc:
            self.kill()
            raise WorkerGone("crash", f"broke the worker's channel to crosscheck ({exc})") from None
        return header, arrays

    @staticmethod
    def _array(data):
        array = np.load(io.BytesIO(data), allow_pickle=False)
        if array.dtype.kind not in "iuf":
            raise ValueError(f"an array of dtype {array.dtype}")
        return array

    def _read(self, deadline):
        fd = self.proc.stdout.fileno()
        size = worker.FRAME.unpack(self._exactly(fd, worker.FRAME.size, deadline))[0]
        if size > MAX_MESSAGE:
            raise ValueError(f"a message of {size} bytes")
        return self._exactly(fd, size, deadline)

    @staticmethod
    def _exactly(fd, n, deadline):
        chunks, left = [], n
        while left:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            if not select.select([fd], [], [], min(wait, 3600.0))[0]:   # select overflows past ~1e8 s
                continue
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

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
        with _LIVE_LOCK:
            _LIVE.discard(self)
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


def _refuse(constant):
    raise ValueError(f"non-strict JSON constant {constant}")


class WorkerSession:
    """The learner's function behind a worker: ``load()`` once, then ``call(args, watch)``.

    ``load`` returns its worker's header (status "loaded", "failed", "no_function",
    "not_callable"). A call that ends the worker starts a fresh one, loaded the same way.
    """

    def __init__(self, load_request, timeout, memory_mb):
        self.load_request, self.timeout, self.memory_mb = load_request, timeout, memory_mb
        self.visible = sandbox.visible_to(load_request)
        self.capture = tempfile.TemporaryFile()
        self.worker = None
        self.warnings = []

    def load(self):
        self.worker = Worker(self.memory_mb, self.capture, self.visible)
        try:
            self.worker.request(None, STARTUP_TIMEOUT)
            header, _ = self.worker.request(self.load_request, self.timeout)
        except WorkerGone as gone:
            self.worker = None
            return {"status": "failed", "kind": gone.kind, "message": gone.message}
        self._note(header)
        header = clean.load_reply(header)
        if header.get("status") != "loaded":
            self.worker.close()
            self.worker = None
        return header

    def call(self, args, watch):
        """An :class:`Outcome` of the learner's function on ``args``."""
        if self.worker is None:
            header = self.load()
            if header.get("status") != "loaded":
                return Outcome(failure=f"could not be imported again: {header.get('message', header)}",
                               kind="crash")
        try:
            header, arrays = self.worker.request({"op": "call", "args": args, "watch": watch}, self.timeout)
        except WorkerGone as gone:
            self.worker = None
            return Outcome(failure=gone.message, kind=gone.kind)
        self._note(header)
        try:
            if header["status"] != "returned":
                kind, message = str(header["kind"]), clean.text(header["message"], 2 * worker.MAX_TEXT)
                kind = kind if kind in ("exception", "memory", "exit", "bad_return") else "crash"
                if kind == "memory":
                    message += (f" (over the worker's {self.memory_mb:g} MiB memory limit; "
                                "raise it with --memory MB)")
                return Outcome(failure=message, kind=kind, in_call=bool(header.get("in_call")))
            return Outcome(value=decode(header["value"], arrays), seconds=float(header["seconds"]),
                           after=[decode(node, arrays) for node in header["after"]])
        except (KeyError, TypeError, IndexError, ValueError, RecursionError) as exc:
            return Outcome(failure=f"sent back malformed data ({type(exc).__name__})", kind="crash")

    def _note(self, header):
        """Add the warnings the learner's code raised (the worker's list, all of this worker's life)."""
        notes = header.get("warnings") if isinstance(header, dict) else None
        if isinstance(notes, list):
            self.warnings += [n for n in dict.fromkeys(clean.text(n) for n in notes[:20])
                              if n not in self.warnings]

    def printed(self):
        """The first lines the learner's code wrote to fd 1 or 2 (blank lines left out)."""
        self.capture.seek(0)
        text = self.capture.read(PRINTED_BYTES).decode("utf-8", "replace")
        lines = [clean.text(line, 200) for line in text.splitlines() if clean.text(line)]
        return lines[:PRINTED_LINES]

    def close(self):
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        self.capture.close()


def kill_group(proc):
    """SIGKILL the process group ``proc`` leads (started with start_new_session=True), and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
