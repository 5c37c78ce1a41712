"""An honest count of a class: each target once, under its primary outcome.

A target's record (``record.record``: the verify JSON object of one target) has one primary
outcome, the first of these that holds: right; unfinished (the exercise's stub: J = 0 on every
problem, or NotImplementedError); a named mistake (its first id, also where the pattern of its
crashes names it); could not run (no such function, syntax, import, time limit, crash, bad
return) when no problem ran; an explained part's description; a failure on some problems (by its kind); unrecognised. Everything else found in
the same target (a second mistake, an exception on some problems) is a co-occurring finding,
counted in a second table, never beside the primary outcome.
"""
from collections import namedtuple

Outcome = namedtuple("Outcome", "key label meaning")

OUTCOMES = (
    Outcome("right", "right", "cost and gradient agree with autodiff on every problem"),
    Outcome("mistake", "a named mistake", "wrong, and what is wrong is named (see the mistakes)"),
    Outcome("unfinished", "unfinished", "the exercise's stub: J = 0 on every problem, or NotImplementedError"),
    Outcome("not_found", "couldn't run: no such file or function", "crosscheck found nothing to check"),
    Outcome("syntax", "couldn't run: syntax error", "the file does not parse"),
    Outcome("import", "couldn't run: import failed", "loading the file failed before the function was reached"),
    Outcome("timeout", "couldn't run: time limit", "it ran past the time limit"),
    Outcome("crash", "couldn't run: crash", "an exception, a crash, the memory limit or an exit call"),
    Outcome("bad_return", "couldn't run: bad return", "it did not return (J, grad) of the right shape"),
    Outcome("unrecognised", "unrecognised", "wrong in a way no known mistake explains"),
)
MEANING = {o.key: o.meaning for o in OUTCOMES}
LABEL = {o.key: o.label for o in OUTCOMES}

UNFINISHED_IDS = {"cost_not_written", "gradient_not_written"}     # judge.unfinished's findings
# why the target as a whole could not run (Run.failure_kind) → outcome; anything else: import
TARGET_FAILURE = {"syntax": "syntax", "timeout": "timeout", "crash": "crash", "memory": "crash",
                  "unusable": "not_found"}
# why a call failed (Call.kind) → outcome
CALL_FAILURE = {"timeout": "timeout", "bad_return": "bad_return", "exception": "crash", "crash": "crash",
                "memory": "crash", "exit": "crash"}


def _ran(record):
    return [p for p in record.get("problems") or [] if p.get("ran")]


def unfinished(record):
    """The exercise's stub: the diagnosis names a part not yet written (cost or gradient), every
    call that ran returned J = 0 exactly (no real cost is 0 on these problems), or every call
    raised NotImplementedError."""
    problems = record.get("problems") or []
    ran = _ran(record)
    if set(record.get("diagnosis") or []) & UNFINISHED_IDS:      # the diagnosis names a part not written
        return True
    if ran and all(p.get("cost_yours") == 0.0 for p in ran):
        return True
    return bool(problems) and all("NotImplementedError" in str(p.get("failure") or "") for p in problems)


def _described(record):
    """The description of each explained part without an id, in order."""
    return [f["description"] for f in record.get("findings") or []
            if f.get("explained") and not f.get("id") and f.get("description")]


def primary(record):
    """(outcome key, mistake name or None): the one place ``record`` is counted."""
    if record.get("passed"):
        return "right", None
    if record.get("failure_kind") == "unusable":
        return "not_found", None
    if unfinished(record):
        return "unfinished", None
    problems = record.get("problems") or []
    if record.get("diagnosis") and problems:        # named, even from the pattern of its crashes
        return "mistake", record["diagnosis"][0]
    if not _ran(record):
        if record.get("failure") and not problems:           # the target as a whole
            return TARGET_FAILURE.get(record.get("failure_kind"), "import"), None
        kinds = [p.get("kind") for p in problems if not p.get("ran")]
        return CALL_FAILURE.get(kinds[0] if kinds else "crash", "crash"), None
    described = _described(record)
    if described and record.get("recognised"):
        return "mistake", described[0]
    failed = [p.get("kind") for p in problems if not p.get("ran")]
    if failed:
        return CALL_FAILURE.get(failed[0], "crash"), None
    return "unrecognised", None


def findings(record):
    """{name: meaning} of everything found in ``record``: ids, described parts, failure kinds."""
    out = {}
    for f in record.get("findings") or []:
        if f.get("explained") and f.get("id"):
            out.setdefault(f["id"], f.get("description") or "")
        elif f.get("explained") and f.get("description"):
            out.setdefault(f["description"], "")            # a description says what it means
    for p in record.get("problems") or []:
        if not p.get("ran"):
            key = CALL_FAILURE.get(p.get("kind"), "crash")
            out.setdefault(p.get("kind") or key, MEANING[key])
    return out


def summary(records):
    """The class in numbers: ``outcomes`` (each target once; they add up to ``targets``), the
    primary ``mistakes`` with a one-line meaning, and the ``co_occurring`` findings."""
    outcomes, mistakes, co_occurring = {}, {}, {}
    for record in records:
        key, mistake = primary(record)
        outcomes[key] = outcomes.get(key, 0) + 1
        found = findings(record) if key != "unfinished" else {}     # a stub's "mistakes" are its blanks
        if mistake is not None:
            entry = mistakes.setdefault(mistake, {"count": 0, "meaning": found.get(mistake) or ""})
            entry["count"] += 1
        for name, meaning in found.items():
            if name != mistake and not (mistake is None and CALL_FAILURE.get(name) == key):
                entry = co_occurring.setdefault(name, {"count": 0, "meaning": meaning})
                entry["count"] += 1
    right = outcomes.get("right", 0)
    by_count = lambda table: dict(sorted(table.items(), key=lambda kv: (-kv[1]["count"], kv[0])))  # noqa: E731
    return {"targets": len(records), "right": right, "wrong": len(records) - right,
            "outcomes": {o.key: outcomes[o.key] for o in OUTCOMES if o.key in outcomes},
            "mistakes": by_count(mistakes), "co_occurring": by_count(co_occurring)}


def _named(name, entry):
    return f"  {entry['count']:4d}  {name}" + (f": {entry['meaning']}" if entry["meaning"] else "")


def summary_lines(s):
    """The summary as text lines, for the terminal."""
    lines = [f"{s['targets']} targets: {s['right']} right, {s['wrong']} wrong", "outcome (each target once):"]
    lines += [f"  {n:4d}  {LABEL[key]}" for key, n in s["outcomes"].items()]
    if s["mistakes"]:
        lines.append("mistakes:")
        lines += [_named(name, e) for name, e in s["mistakes"].items()]
    if s["co_occurring"]:
        lines.append("also found in the same targets:")
        lines += [_named(name, e) for name, e in s["co_occurring"].items()]
    return lines
