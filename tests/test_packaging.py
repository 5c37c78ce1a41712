"""How the package presents itself: library-grade dependency ranges, the tested set in a
constraints file that the README and CI use, a version and a help text written for users."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from crosscheck import cli

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def requirement_name(req):
    return re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0].lower()


def exact_pins(requirements):
    return [r for r in requirements if "==" in r or "===" in r]


def test_dependencies_are_ranges_listed_once():
    deps = PYPROJECT["project"]["dependencies"]
    assert exact_pins(deps) == []
    names = [requirement_name(r) for r in deps]
    assert len(names) == len(set(names)), names


def test_the_pin_checker_sees_a_planted_pin():
    assert exact_pins(["numpy>=1.26", "torch==2.13.0"]) == ["torch==2.13.0"]


def test_constraints_pin_every_dependency_and_both_commands_use_them():
    pinned = {requirement_name(line) for line in (ROOT / "constraints.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    extras = PYPROJECT["project"]["optional-dependencies"]
    declared = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]
                + [r for reqs in extras.values() for r in reqs]} - {PYPROJECT["project"]["name"]}
    assert declared <= pinned, declared - pinned
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv && ")]
    assert len(commands) >= 2 and all("-c constraints.txt" in c for c in commands[:2])
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_licence_and_authors():
    assert PYPROJECT["project"]["license"] and PYPROJECT["project"]["authors"]
    assert (ROOT / "LICENSE").exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert re.fullmatch(r"crosscheck \S+\n", capsys.readouterr().out)


def test_help_is_written_for_users():
    out = subprocess.run([sys.executable, "-m", "crosscheck", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("verify", "mistakes", "train", "pin", "report"):
        assert command in out.stdout
    assert "add_arguments" not in out.stdout and "Exit codes" in out.stdout


def test_the_autodiff_libraries_are_an_extra_that_the_tests_install():
    """A learner's plain install has neither JAX nor PyTorch; `.[test]` (CI, the README) has both."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    base = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert not {"jax", "torch"} & base
    assert {requirement_name(r) for r in extras["autodiff"]} == {"jax", "torch"}
    assert f"{PYPROJECT['project']['name']}[autodiff]" in extras["test"]
