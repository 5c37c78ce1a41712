"""A learner's ``nnCostFunction.m`` run in GNU Octave, on the same problems as a Python target.

``run_octave("path/nnCostFunction.m", base, timeout, problems)`` returns the same
:class:`~crosscheck.learner.calls.Run` as a Python target, so the diagnosis and the report are
the ones every target gets. The arguments follow the file's own function line; y is a column
(m, 1), Θ unrolled with ``Theta(:)`` (column-major) unless another convention explains it.

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
import math
import shutil
import subprocess
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import numpy as np

from manual.errors import InputError
from dataclasses import replace

from crosscheck.learner.calls import Call, Run, check_result
from crosscheck.learner.problems import PROBLEMS, problem_data
from crosscheck.learner.run.conventions import (COURSE, COURSE_SIGNATURE, Y_SHAPES, call_args, map_signature,
                                                octave_signature)
from crosscheck.learner.run.explore import explore
from crosscheck.learner.run.runner import kill_group

INSTALL_HINT = ("install GNU Octave to check .m files (Debian/Ubuntu: apt-get install -y "
                "--no-install-recommends octave; macOS: brew install octave)")
FLAGS = ("--no-gui", "--no-window-system", "--norc", "--no-history", "--quiet")
STARTUP_SECONDS = 30.0   # Octave itself starting (about 1 s here), before the per-call limit applies
KEPT_OUTPUT = 64 * 1024  # bytes of the learner's printed output kept; the rest is read and dropped
POLL_SECONDS = 0.01
MEMORY_BYTES = 2 * 2**30  # address space for Octave: it starts in ~1 GB; the problems need kilobytes
MAX_RESULT_BYTES = 2**20  # a result file is (J, grad) of at most a few hundred numbers
MAX_SOURCE = 2**20        # characters of the .m file read for its function line


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


def _problem_struct(problem, convention):
    """One call's arguments as an Octave cell, in the learner's order (``conventions.call_args``)."""
    args = call_args(problem_data(problem), problem.sizes, problem.lambda_, convention)
    cell = np.empty((1, len(args)), dtype=object)
    for i, a in enumerate(args):
        a = np.asarray(a, dtype=np.float64)
        cell[0, i] = a[:, None] if a.ndim == 1 else a
    return {"args": cell}


def _drain(stream, kept):
    """Read ``stream`` to its end, keeping its first KEPT_OUTPUT bytes in ``kept``."""
    size = 0
    for chunk in iter(lambda: stream.read(8192), b""):
        if size < KEPT_OUTPUT:
            kept.append(chunk[:KEPT_OUTPUT - size])
        size += len(chunk)


def _limit_memory(pid):
    """An allocation past MEMORY_BYTES then fails inside Octave ("out of memory"), reported as the
    function's error, instead of exhausting the machine. Set from outside (prlimit, Linux) right
    after the start, long before the learner's code runs: a preexec_fn would fork this process,
    which JAX's threads make unsafe."""
    try:
        import resource
        resource.prlimit(pid, resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    except (ImportError, AttributeError, OSError):       # not Linux: the time limit still applies
        pass


def _wait_for(path, process, deadline):
    """True once ``path`` exists; False if the process ended first or the deadline passed."""
    while not path.exists():
        if process.poll() is not None:
            return path.exists()
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def _results(work, problems, process, name, timeout):
    """(one loadmat'ed result dict per problem answered, why Octave stopped or None), waiting at
    most ``timeout`` seconds for each problem. ``why`` is (one line, kind), kind "timeout",
    "exit", "crash" or "bad_return"."""
    def stopped(what):
        process.poll()
        if process.returncode is None:
            return (f"{name} took longer than the {timeout:g} s limit {what} "
                    "(an endless loop? raise the limit with --timeout S)", "timeout")
        return (f"Octave exited with code {process.returncode} {what} "
                "(does your function call exit or quit, or crash Octave?)",
                "exit" if process.returncode >= 0 else "crash")

    from scipy.io import loadmat
    if not _wait_for(work / "ready", process, time.monotonic() + STARTUP_SECONDS):
        return [], stopped("while starting")
    results, limit = [], math.inf if timeout is None else timeout
    for k, problem in enumerate(problems, start=1):
        if not _wait_for(work / f"result{k}.mat", process, time.monotonic() + limit):
            return results, stopped(f"on {problem.name}")
        size = (work / f"result{k}.mat").stat().st_size
        if size > MAX_RESULT_BYTES:
            return results, (f"{name} returned {size / 2**20:.0f} MB on {problem.name}; expected J and a "
                             "gradient the length of nn_params", "bad_return")
        results.append(loadmat(work / f"result{k}.mat", squeeze_me=False, chars_as_strings=True))
    return results, None


def _text(value):
    """A MATLAB char array from loadmat as one Python string ('' for empty)."""
    array = np.asarray(value)
    return " ".join(str(s) for s in array.ravel()) if array.size else ""


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


def base_convention(path, name, base):
    """``base`` with the .m file's argument order (its function line) and y a column (Octave's
    vectors), unless pinned; InputError (exit 2) when its arguments cannot be told apart."""
    y = base.y if "y" in base.fixed else "column"
    found = octave_signature(path.read_text(encoding="utf-8", errors="replace")[:MAX_SOURCE], name)
    if found is None or not found[1]:
        return replace(base, y=y)
    roles = map_signature(found[1])
    if roles is None:
        raise InputError(f"{path.name}: cannot tell which argument of {name}({', '.join(found[1])}) is which: "
                         f"crosscheck calls {COURSE_SIGNATURE} and matches your arguments by name or position; "
                         "wrap your function in one with that signature")
    return replace(base, y=y, signature=roles)


def run_octave(spec, base=COURSE, timeout=30.0, problems=PROBLEMS, loss="cross_entropy"):
    """A :class:`Run` of the .m target ``spec`` on ``problems`` (see the module docstring), under
    ``base``'s conventions and those ``explore`` finds (all the probes in one Octave process)."""
    path, name = parse_octave_spec(spec)
    exe = octave_executable()
    base = base_convention(path, name, base)

    def drive(ps, convention, twice=True):
        return _octave_run(spec, path, name, exe, [(p, convention) for p in ps], timeout)

    def probe_many(ps, conventions):
        run = _octave_run(spec, path, name, exe, [(p, c) for c in conventions for p in ps], timeout)
        return [Run(spec, name, run.calls[i * len(ps):(i + 1) * len(ps)], Y_SHAPES[c.y], convention=c)
                for i, c in enumerate(conventions)]
    return explore(drive, problems, base, loss, probe_many)


def _octave_run(spec, path, name, exe, items, timeout):
    """The Run of one Octave process calling the function once per (problem, convention) item."""
    from scipy.io import savemat
    problems = [p for p, _ in items]
    convention = items[0][1]
    driver = resources.files("crosscheck.learner.run") / "octave_driver.m"
    with tempfile.TemporaryDirectory(prefix="crosscheck-octave-") as tmp, resources.as_file(driver) as script:
        work = Path(tmp)
        savemat(work / "problems.mat", {"fn": name, "folder": str(path.parent), "n": float(len(items)),
                                        **{f"p{k}": _problem_struct(p, c)
                                           for k, (p, c) in enumerate(items, start=1)}},
                oned_as="column")
        process = subprocess.Popen([exe, *FLAGS, str(script), str(work)], cwd=work, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        _limit_memory(process.pid)
        kept = []
        reader = threading.Thread(target=_drain, args=(process.stdout, kept), daemon=True)
        reader.start()
        try:
            results, stop = _results(work, problems, process, name, timeout)
        finally:
            kill_group(process)      # Octave and anything it started
            reader.join(timeout=5)
            process.stdout.close()
    output = b"".join(kept).decode("utf-8", "replace").splitlines()
    calls = [_call(p, r, name) for p, r in zip(problems, results)]
    if stop is not None and not results and "while starting" in stop[0]:
        return Run(spec, name, failure=stop[0], failure_kind=stop[1], printed=output[:5], convention=convention)
    if stop is not None:            # Octave is gone: the problems it did not answer failed with it
        calls += [Call(p, failure=stop[0], kind=stop[1]) for p in problems[len(results):]]
    warnings = [line.strip() for line in output if line.lstrip().startswith("warning:")][:3]
    single = any("single" in _text(r["classes"]) for r in results)
    if single:
        warnings.append("returned single-precision values: their rounding (~1e-7) is far above the "
                        "1e-9 tolerance, so compute in double")
    printed = [line for line in output if line.strip() and not line.lstrip().startswith("warning:")][:5]
    return Run(spec, name, calls, Y_SHAPES[convention.y], printed=printed, warnings=warnings, float32=single,
               convention=convention)
