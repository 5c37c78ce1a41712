"""The files crosscheck and Octave exchange through Octave's work folder (``octave``): waiting for
one, and a result loaded only once its size and every variable's shape are checked. In the
sandbox the folder is reached through /proc/PID/root, which fails (ESRCH) once Octave's sandbox
has ended: such a file is simply not there."""
import math
import time

from crosscheck.learner import clean

POLL_SECONDS = 0.002
MAX_RESULT_BYTES = 2**20  # a result file is (J, grad) and the inputs: at most a few hundred kB
MAX_RESULT_ELEMENTS = 10**6   # entries of one variable in it (whosmat, before anything is loaded)


def load_result(path):
    """A result file as a dict, every variable's size checked (whosmat) before anything is loaded:
    a small compressed file can hold 10^8 zeros. ValueError (or scipy's errors) when unusable."""
    from scipy.io import loadmat, whosmat
    size = path.stat().st_size
    if size > MAX_RESULT_BYTES:
        raise ValueError(f"{size / 2**20:.0f} MB")
    for name, shape, _ in whosmat(path):
        if math.prod(shape) > MAX_RESULT_ELEMENTS:
            raise ValueError(f"{clean.text(name, 40)} of shape {shape}")
    return loadmat(path, squeeze_me=False, chars_as_strings=True)


def wait_for(path, process, deadline):
    """True once ``path`` exists; False if the process ended first or the deadline passed (its
    sandbox ending, /proc/PID/root fails with ESRCH: not there)."""
    while gone(path.stat):
        if process.poll() is not None:
            return not gone(path.stat)
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def gone(action):
    """Run ``action`` on a path in the sandbox; True if it is not there (OSError)."""
    try:
        action()
    except OSError:
        return True
    return False
