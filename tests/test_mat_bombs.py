"""Hostile .mat files cost no memory: each is refused with one line while the loading process
stays far under 1 GB (peak resident memory measured in a child process, whose address space
is also capped so that a regression fails instead of swapping the machine).

The bombs: 2 GiB of zeros (not a MAT file at all), a ~1 MB compressed v5 variable that
inflates to 1 GiB, a 300-byte v5 file whose text and cell declare gigabytes, and a few-kB
v7.3 file whose dataset is 3.2 GB of fill value. Before the limits, the first was read whole
(2.1 GB), the compressed one inflated twice (9 GB for 3.2 GB), the others allocated what
they declared.
"""
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from manual import InputError, load_ex4data
from manual.io.matfile import MAX_MAT_BYTES
from matfiles import small_data, v73_header, write_v5

ROOT = Path(__file__).resolve().parent.parent
PEAK_MIB = 400          # a child that imports numpy, scipy and h5py peaks near 90 MiB
CHILD_AS = 3 << 30      # its address-space cap: a loader that allocates the bomb dies here
# The child's peak: VmHWM, which starts afresh at exec. ru_maxrss does not (Linux keeps it
# across execve), so a child forked from a large pytest process would report the parent's.
HWM = os.path.exists("/proc/self/status")


def _v5_header():
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {})
    return buffer.getvalue()[:128]


def _matrix_prefix(mclass, dims, name=b"X", data_type=9, data_bytes=0):
    """miMATRIX tag, flags, dims, name and data tag of one variable whose data follow (n bytes)."""
    dims_bytes = struct.pack(f"<{len(dims)}i", *dims)
    body = (struct.pack("<II", 6, 8) + struct.pack("<II", mclass, 0)
            + struct.pack("<II", 5, len(dims_bytes)) + dims_bytes + b"\0" * (-len(dims_bytes) % 8)
            + struct.pack("<HH", 1, len(name)) + name.ljust(4, b"\0")
            + struct.pack("<II", data_type, data_bytes))
    return struct.pack("<II", 14, len(body) + data_bytes + (-data_bytes % 8)) + body


