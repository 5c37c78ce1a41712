"""Reading, checking and rewriting ``reference/pins.json``.

A pin holds when the recomputed quantity q and the pinned p satisfy

    |q − p| ≤ tol · scale,   tol = PIN_TOLERANCE = 1e-10,

with scale = |p|, except for ``grad_sum`` (a sum of both signs, which may cancel), whose
scale is the pinned ``grad_abs_sum`` ≥ |grad_sum|. A published value printed with d
decimals holds when |q − p| ≤ ½·10^(−d), the rounding of the printed number.
"""
import contextlib
import datetime
import difflib
import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from manual.errors import InputError

from reference import PIN_TOLERANCE
from reference.scenarios import SCENARIOS

PIN_FILE = Path(__file__).resolve().parent / "pins.json"
FORMAT = "backprop-crosscheck pins, version 1"
ABOUT = [
    "The suite's memory of the right numbers: a change to the math is caught here even if "
    "manual, JAX and PyTorch drift together.",
    "Scenarios are defined in reference/scenarios.py; the values below are computed by "
    "crosscheck/check/evaluate.py with every implementation and written by `crosscheck pin --update`, "
    "which refuses when the implementations disagree. `crosscheck pin --check` recomputes them.",
    "A pin holds to 1e-10 relative (reference/__init__.py, PIN_TOLERANCE); grad_sum is relative "
    "to grad_abs_sum. Published values hold to half a unit in their last printed decimal.",
    "pins: null means pending: the scenario needs a course file that was absent when pinned "
    "(see 'pending'); run `crosscheck pin --update --data ex4data1.mat --weights ex4weights.mat`.",
]
PENDING = {
    "ex4data": "needs the course's ex4data1.mat (--data or EX4_DATA), which cannot be shipped; "
               "pin with `crosscheck pin --update --data ex4data1.mat --weights ex4weights.mat`",
    "ex4weights": "needs the course's ex4weights.mat (--weights or EX4_WEIGHTS)",
}


# The pin file is read whole: 26 kB today, so 16 MiB leaves room for 600 times more
# scenarios and still refuses /dev/zero or a runaway file before it costs memory.
MAX_PIN_BYTES = 16 << 20


def read_text(path):
    """The pin file's text: a regular file of at most MAX_PIN_BYTES, in UTF-8; else InputError."""
    from manual.io.regular import read_bounded
    if not os.path.lexists(path):
        raise InputError(f"{path}: pin file not found")
    data = read_bounded(path, MAX_PIN_BYTES, "a pin file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a pin file (not UTF-8 text: byte {exc.start} is "
                         f"0x{data[exc.start]:02x})") from None


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def parse(text, path):
    """The pin file's contents, schema-checked; InputError (one line) naming what is wrong."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: not a readable pin file (invalid JSON: {str(exc)[:100]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), dict):
        raise InputError(f"{path}: not a pin file (no 'scenarios' object)")
    for name, entry in data["scenarios"].items():
        problem = _entry_problem(entry)
        if problem:
            raise InputError(f"{path}: scenario {name!r}: {problem}")
    return data


ENTRY_TYPES = {"setup": (dict,), "pins": (dict, type(None)), "provenance": (dict, type(None)),
               "pending": (str,)}


def _entry_problem(entry):
    """Why ``entry`` is not a scenario's pin entry ('' when it is)."""
    if not isinstance(entry, dict):
        return f"must be a JSON object, got {type(entry).__name__}"
    for key, types in ENTRY_TYPES.items():
        if key in entry and not isinstance(entry[key], types):
            return f"{key!r} must be {' or '.join(t.__name__ for t in types)}, got {type(entry[key]).__name__}"
    for key, value in (entry.get("pins") or {}).items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return f"pin {key!r} must be a number or a list of numbers"
    return ""


def load(path=PIN_FILE):
    """The pin file as a dict; InputError (one line) if unreadable or malformed."""
    return parse(read_text(path), path)


