"""The layout's rules, checked from the source: arrows point down (crosscheck → reference →
manual), manual never touches an autodiff framework, files stay small, one name per module."""
import ast
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("manual", "reference", "crosscheck")
MAX_LINES = 300


def sources(package):
    return sorted((ROOT / package).rglob("*.py"))


def imported_roots(path):
    """Top-level names of every module ``path`` imports (absolute and relative resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(ROOT).parts[0]
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add(package if node.level else (node.module or "").split(".")[0])
    return roots


FORBIDDEN = {
    "manual": {"jax", "jaxlib", "torch", "crosscheck", "reference"},
    "reference": {"jax", "jaxlib", "torch", "crosscheck"},
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_arrows_point_down(package):
    offenders = {str(p.relative_to(ROOT)): sorted(imported_roots(p) & FORBIDDEN[package])
                 for p in sources(package)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_rule_checker_sees_a_planted_upward_import(tmp_path, monkeypatch):
    planted = ROOT / "reference" / "_planted_upward.py"
    planted.write_text("from crosscheck.check.compare import compare\n", encoding="utf-8")
    try:
        assert imported_roots(planted) & FORBIDDEN["reference"] == {"crosscheck"}
    finally:
        planted.unlink()


@pytest.mark.parametrize("package", PACKAGES)
def test_no_file_over_the_limit(package):
    long = {str(p.relative_to(ROOT)): n for p in sources(package)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_no_two_modules_share_a_name():
    names = Counter(p.stem for package in PACKAGES for p in sources(package) if p.stem != "__init__")
    assert {name: n for name, n in names.items() if n > 1} == {}


def test_crosscheck_top_level_stays_small():
    top = [p for p in (ROOT / "crosscheck").iterdir()
           if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())]
    assert len(top) <= 10, sorted(p.name for p in top)
