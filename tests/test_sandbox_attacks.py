"""Issue 24: a submission can't touch anything but itself. One test per attack class, each a
real `python -m crosscheck verify` of a class folder with a hostile submission beside an honest
classmate (tests/sandbox_harness.py, hostile files in tests/attacks/): the honest one stays
RIGHT, the hostile one is WRONG (exit 1), nothing outside the sandbox's scratch folder changes
(class folder, $HOME, the working folder, site-packages), nothing survives the run, nothing
reaches 127.0.0.1, and no secret (an environment variable, ~/.ssh/id_rsa) or control character
appears in any output. Each attack is also run without the sandbox (--unsafe-no-sandbox) where
that is safe for this machine, to show the checks catch what it does there."""
import shutil

import pytest

from crosscheck.learner.run import sandbox
from sandbox_harness import TESTS, assert_contained, needs_sandbox, scene, verify

pytestmark = needs_sandbox

# attack class -> its hostile files (tests/attacks/)
ATTACKS = {
    "passing without the work": ["steal_reference.py", "steal_classmate.py"],
    "poisoning later runs": ["poison_cache.py"],
    "sabotaging classmates": ["sabotage.py"],
    "killing or freezing the run": ["kill_parent.py"],
    "surviving the run": ["survive.py"],
    "the teacher's files and secrets": ["secrets.py"],
    "writing into crosscheck's stdout": ["parent_stdout.py"],
    "a parser-hanging line": ["spaces.py"],
}


MECHANISMS = ["bubblewrap", pytest.param("landlock", marks=pytest.mark.skipif(
    not sandbox._landlock_works(), reason="Landlock is not available in this kernel"))]


def _targets(s, files):
    return [f"{s.klass / 'honest.py'}:nnCostFunction", *(f"{s.add(f)}:nnCostFunction" for f in files)]


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_is_contained(tmp_path, attack):
    s = scene(tmp_path)
    outcome = verify(s, _targets(s, ATTACKS[attack]), "-j", "2")
    assert_contained(outcome, ATTACKS[attack])


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.skipif(not sandbox._landlock_works(), reason="Landlock is not available in this kernel")
def test_an_attack_is_contained_by_landlock(tmp_path, attack):
    """Where user namespaces are refused: the same attacks under the Landlock launcher."""
    s = scene(tmp_path)
    outcome = verify(s, _targets(s, ATTACKS[attack]), "-j", "2", mechanism="landlock")
    assert "landlock" in outcome.out
    assert_contained(outcome, ATTACKS[attack])


@pytest.mark.parametrize("attack, harm", [
    ("passing without the work", "a hostile file is RIGHT"),
    ("the teacher's files and secrets", "files change"),
    ("surviving the run", "processes survive"),
])
def test_the_checks_see_the_attack_without_the_sandbox(tmp_path, attack, harm):
    """Test the tests: the same class with no sandbox (--unsafe-no-sandbox, bubblewrap not
    found) is not contained, and the check for ``harm`` is the one that says so."""
    s = scene(tmp_path)
    outcome = verify(s, _targets(s, ATTACKS[attack]), "-j", "2", unsafe=True)
    with pytest.raises(AssertionError):
        assert_contained(outcome, ATTACKS[attack])
    if harm == "a hostile file is RIGHT":
        assert any(v for k, v in outcome.passed().items() if k != "honest.py")
    elif harm == "files change":
        assert outcome.changed and outcome.connections == 1
    else:
        assert outcome.survivors


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_notebook_runs_no_definition_code_outside_the_sandbox(tmp_path, mechanism):
    """Default arguments, decorators, class bodies, annotations, lambda defaults and `X = C[0]`
    run (if the function needs them) only inside the worker's sandbox."""
    s = scene(tmp_path)
    notebook = s.add("definitions.ipynb")
    outcome = verify(s, [f"{s.klass / 'honest.py'}:nnCostFunction", f"{notebook}:nnCostFunction"], mechanism=mechanism)
    assert_contained(outcome, ["definitions.ipynb"])


def test_escapes_formulas_and_huge_names_never_reach_the_report(tmp_path):
    """Terminal escapes in printed lines, messages, warnings and file names; a file named as a
    spreadsheet formula, listed relative to the class folder so that its CSV cell starts with =."""
    s = scene(tmp_path)
    s.add("escapes.py")
    s.add("escapes.py", "=HYPERLINK(1)\x1b[32mRIGHT.py")
    s.add("escapes.py", "-" + "x" * 200 + ".py")
    outcome = verify(s, ["*.py:nnCostFunction"], cwd=s.klass)
    assert_contained(outcome, ["escapes.py", "=HYPERLINK(1)[32mRIGHT.py", "-" + "x" * 200 + ".py"])   # ESC dropped
    rows = outcome.csv.splitlines()[1:]
    assert rows and all(not row.startswith(("=", "+", "-", "@")) for row in rows)
    assert "'=HYPERLINK(1)" in outcome.csv and max(map(len, outcome.out.splitlines())) < 2500


@pytest.mark.skipif(shutil.which("octave-cli") is None, reason="octave-cli not installed")
@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_octave_system_popen_fopen_and_a_huge_result_are_contained(tmp_path, mechanism):
    """Octave's system(), unix(), popen and fopen touch only the sandbox; a secret is not there to
    read; a 5e7-entry result is refused by its size before it is loaded; a background process
    ends with the run. Each learner's folder is its own (all files are nnCostFunction.m)."""
    s = scene(tmp_path)
    (s.klass / "honest.py").unlink()
    alice = s.klass / "alice"
    alice.mkdir()
    for f in (TESTS / "octave_code").glob("*.m"):
        shutil.copy(f, alice / f.name)
    hostile = s.add("octave/nnCostFunction.m", "mallory/nnCostFunction.m")
    outcome = verify(s, [alice / "nnCostFunction.m", hostile], mechanism=mechanism)
    assert outcome.code == 1, outcome.err[-2000:]
    report = outcome.report()
    assert [r["passed"] for r in report["results"]] == [True, False]
    assert outcome.changed == {} and outcome.survivors == []
    assert "stolen" in outcome.out and "s3cr3t" not in outcome.out and "\\u001b" not in outcome.out
    assert "grad of shape (50000000, 1)" in outcome.out          # refused by its size, never loaded