def write(path, text):
    """Replace the file at ``path`` by ``text``, atomically: a temporary file in the same
    folder, flushed to disk (fsync), then renamed over it (os.replace). Whatever fails or
    interrupts, ``path`` holds either its old text or the new one, never a part."""
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the pin file ({exc.strerror or exc}); it is unchanged") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException as exc:                # an error, or Ctrl-C: the old file stays as it was
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot write the pin file ({exc.strerror or exc}); "
                             "it is unchanged") from None
        raise
    with contextlib.suppress(OSError):          # make the rename itself durable
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def dumps(data):
    """The pin file's text: indented, keys in scenario order, a final newline; strict JSON, as
    :func:`loads` reads it (a NaN or inf pin raises ValueError before the file is touched)."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def empty():
    return {"format": FORMAT, "about": ABOUT, "scenarios": {}}


def pending_entry(scenario, missing):
    return {"setup": scenario.setup(), "pins": None,
            "pending": "; ".join(PENDING[f] for f in missing), "provenance": None}


# --- comparing numbers ------------------------------------------------------------------

@dataclass
class Moved:
    """One quantity that did not reproduce."""
    scenario: str
    impl: str
    quantity: str
    pinned: float
    got: float
    rel: float
    tol: float


def _pairs(pins, got):
    """(quantity name, pinned, got, scale) for every pinned scalar."""
    for key, p in pins.items():
        if key == "bound":                       # a gradient check's bound: see reproduces()
            continue
        if key not in got:
            yield key, p, float("nan"), 1.0
            continue
        q = got[key]
        if isinstance(p, list):
            if len(p) != len(q):
                yield f"len({key})", len(p), len(q), 1.0
            for i, (pi, qi) in enumerate(zip(p, q)):
                yield f"{key}[{i}]", pi, qi, abs(pi)
        elif key == "grad_sum" and "grad_abs_sum" in pins:
            yield key, p, q, abs(pins["grad_abs_sum"])
        else:
            yield key, p, q, abs(p)
    for key in got:
        if key not in pins:                      # a quantity without a pin never holds
            yield key, float("nan"), got[key], 1.0


def relative_changes(scenario_name, impl, pins, got, tol=None):
    """[Moved] for every pinned quantity, held or not: its relative change from the pin."""
    tol = PIN_TOLERANCE if tol is None else tol
    out = []
    for name, p, q, scale in _pairs(pins, got):
        diff = abs(q - p)
        rel = diff / scale if scale > 0 else (0.0 if diff == 0 else float("inf"))
        out.append(Moved(scenario_name, impl, name, p, q, rel if rel == rel else float("inf"), tol))
    return out


def moved(scenario_name, impl, pins, got, tol=None):
    """[Moved] for each pinned quantity that ``got`` does not reproduce (empty: all hold)."""
    return [m for m in relative_changes(scenario_name, impl, pins, got, tol) if not m.rel <= m.tol]


def published_mismatches(scenario, got):
    """[str] naming each published value that ``got`` misses (empty: all agree)."""
    pub = scenario.published
    out = []
    if "relative_difference_below" in pub:
        if not got["relative_difference"] < pub["relative_difference_below"]:
            out.append(f"relative difference {got['relative_difference']:.3e} is not below "
                       f"{pub['relative_difference_below']:g}")
        return out
    half = 0.5 * 10.0 ** -pub.get("decimals", 0) * (1 + 1e-9)
    if "cost" in pub and not abs(got["cost"] - pub["cost"]) <= half:
        out.append(f"cost {got['cost']:.10f} does not print as {pub['cost']:.{pub['decimals']}f}")
    for i, (p, q) in enumerate(zip(pub.get("values", []), got.get("values", []))):
        if not abs(q - p) <= half:
            out.append(f"value[{i}] {q:.10f} does not print as {p:.{pub['decimals']}f}")
    return out


def pins_of(scenario, got):
    """What gets pinned from one implementation's quantities."""
    if scenario.kind == "gradient_check":
        return {"bound": scenario.published["relative_difference_below"]}
    return dict(got)


def reproduces(scenario, pins, got):
    """True when ``got`` (one implementation) reproduces ``pins``."""
    if scenario.kind == "gradient_check":
        return got["relative_difference"] < pins["bound"]
    return not moved(scenario.name, "", pins, got)


# --- provenance and diff ----------------------------------------------------------------

def file_identity(path):
    """{"file": its name, "sha256": its digest}: which course file a pin was computed from."""
    path = Path(path)
    return {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def provenance(versions, disagreement, files_used=()):
    """Who agreed, by how much (max relative difference from manual's values), when, where,
    and from which course files."""
    out = {"agreed": versions, "max_rel_disagreement": float(f"{disagreement:.3g}"),
           "date": datetime.date.today().isoformat(),
           "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"}
    if files_used:
        out["course_files"] = [file_identity(p) for p in files_used]
    return out


def diff(old_text, new_text, path):
    """A unified diff of the pin file, old → new ('' when equal)."""
    return "".join(difflib.unified_diff(old_text.splitlines(True), new_text.splitlines(True),
                                        f"{path} (old)", f"{path} (new)"))


@dataclass
class Status:
    """One scenario's outcome of ``pin --check``."""
    name: str
    state: str                                   # ok | FAILED | skipped | pending
    per_impl: dict = field(default_factory=dict)  # impl -> "ok" / "moved" / ...
    moved: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # other reasons it failed
    published: str = "-"                         # ok | MISMATCH | -
    reason: str = ""


def scenario_names(data, selected=None):
    """Code's scenarios (optionally only ``selected``), and the file's names not in the code."""
    names = list(SCENARIOS) if not selected else list(selected)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise InputError(f"unknown scenario {unknown[0]!r}; `crosscheck pin --list` shows them")
    orphans = [n for n in data["scenarios"] if n not in SCENARIOS] if not selected else []
    return names, orphans
