"""A learner's ``nnCostFunction.m`` run in GNU Octave: the "octave" kind of target, a session for
the one driver (``target.drive``), so a .m file gets every problem twice (the nondeterminism
check), the input check and the failure contract of a Python target, and the same report. The
course's conventions need no translation: labels 1..K, y a column (m, 1) (``y_column``),
parameters unrolled with ``Theta(:)`` (column-major, ``--order F``); the arguments follow the
file's own function line (``parameters``), and other conventions are inferred as for Python.

How: ``octave-cli`` runs ``octave_driver.m`` (shipped with the package), a loop that answers one
call at a time: the parent writes ``request.mat`` into the work folder, Octave (polling for it)
reads and deletes it and writes ``result.mat`` (J, grad, or the error with its file and line,
and the arguments after the call). .mat files (scipy.io, MATLAB v5) need nothing beyond scipy;
oct2py would add dependencies and a session harder to stop from outside. The parent owns every limit:
Octave runs in its own session, and a call past ``options.timeout`` kills its whole process
group; the next call starts a fresh Octave (as a Python worker is restarted). Octave's output
(a missing semicolon prints a whole matrix) goes to a pipe, its first :data:`KEPT_OUTPUT` bytes kept.
"""
import glob
import json
import math
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import numpy as np

from manual.errors import InputError

from crosscheck.check.tolerances import tolerance
from crosscheck.learner import clean
from crosscheck.learner.calls import FailureKind, Location
from crosscheck.learner.run import sandbox
from crosscheck.learner.run.conventions import octave_signature
from crosscheck.learner.run.octave_files import POLL_SECONDS, gone, load_result, wait_for
from crosscheck.learner.run.runner import Outcome, kill_group, track

INSTALL_HINT = ("install GNU Octave to check .m files (Debian/Ubuntu: apt-get install -y "
                "--no-install-recommends octave; macOS: brew install octave)")
FLAGS = ("--no-gui", "--no-window-system", "--norc", "--no-history", "--quiet")
STARTUP_SECONDS = 30.0   # Octave itself starting (about 1 s here), before the per-call limit applies
KEPT_OUTPUT = 64 * 1024  # bytes of the learner's printed output kept; the rest is read and dropped
MEMORY_BYTES = 2 * 2**30  # address space for Octave: it starts in ~1 GB; the problems need kilobytes
FILE_BLOCKS = 131072     # ulimit -f, 512-byte blocks: 64 MiB, the largest file Octave may write
WORK, DRIVER = "/sandbox/work", "/sandbox/octave_driver.m"   # inside the sandbox: a capped tmpfs
LIMITS = 'ulimit -v "$0" && ulimit -f "$1" && ulimit -c 0 && shift && exec "$@"'
MAX_SOURCE = 2**20        # characters of the .m file read for its function line
SINGLE_NOTE = ("returned single-precision values: their rounding (~1e-7) is far above the "
               f"{tolerance('user'):.0e} tolerance, so compute in double")
EXIT_HINT = "(does your function call exit or quit, or crash Octave?)"


def recognise(source):
    """A .m file: 'FILE.m' and 'FILE.m:FUNCTION'."""
    return source.endswith(".m")


def parse(kind, source, name, spec):
    """The Target of 'dir/nnCostFunction.m[:nnCostFunction]': Octave calls the function in a file
    by the file's name, so a FUNCTION, when given, must be that name (checked on each file a
    glob matches, ``kinds.expand``)."""
    from crosscheck.learner.run.kinds import Target
    path = Path(source)
    if glob.has_magic(source):
        return Target(kind, spec, source, name)
    if not path.stem.isidentifier():
        raise InputError(f"{source}: Octave cannot call a function named {path.stem!r}; rename the file")
    if name and name != path.stem:
        raise InputError(f"{source}: Octave calls the function in {path.name} {path.stem!r}, not {name!r}; "
                         f"give FILE.m alone, or save {name} in {name}.m")
    return Target(kind, spec, source, path.stem)


def octave_executable():
    """Path of octave-cli; InputError with the install hint when it is not installed."""
    exe = shutil.which("octave-cli")
    if exe is None:
        raise InputError(f"octave-cli not found: {INSTALL_HINT}")
    return exe


