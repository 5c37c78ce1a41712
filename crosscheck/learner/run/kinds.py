"""The kinds of target ``crosscheck verify`` runs, one line each in :data:`KINDS`.

A target string ("mycode.py:nnCostFunction", "ex4.ipynb:nnCostFunction", "pkg.mod:f",
"nnCostFunction.m") is parsed once, by :func:`parse`, into a :class:`Target`: the first kind
whose ``recognise`` accepts its source part (the text before the last ":") parses it. Running it
is the kind's ``open(target, options)``: a session with

- ``load()``: None once the function can be called, else a ``runner.Outcome`` saying why not
  (kind IMPORT, SYNTAX, TIMEOUT...); InputError when crosscheck cannot tell what to check;
- ``call(args, watch)``: a ``runner.Outcome`` of one call (the returned value, or why there is
  none, as a ``FailureKind`` and a ``Location``), with the arguments at ``watch`` after it;
- ``printed()``, ``warnings``, ``close()``; and ``y_column``: y goes in as (m, 1) from the start.

The one driver (``driver.run_target``) runs every session over the problems, twice. Adding a
language (real MATLAB, R) is one more entry here and a module with its session.
"""
import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from manual.errors import InputError

from crosscheck.learner.run import octave, pysession

EXPECTED = "expected FILE.py:FUNCTION (e.g. mycode.py:nnCostFunction), got {spec!r}"


@dataclass(frozen=True)
class Target:
    """A target as parsed, once: its kind (a key of KINDS), the spec as the user gave it, its
    source part (a file, a glob, a module name) and the function's name."""
    kind: str
    spec: str
    source: str
    name: str

    @property
    def path(self):
        return Path(self.source)


def named(kind, source, name, spec):
    """SOURCE:FUNCTION, FUNCTION an identifier (the Python kinds)."""
    if not source or not name.isidentifier():
        raise InputError(EXPECTED.format(spec=spec))
    return Target(kind, spec, source, name)


@dataclass(frozen=True)
class TargetKind:
    name: str
    recognise: Callable      # (source part) -> bool
    parse: Callable          # (kind name, source, function name or "", spec) -> Target; InputError
    open: Callable           # (Target, Options) -> session


KINDS = {kind.name: kind for kind in [
    TargetKind("octave", octave.recognise, octave.parse, octave.OctaveSession),
    TargetKind("notebook", lambda source: source.endswith(".ipynb"), named, pysession.open_file),
    TargetKind("python_file", pysession.is_file, named, pysession.open_file),
    TargetKind("python_module", lambda source: True, named, pysession.open_module),
]}


def register(kind):
    """Add ``kind`` ahead of the others (the Python module kind accepts any name); returns the
    function that removes it again."""
    global KINDS
    KINDS = {kind.name: kind, **KINDS}

    def remove():
        KINDS.pop(kind.name, None)
    return remove


def parse(spec):
    """The :class:`Target` ``spec`` names; InputError when it names none."""
    spec = str(spec)
    source, colon, name = spec.rpartition(":")
    if not colon:
        source, name = spec, ""
    for kind in KINDS.values():
        if kind.recognise(source):
            return kind.parse(kind.name, source, name, spec)
    raise InputError(EXPECTED.format(spec=spec))


def expand(target):
    """[target], or one Target per file its source's glob matches (sorted), each of the kind
    its file is; InputError if the glob matches nothing."""
    if not glob.has_magic(target.source):
        return [target]
    files = sorted(glob.glob(target.source))
    if not files:
        raise InputError(f"{target.source}: no file matches")
    given = target.spec != target.source          # FILE:FUNCTION, not FILE alone
    out = []
    for file in files:
        spec = f"{file}:{target.name}" if given else file
        kind = next(k for k in KINDS.values() if k.recognise(file))
        out.append(kind.parse(kind.name, file, target.name if given else "", spec))
    return out
