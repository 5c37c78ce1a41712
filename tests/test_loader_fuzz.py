"""Fuzzing the loaders: whatever the bytes, the outcome is a clean load or InputError.

Nothing else may come out: no scipy/h5py/zlib/numpy exception, no RuntimeWarning (the test
configuration makes those errors), and no crash (a segfault would end the whole run). A
clean load must also be usable: finite float64 X (m, n), int labels 1..10 for every row,
weights whose shapes fit.
"""
import io
import tempfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from manual import InputError, load_ex4data, load_ex4weights
from matfiles import small_data, small_weights, write_v5, write_v73

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def scratch():
    """One file path reused by every example (function-scoped tmp_path does not mix with @given)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "fuzz.mat"


def _valid_files():
    """The bytes of valid course-style files: v5 plain and compressed, v4, v7.3."""
    X, y = small_data()
    t1, t2 = small_weights()
    variables = dict(X=X, y=y.astype(np.float64), Theta1=t1, Theta2=t2)
    files = {}
    for label, kwargs in {"v5": {}, "v5 compressed": {"do_compression": True}, "v4": {"format": "4"}}.items():
        buffer = io.BytesIO()
        scipy.io.savemat(buffer, variables, **kwargs)
        files[label] = buffer.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        files["v7.3"] = write_v73(Path(folder) / "v73.mat", **variables).read_bytes()
    return files


VALID = _valid_files()


def check_outcome(path):
    """Load ``path`` as data and as weights: each is a usable result or an InputError."""
    try:
        X, y = load_ex4data(path)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert X.dtype == np.float64 and X.ndim == 2 and X.size and np.all(np.isfinite(X))
        assert y.dtype == np.int64 and y.shape == (X.shape[0],)
        assert y.min() >= 1 and y.max() <= 10
    try:
        theta1, theta2 = load_ex4weights(path)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert theta2.shape[1] == theta1.shape[0] + 1 and theta1.shape[1] >= 2
        assert np.all(np.isfinite(theta1)) and np.all(np.isfinite(theta2))


def test_the_valid_files_load():
    """The seeds of the fuzzing are themselves good files (else the fuzz tests little)."""
    with tempfile.TemporaryDirectory() as folder:
        for label, data in VALID.items():
            path = Path(folder) / f"{label}.mat"
            path.write_bytes(data)
            X, y = load_ex4data(path)
            assert X.shape == (12, 6) and list(y[:3]) == [1, 2, 3], label
            assert [t.shape for t in load_ex4weights(path)] == [(3, 7), (10, 4)], label


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes(data, scratch):
    scratch.write_bytes(data)
    check_outcome(scratch)


@FUZZ
@given(kind=st.sampled_from(sorted(VALID)), tail=st.binary(max_size=600))
def test_valid_header_then_random_bytes(kind, tail, scratch):
    """A real header (v5's 128 bytes, v7.3's 512 + HDF5 superblock) followed by garbage."""
    keep = 128 if kind.startswith("v5") else 600 if kind == "v7.3" else 20
    scratch.write_bytes(VALID[kind][:keep] + tail)
    check_outcome(scratch)


@FUZZ
@given(kind=st.sampled_from(sorted(VALID)), fraction=st.floats(0.0, 1.0, exclude_max=True))
def test_truncated_valid_files(kind, fraction, scratch):
    data = VALID[kind]
    scratch.write_bytes(data[:int(fraction * len(data))])
    check_outcome(scratch)


@FUZZ
@given(kind=st.sampled_from(sorted(VALID)),
       flips=st.lists(st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.integers(0, 255)),
                      min_size=1, max_size=6))
def test_valid_files_with_corrupted_bytes(kind, flips, scratch):
    """A few bytes overwritten anywhere: the case that crashed scipy's C reader before the guard."""
    data = bytearray(VALID[kind])
    for where, value in flips:
        data[int(where * len(data))] = value
    scratch.write_bytes(bytes(data))
    check_outcome(scratch)


DTYPES = [np.float64, np.float32, np.int8, np.uint8, np.int32, np.int64, np.uint64, np.bool_,
          np.complex128]


