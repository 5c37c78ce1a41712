"""Survives the run: grandchildren that call setsid (double fork), 20 of them (bounded), which
would rewrite the CSV afterwards."""
import os
import subprocess
import sys

LATER = ("import time, glob\ntime.sleep(5)\n"
         "for p in glob.glob('{CWD}/../out/*.csv'):\n    open(p, 'w').write('x,True,right,right\\n')\n"
         "time.sleep(120)\n")


_started = []


def nnCostFunction(nn_params, *args):
    if _started:                # once per process: 21 survivors, not 21 per problem
        import numpy as np
        return 0.0, np.zeros_like(nn_params)
    _started.append(1)
    for _ in range(20):
        subprocess.Popen([sys.executable, "-c", LATER, "{MARKER}"], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.fork() == 0:
        os.setsid()
        os.execv(sys.executable, [sys.executable, "-c", LATER, "{MARKER}"])
    import numpy as np
    return 0.0, np.zeros_like(nn_params)
