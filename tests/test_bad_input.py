"""Every bad input is one line on stderr and exit code 2, never a traceback.

The files go through the shared options (``--data``/``--weights``, ``options.load_data`` and
``load_weights``) of a small probe command registered for the test, which does what every
real command does first; commands that already take ``--data`` are run end to end too, and
one real ``python -m crosscheck`` subprocess proves the whole path.
"""
import os
import struct
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse

from crosscheck import cli
from crosscheck.cli import options
from manual import InputError, load_ex4data, load_ex4weights
from matfiles import small_data, small_weights, write_v5, write_v73

ROOT = Path(__file__).resolve().parent.parent
ZERO_BASED = "labels look zero-based; the course uses 1..10 with 10 for digit 0"


def _probe_module():
    """A command shaped like the real ones: shared options, then data, weights, device."""
    probe = types.ModuleType("crosscheck_probe_cmd")

    def add_arguments(parser):
        options.add_data_options(parser)
        options.add_model_options(parser, method=True)

    def run(args):
        options.check_device(args.device)
        X, y, _ = options.load_data(args)
        options.load_weights(args, X)
        print(f"loaded X {X.shape}, y {y.shape}")
        return 0

    probe.add_arguments, probe.run = add_arguments, run
    return probe


@pytest.fixture
def crosscheck(monkeypatch, capsys):
    """run(*argv) -> (exit code, stdout, stderr) of crosscheck.cli.main, with a ``probe`` command."""
    monkeypatch.setitem(sys.modules, "crosscheck_probe_cmd", _probe_module())
    monkeypatch.setitem(cli.COMMANDS, "probe", ("crosscheck_probe_cmd", "test probe"))

    def run(*argv):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as exc:           # argparse usage errors exit from inside parse_args
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err
    return run


def assert_one_line_error(code, err, *words):
    assert code == 2, f"exit code {code}, stderr {err!r}"
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    for word in words:
        assert word in err, f"{word!r} not in {err!r}"


# ---- files: each builder writes into tmp_path and returns the path to pass --------------

def _good_data(tmp_path, writer=write_v5):
    X, y = small_data()
    return writer(tmp_path / "data.mat", X=X, y=y)


def _data(writer=write_v5, **changes):
    """Builder of a data file with X and y replaced (None drops the variable)."""
    def build(tmp_path):
        X, y = small_data()
        variables = {"X": X, "y": y, **changes}
        return writer(tmp_path / "data.mat", **{k: v for k, v in variables.items() if v is not None})
    return build


def _weights(writer=write_v5, **changes):
    def build(tmp_path):
        t1, t2 = small_weights()
        variables = {"Theta1": t1, "Theta2": t2, **changes}
        return writer(tmp_path / "weights.mat", **{k: v for k, v in variables.items() if v is not None})
    return build


def _raw(content):
    def build(tmp_path):
        path = tmp_path / "data.mat"
        path.write_bytes(content(tmp_path) if callable(content) else content)
        return path
    return build


