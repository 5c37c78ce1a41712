"""Strict outcomes: a run ending in NaN is a failure in one line, every --json is strict JSON,
no numpy warning text reaches stderr, empty paths are errors, an extra Theta3 or a variable
stored twice is named, compare() does not overflow."""
import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from crosscheck.check.compare import compare
from crosscheck.cli import main
from manual import InputError, load_ex4data, load_ex4weights
from matfiles import small_data, small_weights, v73_header, write_v5, write_v73

ROOT = Path(__file__).resolve().parent.parent


def strict(text):
    """json.loads that refuses NaN and Infinity, as every other JSON reader does."""
    def refuse(name):
        raise ValueError(f"{name} in JSON output")
    return json.loads(text, parse_constant=refuse)


def huge_data(tmp_path):
    """X = 1e308 everywhere: finite in float64, inf once cast to float32."""
    X, y = small_data(m=50)
    return write_v5(tmp_path / "huge.mat", X=np.full_like(X, 1e308), y=y)


def run_cli(*argv):
    result = subprocess.run([sys.executable, "-m", "crosscheck", *map(str, argv)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return result.returncode, result.stdout, result.stderr


# ---- training that ends in NaN -----------------------------------------------------------------

def test_training_that_ends_in_nan_is_exit_1_one_line_and_no_warnings(tmp_path):
    """A real process: numpy's overflow warnings would be several lines of stderr."""
    code, out, err = run_cli("train", "--data", huge_data(tmp_path), "--dtype", "float32")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("crosscheck train: training diverged: the final cost is nan"), err
    assert "Warning" not in err


def test_training_that_ends_in_nan_prints_strict_json(tmp_path, capsys):
    assert main(["train", "--data", str(huge_data(tmp_path)), "--dtype", "float32", "--json"]) == 1
    captured = capsys.readouterr()
    report = strict(captured.out)
    assert report["final_cost"] is None and report["diverged"].startswith("the final cost is nan")
    assert captured.err.count("\n") == 1


def test_training_that_stays_finite_still_exits_0(tmp_path, capsys):
    """The control: the same huge X in float64 trains to a finite cost (saturated units)."""
    assert main(["train", "--data", str(huge_data(tmp_path)), "--json"]) == 0
    assert np.isfinite(strict(capsys.readouterr().out)["final_cost"])


# ---- strict JSON from every command -----------------------------------------------------------

def test_report_json_is_strict_with_non_finite_results(tmp_path, capsys):
    """On X = 1e308 some comparisons are inf or NaN: still one strict JSON object."""
    main(["report", "--data", str(huge_data(tmp_path)), "--kinds", "debug", "--lambda", "0",
          "--loss", "cross_entropy", "--json"])
    report = strict(capsys.readouterr().out)
    assert report["checks"] and all(isinstance(c["grad_rel_err"], (float, int, type(None))) for c in report["checks"])


def test_strict_json_writes_non_finite_numbers_as_null():
    """The one writer of report, train, verify and mistakes --json (crosscheck.strict_json's rule)."""
    from crosscheck.strict_json import strict_json
    assert strict(strict_json({"a": float("nan"), "b": [np.float64("inf"), -np.inf], "c": np.int64(3)})) == \
        {"a": None, "b": [None, None], "c": 3}


# ---- compare() at the edges of float64 --------------------------------------------------------

@pytest.mark.parametrize("scale", [1e160, 1e300, 1e-170, 1.0])
def test_compare_sees_a_small_difference_at_any_scale(scale):
    """‖a − b‖/‖a + b‖ squared entries near 1e160 overflowed: ‖a + b‖ = inf passed anything."""
    g = np.random.default_rng(0).normal(size=(4, 5)) * scale
    differing = compare("a", (1.0, [g]), "b", (1.0, [g * (1 + 5e-10)]), "autodiff")
    assert not differing.passed and differing.grad_rel_diff == pytest.approx(2.5e-10, rel=1e-3)
    assert compare("a", (1.0, [g]), "b", (1.0, [g.copy()]), "autodiff").passed


def test_compare_never_passes_non_finite():
    g = np.ones((2, 2))
    for bad in (np.nan, np.inf):
        h = g.copy()
        h[0, 1] = bad
        result = compare("a", (1.0, [g]), "b", (1.0, [h]), "autodiff")
        assert not result.passed and result.worst == (1, 0, 1)


# ---- empty paths -----------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["report", "--data", ""], ["report", "--weights", ""], ["train", "--data", ""],
                                  ["pin", "--check", "--file", ""], ["pin", "--check", "--data", " "]])
