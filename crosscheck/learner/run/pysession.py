"""The Python kinds of target (a .py file, a notebook's definitions, a module name): each a
session on a worker process (``runner``, ``worker``), for the one driver (``target.drive``).

A .py script whose top level fails (data loading, training, exit) is checked on its imports and
definitions only (``notebook.script_source``), as a notebook is, with a note naming the error
and the lines not run; the import error stays the failure when that cannot load either.
"""
import importlib.util
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from manual.errors import InputError

from crosscheck.learner.calls import FailureKind
from crosscheck.learner import clean
from crosscheck.learner.run import imports, sandbox, worker
from crosscheck.learner.run.runner import (PRINTED_BYTES, PRINTED_LINES, STARTUP_TIMEOUT, Outcome, Worker,
                                           WorkerGone, decode)

IMPORT_TIMEOUT_HINT = " (does it train or load data at import? put that under `if __name__ == '__main__':`)"


def is_file(source):
    """A .py file, or any path that exists or looks like one (told apart from a module name)."""
    return source.endswith(".py") or Path(source).exists() or "/" in source or "\\" in source


def open_file(target, options):
    """The session of a .py file or a notebook; InputError when there is no such file."""
    path = target.path
    if not path.exists():
        raise InputError(f"{target.source}: no such file")
    if path.is_dir():
        raise InputError(f"{target.source}: is a directory; give the .py file that defines the function")
    if path.suffix == ".ipynb":
        from crosscheck.learner.run import notebook
        source = notebook.module_source(path, target.name)
        return PythonSession(target, options, {"op": "load", "path": str(path.resolve()), "source": source.text,
                                               "cells": source.cells})
    if path.suffix != ".py":
        raise InputError(f"{target.source}: not a Python file or notebook (expected FILE.py:FUNCTION)")
    return PythonSession(target, options, {"op": "load", "path": str(path.resolve())}, script=True)


def open_module(target, options):
    """The session of a module importable from sys.path ("pkg.mod:function")."""
    module = target.source
    if not all(part.isidentifier() for part in module.split(".")):
        raise InputError(f"{module}: not a Python file or module name (expected FILE.py:FUNCTION)")
    if importlib.util.find_spec(module.split(".")[0]) is None:
        raise InputError(f"module {module!r} not found (give the path to your .py file, e.g. {module}.py:FUNCTION)")
    return PythonSession(target, options, {"op": "load", "module": module, "sys_path": [p or "." for p in sys.path]})


class PythonSession:
    """A Python target's session: its worker, and for a failing script the definitions-only one."""
    y_column = False

    def __init__(self, target, options, request, script=False):
        self.target, self.options, self.script, self.notes, self.found = target, options, script, [], []
        pinned = options.conventions
        folders = [str(Path(p).resolve()) for p in (pinned.path if pinned else ())]
        self.request = {**request, "name": target.name, "grad": pinned.grad if pinned else "",
                        "sys_path": [*request.get("sys_path", []), *folders], "show": folders}
        self.inner = WorkerSession(self.request, options.timeout, options.memory)
        self.inner.memory_words = options.raise_limit("memory")

    @property
    def parameters(self):
        """[names of the function's positional parameters, number required], or None."""
        return self.inner.header.get("parameters")

    @property
    def defined(self):
        return [str(d) for d in self.inner.header.get("defined", [])]

    def _load_finding_parents(self):
        """Load; while it fails on a module found in a parent folder (``imports``), load again with
        that folder on sys.path, a note in ``found``."""
        while True:
            failed = self.inner.load()
            module = imports.missing_module(failed.failure) if failed and failed.kind == FailureKind.IMPORT else None
            parent = imports.find_in_parents(self.target.path, module) if module and self.target.kind != \
                "python_module" else None
            shown = imports.module_paths(parent, module) if parent is not None else []
            if parent is None or str(parent) in self.request["sys_path"] or any(map(sandbox.reveals_target, shown)):
                return failed             # a classmate's submission is never a helper
            self.inner.close()
            self.request["sys_path"].append(str(parent))
            self.request["show"] = [*self.request["show"], *shown]
            self.found.append(imports.note(module, parent, self.target.path))
            self.inner = WorkerSession(self.request, self.options.timeout, self.options.memory)
            self.inner.memory_words = self.options.raise_limit("memory")

    @property
    def warnings(self):
        return [*self.notes, *self.inner.warnings]

    def load(self):
        failed = self._load_finding_parents()
        header, source, name = self.inner.header, self.target.source, self.target.name
        if header.get("status") == "no_function":
            name = header.get("missing") or name
            defined = [str(d) for d in header.get("defined", [])][:30]
            has = f"; it defines {', '.join(defined)}" if defined else "; it defines no functions"
            raise InputError(f"{source} has no function {name!r}{has}")
        if header.get("status") == "not_callable":
            raise InputError(f"{source}: {name!r} is a {header.get('type')}, not a function")
        if failed is None:
            return None
        if failed.kind != FailureKind.SYNTAX and self.script and self._definitions_only(failed):
            return None
        if failed.kind == FailureKind.TIMEOUT:
            failed.failure += IMPORT_TIMEOUT_HINT
        return failed if failed.kind == FailureKind.SYNTAX else replace(
            failed, failure=f"importing {source} {failed.failure}")

    def _definitions_only(self, failed):
        """True once the script's imports and definitions alone are loaded in a fresh worker."""
        from crosscheck.learner.run import notebook
        try:
            source = notebook.script_source(self.target.path, self.target.name)
        except InputError:
            return False
        fallback = WorkerSession({**self.request, "op": "load", "path": str(self.target.path.resolve()),
                                  "source": source.text}, self.options.timeout, self.options.memory)
        fallback.memory_words = self.options.raise_limit("memory")
        if fallback.load() is not None:
            fallback.close()
            return False
        self.inner.close()
        self.inner = fallback
        not_run = ", ".join(f"line {s.line} `{s.text[:40].rstrip()}`" for s in source.skipped[:3])
        self.notes.append(f"importing {self.target.path.name} {failed.failure}; crosscheck ran only the file's "
                          f"imports and definitions, as for a notebook ({len(source.skipped)} statement(s) not "
                          f"run: {not_run})")
        return True

    def call(self, args, watch):
        return self.inner.call(args, watch)

    def printed(self):
        return self.inner.printed()

    def close(self):
        self.inner.close()