def _zlib_of_zeros(prefix, n_zeros, chunk=16 << 20):
    """The zlib stream of prefix + n_zeros zero bytes (n_zeros a multiple of 16 MiB), fast:
    after a full flush deflate starts afresh, so every block of zeros compresses to the same
    bytes, which are repeated here instead of compressing a gigabyte."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = deflate.compress(prefix) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(bytes(chunk)) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert block == deflate.compress(bytes(chunk)) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.flush(zlib.Z_FINISH)             # nothing pending after a full flush: the end marker
    check = zlib.adler32(prefix)
    for _ in range(n_zeros // chunk):
        check = zlib.adler32(bytes(chunk), check)
    return b"\x78\xda" + head + block * (n_zeros // chunk) + tail + check.to_bytes(4, "big")


def compressed_bomb(path, gib=1):
    """A v5 file: one miCOMPRESSED double matrix X (16384 × 8192·gib) that inflates to ``gib`` GiB of zeros."""
    n = gib << 30
    stream = _zlib_of_zeros(_matrix_prefix(6, (16384, n // 8 // 16384), data_bytes=n), n)
    path.write_bytes(_v5_header() + struct.pack("<II", 15, len(stream)) + stream)
    return path


def declared_bomb(path, mclass):
    """A ~100-byte v5 file whose char (4) or cell (1) variable declares 2^30 elements, with no data."""
    if mclass == 4:      # text: scipy builds ' ' * length for an empty data element
        variable = _matrix_prefix(4, (1, 1 << 30), data_type=16, data_bytes=0)
    else:                # cell: scipy allocates np.empty(length, object) before reading any element
        variable = _matrix_prefix(1, (1 << 30, 1))[:-8]
        variable = struct.pack("<II", 14, len(variable) - 8) + variable[8:]
    path.write_bytes(_v5_header() + variable)
    return path


def fill_value_bomb(path):
    """A v7.3 file of a few kB whose X is a 20000 × 20000 double dataset never written: HDF5
    stores no chunks and returns its fill value, 3.2 GB of it, when read."""
    import h5py
    with h5py.File(path, "w", userblock_size=512) as h5:
        ds = h5.create_dataset("X", shape=(20000, 20000), dtype="f8", chunks=(1000, 1000), fillvalue=0.0)
        ds.attrs["MATLAB_class"] = np.bytes_("double")
    with open(path, "r+b") as handle:
        handle.write(v73_header())
    return path


def zeros_file(path, gib=2):
    """gib GiB of zeros, as a sparse file (no disk space used)."""
    with open(path, "wb") as handle:
        handle.truncate(gib << 30)
    return path


BOMBS = {
    "2 GiB of zeros": (zeros_file, "not a MATLAB .mat file"),
    "compressed v5 inflating to 1 GiB": (compressed_bomb, "inflates to 1024 MiB"),
    "v5 text declaring 2^30 characters": (lambda p: declared_bomb(p, 4), "declares 1073741824 elements"),
    "v5 cell declaring 2^30 elements": (lambda p: declared_bomb(p, 1), "declares 1073741824 elements"),
    "v7.3 dataset of fill value": (fill_value_bomb, "declares (20000, 20000)"),
}


def load_in_child(path, max_mib=None):
    """(message or 'loaded', peak resident MiB) of load_ex4data(path) in a capped child process."""
    extra = "" if max_mib is None else f", max_bytes={max_mib} << 20"
    code = (f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({CHILD_AS}, {CHILD_AS}))\n"
            "from manual import InputError, load_ex4data\n"
            f"try:\n    load_ex4data({str(path)!r}{extra}); print('loaded')\n"
            "except InputError as exc:\n    print(exc)\n"
            f"print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0] if {HWM} else "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    message, peak = result.stdout.strip().rsplit("\n", 1)
    return message, int(peak) // 1024


@pytest.mark.parametrize("bomb", BOMBS)
def test_bomb_is_refused_with_bounded_memory(bomb, tmp_path):
    build, words = BOMBS[bomb]
    path = build(tmp_path / "bomb.mat")
    assert path.stat().st_size < 4 << 20 or bomb == "2 GiB of zeros"
    message, peak = load_in_child(path)
    assert words in message and str(path) in message and "\n" not in message
    assert peak < PEAK_MIB, f"peak resident memory {peak} MiB while refusing {bomb}"


def test_the_compressed_bomb_really_inflates(tmp_path):
    """The bomb is what it claims: it inflates, without error, to 1 GiB (counted, not kept)."""
    data = compressed_bomb(tmp_path / "bomb.mat").read_bytes()
    inflater, total, tail, first = zlib.decompressobj(), 0, data[136:], b""
    while tail:
        out = inflater.decompress(tail, 64 << 20)
        first, total, tail = first or out[:8], total + len(out), inflater.unconsumed_tail
    assert inflater.eof and total == 8 + struct.unpack_from("<I", first, 4)[0] == 56 + (1 << 30)


def test_the_measurement_sees_a_large_load(tmp_path):
    """Test the test: a legitimate 100 MB X is loaded, and the child's peak shows it."""
    X = np.random.default_rng(0).uniform(size=(12_500, 1_000))
    write_v5(tmp_path / "large.mat", X=X, y=(1 + np.arange(12_500) % 10)[:, None])
    message, peak = load_in_child(tmp_path / "large.mat")
    assert message == "loaded" and peak > 200


def test_the_limit_is_documented_and_can_be_raised(tmp_path):
    """A real file over a low limit is refused before it is read, and loads once the limit is raised."""
    X, y = small_data(m=3000)
    path = write_v5(tmp_path / "data.mat", X=np.tile(X, (1, 20)), y=y)        # 3000 × 120 doubles, 2.8 MB
    with pytest.raises(InputError, match=r"over the limit of 1 MiB .*--max-mat-mb"):
        load_ex4data(path, max_bytes=1 << 20)
    assert load_ex4data(path, max_bytes=4 << 20)[0].shape == (3000, 120)
    assert MAX_MAT_BYTES == 512 << 20


def test_compressed_file_within_the_limit_loads_the_same(tmp_path):
    """Inflating once in the guard (and handing scipy the plain bytes) changes no value."""
    X, y = small_data(m=400)
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"X": X, "y": y}, do_compression=True)
    (tmp_path / "c.mat").write_bytes(buffer.getvalue())
    X_loaded, y_loaded = load_ex4data(tmp_path / "c.mat")
    np.testing.assert_array_equal(X_loaded, X)
    np.testing.assert_array_equal(y_loaded, y.ravel())
