"""Every command that README.md and docs/*.md show runs here, and shown output is what it prints.

How a page's fences are read (and the markers that skip a block with a reason, or expect an
exit code) is in tests/doc_pages.py. Commands run in bash from a scratch folder that links to the
repository's folders (so `out/` and `--csv` files land there, not in the checkout), with
`.venv/bin/python` and `.venv/bin/crosscheck` this test's own interpreter and the checkout's
code first on PYTHONPATH, as in a fresh clone set up by the README's commands.
"""
import linecache
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest

from doc_pages import ROOT, blocks, broken_links, commands, output_matches, page_commands, page_name, pages

TIME_LIMIT = 300        # seconds per command: a hang fails, it does not stall CI


def scratch(folder):
    """A folder like the checkout (linked, never copied) with a .venv whose tools are ours."""
    for entry in ROOT.iterdir():
        if entry.name not in {".venv", ".git", "out"}:
            (folder / entry.name).symlink_to(entry)
    bin_ = folder / ".venv" / "bin"
    bin_.mkdir(parents=True)
    for name, run in {"python": "", "python3": "", "crosscheck": " -m crosscheck"}.items():
        (bin_ / name).write_text(f'#!/bin/sh\nexec "{sys.executable}"{run} "$@"\n', encoding="utf-8")
        (bin_ / name).chmod(0o755)
    # As in a fresh clone: the course's files only where a command names them.
    env = {k: v for k, v in os.environ.items() if k not in {"EX4_DATA", "EX4_WEIGHTS"}}
    env.update(DOC_PAGES_NESTED="1", PATH=f"{bin_}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    return env


def run_command(command, folder):
    """(exit code, stdout and stderr together); a command past the limit is killed with its children."""
    env = scratch(folder)
    with subprocess.Popen(["bash", "-c", command], cwd=folder, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, start_new_session=True) as process:
        try:
            printed, _ = process.communicate(timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            printed, _ = process.communicate()
            return f"killed after {TIME_LIMIT} s", printed
    return process.returncode, printed


def check(command, folder):
    """The failures of one shown command: its exit code, and its output where one is shown."""
    if command.block.skip:
        pytest.skip(f"{command.block.page}:{command.block.line}: {command.block.skip}")
    if command.block.needs and shutil.which(command.block.needs) is None:
        pytest.skip(f"{command.block.page}:{command.block.line}: needs {command.block.needs}, not installed")
    code, printed = run_command(command.command, folder)
    failures = []
    if code != command.block.exit_code:
        failures.append(f"exit {code}, the page expects {command.block.exit_code}")
    if command.expected is not None and not output_matches(command.expected, printed):
        failures.append("its output is not the one the page shows")
    if failures:
        where = f"{command.block.page} line {command.line}: `{command.command}`"
        return f"{where}: {'; '.join(failures)}\n--- it printed:\n{printed[-4000:]}"
    return None


@pytest.mark.parametrize("command", page_commands(), ids=lambda c: c.id)
def test_shown_command_runs(command, tmp_path):
    if os.environ.get("DOC_PAGES_NESTED"):
        pytest.skip("run by a page's own command: its commands are not run again (no recursion)")
    failure = check(command, tmp_path)
    assert failure is None, failure


@pytest.mark.parametrize("page", pages(), ids=page_name)
def test_page_blocks_are_well_formed(page):
    problems = [f"{b.page}:{b.line}: {p}" for b in blocks(page) for p in b.problems]
    assert problems == []


@pytest.mark.parametrize("page", pages(), ids=page_name)
def test_page_links_lead_to_files(page):
    assert broken_links(page) == []


def test_a_planted_broken_link_is_caught(tmp_path):
    (tmp_path / "there.md").write_text("", encoding="utf-8")
    page = tmp_path / "links.md"
    page.write_text("[a](there.md) [b](https://example.org/x) [c](there.md#top) [d](not_there.md)\n",
                    encoding="utf-8")
    assert broken_links(page) == ["not_there.md"]


MISTAKE_ROW = re.compile(r"^\| `(\w+)` \| (yes)? *\| (.+?) \|$", re.MULTILINE)


def listed_mistakes(text):
    """{id: (catalogue?, what)} from the rows of docs/verify.md's table of mistakes."""
    return {id_: (yes == "yes", what) for id_, yes, what in MISTAKE_ROW.findall(text)}


def table_of_mistakes():
    from manual.mistake_table import TABLE
    return {m.id: (m.plantable, m.summary) for m in TABLE.values()}


def test_verify_page_lists_every_mistake_of_the_table():
    assert listed_mistakes((ROOT / "docs" / "verify.md").read_text(encoding="utf-8")) == table_of_mistakes()


def test_a_mistake_missing_from_the_page_is_caught():
    text = (ROOT / "docs" / "verify.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `raw_delta`"))
    assert listed_mistakes(text.replace(row + "\n", "")) != table_of_mistakes()


def run_python(path, text=None, folder=None):
    """The page's ```python blocks in order in one namespace, then its test_* functions."""
    namespace = {"__name__": page_name(path).replace("/", ".")}
    cwd, sys_path = os.getcwd(), list(sys.path)
    try:
        if folder is not None:      # as a Python session started in the repository's root
            scratch(folder)
            os.chdir(folder)
            sys.path.insert(0, str(folder))
        for block in blocks(path, text):
            if block.lang != "python" or block.skip:
                continue
            name = f"{page_name(path)} line {block.line}"
            # Let tracebacks quote the failing line of the page.
            linecache.cache[name] = (len(block.text), None, block.text.splitlines(keepends=True), name)
            exec(compile(block.text, name, "exec"), namespace)              # noqa: S102
        for test in [v for k, v in namespace.items() if k.startswith("test_") and callable(v)]:
            test()
    finally:
        os.chdir(cwd)
        sys.path[:] = sys_path
    return namespace


PYTHON_PAGES = [p for p in pages() if any(b.lang == "python" for b in blocks(p))]


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=page_name)
def test_page_python_runs(page, tmp_path):
    run_python(page, folder=tmp_path)


