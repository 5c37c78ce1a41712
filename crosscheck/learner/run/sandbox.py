"""The sandbox every process running a learner's code starts in (the Python worker, octave-cli).

``wrap(argv, visible)`` -> (argv, env) to start: with bubblewrap (Linux, from the distribution's
packages), the process gets its own mount, PID, network, IPC, UTS and user namespaces:

- the root is a read-only view of the system (/usr, the few /etc files programs need), the
  Python interpreter's own install, and, for Python, only numpy/scipy/matplotlib/pandas and what
  they need from site-packages (never crosscheck, manual, reference, jax or torch);
- the learner's own file(s) (``visible``: the target and the helpers it names) read-only at their
  own paths: never a classmate's file, the teacher's working folder, $HOME or the caches;
- /tmp a private tmpfs of :data:`SCRATCH_BYTES`, the only writable place, also $HOME and $TMPDIR;
- no network (only its own loopback), a fresh /proc and /dev, a clean environment (bwrap is
  started with it, so the namespace's init shows no more in /proc/1/environ), a new session;
- everything it started ends with it (the PID namespace, and ``--die-with-parent``); no signal
  reaches crosscheck or a sibling (they are outside its PID namespace).

Python targets are forked from a fork server running in this sandbox, each in namespaces of its
own made there (``forkserver``, ``zygote``, ``nest``). Where bubblewrap is missing or user
namespaces are refused, :func:`isolation` is "landlock" where the kernel has it (``landlock``,
``landlock_rules``: the same files on the host's paths, no new socket, no signal out); else
"none", and ``wrap`` returns the command as it is: the code runs with the user's own
permissions (the CLI says so, and refuses a class unless ``--unsafe-no-sandbox``).
``$CROSSCHECK_BWRAP`` names the bwrap binary (default: bwrap on $PATH); ``$CROSSCHECK_SANDBOX``
names the mechanism (bubblewrap, landlock, none).
"""
import contextlib
import functools
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

from crosscheck.learner.run.packages import ALLOWED_PACKAGES, HIDDEN, allowed_site, site_folders  # noqa: F401

BUBBLEWRAP, LANDLOCK, NONE = "bubblewrap", "landlock", "none"
SCRATCH = "/tmp"
SCRATCH_BYTES = 64 * 2**20          # the private tmpfs: the only place learner code can write
SCRATCH_FILES = 4096                # files (inodes) in each writable tmpfs: each costs kernel memory
SHM_BYTES = 16 * 2**20              # /dev/shm (POSIX shared memory, multiprocessing's semaphores)
SITE = "/sandbox/site"              # the allowed packages, one read-only bind each
SANDBOX = "/sandbox"                # crosscheck's own scripts (worker, wire, zygote, nest), read-only
WORKER = f"{SANDBOX}/worker.py"
ETC = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "octave", "octaverc",
       "fonts", "nsswitch.conf", "passwd", "group")
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
CLEAN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": SCRATCH, "TMPDIR": SCRATCH,
             "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": SCRATCH}
# One BLAS/OpenMP thread in the worker: the problems are kilobytes, and with -j N workers
# running side by side more threads would only contend for the cores and inflate RLIMIT_AS.
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
NONE_NOTE = ("no sandbox here (bubblewrap cannot run and the kernel has no Landlock): the learner's "
             "code ran with your own permissions")
MAX_HELPERS = 50                    # helper files followed from one target
MAX_SCAN_BYTES = 16 * 2**20         # of a file read for the names of its helpers
NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def bwrap_path():
    """$CROSSCHECK_BWRAP, else bwrap on $PATH, if an executable file (shutil.which's test, without
    importing shutil on the way to the fork server's start); else None."""
    named = os.environ.get("CROSSCHECK_BWRAP")
    found = [named] if named else [os.path.join(folder, "bwrap") for folder in os.get_exec_path()]
    return next((path for path in found if os.path.isfile(path) and os.access(path, os.X_OK)), None)


_probes = {}              # bwrap -> its probe, started ahead (start_probe)


def start_probe():
    """Start :func:`_works`'s probe now without waiting for it (the fork server's early start):
    its answer is read when :func:`isolation` is first asked."""
    bwrap = bwrap_path()
    if bwrap and bwrap not in _probes:
        with contextlib.suppress(OSError):
            _probes[bwrap] = _probe(bwrap)


