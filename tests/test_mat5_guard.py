"""manual.io.mat5_guard: the dry run that keeps damaged v5 files away from scipy's C reader.

Two damaged files crashed the interpreter (SIGSEGV) in scipy.io.loadmat when the fuzzer
found them: a data tag whose type code is out of range, and a "complex" flag on a matrix
with no imaginary part. Both are rebuilt here byte by byte; the loader must refuse them
with InputError, and every kind of variable scipy writes must still pass.
"""
import functools
import io
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
import scipy.io
import scipy.sparse
from scipy.io.matlab import MatlabObject

from manual import InputError, load_ex4data
from manual.io.mat5_guard import DamagedMat, check_v5
from manual.io.matfile import MAX_MAT_BYTES
from matfiles import small_data, write_v5


def _v5(**variables):
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, variables)
    return bytearray(buffer.getvalue())


def _first_matrix_offsets(data):
    """(flags word offset, offset of the first data tag after dims and a small name) of variable 1."""
    return 128 + 16, 128 + 16 + 8 + 16 + 8


def bad_type_code():
    """X's data tag says type 0x5E09: scipy indexes its 20-entry type table with it."""
    data = _v5(X=np.ones((2, 3)), y=np.ones((2, 1)))
    _, data_tag = _first_matrix_offsets(data)
    assert struct.unpack_from("<I", data, data_tag)[0] == 9          # miDOUBLE, as written
    struct.pack_into("<I", data, data_tag, 0x5E09)
    return bytes(data)


def complex_without_imaginary_part():
    """X's flags say complex; the reader then takes y's miMATRIX tag as X's imaginary part."""
    data = _v5(X=np.ones((2, 3)), y=np.ones((2, 1)))
    flags, _ = _first_matrix_offsets(data)
    struct.pack_into("<I", data, flags, struct.unpack_from("<I", data, flags)[0] | 1 << 11)
    return bytes(data)


TEXT = "abcdefg"                                  # a 1 × 7 char matrix: its dims element is unique
TEXT_DIMS = struct.pack("<IIii", 5, 8, 1, 7)      # miINT32, 8 bytes, (1, 7)


def _short_dims(where, compressed, count):
    """Valid data X, y plus the text TEXT placed ``where``, whose dims element is cut to ``count``
    (0..3) bytes: fewer than one int32, so scipy reads 0 dimensions and chars_to_strings reads
    the last of none (SIGSEGV). Found by bench/fuzz_mat.py (seed 0, mutants 33177 and 89157:
    1 and 2 bytes). The 16 bytes are kept: a 1-3 byte element is padded to 8; for 0 bytes the
    freed 8 bytes become a small name element, so every enclosing length still adds up."""
    X, y = small_data()
    text = {"top level": TEXT, "in a cell": np.array([[1.0, TEXT]], dtype=object),
            "in a struct": {"a": 1.0, "note": TEXT}}[where]
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"X": X, "y": y, "extra": text}, do_compression=compressed)
    cut = (struct.pack("<II", 5, count) + (struct.pack("<HH", 1, 1) + b"x\0\0\0" if count == 0 else bytes(8)))
    return _replace_in_variables(buffer.getvalue(), TEXT_DIMS, cut)


def _replace_in_variables(data, old, new):
    """data with the bytes ``old`` replaced by ``new`` (same length) inside its variables,
    inflating and deflating again any compressed one."""
    out, pos, found = bytearray(data[:128]), 128, 0
    while pos < len(data):
        mdtype, count = struct.unpack_from("<II", data, pos)
        body = data[pos + 8:pos + 8 + count]
        plain = zlib.decompress(body) if mdtype == 15 else body
        found += plain.count(old)
        plain = plain.replace(old, new)
        body = zlib.compress(plain) if mdtype == 15 else plain
        out += struct.pack("<II", mdtype, len(body)) + body
        pos += 8 + count
    assert found == 1, found
    return bytes(out)


SHORT_DIMS = {f"text dims of {count} bytes {where}{', compressed' if compressed else ''}":
              functools.partial(_short_dims, where, compressed, count)
              for where in ("top level", "in a cell", "in a struct") for compressed in (False, True)
              for count in (0, 1, 2, 3)}

