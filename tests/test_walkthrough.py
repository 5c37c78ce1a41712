"""docs/walkthrough.md is executable: its ```python blocks run in order in one namespace.

The claims the page makes are `assert`s inside those blocks, so a change in the suite that
makes the page wrong fails here.
"""
import linecache
import re
from pathlib import Path

import pytest

WALKTHROUGH = Path(__file__).resolve().parent.parent / "docs" / "walkthrough.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)

# The fix of section 4, and the same line with the notebook's bug put back.
FIX = "def fixed_delta(h, t):              # ∂J/∂z: the g'(z) cancelled\n    return h - t\n"
BUG = "def fixed_delta(h, t):              # ∂J/∂z: the g'(z) cancelled\n    return -t / h + (1 - t) / (1 - h)\n"


def python_blocks(text):
    return BLOCK.findall(text)


def run_blocks(text):
    namespace = {"__name__": "walkthrough"}
    for number, block in enumerate(python_blocks(text), start=1):
        name = f"{WALKTHROUGH.name} block {number}"
        # Let tracebacks quote the failing line of the page.
        linecache.cache[name] = (len(block), None, block.splitlines(keepends=True), name)
        code = compile(block, name, "exec")
        exec(code, namespace)                                     # noqa: S102
    return namespace


def test_walkthrough_runs_and_its_claims_hold():
    text = WALKTHROUGH.read_text(encoding="utf-8")
    assert len(python_blocks(text)) >= 8, "the walkthrough lost its code blocks (fence syntax?)"
    namespace = run_blocks(text)
    assert namespace["fixed"].passed and not namespace["buggy"].passed


def test_walkthrough_fails_when_its_fix_is_wrong():
    """Test the test: putting the notebook's bug into the 'fixed' delta breaks the page."""
    text = WALKTHROUGH.read_text(encoding="utf-8")
    assert FIX in text
    with pytest.raises(AssertionError):
        run_blocks(text.replace(FIX, BUG))
