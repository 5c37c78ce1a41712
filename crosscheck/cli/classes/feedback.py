"""``--feedback DIR``: one report per target to hand back, named after the target: NAME.txt (the
text report ``crosscheck verify`` prints) and NAME.html (a self-contained page: verdict, table,
diagnosis with the corrected equation, the heat map as an inline PNG), both headed by the
target's score and outcome and ending with the notes.

NAME is the target with every character but letters, digits, ``.``, ``_`` and ``-`` replaced
(path separators by ``__``, the function after ``-``), no leading dot, at most MAX_NAME
characters: it cannot leave DIR. Where the cleaning changed more than the separators, or cut
the name short, a short hash of the target keeps two targets apart.
"""
import hashlib
import html
import os
import re
from pathlib import Path

from crosscheck.cli import one_line

MAX_NAME = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
PAGE = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title><style>"
        "body{{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}}"
        "table{{border-collapse:collapse;font-size:90%}}td,th{{border:1px solid #ccc;padding:2px 6px}}"
        "h1{{overflow-wrap:anywhere}}img{{max-width:100%}}pre{{white-space:pre-wrap}}</style></head><body>{body}</body></html>\n")


def file_name(target):
    """The cleaned file name (without extension) for ``target``'s feedback."""
    path, colon, function = target.rpartition(":") if ":" in target else (target, "", "")
    parts = [p for p in re.split(r"[/\\]+", path) if p not in ("", ".")]
    joined = "__".join(parts) + (f"-{function}" if colon else "")
    name = _UNSAFE.sub("_", joined).lstrip(".") or "target"
    if name != joined or len(name) > MAX_NAME:
        tag = hashlib.sha256(target.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        name = f"{name[:MAX_NAME - 9]}-{tag}"
    return name


def _head(record):
    return [f"{record['target']}: {record['outcome'].replace('_', ' ')}, "
            f"{record['problems_right']} of {record['problems_run']} problems right",
            f"In short: {record['reason']}"]


def _notes(record):
    return [f"Note: {n}" for n in record.get("notes") or []]


def text_report(record, text):
    lines = [*_head(record), "", text or str(record.get("failure") or "")]
    if record.get("notes"):
        lines += ["", *_notes(record)]
    return "\n".join(lines) + "\n"


def html_page(record, body_html):
    """A whole page around ``body_html`` (the learner's report from ``show``)."""
    head = "".join(f"<p>{html.escape(line)}</p>" for line in _head(record))
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in record.get("notes") or [])
    body = (f"<h1>{html.escape(one_line(record['target']))}</h1>{head}"
            + (body_html or f"<p><b>{html.escape(str(record.get('failure') or ''))}</b></p>")
            + (f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""))
    return PAGE.format(title=html.escape(one_line(record["target"])), body=body)


def _result_html(result):
    """The learner's HTML report (verdict, table, diagnosis, heat map) from the show functions."""
    if result is None:
        return ""
    from crosscheck.learner.show.as_html import to_html
    return to_html(result)


def write(directory, record, text, result):
    """Write DIR/NAME.txt and DIR/NAME.html for one target; the two paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = file_name(record["target"])
    paths = directory / f"{name}.txt", directory / f"{name}.html"
    for path, content in zip(paths, (text_report(record, text), html_page(record, _result_html(result)))):
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)                 # a kill never leaves half a page behind
    return paths
