"""A one-line progress indicator on stderr (only when stderr is a terminal)."""
import sys
import time


class Progress:
    """``with Progress(total, "report") as p: p.step("cross_entropy λ=1")``."""

    def __init__(self, total, label, stream=None, enabled=None):
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.start = time.perf_counter()

    def step(self, what="", n=1):
        self.done += n
        if self.enabled:
            width = 24
            filled = int(width * self.done / max(self.total, 1))
            elapsed = time.perf_counter() - self.start
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                              f"{self.done}/{self.total} {elapsed:5.1f}s {what[:40]:<40}")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
