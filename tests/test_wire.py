"""The worker's channel (``run/wire.py`` writes, ``runner`` reads): arrays come back exactly as
the learner's code returned them, and a reply that is not what its header says (the worker is
the learner's process: it can write anything there) is refused, never believed or crashed on."""
import os
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from crosscheck.learner.run import runner, wire

ARRAYS = [np.arange(12, dtype=np.float64).reshape(3, 4), np.asfortranarray(np.ones((2, 3), np.float32)),
          np.array(7, dtype=np.int64), np.zeros((0, 5)), np.array([1.5, -2.0], dtype=">f8")]


def reply_through_a_pipe(header, arrays):
    """(header, arrays) as the parent reads what ``wire.reply`` wrote."""
    inbox, outbox = os.pipe()
    writer = threading.Thread(target=lambda: (wire.reply(outbox, header, arrays), os.close(outbox)))
    writer.start()
    worker = runner.Worker.__new__(runner.Worker)
    worker.proc = SimpleNamespace(stdout=os.fdopen(inbox, "rb", buffering=0))
    try:
        return worker.request(None, 10)
    finally:
        writer.join()
        worker.proc.stdout.close()


def test_arrays_come_back_with_their_dtype_shape_and_values():
    header, arrays = reply_through_a_pipe({"status": "returned"}, ARRAYS)
    assert header["status"] == "returned" and len(arrays) == len(ARRAYS)
    for sent, got in zip(ARRAYS, arrays):
        assert got.dtype == sent.dtype and got.shape == sent.shape and np.array_equal(got, sent)
        assert got.flags.writeable


@pytest.mark.parametrize("described, data", [
    (["O", [1]], b"\0" * 8),                 # objects: never unpickled
    (["V8", [1]], b"\0" * 8),
    (["(2,)f8", [1]], b"\0" * 16),           # a subarray dtype
    (["c16", [1]], b"\0" * 16),              # complex: not a cost or a gradient
    (["<f8", [3]], b"\0" * 16),              # fewer bytes than the shape says
    (["<f8", [-1]], b"\0" * 8),
    (["<f8", [1.0]], b"\0" * 8),
    (["<f8", "3"], b"\0" * 24),
    (["<f8", [1] * 40], b"\0" * 8),
    (["not a dtype", [1]], b"\0" * 8),
    ([["<f8"], [1]], b"\0" * 8),
])
def test_an_array_that_is_not_what_the_header_says_is_refused(described, data):
    with pytest.raises((ValueError, TypeError)):
        runner._array(data, described)
