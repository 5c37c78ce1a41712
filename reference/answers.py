"""The stored reference answers of ``crosscheck verify``'s fixed problems (``answers.json``).

For each problem and loss: J and every entry of ∂J/∂Θ^(l), computed by JAX autodiff and agreed
by PyTorch autograd (``crosscheck pin --update`` writes them, ``crosscheck pin --check``
recomputes them), so that a verify run needs neither library. An entry is found by its key,
the problem's full definition and the loss as canonical JSON, and holds only while the
arrays generated from that definition (Θ, X, y) still have the stored ``inputs`` digest: a
new problem, a changed one, or a generator that now draws other numbers finds no answer, and
verify computes it with JAX instead (and says so).

Gradients are stored exactly, as little-endian float64 bytes in base64, with their shapes.
This module reads numpy only: never crosscheck, JAX or PyTorch.
"""
import base64
import datetime
import functools
import hashlib
import json
import os
import platform
from pathlib import Path

import numpy as np

ANSWER_FILE = Path(__file__).resolve().parent / "answers.json"
FORMAT = "backprop-crosscheck reference answers, version 1"
ABOUT = [
    "The right answers of crosscheck verify's fixed problems (crosscheck/learner/problems.py): "
    "J and every gradient entry, per problem and loss, so that verify loads neither JAX nor PyTorch.",
    "Computed by JAX autodiff and agreed by PyTorch autograd to the autodiff tolerance; written "
    "by `crosscheck pin --update`, recomputed by `crosscheck pin --check`.",
    "An entry is keyed by the problem's full definition and the loss; 'inputs' is the sha256 of "
    "the arrays generated from it. Gradients: little-endian float64 bytes, base64.",
]
MAX_ANSWER_BYTES = 64 << 20       # read whole: 1.2 MB today


def key(definition, loss):
    """The entry's key: the problem's definition (a dict of plain values) and the loss, as canonical JSON."""
    return json.dumps({"problem": definition, "loss": loss}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def inputs_digest(arrays):
    """sha256 over each array's dtype, shape and bytes (C order)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def encode(definition, loss, inputs, J, grads, disagreement):
    """One entry: the answer (J, grads) to the problem with this definition and inputs digest."""
    return {"problem": definition, "loss": loss, "inputs": inputs, "cost": float(J),
            "gradients": [{"shape": list(g.shape),
                           "float64": base64.b64encode(np.asarray(g, "<f8").tobytes()).decode("ascii")}
                          for g in grads],
            "jax_vs_torch": disagreement}


def decode(entry):
    """(J, [∂J/∂Θ^(l)] read-only float64 arrays) of an entry; ValueError if malformed."""
    grads = []
    for g in entry["gradients"]:
        shape = tuple(int(n) for n in g["shape"])
        array = np.frombuffer(base64.b64decode(g["float64"], validate=True), dtype="<f8")
        grads.append(array.reshape(shape).astype(np.float64, copy=False))
    J = entry["cost"]
    if not isinstance(J, float):
        raise ValueError("cost is not a number")
    return J, grads


def answer_path():
    """$CROSSCHECK_ANSWERS if set (a file; "off": use none), else the packaged answers.json."""
    chosen = os.environ.get("CROSSCHECK_ANSWERS")
    if chosen == "off":
        return None
    return Path(chosen) if chosen else ANSWER_FILE


@functools.lru_cache(maxsize=4)
def entries(path):
    """{key: entry} from the answer file at ``path``; {} when it is absent or unreadable
    (then every answer is missing and verify computes them)."""
    if path is None:
        return {}
    try:
        data = read(path)
    except (OSError, ValueError):
        return {}
    return {key(e["problem"], e["loss"]): e for e in data["answers"]}


def read(path):
    """The answer file's contents; OSError or ValueError (one line) when unreadable or malformed."""
    with open(path, "rb") as handle:
        text = handle.read(MAX_ANSWER_BYTES + 1)
    if len(text) > MAX_ANSWER_BYTES:
        raise ValueError(f"{path}: larger than {MAX_ANSWER_BYTES >> 20} MiB")
    data = json.loads(text.decode("utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("answers"), list):
        raise ValueError(f"{path}: not an answer file (format {FORMAT!r})")
    for entry in data["answers"]:
        if not isinstance(entry, dict) or not {"problem", "loss", "inputs", "cost", "gradients"} <= entry.keys():
            raise ValueError(f"{path}: an entry without problem, loss, inputs, cost and gradients")
    return data


def lookup(definition, loss, inputs, path=None):
    """(J, grads) stored for this problem, or None when missing, stale (other inputs) or malformed."""
    entry = entries(answer_path() if path is None else path).get(key(definition, loss))
    if entry is None or entry.get("inputs") != inputs:
        return None
    try:
        return decode(entry)
    except (KeyError, TypeError, ValueError):
        return None


def provenance(versions, disagreement, tolerance):
    """Which libraries agreed, by how much at most (course relative difference), when, where."""
    return {"agreed": versions, "largest_disagreement": disagreement, "tolerance": tolerance,
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"}


def dumps(entry_list, prov):
    """The answer file's text: one entry per problem and loss, in the problems' order."""
    data = {"format": FORMAT, "about": ABOUT, "provenance": prov, "answers": entry_list}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
