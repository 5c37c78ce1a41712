"""docs/walkthrough.md is executable: its ```python blocks run in order in one namespace
(tests/test_doc_pages.py runs them, with every other page's blocks).

The claims the page makes are `assert`s inside those blocks, so a change in the suite that
makes the page wrong fails there. This file tests that test on the walkthrough's own fix.
"""
import pytest

from doc_pages import ROOT, blocks
from test_doc_pages import run_python

WALKTHROUGH = ROOT / "docs" / "walkthrough.md"

# The fix of section 4, and the same line with the notebook's bug put back.
FIX = "def fixed_delta(h, t):              # ∂J/∂z: the g'(z) cancelled\n    return h - t\n"
BUG = "def fixed_delta(h, t):              # ∂J/∂z: the g'(z) cancelled\n    return -t / h + (1 - t) / (1 - h)\n"


def test_walkthrough_keeps_its_blocks_and_its_verdicts():
    assert sum(b.lang == "python" for b in blocks(WALKTHROUGH)) >= 8, "the walkthrough lost its code blocks (fence syntax?)"
    text = WALKTHROUGH.read_text(encoding="utf-8")
    assert "assert not buggy.passed" in text and "assert fixed.passed" in text


def test_walkthrough_fails_when_its_fix_is_wrong():
    """Test the test: putting the notebook's bug into the 'fixed' delta breaks the page."""
    text = WALKTHROUGH.read_text(encoding="utf-8")
    assert FIX in text
    with pytest.raises(AssertionError):
        run_python(WALKTHROUGH, text.replace(FIX, BUG))