def start_octave(exe, script, setup, visible):
    """octave-cli running ``script`` in the sandbox (it sees ``visible`` and its work folder, a
    capped tmpfs holding ``setup``), its own session, stdin /dev/null, stdout and stderr one
    pipe: the one place Octave is started. Address space (MEMORY_BYTES: past it, "out of memory"
    is the function's error), file size and core limits by ulimit inside (a preexec_fn would fork
    this process, unsafe with JAX's threads). Returns (process, the work folder as this process
    reaches it: through /proc/PID/root, so no folder of this machine is writable from inside)."""
    boxed = sandbox.isolation() == sandbox.BUBBLEWRAP
    work = WORK if boxed else str(setup.parent)
    argv = ["/bin/sh", "-c", LIMITS, str(MEMORY_BYTES >> 10), str(FILE_BLOCKS), exe, *FLAGS,
            DRIVER if boxed else str(script), work]
    info, info_w = os.pipe()
    argv, env = sandbox.wrap(argv, [*visible, (str(script), DRIVER), (str(setup), f"{WORK}/setup.mat")],
                             tmpfs=(WORK,), info_fd=info_w, writable=(str(setup.parent),))
    try:
        process = subprocess.Popen(argv, cwd=setup.parent, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True, env=env,
                                   pass_fds=(info_w,) if boxed else ())
    finally:
        os.close(info_w)
    try:
        pid = _child_pid(info) if boxed else None
    finally:
        os.close(info)
    return process, Path(f"/proc/{pid}/root{WORK}") if boxed else setup.parent


def _child_pid(fd, seconds=STARTUP_SECONDS):
    """The pid of the sandbox's command (bwrap's init's child; init named in --info-fd's JSON),
    whose root shows its work folder (nest.py mounts it anew, capped), or 0."""
    data, deadline = b"", time.monotonic() + seconds
    while b"}" not in data and len(data) < 4096 and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    try:
        init = int(json.loads(data.decode())["child-pid"])
    except (ValueError, KeyError, TypeError):
        return 0
    while time.monotonic() < deadline and not time.sleep(POLL_SECONDS):
        try:
            found = Path(f"/proc/{init}/task/{init}/children").read_text().split()
        except OSError:                         # no such file in this kernel: bwrap's init's root
            found = [init]
        if found:
            return int(found[0])
    return init


def _text(value):
    """A MATLAB char array from loadmat as one Python string ('' for empty)."""
    array = np.asarray(value)
    return clean.text(" ".join(str(s) for s in array.ravel()[:100])) if array.size else ""


def _matlab(value):
    """An argument as Octave gets it: numbers as doubles (int64 would turn its arithmetic integer)."""
    return np.asarray(value, dtype=np.float64)


