"""One way in for every target (crosscheck/learner/run/kinds.py): a kind registered here, in the
test, runs on the shared driver with no other change; an Octave target goes through the same
driver (called twice per problem, so a nondeterministic .m is named); a failure's location is
data (``calls.Location``) from the worker or Octave to the finding, never parsed from a message."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from manual.errors import InputError

from crosscheck.learner.calls import FailureKind, Location
from crosscheck.learner.judge.diagnosis import diagnose
from crosscheck.learner.problems import PROBLEMS
from crosscheck.learner.run import kinds
from crosscheck.learner.run.runner import Outcome
from crosscheck.learner.run.target import run_target

TESTS = Path(__file__).resolve().parent
OCTAVE = TESTS / "octave_code"
BAD = TESTS / "student_code" / "bad_functions.py"
NOTEBOOK = TESTS / "notebooks" / "ex4.ipynb"
needs_octave = pytest.mark.skipif(shutil.which("octave-cli") is None, reason="GNU Octave not installed")


class ToySession:
    """A toy language: a .toy file holds a factor; the function is the right (J, grad) with its
    gradient times that factor, computed in this process by the course's correct solution."""
    y_column, warnings = False, []

    def __init__(self, target, options):
        self.factor = float(Path(target.source).read_text())
        self.calls = []
        ToySession.opened = self

    def load(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location("toy_correct", TESTS / "student_code" / "correct.py")
        self.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.module)

    def call(self, args, watch):
        self.calls.append(args[1:4])
        J, grad = self.module.nnCostFunction(*args)
        return Outcome(value=(J, self.factor * grad), after=[args[i] for i in watch])

    def printed(self):
        return []

    def close(self):
        pass


@pytest.fixture
def toy_kind():
    remove = kinds.register(kinds.TargetKind("toy", lambda source: source.endswith(".toy"), kinds.named,
                                             ToySession))
    yield
    remove()


@pytest.mark.parametrize("factor, diagnosis", [(1.0, []), (2.0, None)])
def test_a_kind_registered_in_a_test_runs_on_the_shared_driver(tmp_path, toy_kind, factor, diagnosis):
    source = tmp_path / "answer.toy"
    source.write_text(str(factor))
    target = kinds.parse(f"{source}:nnCostFunction")
    assert (target.kind, target.name, target.source) == ("toy", "nnCostFunction", str(source))
    run = run_target(target)
    assert len(run.calls) == len(PROBLEMS) and all(c.ok for c in run.calls)
    assert len(ToySession.opened.calls) == 2 * len(PROBLEMS)         # every problem twice
    result = diagnose(run)
    assert result.passed is (factor == 1.0)
    if diagnosis is not None:
        assert result.ids == diagnosis


def test_an_unregistered_kind_is_not_recognised(tmp_path):
    """The toy kind's targets are not the driver's without the registry entry (the test above can fail)."""
    source = tmp_path / "answer.toy"
    source.write_text("1")
    assert kinds.parse(f"{source}:nnCostFunction").kind == "python_file"
    with pytest.raises(InputError, match="not a Python file"):
        run_target(f"{source}:nnCostFunction")


def test_the_target_string_is_parsed_once_into_data():
    assert kinds.parse("a/b.py:f") == kinds.Target("python_file", "a/b.py:f", "a/b.py", "f")
    assert kinds.parse("ex4.ipynb:f").kind == "notebook"
    assert kinds.parse("pkg.mod:f") == kinds.Target("python_module", "pkg.mod:f", "pkg.mod", "f")
    assert kinds.parse("d/nnCostFunction.m") == kinds.Target("octave", "d/nnCostFunction.m",
                                                             "d/nnCostFunction.m", "nnCostFunction")
    for bad in ("mycode.py", "mycode", "x.py:not-a-name"):
        with pytest.raises(InputError, match="expected FILE.py:FUNCTION"):
            kinds.parse(bad)


def test_a_failing_calls_location_is_data_end_to_end():
    run = run_target(f"{BAD}:raises", problems=PROBLEMS[:2])
    line = BAD.read_text().splitlines().index("    return m / 0") + 1
    assert [c.kind for c in run.calls] == [FailureKind.EXCEPTION] * 2
    assert run.calls[0].location == Location(str(BAD), line, None, "return m / 0")   # the line, read here
    [finding] = diagnose(run).findings
    assert finding.what == "the function" and f"bad_functions.py line {line}" in finding.evidence


