"""One target's result as one object: the verify JSON object with the class's fields added.
The same names are the CSV's columns (:data:`FIELDS`), the JSON Lines journal's keys and the
``results`` entries of ``--json``: ``target``, ``passed``, ``outcome``, ``problems_right`` of
``problems_run``, ``diagnosis``, ``reason`` (a sentence), ``notes``, ``seconds`` (the target's
whole run, worker start included), ``slowest_call_seconds``, and for ``--resume`` ``digest``
(the file's content hash) and ``checked_with`` (the options it was judged under).
"""
import csv

from crosscheck.cli import one_line
from crosscheck.learner import clean
from crosscheck.learner.show.outcomes import LABEL, primary

FIELDS = ("target", "passed", "outcome", "problems_right", "problems_run", "diagnosis", "reason", "notes",
          "seconds", "slowest_call_seconds")
# what the record adds to the verify JSON object of one target
ADDED = ("outcome", "problems_right", "problems_run", "reason", "notes", "seconds", "slowest_call_seconds",
         "digest", "checked_with")
SLOW_CALL_S = 1.0          # a call slower than this is worth a note (the problems are tiny)
MAX_NOTES = 6


def _reason(record, outcome, mistake):
    """A sentence for a person: what the outcome means for this target."""
    problems = record.get("problems") or []
    n, failed = len(problems), [p for p in problems if not p.get("ran")]
    if outcome == "right":
        return f"right on all {n} problems"
    if outcome == "not_found":
        return f"nothing to check: {record.get('failure')}"
    if outcome == "unfinished":
        return ("unfinished: it returns J = 0 on every problem, as the exercise's stub does"
                if any(p.get("ran") for p in problems) else "unfinished: it raises NotImplementedError")
    if outcome == "mistake":
        meanings = {f.get("id") or f.get("description"): f.get("description") for f in record.get("findings") or []}
        text = meanings.get(mistake) or mistake
        described = [f.get("description") for f in record.get("findings") or []
                     if f.get("explained") and not f.get("id") and f.get("description")]
        others = [x for x in dict.fromkeys([*record.get("diagnosis", []), *described]) if x != mistake]
        sentence = f"{text} ({mistake})" if text != mistake else text
        if failed:
            sentence += f"; it failed on {len(failed)} of {n} problems"
        return sentence + (f"; also {', '.join(others)}" if others else "")
    if not problems or len(failed) == n:
        return f"could not run ({LABEL[outcome].split(': ')[-1]}): {record.get('failure')}"
    if failed:
        return f"failed on {len(failed)} of {n} problems ({LABEL[outcome].split(': ')[-1]}): {record.get('failure')}"
    wrong = sum(not p.get("agrees") for p in problems)
    return f"wrong on {wrong} of {n} problems, in a way no known mistake explains ({record.get('where')})"


def _notes(data, run):
    """What a teacher may want to know beside the verdict: how the target was found (a helper module
    from a parent folder), warnings, retries, prints, slow calls."""
    notes = [str(n) for n in data.get("found") or []] + [str(w) for w in data.get("warnings") or []]
    if run is not None and run.printed:
        notes.append(f"it printed {len(run.printed)}{'+' if len(run.printed) >= 20 else ''} line(s)")
    if data.get("y_shape") == "(m, 1)":
        notes.append("it accepts y only as a column (m, 1)")
    slowest = max(data.get("call_seconds") or [0.0])
    if slowest > SLOW_CALL_S:
        notes.append(f"a slow call: {slowest:.1f} s")
    return [one_line(n)[:300] for n in notes[:MAX_NOTES]]


def record(data, seconds, digest, run=None):
    """The class record of one target from its verify JSON object ``data``."""
    rec = {"target": data.get("target"), **data}
    problems = rec.get("problems") or []
    rec.setdefault("diagnosis", [])
    rec["problems_right"] = sum(bool(p.get("agrees")) for p in problems)
    rec["problems_run"] = len(problems)
    rec["notes"] = _notes(data, run)
    rec["seconds"] = round(float(seconds), 3)
    rec["slowest_call_seconds"] = round(max(data.get("call_seconds") or [0.0]), 4)
    rec["digest"] = digest
    outcome, mistake = primary(rec)
    rec["outcome"] = outcome
    rec["reason"] = one_line(_reason(rec, outcome, mistake))[:500]
    return rec


def cell(value):
    """Every CSV cell passes through here: lists joined; text one clean line, a leading = + - @
    (a formula to a spreadsheet) quoted (``learner.clean.cell``)."""
    if isinstance(value, (list, tuple)):
        value = "; ".join(map(str, value))
    return clean.cell(value)


def write_csv(records, stream):
    writer = csv.writer(stream)
    writer.writerow(FIELDS)
    for rec in records:
        writer.writerow([cell(rec.get(name, "")) for name in FIELDS])
