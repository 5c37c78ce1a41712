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


# Inside crosscheck/learner, by stage: cli → show → judge → run → calls/problems; api at the top
# may import every stage. Each stage's forbidden imports (crosscheck.learner.<stage>, crosscheck.cli).
LEARNER = ROOT / "crosscheck" / "learner"
STAGE_FORBIDDEN = {
    "run": {"judge", "show", "api", "cli"},
    "judge": {"show", "api", "cli"},
    "show": {"api", "cli"},
    "calls": {"run", "judge", "show", "api", "cli"},
    "problems": {"run", "judge", "show", "api", "cli"},
}


def stage_of(path):
    """'run', 'judge', 'show', 'calls', 'problems' or 'api' for a file under crosscheck/learner."""
    part = path.relative_to(LEARNER).parts[0]
    return part[:-3] if part.endswith(".py") else part


def imported_stages(path):
    """The learner stages (and 'cli') that ``path`` imports, lazily inside functions too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    stages = set()
    for name in names:
        parts = name.split(".")
        if parts[:2] == ["crosscheck", "cli"]:
            stages.add("cli")
        elif parts[:2] == ["crosscheck", "learner"] and len(parts) > 2:
            stages.add(parts[2])
    return stages


def learner_offenders():
    found = {}
    for path in sorted(LEARNER.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == LEARNER:
            continue
        bad = imported_stages(path) & STAGE_FORBIDDEN.get(stage_of(path), set())
        if bad:
            found[str(path.relative_to(ROOT))] = sorted(bad)
    return found


def test_learner_stages_point_down():
    assert learner_offenders() == {}


@pytest.mark.parametrize("stage, planted_import, caught", [
    ("run", "from crosscheck.learner.judge.diagnosis import diagnose", "judge"),
    ("run", "from ..show import render", "show"),
    ("judge", "import crosscheck.learner.show.render", "show"),
    ("judge", "from crosscheck.cli import main", "cli"),
])
def test_the_stage_checker_sees_a_planted_upward_import(stage, planted_import, caught):
    planted = LEARNER / stage / "_planted_upward.py"
    planted.write_text(f"def f():\n    {planted_import}\n", encoding="utf-8")
    try:
        assert learner_offenders() == {str(planted.relative_to(ROOT)): [caught]}
    finally:
        planted.unlink()


def test_calls_and_problems_import_no_stage():
    planted = LEARNER / "_planted_calls.py"
    assert stage_of(LEARNER / "calls.py") == "calls"
    assert imported_stages(LEARNER / "calls.py") <= {"problems"}
    assert imported_stages(LEARNER / "problems.py") <= {"calls"}
    planted.write_text("from crosscheck.learner.run.target import run_target\n", encoding="utf-8")
    try:
        assert imported_stages(planted) & STAGE_FORBIDDEN["calls"] == {"run"}
    finally:
        planted.unlink()


RUN = ROOT / "crosscheck" / "learner" / "run"
SCRIPTS = ("worker", "wire", "zygote", "nest", "landlock")     # run inside the sandbox, as scripts


def script_imports(path):
    """What a sandbox script imports beyond the standard library, numpy and its sibling scripts:
    crosscheck is hidden in the sandbox (a relative import of a sibling script is allowed, for
    when crosscheck imports the module itself)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                 [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else
                 ["." + (node.module or "")] if isinstance(node, ast.ImportFrom) else [])
        found.update(n for n in names if n.lstrip(".").split(".")[0] not in SCRIPTS
                     and n.split(".")[0] in ("crosscheck", "manual", "reference", "jax", "torch", ""))
    return found


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_sandbox_scripts_import_nothing_of_crosscheck(name):
    assert script_imports(RUN / f"{name}.py") == set()


def test_the_script_checker_sees_a_planted_import(tmp_path):
    planted = tmp_path / "zygote.py"
    planted.write_text("import nest\nfrom crosscheck.learner import clean\nfrom . import sandbox\n")
    assert script_imports(planted) == {"crosscheck.learner", "."}