def _truncated(writer):
    def content(tmp_path):
        data = _good_data(tmp_path, writer).read_bytes()
        return data[:len(data) * 2 // 3]
    return content


def _plain_hdf5(tmp_path):
    import h5py
    with h5py.File(tmp_path / "plain.h5", "w") as f:
        f["X"], f["y"] = small_data()
    return (tmp_path / "plain.h5").read_bytes()


X0, Y0 = small_data()
NAN_X = X0.copy()
NAN_X[2, 3] = np.nan
INF_X = X0.copy()
INF_X[0, 0] = np.inf
T1, T2 = small_weights()

DATA_CASES = {
    "missing file": (lambda p: p / "nope.mat", ["file not found"]),
    "directory": (lambda p: p, ["is a directory"]),
    "device file": (lambda p: Path(os.devnull), ["not a regular file"]),
    "empty file": (_raw(b""), ["empty (0 bytes)"]),
    "text file": (_raw(b"X = [1 2 3];\ny = [1 2 3];\n"), ["not a MATLAB .mat file"]),
    "random bytes": (_raw(bytes(range(256)) * 4), ["not a MATLAB .mat file"]),
    "truncated v5": (_raw(_truncated(write_v5)), ["damaged or truncated", "cut short"]),
    "truncated v7.3": (_raw(_truncated(write_v73)), ["damaged or truncated", "v7.3"]),
    "plain HDF5, not MATLAB": (_raw(_plain_hdf5), ["HDF5 file without a MATLAB header"]),
    "missing X": (_data(X=None), ["missing variable 'X'", "['y']"]),
    "missing y": (_data(y=None), ["missing variable 'y'"]),
    "X text": (_data(X="pixels"), ["X is text"]),
    "X cell": (_data(X=np.array([[X0, "a"]], dtype=object)), ["X is a cell array"]),
    "X struct": (_data(X={"pixels": X0}), ["X is a struct"]),
    "X sparse": (_data(X=scipy.sparse.csc_matrix(X0)), ["X is a sparse matrix", "full()"]),
    "X complex": (_data(X=X0 + 1j), ["X holds complex numbers"]),
    "X logical": (_data(X=X0 > 0.5), ["X holds logical"]),
    "X NaN": (_data(X=NAN_X), ["X contains NaN or inf", "X(3, 4)"]),
    "X inf": (_data(X=INF_X), ["X contains NaN or inf", "X(1, 1)"]),
    "X 3-D": (_data(X=np.zeros((12, 6, 2))), ["X must be a 2-D matrix"]),
    "X empty": (_data(X=np.zeros((0, 6))), ["X is empty"]),
    "y rows differ": (_data(y=Y0[:-1]), ["y has 11 labels but X has 12 rows"]),
    "y one-hot": (_data(y=np.eye(10)[Y0.ravel() - 1]), ["looks one-hot"]),
    "y text": (_data(y="1 2 3"), ["y is text"]),
    "y NaN": (_data(y=np.where(Y0 == 3, np.nan, Y0)), ["y contains NaN or inf"]),
    "labels above K": (_data(y=Y0 + 1), ["labels must lie in 1..10", "found 2..11"]),
    "labels negative": (_data(y=Y0.astype(int) - 5), ["labels must lie in 1..10"]),
    "labels fractional": (_data(y=Y0 + 0.5), ["whole numbers"]),
    "labels zero-based": (_data(y=Y0 - 1), [ZERO_BASED]),
    "v7.3 zero-based": (_data(write_v73, y=Y0 - 1), [ZERO_BASED]),
    "v7.3 X cell": (_data(write_v73, X=[X0, "a"]), ["X is a cell array"]),
    "v7.3 X struct": (_data(write_v73, X={"pixels": X0}), ["X is a struct"]),
    "v7.3 X text": (_data(write_v73, X="pixels"), ["X is text"]),
    "v7.3 X complex": (_data(write_v73, X=X0 + 1j), ["X holds complex numbers"]),
    "v7.3 X logical": (_data(write_v73, X=X0 > 0.5), ["X holds logical"]),
    "v7.3 X NaN": (_data(write_v73, X=NAN_X), ["X contains NaN or inf", "X(3, 4)"]),
    "v7.3 missing y": (_data(write_v73, y=None), ["missing variable 'y'"]),
}

WEIGHT_CASES = {
    "missing file": (lambda p: p / "nope.mat", ["file not found"]),
    "missing Theta1": (_weights(Theta1=None), ["missing variable 'Theta1'"]),
    "missing Theta2": (_weights(Theta2=None), ["missing variable 'Theta2'"]),
    "Theta1 text": (_weights(Theta1="weights"), ["Theta1 is text"]),
    "Theta2 NaN": (_weights(Theta2=np.where(T2 > 0.4, np.nan, T2)), ["Theta2 contains NaN or inf"]),
    "Theta1 inf": (_weights(Theta1=np.where(T1 > 0.4, -np.inf, T1)), ["Theta1 contains NaN or inf"]),
    "Theta1 3-D": (_weights(Theta1=np.zeros((3, 7, 2))), ["Theta1 must be a 2-D matrix"]),
    "Thetas do not fit": (_weights(Theta2=T2[:, :3]), ["do not fit", "Theta2 needs 1 + 3 = 4 columns"]),
    "Thetas transposed": (_weights(Theta1=T1.T, Theta2=T2.T), ["do not fit", "transposed"]),
    "weights vs data width": (_weights(Theta1=np.zeros((3, 9))), ["takes 8 input features", "the data has 6"]),
    "weights vs labels": (_weights(Theta2=T2[:5]), ["gives 5 outputs", "labels are 1..10"]),
    "v7.3 Thetas do not fit": (_weights(write_v73, Theta2=T2[:, :3]), ["do not fit"]),
    "v7.3 Theta2 NaN": (_weights(write_v73, Theta2=np.where(T2 > 0.4, np.nan, T2)), ["Theta2 contains NaN"]),
}


@pytest.mark.parametrize("case", DATA_CASES)
def test_bad_data_file_is_one_line_exit_2(case, tmp_path, crosscheck):
    build, words = DATA_CASES[case]
    path = build(tmp_path)
    code, _, err = crosscheck("probe", "--data", path)
    assert_one_line_error(code, err, "crosscheck probe: error:", *words)


@pytest.mark.parametrize("case", WEIGHT_CASES)
def test_bad_weights_file_is_one_line_exit_2(case, tmp_path, crosscheck):
    build, words = WEIGHT_CASES[case]
    data = _good_data(tmp_path)
    code, _, err = crosscheck("probe", "--data", data, "--weights", build(tmp_path))
    assert_one_line_error(code, err, *words)


def test_weights_for_the_course_data_against_the_embedded_digits_say_so(tmp_path, crosscheck):
    path = _weights(Theta1=np.zeros((3, 401)))(tmp_path)
    code, _, err = crosscheck("probe", "--weights", path)
    assert_one_line_error(code, err, "takes 400 input features", "the data has 64", "--data ex4data1.mat")


@pytest.mark.parametrize("writer", [write_v5, write_v73], ids=["v5", "v7.3"])
def test_good_files_load_the_same_in_every_version(writer, tmp_path, crosscheck):
    """The probe really loads: a bad-input test that always failed would prove nothing."""
    X, y = small_data()
    t1, t2 = small_weights()
    data = writer(tmp_path / "data.mat", X=X, y=y)
    weights = writer(tmp_path / "weights.mat", Theta1=t1, Theta2=t2)
    code, out, err = crosscheck("probe", "--data", data, "--weights", weights)
    assert (code, err) == (0, "") and "loaded X (12, 6), y (12,)" in out
    X_loaded, y_loaded = load_ex4data(data)
    np.testing.assert_array_equal(X_loaded, X)           # v7.3's column-major storage undone
    np.testing.assert_array_equal(y_loaded, y.ravel())
    for loaded, written in zip(load_ex4weights(weights), (t1, t2)):
        np.testing.assert_array_equal(loaded, written)


def test_unreadable_file_permission_denied(tmp_path, crosscheck, monkeypatch):
    """chmod 000 does not stop root (CI may run as root), so the denial is simulated at the open."""
    path = _good_data(tmp_path)

    def denied(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))
    monkeypatch.setattr("manual.io.regular._open_fd", denied)
    code, _, err = crosscheck("probe", "--data", path)
    assert_one_line_error(code, err, "cannot read the file (permission denied)")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_real_chmod(tmp_path, crosscheck):
    path = _good_data(tmp_path)
    path.chmod(0)
    code, _, err = crosscheck("probe", "--data", path)
    assert_one_line_error(code, err, "permission denied")


