"""The command line's own words: its name in usage, the nearest option or command for a typo,
the way out for a folder or a file without :FUNCTION, help for every option, progress that
counts what the result counts."""
import pytest

from crosscheck.cli import build_parser, main


def _error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize("argv, said", [
    (["verify", "x.py:f", "--timout", "5"], "crosscheck verify: error: unrecognized arguments: --timout 5; did you mean --timeout?"),
    (["verify", "x.py:f", "--timout=5"], "did you mean --timeout?"),
    (["verfy", "x.py:f"], "did you mean verify?"),
    (["report", "--jsn"], "crosscheck report: error: unrecognized arguments: --jsn; did you mean --json?"),
    (["train", "--loss", "cros"], "did you mean cross_entropy?"),
])
def test_typos_get_the_nearest_name(capsys, argv, said):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert said in capsys.readouterr().err


def test_far_typos_get_no_guess(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--bogus"])
    assert "did you mean" not in capsys.readouterr().err


@pytest.mark.parametrize("command", ["verify", "train", "report", "mistakes", "pin"])
def test_usage_names_the_command(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert capsys.readouterr().out.startswith(f"usage: crosscheck {command} [-h]")


def test_every_option_has_help():
    parser = build_parser()
    missing = [(name, a.option_strings) for name, sub in parser.commands.items() for a in sub._actions
               if a.option_strings and not a.help]
    assert not missing


def test_a_folder_gets_the_glob(capsys, tmp_path):
    (tmp_path / "alice.py").write_text("def nnCostFunction(): pass\n")
    err = _error(capsys, ["verify", str(tmp_path)])
    assert f"is a folder; to check every file in it: crosscheck verify '{tmp_path}/*.py:nnCostFunction'" in err


def test_a_file_without_function_gets_its_names(capsys, tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("import os\ndef helper(): pass\ndef nnCostFunction(): pass\n")
    err = _error(capsys, ["verify", str(path)])
    assert f"which function? name it after a colon: crosscheck verify {path}:nnCostFunction" in err
    assert "(it defines helper, nnCostFunction)" in err


def test_report_progress_counts_the_checks(monkeypatch):
    """The bar ends at the number of checks (+ skipped) the result lists, not more."""
    import numpy as np
    from crosscheck.cli import report
    steps = []

    class Recorder:
        def step(self, what="", n=1):
            steps.append(n)
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, 1, (12, 5)), rng.integers(1, 11, 12)
    result = report.run_matrix(X, y, ["debug", "uniform"], ["cross_entropy"], [0.0, 1.0],
                               numerical_rows=4, progress=Recorder())
    assert sum(steps) == len(result["checks"]) + len(result["skipped"]) == 4 * 2 * 1 * 2