CRASHERS = {"type code out of range": bad_type_code,
            "complex flag, no imaginary part": complex_without_imaginary_part, **SHORT_DIMS}


@pytest.mark.parametrize("name", CRASHERS)
def test_files_that_crashed_scipy_are_refused(name, tmp_path):
    path = tmp_path / "damaged.mat"
    path.write_bytes(CRASHERS[name]())
    with pytest.raises(DamagedMat):
        check_v5(path.read_bytes(), MAX_MAT_BYTES)
    with pytest.raises(InputError, match="damaged or truncated MATLAB .mat file"):
        load_ex4data(path)


@pytest.mark.parametrize("name", ["type code out of range", "text dims of 0 bytes in a struct, compressed",
                                  "text dims of 2 bytes in a cell", "text dims of 1 bytes top level"])
def test_scipy_alone_still_crashes_on_them(name, tmp_path):
    """Why the guard exists: without it the process dies. Skipped once scipy checks itself."""
    path = tmp_path / "damaged.mat"
    path.write_bytes(CRASHERS[name]())
    result = subprocess.run([sys.executable, "-c", f"import scipy.io; scipy.io.loadmat({str(path)!r})"],
                            capture_output=True, timeout=120)
    if result.returncode >= 0:
        pytest.skip(f"this scipy raises instead of crashing (exit {result.returncode}); the guard is belt and braces")
    assert result.returncode < 0                             # killed by a signal


def test_the_short_dims_files_are_otherwise_valid(tmp_path):
    """Test the test: with the dims left whole, the same files load (X and y are fine)."""
    path = tmp_path / "fine.mat"
    for where in ("top level", "in a cell", "in a struct"):
        for compressed in (False, True):
            X, y = small_data()
            write_v5(path, X=X, y=y, extra={"top level": TEXT, "in a cell": np.array([[1.0, TEXT]], dtype=object),
                                            "in a struct": {"a": 1.0, "note": TEXT}}[where])
            assert TEXT_DIMS in path.read_bytes() or compressed
            assert load_ex4data(path)[0].shape == X.shape


def _object():
    fields = np.zeros((1, 1), dtype=[("a", object)])
    fields[0, 0]["a"] = np.eye(2)
    return MatlabObject(fields, "myclass")


EVERY_KIND = {
    "double": np.arange(6.0).reshape(2, 3), "single": np.float32([[1, 2]]), "int8": np.int8([[1, -2]]),
    "uint64": np.uint64([[1, 2]]), "logical": np.array([[True, False]]), "complex": np.array([[1 + 2j, 3]]),
    "empty": np.zeros((0, 3)), "3-D": np.zeros((2, 3, 4)), "char": "hello", "unicode char": "héllo",
    "char matrix": np.array(["ab", "cd"]), "cell": np.array([[np.zeros(2), "a"]], dtype=object),
    "empty cell": np.empty((0, 0), dtype=object), "struct": {"a": 1, "bb": np.eye(2)},
    "struct array": np.array([[{"a": 1}, {"a": 2}]]), "sparse": scipy.sparse.csr_matrix(np.eye(3)),
    "complex sparse": scipy.sparse.csr_matrix(np.eye(3) * 1j),
    "logical sparse": scipy.sparse.csr_matrix(np.eye(3, dtype=bool)), "object": _object(),
}


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "compressed"])
@pytest.mark.parametrize("kind", EVERY_KIND)
def test_every_kind_of_variable_passes(kind, compressed):
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"v": EVERY_KIND[kind], "w": np.ones((1, 1))}, do_compression=compressed)
    check_v5(buffer.getvalue(), MAX_MAT_BYTES)
    assert set(scipy.io.loadmat(io.BytesIO(buffer.getvalue()))) >= {"v", "w"}


@pytest.mark.parametrize("cut", [1, 8, 100])
def test_cut_short_is_refused(cut):
    data = bytes(_v5(X=np.ones((4, 4))))
    with pytest.raises(DamagedMat, match="cut short|run out|remain"):
        check_v5(data[:-cut], MAX_MAT_BYTES)
