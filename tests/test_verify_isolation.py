"""`crosscheck verify` survives hostile learner code: each learner file in tests/learner_files/
does one thing a checker must not fall for, and runs for real in the worker process.

Where the crosscheck process itself is what could be broken without pytest noticing (an
atexit handler's exit code, fd-level stdout, a process that never ends), the test runs
`python -m crosscheck` as a subprocess; otherwise through ``cli.main`` in this process (the
learner's code is in a worker process either way).
"""
import csv
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crosscheck.cli import main
from crosscheck.learner.run import runner
from crosscheck.learner.problems import PROBLEMS
from crosscheck.learner.run.target import UserFunction, run_problems, run_target

FILES = Path(__file__).resolve().parent / "learner_files"
HANG_GUARD = 120          # s: a subprocess still running by then is a hang, and the test fails


def cli(*argv):
    """(exit code, stdout, stderr) of a real `python -m crosscheck verify ...` process."""
    done = subprocess.run([sys.executable, "-m", "crosscheck", "verify", *map(str, argv)],
                          capture_output=True, text=True, timeout=HANG_GUARD)
    return done.returncode, done.stdout, done.stderr


def verify_json(capsys, *argv):
    code = main(["verify", *map(str, argv), "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out)


def run_text(capsys, *argv):
    code = main(["verify", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def kinds(report):
    return {call["kind"] for call in report["problems"]}


@pytest.mark.parametrize("spec", ["swallows.py:bare_except", "swallows.py:except_base_exception",
                                  "long_c_call.py:nnCostFunction"])
def test_loops_that_swallow_the_limit_and_long_c_calls_are_stopped(spec):
    """Killed from outside at the limit; after one time-out the other problems are not run, so an
    endless loop costs one --timeout, not one per problem."""
    run = run_target(f"{FILES / spec}", timeout=0.5, problems=PROBLEMS[:3])
    assert [c.kind for c in run.calls] == ["timeout", "timeout", "timeout"]
    assert "longer than the 0.5 s limit" in run.calls[0].failure and "--timeout" in run.calls[0].failure
    assert all(c.failure.startswith("not run:") for c in run.calls[1:])


def test_a_timeout_through_the_cli_is_wrong(capsys):
    code, report = verify_json(capsys, f"{FILES / 'swallows.py'}:bare_except", "--timeout", "0.2")
    assert (code, report["passed"], kinds(report)) == (1, False, {"timeout"})


@pytest.mark.parametrize("function, words", [("os_exit", "exit code 0"), ("sys_exit", "sys.exit(0)")])
def test_exit_in_the_function_is_wrong_not_right(capsys, function, words):
    """(Were the function called in this process, os._exit would end pytest itself.)"""
    code, report = verify_json(capsys, f"{FILES / 'exits.py'}:{function}")
    assert (code, report["passed"], kinds(report)) == (1, False, {"exit"})
    assert words in report["failure"]


def test_exit_at_import_is_wrong_not_right(capsys):
    """The exit is skipped the second time (definitions only), and the function is judged."""
    code, report = verify_json(capsys, f"{FILES / 'exit_at_import.py'}:nnCostFunction")
    assert (code, report["passed"]) == (1, False)
    assert "importing exit_at_import.py" in report["warnings"][0] and "exit code 0" in report["warnings"][0]
    assert "line 4 `os._exit(0)`" in report["warnings"][0]


def test_atexit_cannot_turn_wrong_into_exit_0():
    code, out, _ = cli(f"{FILES / 'atexit_wrong.py'}:nnCostFunction")
    assert code == 1 and "WRONG" in out and "grad with shape (42,)" in out


@pytest.mark.parametrize("function, name", [("custom_base_exception", "Escape: out of here"),
                                            ("generator_exit", "GeneratorExit"),
                                            ("keyboard_interrupt", "KeyboardInterrupt")])
def test_base_exceptions_are_reported_in_one_line(capsys, function, name):
    code, report = verify_json(capsys, f"{FILES / 'odd_exceptions.py'}:{function}")
    assert (code, kinds(report)) == (1, {"exception"})
    assert f"raised {name} (odd_exceptions.py line" in report["failure"]


def test_a_segfault_is_a_crash_with_a_message(capsys):
    code, out, err = run_text(capsys, f"{FILES / 'segfault.py'}:nnCostFunction")
    assert code == 1 and "segmentation fault (SIGSEGV, signal 11)" in out and "Traceback" not in err


def test_fd_level_writes_never_reach_json_stdout():
    code, out, _ = cli(f"{FILES / 'noisy.py'}:nnCostFunction", "--json")
    report = json.loads(out)                    # stdout is exactly one JSON object
    assert (code, report["passed"]) == (0, True)
    assert {"fd 1 at import", "{not json", "fd 2 from the function", "print from a thread",
            "print from a child process"} <= set(report["printed"])


def test_printed_lines_are_shown_in_the_text_report(capsys):
    assert main(["verify", f"{FILES / 'noisy.py'}:nnCostFunction"]) == 0
    out = capsys.readouterr().out
    assert "your function printed" in out and "    fd 1 at import" in out


def test_a_lingering_non_daemon_thread_does_not_keep_verify_alive():
    code, out, _ = cli(f"{FILES / 'lingering_thread.py'}:nnCostFunction")   # hangs = TimeoutExpired
    assert code == 0 and "RIGHT" in out


def test_replacing_crosschecks_functions_changes_nothing(capsys):
    code, report = verify_json(capsys, f"{FILES / 'replaces_checker.py'}:nnCostFunction")
    assert (code, report["passed"]) == (1, False)
    assert all(not p["agrees"] for p in report["problems"])


def test_the_replacement_would_fool_an_in_process_checker():
    """Test the test: imported into the checker's own process, the same module makes a
    function returning zeros pass (run in a fresh interpreter, to leave this one intact)."""
    script = (f"import runpy, crosscheck.learner.judge.diagnosis as d\n"
              f"runpy.run_path({str(FILES / 'replaces_checker.py')!r})\n"
              f"print(d.agrees(None, None)[2])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.stdout.strip() == "True"


def test_a_huge_allocation_hits_the_memory_limit(capsys):
    code, report = verify_json(capsys, f"{FILES / 'memory_hog.py'}:nnCostFunction")
    assert (code, kinds(report)) == (1, {"memory"})
    assert "MemoryError" in report["failure"] and "--memory" in report["failure"]


def test_memory_option_sets_the_limit(capsys):
    """A limit too small for python + numpy stops even a right function (at import)."""
    code, report = verify_json(capsys, f"{FILES / 'right.py'}:nnCostFunction", "--memory", "64")
    assert (code, report["passed"]) == (1, False)


@pytest.mark.parametrize("function, argument", [("zeroes_bias_through_view", "nn_params"),
                                                ("scales_X_in_place", "X")])
def test_writing_into_inputs_is_wrong_even_with_right_numbers(capsys, function, argument):
    code, report = verify_json(capsys, f"{FILES / 'mutates.py'}:{function}")
    assert all(p["agrees"] for p in report["problems"])          # the numbers are right
    assert (code, report["passed"], report["mutated_inputs"]) == (1, False, [argument])


def test_mutation_is_explained_in_the_text(capsys):
    main(["verify", f"{FILES / 'mutates.py'}:zeroes_bias_through_view"])
    out = capsys.readouterr().out
    assert "nn_params" in out and "view" in out and "modifies_inputs" in out


@pytest.mark.parametrize("function", ["accumulates_gradient", "drifts_after_one_pass"])
def test_a_stateful_function_is_wrong_and_said_so(capsys, function):
    code, report = verify_json(capsys, f"{FILES / 'stateful.py'}:{function}")
    assert (code, report["passed"]) == (1, False) and report["nondeterministic"]


def test_drift_is_the_only_thing_wrong_with_the_drifting_function(capsys):
    """Its first pass is right: only the second calls give it away."""
    _, report = verify_json(capsys, f"{FILES / 'stateful.py'}:drifts_after_one_pass")
    assert len(PROBLEMS) == 12                  # the learner file drifts after one pass of 12 calls
    assert all(p["agrees"] for p in report["problems"]) and len(report["nondeterministic"]) == len(PROBLEMS)


def test_a_sibling_imported_inside_the_function_is_found(capsys):
    code, report = verify_json(capsys, f"{FILES / 'helper_inside' / 'main.py'}:nnCostFunction")
    assert (code, report["passed"]) == (0, True)


def test_a_huge_timeout_is_just_a_long_limit(capsys):
    code, report = verify_json(capsys, f"{FILES / 'right.py'}:nnCostFunction", "--timeout", "1e10")
    assert (code, report["passed"]) == (0, True)


def test_every_problem_gets_its_own_call_after_a_crash():
    run = run_target(f"{FILES / 'segfault.py'}:nnCostFunction", timeout=10)
    assert len(run.calls) == len(PROBLEMS) and {c.kind for c in run.calls} == {"crash"}


def test_a_class_in_one_call(tmp_path, capsys):
    """Right, wrong and crashing targets: one result each, a summary, a CSV row each, exit 1."""
    targets = [f"{FILES / 'right.py'}:nnCostFunction", f"{FILES / 'atexit_wrong.py'}:nnCostFunction",
               f"{FILES / 'segfault.py'}:nnCostFunction", f"{FILES / 'right.py'}:no_such_function"]
    table = tmp_path / "class.csv"
    code = main(["verify", *targets, "-j", "2", "--json", "--csv", str(table)])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [r["target"] for r in report["results"]] == targets
    assert [r["passed"] for r in report["results"]] == [True, False, False, False]
    assert report["summary"]["right"] == 1 and report["summary"]["wrong"] == 3
    assert report["summary"]["outcomes"]["crash"] == 1 and report["summary"]["outcomes"]["not_found"] == 1
    rows = list(csv.DictReader(table.open()))
    assert [r["target"] for r in rows] == targets and [r["passed"] for r in rows] == ["True", "False", "False", "False"]
    assert "segmentation fault" in rows[2]["reason"]


def test_a_class_names_a_described_mistake_by_its_description(tmp_path, capsys):
    """A gradient ×2 everywhere is explained (a factor on the data term and on the penalty) but
    has no id: the class row says what it is, not "unrecognised"."""
    doubled = tmp_path / "doubled.py"               # its own helper beside it: a classmate's file is hidden
    (tmp_path / "course_cost.py").write_text((FILES / "course_cost.py").read_text())
    doubled.write_text("from course_cost import nn_cost_function as right\n\n\n"
                       "def nnCostFunction(*args):\n    J, grad = right(*args)\n    return J, 2 * grad\n")
    table = tmp_path / "class.csv"
    targets = [f"{FILES / 'right.py'}:nnCostFunction", f"{doubled}:nnCostFunction"]
    assert main(["verify", *targets, "--json", "--csv", str(table)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["outcomes"] == {"mistake": 1, "right": 1}
    assert list(report["summary"]["mistakes"]) == [report["results"][1]["findings"][0]["description"]]
    assert report["results"][1]["recognised"] is True
    reason = list(csv.DictReader(table.open()))[1]["reason"]
    assert "scaled ×2" in reason and "unrecognised" not in reason


def test_a_class_as_text_and_from_a_glob(capsys):
    code = main(["verify", f"{FILES / 'exit?.py'}:os_exit", f"{FILES / 'right.py'}:nnCostFunction"])
    out = capsys.readouterr().out
    assert code == 1
    assert "2 targets: 1 right, 1 wrong" in out and "RIGHT" in out and "WRONG" in out


def test_a_class_of_right_targets_exits_0(capsys):
    right = f"{FILES / 'right.py'}:nnCostFunction"
    helper = f"{FILES / 'helper_inside' / 'main.py'}:nnCostFunction"
    assert main(["verify", right, helper, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == {"targets": 2, "right": 2, "wrong": 0,
                                                             "outcomes": {"right": 2}, "mistakes": {},
                                                             "co_occurring": {}}


def test_a_module_name_target_is_found_on_the_callers_path(capsys, tmp_path, monkeypatch):
    (tmp_path / "learner_module_xyz.py").write_text((FILES / "course_cost.py").read_text() + "\nf = nn_cost_function\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    code, report = verify_json(capsys, "learner_module_xyz:f")
    assert (code, report["passed"]) == (0, True)


def test_huge_returns_come_back_by_shape_only(tmp_path):
    """A 2e6-entry grad is described, not sent: the parent never holds learner-sized data."""
    path = tmp_path / "huge.py"
    path.write_text("import numpy as np\ndef f(*args):\n    return 1.0, np.zeros(2_000_000)\n")
    run = run_target(f"{path}:f", problems=PROBLEMS[:1])
    assert run.calls[0].kind == "bad_return" and "(2000000,) (too large)" in run.calls[0].failure


# The in-process path (crosscheck.verify(fn) in a notebook) goes through the same driver.

def _mutating(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    from manual.course import nn_cost_function
    result = nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    nn_params[0] += 1.0
    return result


def _crashes_on_medium(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    from manual.course import nn_cost_function
    if input_layer_size != 4:
        raise ValueError("hard-coded for 4 inputs")
    return nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)


def test_in_process_runs_see_mutation_and_keep_going_after_failures():
    mutated = run_problems(UserFunction(_mutating, "here.py:_mutating", Path(__file__)))
    assert mutated.mutated_inputs == ["nn_params"] and all(c.ok for c in mutated.calls)
    partial = run_problems(UserFunction(_crashes_on_medium, "here.py:_crashes_on_medium", Path(__file__)))
    assert [c.kind for c in partial.calls] == ["ok" if p.sizes[0] == 4 else "exception" for p in PROBLEMS]
    assert "hard-coded for 4 inputs" in partial.calls[-1].failure and partial.nondeterministic == []


def test_stop_all_ends_running_workers_and_starts_no_more():
    """What Ctrl-C during a class does: a worker stuck in an endless loop (60 s limit) ends now."""
    stopped = []

    def check():
        try:
            run_target(f"{FILES / 'swallows.py'}:bare_except", timeout=60, problems=PROBLEMS[:2])
        except KeyboardInterrupt:
            stopped.append(True)
    thread = threading.Thread(target=check)
    thread.start()
    time.sleep(1.0)                   # the worker is started (or not yet: then none may start)
    try:
        runner.stop_all()
        thread.join(HANG_GUARD / 2)
    finally:
        runner.resume()
    assert not thread.is_alive() and stopped == [True]
