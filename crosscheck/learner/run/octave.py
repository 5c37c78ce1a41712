"""A learner's ``nnCostFunction.m`` run in GNU Octave, on the same problems as a Python target.

``run_octave("path/nnCostFunction.m", order, timeout, problems)`` returns the same
:class:`~crosscheck.learner.calls.Run` as a Python target, so the diagnosis and the report are
the ones every target gets. The course's conventions need no translation: labels 1..K, y a
column (m, 1), parameters unrolled with ``Theta(:)`` (column-major, ``--order F``).

How: one ``octave-cli`` process per target runs ``octave_driver.m`` (shipped with the
package), which calls the function on every problem. Inputs and results travel as .mat files
(scipy.io ``savemat``/``loadmat``, MATLAB v5), one result file per problem. Chosen over oct2py
because it needs nothing beyond the scipy already installed and the ``octave-cli`` binary:
oct2py would add a dependency (and its own dependencies) and drives an interactive session over
pipes, which is harder to stop from outside. Here the parent owns every limit: the process runs
in its own session, and when a call runs past ``timeout`` its whole process group is killed.
Octave's output (a missing semicolon prints a whole matrix) goes to a pipe of which only the
first :data:`KEPT_OUTPUT` bytes are kept; nothing of it reaches crosscheck's stdout.
"""
import io
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
from manual.layout import unroll

from crosscheck.learner.calls import Call, Run, check_result
from crosscheck.learner.problems import PROBLEMS, problem_data
from crosscheck.learner import clean
from crosscheck.learner.run import sandbox
from crosscheck.learner.run.runner import kill_group

INSTALL_HINT = ("install GNU Octave to check .m files (Debian/Ubuntu: apt-get install -y "
                "--no-install-recommends octave; macOS: brew install octave)")
FLAGS = ("--no-gui", "--no-window-system", "--norc", "--no-history", "--quiet")
STARTUP_SECONDS = 30.0   # Octave itself starting (about 1 s here), before the per-call limit applies
KEPT_OUTPUT = 64 * 1024  # bytes of the learner's printed output kept; the rest is read and dropped
MEMORY_BYTES = 2 * 2**30  # address space for Octave: it starts in ~1 GB; the problems need kilobytes
MAX_RESULT_BYTES = 2**20  # a result file is (J, grad) of at most a few hundred numbers
MAX_RESULT_ELEMENTS = 10**6   # entries of one variable in it (checked with whosmat before loading)
HEADER = 32              # bytes of each header on the result channel: a name, a byte count
FILE_BLOCKS = 131072     # ulimit -f (512-byte blocks, 64 MiB): a file Octave may write


def is_octave_target(spec):
    """True for 'FILE.m' and 'FILE.m:FUNCTION'."""
    return spec.endswith(".m") or spec.rsplit(":", 1)[0].endswith(".m")


def parse_octave_spec(spec):
    """'dir/nnCostFunction.m[:nnCostFunction]' -> (Path, function name): Octave calls the function
    in a file by the file's name, so a FUNCTION, when given, must be that name."""
    target, name = (spec, "") if spec.endswith(".m") else spec.rsplit(":", 1)
    path = Path(target)
    if not path.exists():
        raise InputError(f"{target}: no such file")
    if not path.is_file():
        raise InputError(f"{target}: not a file; give the .m file that defines the function")
    if not path.stem.isidentifier():
        raise InputError(f"{target}: Octave cannot call a function named {path.stem!r}; rename the file")
    if name and name != path.stem:
        raise InputError(f"{target}: Octave calls the function in {path.name} {path.stem!r}, not {name!r}; "
                         f"give FILE.m alone, or save {name} in {name}.m")
    return path.resolve(), path.stem


def octave_executable():
    """Path of octave-cli; InputError with the install hint when it is not installed."""
    exe = shutil.which("octave-cli")
    if exe is None:
        raise InputError(f"octave-cli not found: {INSTALL_HINT}")
    return exe


