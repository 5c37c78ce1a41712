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
from manual.layout import unroll

from crosscheck.learner.calls import Call, Run, check_result
from crosscheck.learner.problems import PROBLEMS, problem_data
from crosscheck.learner.run.runner import kill_group

INSTALL_HINT = ("install GNU Octave to check .m files (Debian/Ubuntu: apt-get install -y "
                "--no-install-recommends octave; macOS: brew install octave)")
FLAGS = ("--no-gui", "--no-window-system", "--norc", "--no-history", "--quiet")
STARTUP_SECONDS = 30.0   # Octave itself starting (about 1 s here), before the per-call limit applies
KEPT_OUTPUT = 64 * 1024  # bytes of the learner's printed output kept; the rest is read and dropped
POLL_SECONDS = 0.01
MEMORY_BYTES = 2 * 2**30  # address space for Octave: it starts in ~1 GB; the problems need kilobytes
MAX_RESULT_BYTES = 2**20  # a result file is (J, grad) of at most a few hundred numbers


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


def run_octave(spec, order="F", timeout=30.0, problems=PROBLEMS):
    """A :class:`Run` of the .m target ``spec`` on ``problems`` (see the module docstring)."""
    path, name = parse_octave_spec(spec)
    exe = octave_executable()
    from scipy.io import savemat        # after the target and Octave are found: a refusal stays cheap
    driver = resources.files("crosscheck.learner.run") / "octave_driver.m"
    with tempfile.TemporaryDirectory(prefix="crosscheck-octave-") as tmp, resources.as_file(driver) as script:
        work = Path(tmp)
        savemat(work / "problems.mat", {"fn": name, "folder": str(path.parent), "n": float(len(problems)),
                                        **{f"p{k}": _problem_struct(p, order)
                                           for k, p in enumerate(problems, start=1)}},
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