@st.composite
def arrays(draw):
    """A random numeric array (any of the dtypes above, 0-3 dims, sizes 0-5), text or a cell."""
    kind = draw(st.sampled_from(["numbers"] * 6 + ["text", "cell"]))
    if kind == "text":
        return draw(st.text(alphabet="abc 123", min_size=1, max_size=5))
    if kind == "cell":
        return np.array([[1.0, "a"]], dtype=object)
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=0, max_size=3)))
    values = draw(st.lists(st.sampled_from([0, 1, 2, 3, 9, 10, 11, -1, 0.5, 1e300, np.nan, np.inf]),
                           min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    with np.errstate(invalid="ignore", over="ignore"):    # casting nan/1e300 to ints is the point
        return np.array(values, dtype=np.float64).astype(dtype).reshape(shape)


@FUZZ
@given(version=st.sampled_from(["v5", "v7.3"]),
       variables=st.dictionaries(st.sampled_from(["X", "y", "Theta1", "Theta2"]), arrays(), max_size=4))
def test_random_arrays_saved_as_mat(version, variables, scratch):
    """Any shapes, dtypes and values under the course's names, saved by scipy or as v7.3."""
    X, y = small_data()
    if scratch.exists():
        scratch.unlink()
    try:
        (write_v5 if version == "v5" else write_v73)(scratch, **variables)
    except Exception:   # noqa: BLE001  a writer refusing an odd array is not the loader's business
        return
    check_outcome(scratch)


@settings(max_examples=40, deadline=None)
@given(m=st.integers(1, 30), n=st.integers(1, 8), version=st.sampled_from(["v5", "v7.3"]),
       seed=st.integers(0, 2**32 - 1))
def test_valid_random_data_round_trips(m, n, version, seed, scratch):
    """Any valid (m, n) X and labels 1..10 come back exactly, whatever the MAT version."""
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(m, n)), rng.integers(1, 11, size=(m, 1))
    if scratch.exists():
        scratch.unlink()
    (write_v5 if version == "v5" else write_v73)(scratch, X=X, y=y)
    X_loaded, y_loaded = load_ex4data(scratch)
    np.testing.assert_array_equal(X_loaded, X)
    np.testing.assert_array_equal(y_loaded, y.ravel())


# ---- a seeded slice of bench/fuzz_mat.py, and what its full runs found -------------------------

def test_a_seeded_slice_of_the_fuzz_bench_finds_nothing():
    """800 mutants (v4, v5, v5-compressed, v7.3 in turn) in a worker process that a crash or a
    hang cannot take down with it: every one loads or is refused with InputError."""
    from bench import fuzz_mat
    counts, findings, _ = fuzz_mat.run(seed=1, start=0, stop=800, timeout=60, progress=False)
    assert findings == [] and counts["crash"] == counts["hang"] == counts["foreign"] == 0
    assert counts["ok"] + counts["refused"] == 800 and counts["ok"] > 50     # not all refused


@pytest.mark.parametrize("mutant", [33177, 89157])
def test_what_the_full_fuzz_found_is_refused(mutant, scratch):
    """bench/fuzz_mat.py --seed 0 (100,000 mutants) crashed scipy on these two before the guard
    checked the dimensions element's length; rebuilt here from their seed and index."""
    from bench import fuzz_mat
    kind, data = fuzz_mat.mutant(fuzz_mat.seed_files(), 0, mutant)
    scratch.write_bytes(data)
    assert kind == "v5"
    with pytest.raises(InputError, match=r"dimensions of [12] bytes .* not whole int32 values"):
        load_ex4data(scratch)


@pytest.mark.parametrize("planted, outcome", [("CRASH", "crash: exit -11"), ("HANG", "hang")])
def test_the_fuzz_counts_a_crash_or_hang(planted, outcome, monkeypatch):
    """Test the test: a worker killed by a signal, or silent past the timeout, on mutant 3 is
    counted as such, and the run goes on with the next mutant."""
    from bench import fuzz_mat
    monkeypatch.setenv(f"FUZZ_MAT_PLANT_{planted}", "3")
    counts, findings, _ = fuzz_mat.run(seed=1, start=0, stop=8, timeout=2, progress=False)
    assert counts[planted.lower()] == 1 and findings == [(3, outcome)]
    assert counts["ok"] + counts["refused"] == 7