def _start(exe, script, work, fd, visible):
    """octave-cli running the driver, in the sandbox, under ulimit's memory and file size limits
    (set inside, before Octave starts: a preexec_fn would fork this process, which JAX's threads
    make unsafe); results come back down ``fd``."""
    boxed = sandbox.isolation() == sandbox.BUBBLEWRAP
    work_in, scratch, driver = ("/sandbox/work", sandbox.SCRATCH, "/sandbox/octave_driver.m") if boxed else \
        (str(work), str(work), str(script))
    limits = 'ulimit -v "$0" && ulimit -f "$1" && ulimit -c 0 && shift && exec "$@"'
    argv = ["/bin/sh", "-c", limits, str(MEMORY_BYTES >> 10), str(FILE_BLOCKS),
            exe, *FLAGS, driver, work_in, scratch, str(fd)]
    argv, env = sandbox.wrap(argv, [*visible, (str(script), driver), (str(work), work_in)])
    return subprocess.Popen(argv, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, env=env, pass_fds=(fd,))


def _problem_struct(problem, order):
    thetas, X, y = problem_data(problem)
    return {"nn_params": unroll(thetas, order), "sizes": np.array(problem.sizes, dtype=np.float64),
            "X": np.asarray(X, dtype=np.float64), "y": np.asarray(y, dtype=np.float64),
            "lambda": float(problem.lambda_)}


def _drain(stream, kept):
    """Read ``stream`` to its end, keeping its first KEPT_OUTPUT bytes in ``kept``."""
    size = 0
    for chunk in iter(lambda: stream.read(8192), b""):
        if size < KEPT_OUTPUT:
            kept.append(chunk[:KEPT_OUTPUT - size])
        size += len(chunk)


class _Stopped(Exception):
    """The result channel ended, or the deadline passed, before a whole message came."""


def _exactly(fd, n, deadline):
    chunks, left = [], n
    while left:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], min(wait, 3600.0))[0]:
            if time.monotonic() >= deadline:
                raise _Stopped
            continue
        chunk = os.read(fd, min(left, 1 << 16))
        if not chunk:
            raise _Stopped
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _message(fd, deadline):
    """(name, bytes) of the next message on the result channel; ValueError for a malformed one."""
    header = _exactly(fd, HEADER, deadline).decode("ascii", "replace").split()
    if len(header) != 2 or not header[1].isdigit():
        raise ValueError("a malformed header")
    size = int(header[1])
    if size > MAX_RESULT_BYTES:
        raise ValueError(f"{size / 2**20:.0f} MB")
    return header[0], _exactly(fd, size, deadline)


def _load_result(data):
    """The result dict of one .mat file's bytes, every variable's size checked (whosmat) before
    anything is loaded: a small compressed file can hold 10^8 zeros."""
    from scipy.io import loadmat, whosmat
    for name, shape, _ in whosmat(io.BytesIO(data)):
        if math.prod(shape) > MAX_RESULT_ELEMENTS:
            raise ValueError(f"{name} of shape {shape}")
    return loadmat(io.BytesIO(data), squeeze_me=False, chars_as_strings=True)


def _results(channel, problems, process, name, timeout):
    """(one loadmat'ed result dict per problem answered, why Octave stopped or None), waiting at
    most ``timeout`` seconds for each problem. ``why`` is (one line, kind), kind "timeout",
    "exit", "crash" or "bad_return"."""
    def stopped(what):
        try:
            process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        if process.returncode is None:
            return (f"{name} took longer than the {timeout:g} s limit {what} "
                    "(an endless loop? raise the limit with --timeout S)", "timeout")
        return (f"Octave exited with code {process.returncode} {what} "
                "(does your function call exit or quit, or crash Octave?)",
                "exit" if process.returncode >= 0 and not sandbox.exit_signal(process.returncode) else "crash")

    try:
        if _message(channel, time.monotonic() + STARTUP_SECONDS)[0] != "ready":
            raise ValueError("no start")
    except (_Stopped, ValueError):
        return [], stopped("while starting")
    results, limit = [], 1e7 if timeout is None else timeout
    for k, problem in enumerate(problems, start=1):
        try:
            label, data = _message(channel, time.monotonic() + limit)
            if label != f"result{k}":
                raise ValueError(f"{label[:20]!r} instead of result{k}")
            results.append(_load_result(data))
        except _Stopped:
            return results, stopped(f"on {problem.name}")
        except Exception as exc:       # noqa: BLE001  scipy's readers raise many types on bad bytes
            return results, (f"{name} sent back a result crosscheck cannot read on {problem.name} "
                             f"({type(exc).__name__}: {' '.join(str(exc).split())[:80]}); expected J and a "
                             "gradient the length of nn_params", "bad_return")
    return results, None


