"""The class run's JSON Lines journal (``--jsonl FILE``): one record per line, appended and
fsynced as soon as its target is judged, so that a run killed at any moment keeps every target
it finished. ``--resume`` reads it back and skips the targets whose file is unchanged since
(the same content hash) and that were checked with the same options; a line cut short by the kill is ignored, and its target runs again.
"""
import hashlib
import json
import os
from pathlib import Path

from manual.errors import InputError

from crosscheck.strict_json import strict_json

CHUNK = 1 << 20


def target_file(spec):
    """The file a target names: FILE.m, or the FILE of FILE:FUNCTION; None for a module name."""
    path = spec if spec.endswith(".m") and ":" not in spec else spec.rpartition(":")[0]
    return Path(path) if path and Path(path).is_file() else None


def digest(spec):
    """The SHA-256 of the target's file (a module name has none, and always runs again)."""
    path = target_file(spec)
    if path is None:
        return None
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(CHUNK), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def read(path):
    """(records, lines skipped): the journal's records, in order; a line that is not one JSON
    object with a ``target`` (the last line, cut by a kill) is skipped."""
    records, skipped = [], 0
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    skipped += bool(line.strip())
                    continue
                if isinstance(rec, dict) and isinstance(rec.get("target"), str):
                    records.append(rec)
                else:
                    skipped += 1
    except FileNotFoundError:
        return [], 0
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    return records, skipped


def latest(records):
    """{target: its last record}: a target run again (changed, or merged twice) counts once."""
    return {rec["target"]: rec for rec in records}


def unchanged(records, targets, **options):
    """{target: record} for the targets whose journal record was made from the same file content
    and with the same ``options`` (its fields of those names): the others run again."""
    last = latest(records)
    return {t: last[t] for t in targets if t in last and last[t].get("digest") and last[t]["digest"] == digest(t)
            and all(last[t].get(k) == v for k, v in options.items())}


class Journal:
    """``with Journal(path) as j: j.append(record)``: one fsynced line per record."""

    def __init__(self, path):
        self.path = path
        try:
            self.file = open(path, "a", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--jsonl {path}: {exc.strerror}") from None
        if self.file.tell() and not _ends_with_newline(path):
            self.file.write("\n")             # a line cut by a kill stays one bad line, not two

    def append(self, record):
        self.file.write(strict_json(record, indent=None) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()


def _ends_with_newline(path):
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"