class WorkerSession:
    """The learner's function behind a worker: ``load()`` once, then ``call(args, watch)``.

    ``load`` returns None or why not; its worker's header (status "loaded", "failed",
    "no_function", "not_callable") is ``header``. A call that ends the worker starts a fresh one,
    loaded the same way.
    """

    memory_words = "--memory MB"       # how the learner raises the limit (Options.raise_limit)

    def __init__(self, load_request, timeout, memory_mb):
        self.load_request, self.timeout, self.memory_mb = load_request, timeout, memory_mb
        self.visible = sandbox.visible_to(load_request)
        self.capture = tempfile.TemporaryFile()
        self.worker, self.header = None, {}
        self.warnings = []

    def load(self):
        """None once the function is loaded, else the Outcome saying why not (kind IMPORT, SYNTAX,
        TIMEOUT, ...); the worker's header for "no_function" and "not_callable" is ``self.header``."""
        self.worker = Worker(self.memory_mb, self.capture, self.visible)
        try:
            self.worker.ready()
            self.header, _ = self.worker.request(self.load_request, self.timeout)
        except WorkerGone as gone:
            self.worker, self.header = None, {"status": "failed"}
            return Outcome(failure=gone.message, kind=FailureKind.of(gone.kind))
        self._note(self.header)
        self.header = clean.load_reply(self.header)
        if self.header.get("status") == "loaded":
            return None
        self.worker.close()
        self.worker = None
        return Outcome.failed(self.header, 2 * worker.MAX_TEXT)

    def call(self, args, watch):
        """An :class:`Outcome` of the learner's function on ``args``."""
        if self.worker is None:
            failed = self.load()
            if failed is not None:
                return Outcome(failure=f"could not be imported again: {failed.failure}", kind=FailureKind.CRASH)
        try:
            header, arrays = self.worker.request({"op": "call", "args": args, "watch": watch}, self.timeout)
        except WorkerGone as gone:
            self.worker = None
            return Outcome(failure=gone.message, kind=FailureKind.of(gone.kind))
        self._note(header)
        try:
            if header["status"] != "returned":
                failed = Outcome.failed(header, 2 * worker.MAX_TEXT)
                if failed.kind == FailureKind.MEMORY:
                    failed.failure += (f" (over the worker's {self.memory_mb:g} MiB memory limit; "
                                       f"raise it with {self.memory_words})")
                return failed
            return Outcome(value=decode(header["value"], arrays), seconds=float(header["seconds"]),
                           after=[args[i] if node["t"] == "same" else decode(node, arrays)
                                  for i, node in zip(watch, header["after"])])
        except (KeyError, TypeError, IndexError, ValueError, RecursionError) as exc:
            return Outcome(failure=f"sent back malformed data ({type(exc).__name__})", kind=FailureKind.CRASH)

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