class OctaveSession:
    """The learner's .m function behind octave-cli: ``load`` starts Octave, ``call`` answers one call."""
    y_column = True
    float32_note = SINGLE_NOTE

    def __init__(self, target, options):
        path = target.path
        if not path.exists():
            raise InputError(f"{target.source}: no such file")
        if not path.is_file():
            raise InputError(f"{target.source}: not a file; give the .m file that defines the function")
        self.exe, self.path, self.name, self.timeout = octave_executable(), path.resolve(), target.name, options.timeout
        self.tmp = tempfile.TemporaryDirectory(prefix="crosscheck-octave-")
        self.setup, self.process, self.kept, self.readers = Path(self.tmp.name) / "setup.mat", None, [], []
        self.work = self.setup.parent
        self.visible = sandbox.helpers(self.path, self.name, sandbox.class_targets)
        from scipy.io import savemat
        savemat(self.setup, {"fn": self.name, "folder": str(self.path.parent)})

    @property
    def parameters(self):
        """[the argument names of the file's function line, all required], or None (no such line)."""
        found = octave_signature(self.path.read_text(encoding="utf-8", errors="replace")[:MAX_SOURCE], self.name)
        return [found[1], len(found[1])] if found and found[1] else None

    def _stopped(self, what, limit):
        """The Outcome of an Octave that did not answer: past ``limit`` s (killed) or ended."""
        self.process.poll()
        code = self.process.returncode
        self._stop()
        if code is None:
            return Outcome(failure=f"took longer than the {limit:g} s limit{what}", kind=FailureKind.TIMEOUT)
        return Outcome(failure=f"stopped: Octave exited with code {code}{what} {EXIT_HINT}",
                       kind=FailureKind.EXIT if code >= 0 else FailureKind.CRASH)

    def load(self):
        """Start Octave; None once it is ready for calls, else why it is not."""
        with resources.as_file(resources.files("crosscheck.learner.run") / "octave_driver.m") as script:
            self.process = track(lambda: self._start(script))
        reader = threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True)
        reader.start()
        self.readers.append(reader)
        if wait_for(self.work / "ready", self.process, time.monotonic() + STARTUP_SECONDS):
            return None
        failed = self._stopped(" while starting", STARTUP_SECONDS)
        failed.failure = f"{self.name} {failed.failure}"
        return failed

    def _start(self, script):
        process, self.work = start_octave(self.exe, script, self.setup, self.visible)
        return process

    def _drain(self, stream):
        """Read ``stream`` to its end, keeping the first KEPT_OUTPUT bytes (of all Octaves) in ``kept``."""
        for chunk in iter(lambda: stream.read(8192), b""):
            size = sum(map(len, self.kept))
            if size < KEPT_OUTPUT:
                self.kept.append(chunk[:KEPT_OUTPUT - size])

    def call(self, args, watch):
        from scipy.io import savemat
        if self.process is None:
            failed = self.load()
            if failed is not None:
                return failed
        result, partial = self.work / "result.mat", self.work / "request.partial"
        try:
            with open(partial, "wb") as file:
                savemat(file, {"n": float(len(args)), "watch": _matlab([w + 1 for w in watch]),
                               **{f"a{i}": _matlab(a) for i, a in enumerate(args, start=1)}}, oned_as="column")
            partial.rename(self.work / "request.mat")
        except OSError as exc:         # its work folder filled, or Octave (and its sandbox) gone
            self._stop()
            return Outcome(failure=f"stopped Octave taking requests ({exc.strerror})", kind=FailureKind.CRASH)
        limit = math.inf if self.timeout is None else self.timeout
        if not wait_for(result, self.process, time.monotonic() + limit):
            return self._stopped("", self.timeout)
        try:
            found = load_result(result)
            result.unlink()
        except Exception as exc:       # noqa: BLE001  scipy's readers raise many types on bad bytes
            self._stop()
            return Outcome(failure=f"returned a result crosscheck does not load ({type(exc).__name__}: "
                                   f"{clean.text(exc, 80)}); expected J and a gradient the length of nn_params",
                           kind=FailureKind.BAD_RETURN)
        return self._outcome(found, [args[w] for w in watch])

    def _outcome(self, found, before):
        message = " ".join(_text(found["message"]).split())
        if message.startswith("returned"):
            return Outcome(failure=message, kind=FailureKind.BAD_RETURN)
        if message:
            line = int(np.asarray(found["line"]).ravel()[0]) if np.asarray(found["line"]).size else 0
            location = Location.of(_text(found["file"]), line)
            where = f" ({location})" if location else ""
            return Outcome(failure=f"raised an error in Octave: {message}{where}", location=location,
                           kind=FailureKind.MEMORY if "out of memory" in message else FailureKind.EXCEPTION)
        single = "single" in _text(found["classes"])
        J, grad = (np.asarray(found[v], dtype=np.float32 if single else np.float64) for v in ("J", "grad"))
        after = [np.asarray(found[f"after{i}"]) for i in range(1, len(before) + 1)]
        after = [a.reshape(np.shape(b)) if a.size == np.size(b) else a for a, b in zip(after, before)]
        return Outcome(value=(J, grad), seconds=float(np.asarray(found["seconds"]).ravel()[0]), after=after)

    def _stop(self):
        if self.process is not None:
            kill_group(self.process)      # Octave and anything it started
            self.readers[-1].join(timeout=5)
            self.process.stdout.close()
            self.process = None
            for stale in ("request.mat", "result.mat"):   # (in the sandbox, gone with it)
                gone((self.work / stale).unlink)

    def _output(self):
        """Everything kept of Octave's output: read at the end, it stops Octave first."""
        self._stop()
        return [clean.text(line, 200) for line in b"".join(self.kept).decode("utf-8", "replace").splitlines()]

    @property
    def warnings(self):
        return [line.strip() for line in self._output() if line.lstrip().startswith("warning:")][:3]

    def printed(self):
        return [line for line in self._output() if line.strip() and not line.lstrip().startswith("warning:")][:5]

    def close(self):
        self._stop()
        self.tmp.cleanup()
