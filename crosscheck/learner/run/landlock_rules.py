"""What the Landlock launcher (``landlock.py``) is told, where bubblewrap cannot run: the rules
that give the learner's process what bubblewrap's sandbox shows (``sandbox``), on the host's
own paths:

- read and list: the system folders and the interpreter's install, except every site-packages
  (its names listable, for imports; its files unreadable: crosscheck, JAX, PyTorch), and the
  allowed packages (numpy, scipy, ...) in it; the /etc files of ``sandbox.ETC``;
- read: the learner's files (``visible``), and their folders listed (their imports);
- write: a scratch folder of its own (its $HOME, $TMPDIR and working folder, removed when
  crosscheck ends), the ``writable`` folders, /dev/null and the random devices.
"""
import atexit
import functools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from crosscheck.learner.run import landlock
from crosscheck.learner.run.packages import HIDDEN, allowed_site, site_folders
from crosscheck.learner.run.sandbox import CLEAN_ENV, ETC, SYSTEM, places


def wrap(argv, visible, python, env, writable):
    """(argv, env) that start ``argv`` (host paths) through the Landlock launcher."""
    scratch = tempfile.mkdtemp(prefix="crosscheck-scratch-")
    atexit.register(shutil.rmtree, scratch, True)
    rules = [*_system_rules(), (scratch, "write"), *((w, "write") for w in writable)]
    shown = [host for host, _ in places(visible)]
    rules += [(p, a) for p in shown for a in ("read", "list")] + [(os.path.dirname(p), "list") for p in shown]
    clean = {**CLEAN_ENV, "HOME": scratch, "TMPDIR": scratch, "MPLCONFIGDIR": scratch, **(env or {})}
    if python:
        sites = sorted({str(Path(p).parent) for p in allowed_site().values()})
        rules += [(p, a) for p in allowed_site().values() for a in ("read", "list")] + [(s, "list") for s in sites]
        rules += [(str(Path(landlock.__file__).with_name(name)), "read") for name in ("worker.py", "wire.py")]
        rules += [(str(Path(landlock.__file__).parent), "list")]          # (open source) names, for `import wire`
        clean.update(PYTHONPATH=os.pathsep.join(sites), PYTHONNOUSERSITE="1")
        argv = [os.path.realpath(argv[0]), "-S", "-s", *argv[1:]]
    script = 3 if python and argv[0] == os.path.realpath(sys.executable) else None   # argv: python -S -s SCRIPT ...
    launcher = [os.path.realpath(sys.executable), "-S", "-s", landlock.__file__,
                json.dumps({"rules": rules, "cwd": scratch, "script": script}), "--"]
    return launcher + argv, clean


@functools.lru_cache(maxsize=None)
def _system_rules():
    """The rules every process gets: the system, the interpreter, /etc, /dev (once per run)."""
    hidden = set(site_folders()) | {os.path.realpath(where) for name in HIDDEN for where in _locations(name)}
    roots = [p for p in SYSTEM if os.path.isdir(p) and not os.path.islink(p)] + [os.path.realpath(sys.base_prefix)]
    rules = [(root, "list") for root in roots] + [r for root in roots for r in _read_except(root, hidden)]
    rules += [(f"/etc/{name}", access) for name in ETC for access in ("read", "list")]
    return tuple(rules + [(f"/dev/{name}", "write") for name in ("null", "zero", "full", "random", "urandom")])


def _read_except(root, hidden):
    """[(path, "read")] for the files beneath ``root`` but not beneath a ``hidden`` folder."""
    inside = [h for h in hidden if h == root or h.startswith(root + os.sep)]
    if not inside:
        return [(root, "read")]
    if root in inside or not os.path.isdir(root) or os.path.islink(root):
        return []
    try:
        return [r for entry in os.scandir(root) for r in _read_except(entry.path, inside)]
    except OSError:
        return []


def _locations(name):
    """Where package ``name`` would be imported from (nothing is imported)."""
    from importlib.util import find_spec
    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return []
    return [] if spec is None else list(spec.submodule_search_locations or []) or [os.path.dirname(spec.origin or "")]