def _text(value):
    """A MATLAB char array from loadmat as one Python string ('' for empty)."""
    array = np.asarray(value)
    return clean.text(" ".join(str(s) for s in array.ravel()[:100])) if array.size else ""


def _call(problem, result, name):
    """The Call for one problem's result dict: (J, grad), or why the call failed."""
    on = f" on {problem.name}"
    message, where = _text(result["message"]), _text(result["where"])
    if message:
        where = f" ({where})" if where else ""
        if message.startswith("returned"):
            return Call(problem, failure=f"{name} {message}{on}", kind="bad_return")
        kind = "memory" if "out of memory" in message else "exception"
        return Call(problem, failure=f"{name} raised an error in Octave: {' '.join(message.split())}{where}{on}",
                    kind=kind)
    n_params = sum(b * (a + 1) for a, b in zip(problem.sizes, problem.sizes[1:]))
    try:
        J, grad = check_result((result["J"], result["grad"]), n_params, name, on)
    except InputError as exc:
        return Call(problem, failure=str(exc), kind="bad_return")
    return Call(problem, J, grad, seconds=float(np.asarray(result["seconds"]).ravel()[0]))


def run_octave(spec, order="F", timeout=30.0, problems=PROBLEMS):
    """A :class:`Run` of the .m target ``spec`` on ``problems`` (see the module docstring)."""
    from scipy.io import savemat
    path, name = parse_octave_spec(spec)
    exe = octave_executable()
    driver = resources.files("crosscheck.learner.run") / "octave_driver.m"
    with tempfile.TemporaryDirectory(prefix="crosscheck-octave-") as tmp, resources.as_file(driver) as script:
        work = Path(tmp)
        savemat(work / "problems.mat", {"fn": name, "folder": str(path.parent), "n": float(len(problems)),
                                        **{f"p{k}": _problem_struct(p, order)
                                           for k, p in enumerate(problems, start=1)}},
                oned_as="column")
        channel, child_end = os.pipe()
        try:
            process = _start(exe, script, work, child_end, sandbox.helpers(path, name, sandbox.class_targets))
        finally:
            os.close(child_end)
        kept = []
        reader = threading.Thread(target=_drain, args=(process.stdout, kept), daemon=True)
        reader.start()
        try:
            results, stop = _results(channel, problems, process, name, timeout)
        finally:
            kill_group(process)      # Octave and anything it started
            os.close(channel)
            reader.join(timeout=5)
            process.stdout.close()
    output = [clean.text(line, 200) for line in b"".join(kept).decode("utf-8", "replace").splitlines()]
    calls = [_call(p, r, name) for p, r in zip(problems, results)]
    if stop is not None and not results and "while starting" in stop[0]:
        return Run(spec, name, failure=stop[0], failure_kind=stop[1], printed=output[:5])
    if stop is not None:            # Octave is gone: the problems it did not answer failed with it
        calls += [Call(p, failure=stop[0], kind=stop[1]) for p in problems[len(results):]]
    warnings = [line.strip() for line in output if line.lstrip().startswith("warning:")][:3]
    single = any("single" in _text(r["classes"]) for r in results)
    if single:
        warnings.append("returned single-precision values: their rounding (~1e-7) is far above the "
                        "1e-9 tolerance, so compute in double")
    printed = [line for line in output if line.strip() and not line.lstrip().startswith("warning:")][:5]
    return Run(spec, name, calls, "(m, 1)", printed=printed, warnings=warnings, float32=single)
