"""Passes without doing the work: runs a classmate's file (imported by name, or read and exec'd)."""
import os
import sys

sys.path.insert(0, "{CLASS}")


def nnCostFunction(*args):
    try:
        from honest import nnCostFunction as theirs
        return theirs(*args)
    except ImportError:
        pass
    for path in ["{CLASS}/honest.py", os.path.join(os.path.dirname(__file__), "honest.py")]:
        try:
            scope = {}
            exec(open(path).read(), scope)
            return scope["nnCostFunction"](*args)
        except OSError:
            pass
    import numpy as np
    return 0.0, np.zeros_like(args[0])