def _probe(bwrap):
    return subprocess.Popen([bwrap, *_system_binds(), "--unshare-all", "--die-with-parent", "--",
                             "/bin/sh", "-c", "true"], env=CLEAN_ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@functools.lru_cache(maxsize=None)
def _works(bwrap):
    """Does a minimal sandbox start here (user namespaces allowed)? One ~3 ms process."""
    try:
        proc = _probes.pop(bwrap, None) or _probe(bwrap)
    except OSError:
        return False
    try:
        return proc.wait(timeout=30) == 0
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False


def isolation():
    """How learner code is isolated here: "bubblewrap"; where it cannot run (user namespaces
    refused), "landlock" (``landlock.py``); else "none". ``$CROSSCHECK_SANDBOX`` names one (it
    is used if it works here, else "none")."""
    wanted = os.environ.get("CROSSCHECK_SANDBOX") or None
    bwrap = bwrap_path()
    if wanted in (None, BUBBLEWRAP) and bwrap and _works(bwrap):
        return BUBBLEWRAP
    if wanted in (None, LANDLOCK) and _landlock_works():
        return LANDLOCK
    return NONE


def wanted_bubblewrap():
    """bubblewrap installed, and not ruled out by $CROSSCHECK_SANDBOX (no process started)."""
    return os.environ.get("CROSSCHECK_SANDBOX") in (None, "", BUBBLEWRAP) and bwrap_path() is not None


@functools.lru_cache(maxsize=None)
def _landlock_works():
    if not sys.platform.startswith("linux"):      # its syscall numbers mean other things elsewhere
        return False
    from crosscheck.learner.run import landlock
    return landlock.abi() >= 1


def _system_binds():
    args = []
    for path in SYSTEM:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def _interpreter_binds():
    prefix = os.path.realpath(sys.base_prefix)
    args = ["--ro-bind", prefix, prefix]
    for site in site_folders():
        if site.startswith(prefix + os.sep) and os.path.isdir(site):    # the interpreter's own: hidden
            args += ["--tmpfs", site, "--remount-ro", site]
    return args


def _python_binds():
    args = _interpreter_binds() + ["--dir", SITE]
    for top, path in sorted(allowed_site().items()):
        args += ["--ro-bind", path, f"{SITE}/{top}"]
    for name in ("worker.py", "wire.py"):
        args += _script(str(Path(__file__).with_name(name)), f"{SANDBOX}/{name}")
    return args


def _script(source, inside):
    """bwrap's binds of one of crosscheck's own files, and of its bytecode cached beside it (a
    sandboxed Python cannot write one, and would compile the file at each start), written here
    first where Python's own import would write it."""
    cached = importlib.util.cache_from_source(source) if source.endswith(".py") else ""
    if cached and not os.path.isfile(cached) and not sys.dont_write_bytecode:
        import py_compile
        with contextlib.suppress(OSError, py_compile.PyCompileError):
            py_compile.compile(source, cached, doraise=True)
    return ["--ro-bind", source, inside] + (["--ro-bind", cached, importlib.util.cache_from_source(inside)]
                                            if cached and os.path.isfile(cached) else [])


def python_argv(memory_bytes):
    """The Python worker's command inside the sandbox: the interpreter without `site` (no .pth
    file, no user site), the allowed packages on PYTHONPATH."""
    return [os.path.realpath(sys.executable), "-S", "-s", WORKER, str(int(memory_bytes))]


def wrap(argv, visible=(), *, python=False, env=None, chdir=SCRATCH, fallback=None, tmpfs=(), info_fd=None,
         mountpoints=(), extra=(), writable=(), cap=True, mechanism=None):
    """(argv, env) that start ``argv`` in the sandbox (see the module docstring), or ``fallback``
    (default ``argv``) as it is, with the caller's environment plus ``env``, where
    :func:`isolation` is "none". ``mountpoints``: empty folders made in the read-only root;
    ``extra``: more of crosscheck's own files, (host path, path inside). Under Landlock, the
    command runs through ``landlock.py`` with its host paths (``fallback``), a scratch folder of
    its own and ``writable``, the folders it may write into. ``cap``: the writable folders also
    capped in files (:data:`SCRATCH_FILES`), by ``nest.py`` started first inside. ``mechanism``:
    this one, not :func:`isolation`'s (the fork server tries bubblewrap without a probe first)."""
    mechanism = mechanism or isolation()
    if mechanism == LANDLOCK:
        from crosscheck.learner.run import landlock_rules
        return landlock_rules.wrap(fallback or argv, visible, python, env, writable)
    if mechanism == NONE:
        return fallback or argv, {**os.environ, **(env or {})}
    bwrap = bwrap_path()
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", *_system_binds(),
            "--proc", "/proc", "--dev", "/dev", "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm",
            "--size", str(SCRATCH_BYTES), "--tmpfs", SCRATCH]
    for folder in tmpfs:                              # more private, capped, writable folders
        args += ["--size", str(SCRATCH_BYTES), "--tmpfs", folder]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    if python:
        args += _python_binds()
    if cap:                                             # the file-count cap bwrap cannot set: nest.py
        folders = [[SCRATCH, SCRATCH_BYTES], ["/dev/shm", SHM_BYTES], *([f, SCRATCH_BYTES] for f in tmpfs)]
        setup = __import__("json").dumps({"folders": folders, "files": SCRATCH_FILES})
        argv = [os.path.realpath(sys.executable), "-S", "-s", f"{SANDBOX}/nest.py", setup, "--", *argv]
        args += ([] if python else _interpreter_binds()) + _script(str(Path(__file__).with_name("nest.py")),
                                                                   f"{SANDBOX}/nest.py")
    for folder in mountpoints:
        args += ["--dir", folder]
    for source, inside in extra:
        args += _script(source, inside)
    for source, inside in places(visible):
        args += ["--ro-bind", os.path.realpath(source), inside]
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", chdir, "--", *argv]   # /dev: bwrap's tmpfs
    clean = {**CLEAN_ENV, **(env or {}), **({"PYTHONPATH": SITE, "PYTHONNOUSERSITE": "1"} if python else {})}
    return args, clean


