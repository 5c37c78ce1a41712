"""A one-line progress indicator on stderr (only when stderr is a terminal) that tells the truth:
how many are finished, which are running now and for how long, how many wait to be judged (the longest first, a target
running far longer than the others marked ``!``), and an estimate of the time left. It is
redrawn twice a second, so the clocks move while a target hangs.
"""
import os
import shutil
import sys
import threading
import time

REDRAW_S = 0.5
LONG_FACTOR, LONG_MIN_S = 3.0, 10.0       # running > max(3 × the mean, 10 s): marked as long
BAR = 16
SHOWN = 3                                 # running targets named on the line


def _short(what, width=32):
    """A target by its file's name (and function): the folders are the same for a whole class."""
    path, colon, function = what.rpartition(":")
    what = f"{os.path.basename(path)}:{function}" if colon and path else os.path.basename(what) or what
    return what if len(what) <= width else "…" + what[-(width - 1):]


class Progress:
    """``with Progress(total, "verify") as p: p.start(spec); ...; p.stop(spec); p.step(spec)``;
    ``step`` alone counts a finished item (``report`` uses it so)."""

    def __init__(self, total, label, stream=None, enabled=None, clock=time.monotonic):
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.clock = clock
        self.begun = clock()
        self.running = {}                  # what → when it started
        self.judging = set()               # ran, not yet counted done
        self.skipped = 0
        self.finished_s = []               # how long each finished one ran (those with a start)
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.last = ""

    def start(self, what):
        with self.lock:
            self.running[what] = self.clock()
        self.draw()

    def skip(self, n):
        """``n`` counted done without running here (resumed): they do not speed the estimate up."""
        with self.lock:
            self.done += n
            self.skipped += n

    def stop(self, what):
        """``what`` no longer runs (it may still be judged before it is counted done)."""
        with self.lock:
            began = self.running.pop(what, None)
            if began is not None:
                self.finished_s.append(self.clock() - began)
                self.judging.add(what)

    def step(self, what="", n=1):
        self.stop(what)
        with self.lock:
            self.judging.discard(what)
            self.done += n
            self.last = what
        self.draw()

    def line(self):
        """The line as it would be drawn now."""
        with self.lock:
            now = self.clock()
            elapsed = now - self.begun
            filled = int(BAR * self.done / max(self.total, 1))
            parts = [f"{self.label} [{'#' * filled}{'.' * (BAR - filled)}] {self.done}/{self.total} done "
                     f"{elapsed:5.1f}s"]
            if self.running:
                mean = sum(self.finished_s) / len(self.finished_s) if self.finished_s else None
                long_s = max(LONG_FACTOR * mean, LONG_MIN_S) if mean is not None else LONG_MIN_S
                ages = sorted(((now - t, w) for w, t in self.running.items()), reverse=True)
                shown = [f"{_short(w)} {age:.1f}s{'!' if age > long_s else ''}" for age, w in ages[:SHOWN]]
                more = f" +{len(ages) - SHOWN}" if len(ages) > SHOWN else ""
                parts.append(f"running {len(ages)}: " + ", ".join(shown) + more)
            if self.judging:
                parts.append(f"judging {len(self.judging)}")
            if not self.running and not self.judging and self.last:
                parts.append(_short(self.last, 40))
            if self.skipped < self.done < self.total:
                left = elapsed / (self.done - self.skipped) * (self.total - self.done)
                parts.append(f"~{left:.0f}s left")
            return " | ".join(parts)

    def draw(self):
        if not self.enabled:
            return
        width = max(shutil.get_terminal_size((100, 24)).columns - 1, 20)
        text = self.line()[:width]
        self.stream.write("\r" + text + " " * (width - len(text)))
        self.stream.flush()

    def _tick(self):
        while not self.stopped.wait(REDRAW_S):
            self.draw()

    def __enter__(self):
        if self.enabled:
            threading.Thread(target=self._tick, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        if self.enabled:
            width = max(shutil.get_terminal_size((100, 24)).columns - 1, 20)
            self.stream.write("\r" + " " * width + "\r")
            self.stream.flush()
