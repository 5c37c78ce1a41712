"""The parent itself: writes into crosscheck's stdout through /proc/<ppid>/fd/1 (and that of
the crosscheck process whose command line carries {MARKER}), to break --json."""
import os


def nnCostFunction(nn_params, *args):
    pids = {os.getppid()}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"{MARKER}" in f.read():
                    pids.add(int(entry))
        except (OSError, ValueError):
            pass
    for pid in pids:
        for fd in (1, 2):
            try:
                with open(f"/proc/{pid}/fd/{fd}", "w") as f:
                    f.write("{\"passed\": true} \x1b[32mRIGHT\x1b[0m\n")
            except OSError:
                pass
    import numpy as np
    return 0.0, np.zeros_like(nn_params)
