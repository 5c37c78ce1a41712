"""The worker's side of its channel to crosscheck (``runner`` reads it): framed messages, and a
learner's returned value described as JSON-able plain data plus numeric arrays, each sent as its
raw bytes (C order), its dtype and shape in the header. A plain module beside ``worker`` in the
sandbox (no crosscheck import).
"""
import json
import os
import select
import struct
import time

import numpy as np

FRAME = struct.Struct(">Q")          # every message: its length in 8 bytes, then the bytes
MAX_ELEMENTS = 1_000_000             # arrays sent back whole, up to this many entries in all;
                                     # beyond, only by shape (a right grad has a few hundred)
MAX_ITEMS = 10_000                   # list/tuple items described one by one
MAX_TEXT = 300                       # characters kept of any text (messages, str results)

def write_message(fd, data):
    for part in (FRAME.pack(len(data)), data):
        view = memoryview(part).cast("B")
        while view:
            view = view[os.write(fd, view):]


def read_exactly(fd, n, deadline=None):
    """``n`` bytes from ``fd``; EOFError if it closes first, TimeoutError past ``deadline``
    (``time.monotonic()``; the parent's side, which waits for the worker with ``select``)."""
    chunks, left = [], n
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            if not select.select([fd], [], [], min(wait, 3600.0))[0]:   # select overflows past ~1e8 s
                continue
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_message(fd):
    return read_exactly(fd, FRAME.unpack(read_exactly(fd, FRAME.size))[0])


def short(text):
    text = " ".join(str(text)[:10 * MAX_TEXT].split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _is_number(v):
    """A real number: Python int or float, or a numpy integer or float scalar (no bool)."""
    return type(v) in (int, float) or isinstance(v, (np.integer, np.floating))


def encode(value, arrays, depth=0):
    """``value`` as JSON-able plain data; numeric arrays appended to ``arrays`` as float64 or
    their own int/float dtype (so that a float32 result can be named as such)."""
    if isinstance(value, bool) or value is None:
        return {"t": "other", "name": type(value).__name__}
    if isinstance(value, (int, float)) and type(value) in (int, float):
        try:
            arrays.append(np.asarray(float(value)))
        except OverflowError:
            return {"t": "other", "name": "int too large for a float"}
        return {"t": type(value).__name__, "i": len(arrays) - 1}
    if isinstance(value, str):
        return {"t": "str", "v": short(value)}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in "iuf" or array.dtype.itemsize > 8:
            return {"t": "other", "name": f"{type(value).__name__} of dtype {array.dtype}"}
        if array.size + sum(a.size for a in arrays) > MAX_ELEMENTS:
            return {"t": "other", "name": f"{type(value).__name__} of shape {array.shape} (too large)"}
        arrays.append(np.ascontiguousarray(array))
        return {"t": "array", "i": len(arrays) - 1, "scalar": isinstance(value, np.generic)}
    if isinstance(value, (list, tuple)) and depth < 3:
        n = len(value)
        # A list of numbers (grad.tolist(), or list(grad) of numpy scalars) goes as one array,
        # as long as an array may be; only lists described item by item stop at MAX_ITEMS.
        if 2 < n <= MAX_ELEMENTS - sum(a.size for a in arrays) and all(map(_is_number, value)):
            try:
                arrays.append(np.asarray(value, dtype=np.float64))
                return {"t": type(value).__name__, "numbers": len(arrays) - 1}
            except (OverflowError, ValueError):
                pass
        if n > MAX_ITEMS:
            return {"t": "other", "name": f"{type(value).__name__} of length {n} (too long)"}
        return {"t": type(value).__name__, "items": [encode(v, arrays, depth + 1) for v in value]}
    return {"t": "other", "name": type(value).__name__}


def reply(fd, header, arrays=()):
    arrays = [np.asarray(a, order="C") for a in arrays]
    header = dict(header, arrays=[[a.dtype.str, list(a.shape)] for a in arrays])
    write_message(fd, json.dumps(header, allow_nan=False).encode())
    for array in arrays:
        write_message(fd, array.reshape(-1).view(np.uint8) if array.size else b"")