def test_an_unknown_failure_kind_from_a_worker_is_a_crash():
    assert FailureKind.of("exception") is FailureKind.EXCEPTION
    assert FailureKind.of("took over the machine") is FailureKind.CRASH
    assert FailureKind.of("ok") is FailureKind.CRASH                 # a failure is never "ok"
    failed = Outcome.failed({"kind": "weird", "message": "x", "where": {"file": "/a/b.py", "line": True}})
    assert failed.kind is FailureKind.CRASH and failed.location == Location("/a/b.py", None, None)


def test_a_notebooks_failure_carries_its_cell(tmp_path):
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    [cell] = [i for i, c in enumerate(nb["cells"], start=1) if "    d3 = h - Y\n" in "".join(c["source"])]
    nb["cells"][cell - 1]["source"] = "".join(nb["cells"][cell - 1]["source"]).replace("    d3 = h - Y\n",
                                                                                      "    d3 = h - Y.T\n")
    path = tmp_path / "ex4.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    run = run_target(f"{path}:nnCostFunction", problems=PROBLEMS[:1])
    assert run.calls[0].location == Location(str(path.resolve()), 13, cell, "d3 = h - Y.T")


def planted_m(tmp_path, old, new):
    folder = tmp_path / "ex4"
    shutil.copytree(OCTAVE, folder)
    path = folder / "nnCostFunction.m"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@needs_octave
@pytest.mark.parametrize("plant", ["persistent", "rand", None])
def test_an_octave_target_is_called_twice_and_nondeterminism_is_named(tmp_path, plant):
    old = "J = J + lambda / (2 * m) * penalty;"
    new = {"persistent": old + "\npersistent calls; if isempty(calls) calls = 0; end; calls = calls + 1;\n"
                               "J = J + 1e-3 * calls;",
           "rand": old + "\nJ = J + 1e-3 * rand();", None: old}[plant]
    run = run_target(str(planted_m(tmp_path, old, new)))
    result = diagnose(run)
    assert all(c.ok for c in run.calls) and run.y_shape == "(m, 1)"
    if plant:
        assert "nondeterministic" in result.ids and run.nondeterministic == [p.name for p in PROBLEMS]
    else:
        assert result.passed and run.nondeterministic == []


@needs_octave
def test_an_octave_hard_coded_size_keeps_its_line(tmp_path):
    old = "Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), ..."
    path = planted_m(tmp_path, old, "Theta1 = reshape(nn_params(1:25 * 401), ...")
    line = path.read_text().splitlines().index("Theta1 = reshape(nn_params(1:25 * 401), ...") + 1
    run = run_target(str(path))
    failed = [c for c in run.calls if not c.ok]
    assert failed and all(c.location == Location(str(path.resolve()), line, None) for c in failed)
    result = diagnose(run)
    assert result.ids == ["sizes_hard_coded"]
    assert result.findings[0].where == f"nnCostFunction.m line {line}"


def test_a_glob_expands_to_targets_of_their_own_kinds(tmp_path):
    for name in ("a.py", "nnCostFunction.m", "x.ipynb"):
        (tmp_path / name).write_text("")
    found = kinds.expand(kinds.parse(f"{tmp_path}/*:nnCostFunction"))
    assert [(t.kind, t.spec) for t in found] == [
        ("python_file", f"{tmp_path}/a.py:nnCostFunction"), ("octave", f"{tmp_path}/nnCostFunction.m:nnCostFunction"),
        ("notebook", f"{tmp_path}/x.ipynb:nnCostFunction")]
    [octave] = kinds.expand(kinds.parse(f"{tmp_path}/*.m"))
    assert (octave.kind, octave.spec, octave.name) == ("octave", f"{tmp_path}/nnCostFunction.m", "nnCostFunction")
    with pytest.raises(InputError, match="no file matches"):
        kinds.expand(kinds.parse(f"{tmp_path}/*.R:f"))
