"""The parent side of the fork server (``zygote``): one per crosscheck process, started in the
sandbox (``sandbox.wrap``, no learner file visible) as soon as a command knows it will run
learner code (``warm``), so that Python and numpy start while crosscheck reads its arguments.

``spawn(memory, capture, visible)`` -> a :class:`Child` (what ``runner.Worker`` drives, like a
``Popen``), or None where the server cannot be used (no bubblewrap, it failed, the learner's
files are too many or too large to copy into the target's root): the caller then starts a
worker of its own. A Child ends when its life pipe closes (``kill``): its init, PID 1 of the
target's namespace, exits and the kernel kills everything in it.
"""
import atexit
import contextlib
import fcntl
import os
import select
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

from crosscheck.learner.run import sandbox

MAX_FILES, MAX_BYTES = 2000, 64 * 2 ** 20      # of the learner's files copied into one target's root
SCRATCH_FILES = sandbox.SCRATCH_FILES          # files in the target's /tmp
START_TIMEOUT = 120.0
PIPE_BYTES = 1 << 18
ZYGOTE = "/sandbox/zygote.py"
NEST = "/sandbox/nest.py"
_lock = threading.Lock()
_server = None          # the running server, or False once it has failed here
_why = ""


class Child:
    """A worker forked by the zygote, driven like a Popen: ``stdin``, ``stdout``, ``wait``,
    ``kill``; ``pid`` is None (it lives in a PID namespace of its own)."""

    pid = None

    def __init__(self, to_child, from_child, life, status):
        self.stdin, self.stdout = os.fdopen(to_child, "wb", buffering=0), os.fdopen(from_child, "rb", buffering=0)
        self.life, self.status, self.returncode = life, status, None
        self.lock, self.life_lock = threading.Lock(), threading.Lock()

    def wait(self, timeout=None):
        """The worker's exit code (128 + signal when a signal ended it), as bubblewrap gives it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.lock:
            data = b""
            while self.returncode is None:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if not select.select([self.status], [], [], left)[0]:
                    raise subprocess.TimeoutExpired("forked worker", timeout)
                chunk = os.read(self.status, 4)
                data += chunk
                if not chunk or len(data) >= 4:       # nothing written: the init was ended (kill)
                    self.returncode = struct.unpack(">i", data[:4])[0] if len(data) >= 4 else 128 + 9
                    os.close(self.status)
            return self.returncode

    def kill(self):
        """End the target's namespace: its init sees the life pipe close and exits (safe from a
        signal handler: one close)."""
        with self.life_lock:                     # one close, whichever thread comes first
            life, self.life = self.life, None
        if life is not None:
            os.close(life)


def _start():
    parent_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    here = Path(__file__).parent
    argv = [*sandbox.python_argv(0)[:3], ZYGOTE, str(server_end.fileno())]
    argv, env = sandbox.wrap(argv, python=True, env=sandbox.ONE_THREAD,
                             mountpoints=["/nest"],
                             extra=[(str(here / "zygote.py"), ZYGOTE), (str(here / "nest.py"), NEST)], cap=False,
                             mechanism=sandbox.BUBBLEWRAP)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, pass_fds=[server_end.fileno()], env=env,
                            start_new_session=True)
    server_end.close()
    return proc, parent_end


def warm(probe=True):
    """Start the server now (in the background) if this machine can run it; ``probe=False``:
    without first trying bubblewrap (``sandbox.isolation``) where it is installed and wanted,
    the server's own start being the test (if it fails, targets get workers of their own)."""
    global _server, _why
    with _lock:
        if _server and _server[3] != os.getpid():        # a fork of the process that started it
            _server = None                               # (multiprocessing): a server of its own
        if _server is None and (sandbox.isolation() == sandbox.BUBBLEWRAP if probe else sandbox.wanted_bubblewrap()):
            try:
                _server = [*_start(), False, os.getpid()]     # proc, socket, ready yet, owner
            except OSError as exc:
                _server, _why = False, str(exc)
            if not probe:
                sandbox.start_probe()                    # isolation() reads its answer later
    return _server


