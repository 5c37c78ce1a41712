"""Text that came from a learner's code (messages, printed lines, names, file names), made safe
for a terminal, a CSV file or HTML: control characters (C0, C1, DEL) and the bidirectional
overrides and isolates that reorder what a reader sees are dropped, and the length is capped.
Every string from a worker passes through :func:`text`; reports through :func:`lines`."""
import re

MAX_TEXT = 300                     # characters of one line kept
# C0 but tab and newline, DEL, C1, the bidi marks, embeddings, overrides and isolates
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text(value, limit=MAX_TEXT):
    """``value`` as one clean line of at most ``limit`` characters."""
    value = str(value)[:4 * limit]
    value = " ".join(CONTROLS.sub("", value.replace("\t", " ")).split())
    return value if len(value) <= limit else value[:limit - 1] + "…"


def lines(value, width=2000):
    """A block of text (a report): control characters dropped from each line, each line capped."""
    return "\n".join(CONTROLS.sub("", line.replace("\t", "    "))[:width] for line in str(value).split("\n"))


def cell(value):
    """A CSV cell a spreadsheet shows as text: one clean line, a leading = + - @ (a formula)
    quoted with an apostrophe."""
    value = text(value, 10 * MAX_TEXT) if isinstance(value, str) else value
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def data(value, width=2000):
    """A JSON-ready object with every string in it cleaned of control characters and capped."""
    if isinstance(value, str):
        return CONTROLS.sub("", value)[:width]
    if isinstance(value, dict):
        return {data(k, width): data(v, width) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [data(v, width) for v in value]
    return value


def load_reply(header):
    """A worker's reply to a load request, its texts cleaned and capped (they reach the report)."""
    if not isinstance(header, dict):
        return {"status": "failed", "kind": "crash", "message": "sent back malformed data"}
    texts = {k: text(v) for k, v in header.items() if k in ("status", "kind", "message", "type")}
    defined = header.get("defined")
    names = [text(d, 80) for d in defined[:50]] if isinstance(defined, list) else []
    return {**header, **texts, "defined": names}
