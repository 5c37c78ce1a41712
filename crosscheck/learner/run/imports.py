"""Imports as the learner's project has them: a module the target imports that is missing at
import, but exists as a folder or a .py file in a parent folder of the target (up to the
repository's root, the first folder holding .git, or :data:`MAX_UP` levels), is found there,
as in a repository of all the course's exercises (``from ex2 import sigmoid`` beside ex4/)."""
import os
import re
from pathlib import Path

MISSING = re.compile(r"No module named '([\w.]+)'")
MAX_UP = 4


def missing_module(message):
    """The top-level name of the module an import error message says is missing, or None."""
    found = MISSING.search(message or "")
    return found.group(1).split(".")[0] if found else None


def find_in_parents(target, module):
    """The parent folder of ``target`` that holds ``module`` (a folder or module.py), or None."""
    folder = Path(target).resolve().parent
    for parent in [folder, *folder.parents][:MAX_UP + 1]:
        if (parent / module).is_dir() or (parent / f"{module}.py").is_file():
            return parent if parent != folder else None
        if (parent / ".git").exists():
            break
    return None


def module_paths(parent, module):
    """What of ``parent`` the sandbox must show for ``module``: its folder or its .py file."""
    return [str(p) for p in (Path(parent) / module, Path(parent) / f"{module}.py") if p.exists()]


def note(module, parent, target):
    """The note the report prints for a module found so."""
    where = os.path.relpath(parent, Path(target).resolve().parent)
    return (f"{module} was not beside {Path(target).name}; crosscheck found it in {where} (a parent folder) "
            f"and imported it from there, as PYTHONPATH={parent} would (pin folders with --path DIR)")