def test_an_empty_path_is_an_error_not_the_default(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "an empty path" in err, err


# ---- extra and repeated variables ------------------------------------------------------------

@pytest.mark.parametrize("writer", [write_v5, write_v73], ids=["v5", "v7.3"])
def test_an_extra_theta3_is_named(writer, tmp_path):
    t1, t2 = small_weights()
    path = writer(tmp_path / "w.mat", Theta1=t1, Theta2=t2, Theta3=np.ones((10, 11)))
    with pytest.raises(InputError, match="has Theta3 besides Theta1 and Theta2"):
        load_ex4weights(path)
    assert len(load_ex4weights(writer(tmp_path / "ok.mat", Theta1=t1, Theta2=t2, Theta10x=np.ones(2)))) == 2


def _twice(fmt, compressed=False):
    """A file holding X twice (a second, different X appended), and y: scipy keeps the last X."""
    X, y = small_data()
    first, second = io.BytesIO(), io.BytesIO()
    scipy.io.savemat(first, {"X": X, "y": y}, format=fmt, do_compression=compressed)
    scipy.io.savemat(second, {"X": X + 1}, format=fmt, do_compression=compressed)
    return first.getvalue() + second.getvalue()[128 if fmt == "5" else 0:]


@pytest.mark.parametrize("fmt, compressed", [("5", False), ("5", True), ("4", False)], ids=["v5", "v5-compressed", "v4"])
def test_a_variable_stored_twice_is_named(fmt, compressed, tmp_path):
    path = tmp_path / "twice.mat"
    path.write_bytes(_twice(fmt, compressed))
    with pytest.raises(InputError, match="variable 'X' is stored 2 times"):
        load_ex4data(path)


def test_a_dangling_hdf5_link_is_named(tmp_path):
    import h5py
    path = tmp_path / "link.mat"
    X, y = small_data()
    with h5py.File(path, "w", userblock_size=512) as h5:
        for name, value in (("X", X), ("y", y)):
            h5[name] = value.T
            h5[name].attrs["MATLAB_class"] = np.bytes_("double")
        h5["Theta1"] = h5py.SoftLink("/nowhere")
    with open(path, "r+b") as handle:
        handle.write(v73_header())
    with pytest.raises(InputError, match="variable 'Theta1' is an HDF5 SoftLink"):
        load_ex4data(path)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16])
def test_integer_pixels_load_as_float64(dtype, tmp_path):
    X, y = small_data()
    path = write_v5(tmp_path / "int.mat", X=(X * 100).astype(dtype), y=y)
    X_loaded, _ = load_ex4data(path)
    assert X_loaded.dtype == np.float64 and np.array_equal(X_loaded, (X * 100).astype(dtype))


def test_the_v4_header_check_accepts_what_scipy_writes_in_both_byte_orders(tmp_path):
    """The v4 sniffing that refuses 2 GB of zeros early must not refuse real v4 files."""
    X, y = small_data()
    path = tmp_path / "v4.mat"
    scipy.io.savemat(path, {"X": X, "y": y.astype(float)}, format="4")
    data = path.read_bytes()
    assert load_ex4data(path)[0].shape == X.shape
    big_endian = bytearray(data)
    mopt, rows, cols, imagf, namlen = struct.unpack_from("<5i", data)
    struct.pack_into(">5i", big_endian, 0, 1000 + mopt, rows, cols, imagf, namlen)
    from manual.io.matfile import _v4_header
    assert _v4_header(bytes(big_endian[:20])) and not _v4_header(bytes(20))