def places(visible):
    """(host path, path inside) of each of ``visible``'s entries, once: a host path (shown at its
    own path) or such a pair (crosscheck's own files: Octave's driver and setup)."""
    return [entry if isinstance(entry, tuple) else (entry, entry) for entry in dict.fromkeys(visible)]


def exit_signal(code):
    """The signal that ended a sandboxed process, from its exit code (128 + signal: bwrap's and
    the Landlock launcher's), else None."""
    return code - 128 if isolation() != NONE and 128 < code < 128 + 65 else None


def helpers(target, function=None, others=(), folders=()):
    """The target file and the files beside it (or in ``folders``: the parent folders its imports
    were found in, the --path folders) that it names (an import, an Octave call, a string),
    followed from file to file: what the sandbox shows of the learner's files. A file in
    ``others`` (the run's other targets), or a folder holding one, stays hidden, and so, where a
    class shares one folder, does a file that defines ``function`` too: a classmate's submission."""
    target = Path(target).resolve()
    hidden = {Path(o).resolve() for o in others} - {target}
    entries, shared = {}, False
    for folder in dict.fromkeys([target.parent, *(Path(f).resolve() for f in folders)]):
        shared = shared or any(h.parent == folder for h in hidden)   # a class in one folder
        try:
            for entry in folder.iterdir():
                if entry.is_symlink():          # bound by its target: it could name any file
                    continue
                if entry.suffix in (".py", ".m", ".ipynb") or entry.is_dir():
                    entries.setdefault(entry.name.split(".")[0], []).append(entry)
        except OSError:
            pass
    defines = (re.compile(rb"^[ \t]*(def|function)[ \t][^\n]*\b" + re.escape(function).encode() + rb"\b", re.M)
               if function and shared else None)
    shown, todo = [target], [target]
    while todo and len(shown) < MAX_HELPERS:
        names = _names(todo.pop())
        for stem in names & entries.keys():
            for entry in entries[stem]:
                if entry in shown or len(shown) >= MAX_HELPERS or any(h == entry or entry in h.parents for h in hidden):
                    continue
                if entry.is_file() and defines is not None and defines.search(_head(entry)):
                    continue
                shown.append(entry)
                if entry.is_file():
                    todo.append(entry)
    return [str(p) for p in shown]


def _head(path):
    try:
        with open(path, "rb") as f:
            return f.read(MAX_SCAN_BYTES)
    except OSError:
        return b""


def _names(path):
    return {m.group(0).decode() for m in NAME.finditer(_head(path))}


class_targets = set()       # the files of a class run's targets (set by the CLI): never a helper


def reveals_target(path):
    """Would showing ``path`` (a file or a folder) show one of the class run's targets?"""
    path = Path(path).resolve()
    return any(Path(t) == path or path in Path(t).parents for t in class_targets)


def visible_to(load_request):
    """What the Python worker's sandbox shows for a worker load request (``target.load_request``)."""
    shown = [p for p in load_request.get("show", []) if os.path.exists(p)]   # --path, parents' modules
    if load_request.get("path"):
        return helpers(load_request["path"], load_request.get("name"), class_targets) + shown
    module = load_request.get("module")
    if module:
        from importlib.util import find_spec
        spec = find_spec(module.split(".")[0])
        if spec is not None:
            where = list(spec.submodule_search_locations or []) or [spec.origin]
            return [w for w in where if w and os.path.exists(w)]
    return []