# ---- arguments -----------------------------------------------------------------------------

ARGUMENT_CASES = {
    "unknown loss": (["--loss", "hinge"], ["argument --loss: invalid choice: 'hinge'"]),
    "unknown method": (["--method", "adam"], ["argument --method: invalid choice: 'adam'"]),
    "negative λ": (["--lambda", "-1"], ["argument --lambda: λ must be a finite number ≥ 0, got -1"]),
    "negative λ with =": (["--lambda=-0.5"], ["λ must be a finite number ≥ 0"]),
    "NaN λ": (["--lambda", "nan"], ["λ must be a finite number ≥ 0, got nan"]),
    "inf λ": (["--lambda", "inf"], ["λ must be a finite number ≥ 0, got inf"]),
    "λ not a number": (["--lambda", "one"], ["λ must be a number, got 'one'"]),
    "unknown device": (["--device", "tpu"], ["argument --device: invalid choice: 'tpu'"]),
    "unknown option": (["--lamda", "1"], ["unrecognized arguments"]),
}


@pytest.mark.parametrize("case", ARGUMENT_CASES)
def test_bad_argument_is_one_line_exit_2(case, crosscheck):
    argv, words = ARGUMENT_CASES[case]
    code, out, err = crosscheck("probe", *argv)
    assert_one_line_error(code, err, *words)
    assert out == ""


def test_unknown_command_is_one_line_exit_2(crosscheck):
    code, _, err = crosscheck("reprot")
    assert_one_line_error(code, err, "invalid choice: 'reprot'")


