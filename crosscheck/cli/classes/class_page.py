"""``--class-page FILE.html``: the class at a glance, for the teacher: a bar chart of the primary
outcomes (each target once, so the bars add up to the class), the mistakes with their meaning,
what was found beside them, and the table of students (linked to their ``--feedback`` pages).
The same page as FILE.png, drawn by a headless Chromium where one is installed.
"""
import html
import os
import shutil
import subprocess
from pathlib import Path

from crosscheck.cli import one_line
from crosscheck.cli.classes.feedback import file_name
from crosscheck.learner import clean
from crosscheck.learner.show.outcomes import LABEL, MEANING

COLOUR = {"right": "#2da44e", "mistake": "#d4a72c", "unfinished": "#8c959f", "unrecognised": "#8250df"}
FAILED = "#cf222e"                       # every "couldn't run" outcome
BAR_W, ROW_H, LABEL_W = 420, 26, 300
PNG_SIZE = "1000,1400"
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
STYLE = ("body{font-family:system-ui,sans-serif;margin:1.5em;color:#1f2328}table{border-collapse:collapse;"
         "font-size:13px}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}"
         "th{background:#f6f8fa}td:first-child{max-width:260px;overflow-wrap:anywhere}.n{text-align:right}h2{margin-top:1.4em}")


def text(value):
    """Every learner-derived string passes through here on its way into the page: cleaned
    (``learner.clean.text``), then escaped."""
    return html.escape(clean.text(value, 2000))


def bar_chart(outcomes, total):
    """An inline SVG: one labelled bar per outcome."""
    rows = []
    for i, (key, n) in enumerate(outcomes.items()):
        y, w = i * ROW_H, max(2, round(BAR_W * n / max(total, 1)))
        colour = COLOUR.get(key, FAILED)
        rows.append(f"<text x='{LABEL_W - 8}' y='{y + 17}' text-anchor='end'>{text(LABEL[key])}</text>"
                    f"<rect x='{LABEL_W}' y='{y + 4}' width='{w}' height='{ROW_H - 8}' fill='{colour}'/>"
                    f"<text x='{LABEL_W + w + 6}' y='{y + 17}'>{n}</text>")
    height = ROW_H * max(len(outcomes), 1)
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{LABEL_W + BAR_W + 60}' height='{height}' "
            f"font-size='14' role='img' aria-label='outcomes'>{''.join(rows)}</svg>")


def _table(head, rows):
    return ("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(rows_cell for rows_cell in row) + "</tr>" for row in rows) + "</table>")


def _named(table):
    return _table(["targets", "finding", "what it means"],
                  [[f"<td class='n'>{e['count']}</td>", f"<td><code>{text(name)}</code></td>",
                    f"<td>{text(e['meaning'])}</td>"] for name, e in table.items()])


def _students(records, feedback, page_dir):
    rows = []
    for rec in records:
        name = text(rec["target"])
        if feedback:
            link = os.path.relpath(Path(feedback) / f"{file_name(rec['target'])}.html", page_dir)
            name = f"<a href='{html.escape(Path(link).as_posix(), quote=True)}'>{name}</a>"
        rows.append([f"<td>{name}</td>", f"<td>{text(LABEL[rec['outcome']])}</td>",
                     f"<td class='n'>{rec['problems_right']}/{rec['problems_run']}</td>",
                     f"<td>{text(rec['reason'])}</td>", f"<td class='n'>{rec['seconds']:.1f}</td>"])
    return _table(["target", "outcome", "problems right", "reason", "s"], rows)


def page(records, summary, feedback=None, page_dir="."):
    s = summary
    parts = [f"<h1>Class: {s['targets']} targets, {s['right']} right, {s['wrong']} wrong</h1>",
             "<p>Each target is counted once, under its primary outcome.</p>",
             bar_chart(s["outcomes"], s["targets"]),
             "<ul>" + "".join(f"<li><b>{text(LABEL[k])}</b>: {text(MEANING[k])}</li>" for k in s["outcomes"]) + "</ul>"]
    if s["mistakes"]:
        parts += ["<h2>Mistakes (the primary one of each target)</h2>", _named(s["mistakes"])]
    if s["co_occurring"]:
        parts += ["<h2>Also found in the same targets</h2>", _named(s["co_occurring"])]
    parts += ["<h2>Students</h2>", _students(records, feedback, page_dir)]
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>crosscheck: the class</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def screenshot(html_path, png_path, timeout=60):
    """Draw ``html_path`` into ``png_path`` with a headless Chromium; a one-line reason if not."""
    browser = next((shutil.which(b) for b in CHROMIUM if shutil.which(b)), None)
    if browser is None:
        return "no Chromium found to draw the PNG"
    try:
        done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                               f"--screenshot={Path(png_path).resolve()}", f"--window-size={PNG_SIZE}",
                               Path(html_path).resolve().as_uri()],
                              capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Chromium did not draw the PNG: {one_line(exc)}"
    return None if done.returncode == 0 and Path(png_path).exists() else \
        f"Chromium did not draw the PNG (exit {done.returncode})"


def write(path, records, summary, feedback=None, png=True):
    """Write the page (and PNG beside it); a one-line reason when the PNG could not be drawn."""
    path = Path(path)
    path.write_text(page(records, summary, feedback, path.parent), encoding="utf-8")
    return screenshot(path, path.with_suffix(".png")) if png else None