def _files(visible):
    """[(path inside, bytes)] of the learner's files, or None when over MAX_FILES / MAX_BYTES."""
    found, total = [], 0
    for source, inside in sandbox.places(visible):
        walk = [(source, inside)] if not os.path.isdir(source) else [
            (os.path.join(top, name), os.path.join(inside, os.path.relpath(os.path.join(top, name), source)))
            for top, dirs, names in os.walk(source) for name in names]
        for path, there in walk:
            if os.path.islink(path) and path != source or not os.path.isfile(path):
                continue
            size = os.path.getsize(path)
            total += size
            if len(found) >= MAX_FILES or total > MAX_BYTES:
                return None
            with open(path, "rb") as f:
                found.append((os.path.abspath(there), f.read(MAX_BYTES)))
    return found


def spawn(memory, capture, visible):
    """A :class:`Child` serving the learner's code, its files copied in; or None (see above)."""
    files = _files(visible) if warm() else None
    if files is None:
        return None
    to_child, from_child, life, status = _fork(memory, capture)
    if to_child is None:
        return None
    import pickle                                # here, not at the top: warm() starts the server
    from crosscheck.learner.run import wire      # with the fewest imports first (and before numpy)
    try:
        wire.write_message(to_child, pickle.dumps({"files": files}, protocol=5))
    except OSError:
        pass                                   # the child is gone: its first reply says so
    return Child(to_child, from_child, life, status)


def _fork(memory, capture):
    """Ask the server for a child: our ends of its pipes (inbox, outbox, life, status), or Nones."""
    import json
    inbox, to_child = _pipe()
    from_child, outbox = _pipe()
    life_r, life = os.pipe()
    status, status_w = os.pipe()
    request = {"memory": int(memory), "scratch_bytes": sandbox.SCRATCH_BYTES, "scratch_files": SCRATCH_FILES,
               "shm_bytes": sandbox.SHM_BYTES}
    with _lock:
        answer = b"error: the fork server is gone"
        if _server:
            proc, sock, ready, _ = _server
            try:
                if not ready:
                    if not select.select([sock], [], [], START_TIMEOUT)[0] or sock.recv(64) != b"ready":
                        raise OSError("it did not start")
                    _server[2] = True
                socket.send_fds(sock, [json.dumps(request).encode()], [inbox, outbox, capture.fileno(), life_r, status_w])
                answer = sock.recv(4096) if select.select([sock], [], [], START_TIMEOUT)[0] else b"error: no answer"
            except OSError as exc:
                answer = f"error: {exc}".encode()
        if answer != b"ok":
            _stop(answer.decode("utf-8", "replace")[:200])
    for fd in (inbox, outbox, life_r, status_w):
        os.close(fd)
    if answer != b"ok":
        for fd in (to_child, from_child, life, status):
            os.close(fd)
        return None, None, None, None
    return to_child, from_child, life, status


def _pipe():
    read, write = os.pipe()
    enlarge(write)
    return read, write


def enlarge(fd):
    """Make the pipe at ``fd`` hold a whole call where Linux allows it (the arguments on the
    course's shape are 150 kB: in the default 64 kB each call took a few round trips between the
    two processes: 0.67 against 0.31 ms of traffic a call, measured)."""
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _stop(why):
    """Give up the server for the rest of this process (callers fall back to their own workers)."""
    global _server, _why
    if _server and _server[3] == os.getpid():
        proc, sock, *_ = _server
        sock.close()
        proc.kill()
        proc.wait()
    _server, _why = False, why


def disable(why):
    with _lock:
        _stop(why)


@atexit.register
def _close():
    """At exit: the server ends at once (bubblewrap's --die-with-parent takes what it runs)."""
    with _lock:
        if _server and _server[3] == os.getpid():        # not a fork's: its parent's server
            proc, sock, *_ = _server
            sock.close()
            proc.kill()
            proc.wait()
