"""The Python packages a sandboxed learner's process may import (numpy, scipy, matplotlib,
pandas and what they require), found from their .dist-info folders read as text, and the
site-packages folders that hold everything else (crosscheck, JAX, PyTorch: never shown)."""
import functools
import glob
import os
import re
import sys

ALLOWED_PACKAGES = ("numpy", "scipy", "matplotlib", "pandas")   # and what they require
HIDDEN = ("crosscheck", "manual", "reference", "jax", "jaxlib", "torch")


@functools.lru_cache(maxsize=None)
def allowed_site():
    """{name in SITE: host path} of the allowed packages and their requirements (installed ones),
    read from their .dist-info folders (METADATA's Requires-Dist, RECORD's paths) as text:
    importlib.metadata costs 30 ms here, on the way to starting the fork server."""
    found, todo, seen, dists = {}, list(ALLOWED_PACKAGES), set(), _dist_infos()
    while todo:
        name = _normal(todo.pop())
        if name in seen or name not in dists:
            continue
        seen.add(name)
        info = dists[name]
        for line in _read(os.path.join(info, "METADATA")).splitlines():
            if line.startswith("Requires-Dist:") and "extra ==" not in line:
                todo.append(re.match(r"[A-Za-z0-9_.\-]+", line[len("Requires-Dist:"):].strip()).group(0))
        lines = (line.split(",", 1)[0].strip('"').replace("\\", "/") for line in _read(os.path.join(info, "RECORD")).splitlines())
        for top in {line.split("/", 1)[0] for line in lines if line and not line.startswith("..")} - {"__pycache__"}:
            path = os.path.join(os.path.dirname(info), top)
            if os.path.exists(path) and top.split(".")[0].lower() not in HIDDEN:
                found[top] = path
    return found


def _normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _dist_infos():
    """{normalised project name: its .dist-info folder}, the first on sys.path."""
    found = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".dist-info"):
                found.setdefault(_normal(entry[:-len(".dist-info")].rsplit("-", 1)[0]), os.path.join(folder, entry))
    return found


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def site_folders():
    """Every site-packages folder of this Python: on sys.path, and the interpreter's own (a venv
    does not list it, but a package installed there is importable by path)."""
    found = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    found += glob.glob(os.path.join(sys.base_prefix, "lib*", "python3*", "*-packages"))
    return sorted({os.path.realpath(p) for p in found})