def test_gpu_asked_for_without_one(crosscheck, monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code, _, err = crosscheck("probe", "--device", "gpu")
    assert_one_line_error(code, err, "argument --device: no GPU is visible", "use --device cpu")
    with pytest.raises(InputError, match="no GPU"):
        options.check_device("gpu")                        # the form commands call in run()


def test_check_lambda_library_form():
    assert options.check_lambda("0") == 0.0 and options.check_lambda(1e6) == 1e6
    for bad in ("-1", "nan", "inf", "-inf", "x", None):
        with pytest.raises(InputError):
            options.check_lambda(bad)


# ---- cli.main itself -----------------------------------------------------------------------

def _raising_command(monkeypatch, exc):
    module = types.ModuleType("crosscheck_raising_cmd")
    module.add_arguments = lambda parser: None

    def run(args):
        raise exc
    module.run = run
    monkeypatch.setitem(sys.modules, "crosscheck_raising_cmd", module)
    monkeypatch.setitem(cli.COMMANDS, "boom", ("crosscheck_raising_cmd", "raises"))


def test_multi_line_input_error_is_folded_to_one_line(crosscheck, monkeypatch):
    _raising_command(monkeypatch, InputError("first line\nsecond   line"))
    code, _, err = crosscheck("boom")
    assert_one_line_error(code, err, "first line second line")


def test_internal_bug_shows_traceback_and_exit_3_never_a_verdict(crosscheck, monkeypatch):
    """A bug must not pass for "check failed" (1) or "all passed" (0)."""
    _raising_command(monkeypatch, ZeroDivisionError("division by zero"))
    code, _, err = crosscheck("boom")
    assert code == 3
    assert "Traceback" in err
    assert err.splitlines()[-1].startswith("crosscheck boom: internal error (a bug in crosscheck")


def test_closed_output_pipe_is_quiet(crosscheck, monkeypatch):
    _raising_command(monkeypatch, BrokenPipeError())
    code, _, err = crosscheck("boom")
    assert code == 141 and err == ""


# ---- the real commands, end to end -----------------------------------------------------------

def _commands_taking(option):
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(name for name, p in sub.choices.items()
                  if any(option in action.option_strings for action in p._actions))


REAL_DATA_COMMANDS = [c for c in _commands_taking("--data") if c in cli.COMMANDS]


def test_the_data_taking_commands_are_all_covered():
    """Guards the parametrisation below against silently shrinking."""
    assert {"report", "train", "pin"} <= set(REAL_DATA_COMMANDS)


@pytest.mark.parametrize("command", REAL_DATA_COMMANDS)
@pytest.mark.parametrize("case", ["missing file", "truncated v5", "labels zero-based", "X NaN"])
def test_real_commands_report_bad_data_in_one_line(command, case, tmp_path, crosscheck):
    build, words = DATA_CASES[case]
    code, _, err = crosscheck(command, "--data", build(tmp_path))
    assert_one_line_error(code, err, f"crosscheck {command}: error:", *words)


def test_subprocess_end_to_end_has_no_traceback(tmp_path):
    """`python -m crosscheck report --data missing.mat`: a real process, real stderr."""
    missing = tmp_path / "missing.mat"
    result = subprocess.run([sys.executable, "-m", "crosscheck", "report", "--data", str(missing)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert_one_line_error(result.returncode, result.stderr, "crosscheck")
    assert f"{missing}: file not found" in result.stderr


def test_subprocess_usage_error_has_no_traceback():
    """A negative λ: the shared option's message, one line, exit 2."""
    result = subprocess.run([sys.executable, "-m", "crosscheck", "train", "--lambda", "-1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert_one_line_error(result.returncode, result.stderr, "crosscheck")
    assert "λ must be a finite number ≥ 0" in result.stderr


def _short_dims_file(tmp_path):
    """Valid X, y and Theta1/2 beside a text variable whose dims element is 2 bytes long: scipy
    1.17 alone dies on it (SIGSEGV), whichever variable the command wanted."""
    from test_mat5_guard import TEXT, TEXT_DIMS, _replace_in_variables
    X, y = small_data()
    t1, t2 = small_weights()
    path = write_v5(tmp_path / "crash.mat", X=X, y=y, Theta1=t1, Theta2=t2, note=TEXT)
    path.write_bytes(_replace_in_variables(path.read_bytes(), TEXT_DIMS, struct.pack("<II", 5, 2) + bytes(8)))
    return path


@pytest.mark.parametrize("command, option", [("report", "--data"), ("report", "--weights"), ("train", "--data"),
                                             ("pin", "--data"), ("pin", "--weights")])
def test_a_file_that_crashed_scipy_is_one_line_in_every_command(command, option, tmp_path, crosscheck):
    code, _, err = crosscheck(command, option, _short_dims_file(tmp_path))
    assert_one_line_error(code, err, f"crosscheck {command}: error:", "dimensions of 2 bytes")
