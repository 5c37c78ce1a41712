"""The one rule for every command's JSON: strict JSON (RFC 8259), non-finite numbers as null.

RFC 8259 has no NaN or Infinity, so a number that is NaN, inf or −inf is written as ``null``,
everywhere: ``verify``, ``mistakes``, ``train``, ``report``, a class's ``results``/``summary``,
and the error objects. Why null rather than the strings "nan"/"inf":

- a numeric field stays "a number, or null when there is none", the one shape every JSON reader
  and schema handles; a string in a numeric field is a second type each reader must special-case
  (and "inf" is Python's spelling: JavaScript's ``Number("inf")`` is NaN);
- it is what JSON's own writers do with these values (JavaScript's ``JSON.stringify``, Rust's
  serde_json, pandas' ``to_json``), so a reader gets what it already expects;
- a consumer comparing numbers (``err > tol``) fails loudly on null in every language, where a
  string compares silently in some.

What is lost is which of NaN and inf it was: the text output of each command, printed from the
same result, still says.

:func:`json_safe` applies the rule to a value (the dicts a command builds, ``VerifyResult.to_dict()``);
:func:`strict_json` is every command's one writer. numpy scalars and arrays become plain numbers
and lists, tuples become lists.
"""
import json
import math

import numpy as np


def finite_or_none(x):
    """``x`` as a float, or None when it is NaN or ±inf (or None)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def json_safe(value):
    """``value`` with the rule applied all the way down: what ``json.dumps(allow_nan=False)`` takes."""
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.tolist()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def strict_json(value, indent=1):
    """``value`` as strict JSON text by the module's rule: every command's one JSON writer."""
    return json.dumps(json_safe(value), indent=indent, allow_nan=False)
