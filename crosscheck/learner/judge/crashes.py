"""Findings from the calls that failed: sizes hard-coded, one-hot targets built from the labels
present, δ^(2) keeping its bias column, and any other failure, each with the learner's
file:line where the runner knew it (the call's ``Location``, data from the worker or Octave).
Every problem runs even when some fail (``crosscheck.learner.calls``), so the *pattern* of
failures is the evidence.
"""
import ast
import itertools
import re
from pathlib import Path

from manual.layout import COURSE_LAYER_SIZES
from manual.mistake_table import named

from crosscheck.learner.judge.findings import Finding

SHAPE = re.compile(r"\((\d+),\s*(\d*)\)")
DELTA_NAME = re.compile(r"(^d|delta|sigma|err)", re.IGNORECASE)
MAX_SOURCE_BYTES = 1_000_000


def _shapes(text):
    return {(int(a), int(b) if b else None) for a, b in SHAPE.findall(text or "")}


def _is_delta2_shape(call):
    """Does the failure name an array with s_2 + 1 where its partner has s_2, the other sizes
    equal (δ^(2), Δ^(1) or ∂J/∂Θ^(1) with the bias unit's row still in it), or a gradient
    s_1 + 1 entries too long (that extra row, unrolled)?"""
    s1, s2 = call.problem.sizes[0], call.problem.sizes[1]
    shapes = _shapes(call.failure)
    pairs = any(tuple(s2 if i == k else d for k, d in enumerate(a)) in shapes
                for a in shapes for i in range(2) if a[i] == s2 + 1)
    n_params = sum((b + 1) * a for a, b in zip(call.problem.sizes[1:], call.problem.sizes[:-1]))
    return pairs or (n_params + s1 + 1, None) in shapes


def _delta2_line(location):
    """The line (before or at ``location``'s, in the same function of that .py file) that builds
    δ^(2) without dropping the bias column: an assignment to a delta-like name whose right side
    multiplies and slices nothing off. None when the source cannot be read or nothing fits."""
    if location is None or not location.line or location.cell or not location.file.endswith(".py"):
        return None
    path, line = Path(location.file), location.line
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        source = path.read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return None
    functions = [f for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and f.lineno <= line <= (f.end_lineno or f.lineno)]
    if not functions:
        return None
    best = None
    for node in ast.walk(functions[-1]):
        if not isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) or node.lineno > line:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        text = ast.get_source_segment(source, node.value) or ""
        products = any(isinstance(n, ast.BinOp) and isinstance(n.op, (ast.MatMult, ast.Mult))
                       for n in ast.walk(node.value)) or "dot(" in text
        if (names and DELTA_NAME.search(names[0]) and "2" in names[0] and products
                and "1:" not in text and (best is None or node.lineno > best[0])):
            best = (node.lineno, names[0])
    return best


SIZE_NAMES = ("input_layer_size", "hidden_layer_size", "num_labels")


def _hard_coded(calls):
    """((positions of the course's sizes written into the code), the calls that failed for it),
    or None: the failed calls (the absent-label problem aside, which may fail for its own reason)
    are exactly those whose sizes differ from 400-25-10 at one of the positions, and some ran."""
    for n in (1, 2, 3):
        for positions in itertools.combinations(range(3), n):
            differs = [c for c in calls if any(c.problem.sizes[i] != COURSE_LAYER_SIZES[i] for i in positions)]
            rest = [c for c in calls if not any(c is d for d in differs) and not c.problem.absent]
            if differs and rest and all(not c.ok for c in differs) and all(c.ok for c in rest):
                return positions, differs
    return None


def _where(name, location):
    """Where the failure's Location is, in the learner's terms, with the line when it was read:
    'mycode.py line 12: `a1 = X.reshape(5000, 400)`', 'ex4.ipynb cell 4, line 13: `…`',
    'cell In[3], line 2: `…`' (a live kernel); ``name`` (the target's) when no line is known."""
    if location is None or not location.line:
        return name
    return location.quoted()


def failure_findings(calls, agree, name):
    """Findings for the failed calls of a run. ``agree``: {problem: bool} for the calls that ran;
    ``name``: the target's file name, where a failure's location is not known."""
    failed = [c for c in calls if not c.ok]
    if not failed:
        return []
    out, left = [], list(failed)
    if all(_is_delta2_shape(c) for c in failed):
        noticed = failed[0].location
        made = _delta2_line(noticed)
        where = (f"{noticed.name}:{made[0]} ({made[1]}; numpy notices at line {noticed.line})" if made
                 else _where(name, noticed))
        out.append(Finding("the hidden delta δ^(2)", where, failed[0].failure,
                           named("calls", "failing on a shape with s₂ + 1")))
        return out
    hard = _hard_coded(calls)
    if hard is not None:
        positions, others = hard
        right = all(agree[c.problem] for c in calls if c.ok)
        if all(c.problem.course_shape for c in calls if c.ok):
            what, names, ran = "400-25-10 only", "sizes", "on the course's shape 400-25-10"
        else:
            what = ", ".join(f"{SIZE_NAMES[i]} = {COURSE_LAYER_SIZES[i]}" for i in positions) + " only"
            names = " and ".join(SIZE_NAMES[i] for i in positions)
            ran = f"wherever {names} matched the course's"
        out.append(Finding(f"right for {what}: {names} hard-coded" if right else f"{names} hard-coded",
                           _where(name, others[0].location),
                           f"ran {ran}; failed on every other problem: {others[0].failure}",
                           named("calls", "failing wherever a size differs from the course's")))
        left = [c for c in failed if not any(c is o for o in others)]
    absent = [c for c in left if c.problem.absent]
    if absent and len(absent) == len(left):
        out.append(Finding("the targets Y", _where(name, absent[0].location),
                           f"fails only where label {absent[0].problem.absent} is absent from y: {absent[0].failure}",
                           named("calls", "wrong only where a label is absent from y")))
        left = []
    if left:
        kinds = sorted({c.kind for c in left})
        out.append(Finding("the function", f"{len(left)} of {len(calls)} problems",
                           f"{left[0].failure}" + (f" (kinds: {', '.join(kinds)})" if len(kinds) > 1 else ""),
                           description=f"it failed ({left[0].kind}) on {len(left)} problem(s)", explained=False))
    return out
