"""manual.io.mat5_guard: the dry run that keeps damaged v5 files away from scipy's C reader.

Two damaged files crashed the interpreter (SIGSEGV) in scipy.io.loadmat when the fuzzer
found them: a data tag whose type code is out of range, and a "complex" flag on a matrix
with no imaginary part. Both are rebuilt here byte by byte; the loader must refuse them
with InputError, and every kind of variable scipy writes must still pass.
"""
import io
import struct
import subprocess
import sys

import numpy as np
import pytest
import scipy.io
import scipy.sparse
from scipy.io.matlab import MatlabObject

from manual import InputError, load_ex4data
from manual.io.mat5_guard import DamagedMat, check_v5
from manual.io.matfile import MAX_MAT_BYTES


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


CRASHERS = {"type code out of range": bad_type_code,
            "complex flag, no imaginary part": complex_without_imaginary_part}


@pytest.mark.parametrize("name", CRASHERS)
def test_files_that_crashed_scipy_are_refused(name, tmp_path):
    path = tmp_path / "damaged.mat"
    path.write_bytes(CRASHERS[name]())
    with pytest.raises(DamagedMat):
        check_v5(path.read_bytes(), MAX_MAT_BYTES)
    with pytest.raises(InputError, match="damaged or truncated MATLAB .mat file"):
        load_ex4data(path)


def test_scipy_alone_still_crashes_on_them(tmp_path):
    """Why the guard exists: without it the process dies. Skipped once scipy checks itself."""
    path = tmp_path / "damaged.mat"
    path.write_bytes(bad_type_code())
    result = subprocess.run([sys.executable, "-c", f"import scipy.io; scipy.io.loadmat({str(path)!r})"],
                            capture_output=True, timeout=120)
    if result.returncode >= 0:
        pytest.skip(f"this scipy raises instead of crashing (exit {result.returncode}); the guard is belt and braces")
    assert result.returncode < 0                             # killed by a signal


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