# Test the tests: a page with one planted mistake of each kind, in a temporary file.
PLANTED = {
    "a failing command": "```sh\ncrosscheck verify tests/student_code/correct.py:no_such_function\n```\n",
    "a wrong exit code": "<!-- ci: exit 1 -->\n```sh\ncrosscheck --version\n```\n",
    "output that is not printed": "```console\n$ crosscheck --version\ncrosscheck 0.0.0-planted\n```\n",
    "words changed in a long output": "```console\n$ crosscheck verify tests/student_code/correct.py:nnCostFunction\n"
                                      "…\nWRONG: …\n```\n",
}
FINE = "<!-- ci: exit 2 -->\n```console\n$ crosscheck --no-such-option\n…\n```\n" \
       "```console\n$ crosscheck --version\ncrosscheck …\n```\n```sh\ncrosscheck --help  # comment\n```\n"


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_a_planted_broken_command_fails(mistake, tmp_path):
    page = tmp_path / "planted.md"
    page.write_text(PLANTED[mistake], encoding="utf-8")
    (shown,) = page_commands([page])
    (tmp_path / "run").mkdir()
    assert check(shown, tmp_path / "run") is not None


def test_the_same_commands_written_right_pass(tmp_path):
    page = tmp_path / "fine.md"
    page.write_text(FINE, encoding="utf-8")
    shown = page_commands([page])
    assert len(shown) == 3
    for number, command in enumerate(shown):
        (tmp_path / str(number)).mkdir()
        assert check(command, tmp_path / str(number)) is None


def test_a_command_that_hangs_is_killed_and_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "TIME_LIMIT", 1)
    page = tmp_path / "hangs.md"
    page.write_text("```sh\nsleep 60 & sleep 60\n```\n", encoding="utf-8")
    (shown,) = page_commands([page])
    (tmp_path / "run").mkdir()
    assert "killed after 1 s" in check(shown, tmp_path / "run")


def test_a_page_command_that_runs_these_tests_does_not_recurse(tmp_path):
    """A page showing `pytest tests/test_doc_pages.py` once forked itself until killed."""
    code, printed = run_command(".venv/bin/python -m pytest tests/test_doc_pages.py -q -p no:cacheprovider "
                                "-k 'test_shown_command_runs and README'", tmp_path)
    assert code == 0 and " passed" not in printed and "skipped" in printed, printed


def test_a_typo_in_a_marker_and_an_untagged_command_are_caught(tmp_path):
    page = tmp_path / "typo.md"
    page.write_text("<!-- ci: skpi: slow -->\n```sh\ncrosscheck\n```\n```\ncrosscheck verify x.py:f\n```\n",
                    encoding="utf-8")
    assert [len(b.problems) for b in blocks(page)] == [1, 1]


def test_a_planted_python_mistake_fails(tmp_path):
    page = tmp_path / "planted.md"
    page.write_text("```python\nx = 1\n```\n```python\ndef test_x():\n    assert x == 2\n```\n",
                    encoding="utf-8")
    with pytest.raises(AssertionError):
        run_python(page)
    assert run_python(page, page.read_text(encoding="utf-8").replace("x == 2", "x == 1"))["x"] == 1


def test_output_matching():
    assert output_matches("96 checks in 3.4 s: all passed\n", "96 checks in 2.9 s:  all\npassed")
    assert not output_matches("96 checks in 3.4 s: all passed\n", "95 checks in 3.4 s: all passed")
    assert output_matches("a\n…\nz 1.0e-16\n", "a\nb\nc\nz 5.9e-16\n")
    assert not output_matches("a\n…\nz\n", "a\nb\n")
