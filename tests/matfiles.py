"""Test helpers: write small course-style .mat files, v5 (scipy) and v7.3 (h5py, MATLAB's layout).

Shared by the bad-input, fuzzing and loader tests. Files are written into a pytest tmp
directory; nothing from the course is copied.
"""
import numpy as np
import scipy.io

N_FEATURES, N_HIDDEN, N_LABELS = 6, 3, 10


def small_data(m=12, seed=0):
    """X (m, 6) in [0, 1] and y (m, 1) in 1..10, every label present when m ≥ 10."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, size=(m, N_FEATURES))
    y = (np.arange(m) % N_LABELS + 1).reshape(-1, 1).astype(np.uint8)   # uint8, as in ex4data1.mat
    return X, y


def small_weights(seed=0):
    """Theta1 (3, 7) and Theta2 (10, 4): the course's layout for 6 inputs and 3 hidden units."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(-0.5, 0.5, size=(N_HIDDEN, N_FEATURES + 1)),
            rng.uniform(-0.5, 0.5, size=(N_LABELS, N_HIDDEN + 1)))


def write_v5(path, **variables):
    """A MATLAB v5 .mat file via scipy (what MATLAB's default `save` and Octave's -v7 give)."""
    scipy.io.savemat(path, variables)
    return path


def v73_header():
    """MATLAB's 128-byte v7.3 header: 116 bytes of text, 8 of subsystem offset, version, 'IM'."""
    text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
    return text.ljust(116, b" ") + b" " * 8 + b"\x00\x02" + b"IM"


def _v73_write(h5, name, value, refs):
    """One variable as MATLAB writes it: column-major data plus a MATLAB_class attribute."""
    if isinstance(value, dict):                                  # struct: a group of fields
        group = h5.create_group(name)
        group.attrs["MATLAB_class"] = np.bytes_("struct")
        for field, field_value in value.items():
            _v73_write(group, field, field_value, refs)
        return
    if isinstance(value, list):                                  # cell: references into #refs#
        import h5py
        targets = []
        for i, item in enumerate(value):
            _v73_write(refs, f"{name}_{i}", item, refs)
            targets.append(refs[f"{name}_{i}"].ref)
        ds = h5.create_dataset(name, data=np.array([targets], dtype=h5py.ref_dtype).T)
        ds.attrs["MATLAB_class"] = np.bytes_("cell")
        return
    if isinstance(value, str):                                   # char: uint16 code units
        ds = h5.create_dataset(name, data=np.array([[ord(c)] for c in value], dtype=np.uint16))
        ds.attrs["MATLAB_class"] = np.bytes_("char")
        ds.attrs["MATLAB_int_decode"] = np.int32(2)
        return
    value = np.asarray(value)
    if value.ndim < 2:
        value = value.reshape(1, -1) if value.ndim == 1 else value.reshape(1, 1)
    if value.size == 0:                                          # empty: the data are the dimensions
        ds = h5.create_dataset(name, data=np.array(value.shape, dtype=np.uint64))
        ds.attrs["MATLAB_class"] = np.bytes_("double")
        ds.attrs["MATLAB_empty"] = np.uint8(1)
        return
    if value.dtype.kind == "b":
        ds = h5.create_dataset(name, data=value.T.astype(np.uint8))
        ds.attrs["MATLAB_class"] = np.bytes_("logical")
        ds.attrs["MATLAB_int_decode"] = np.int32(1)
        return
    if value.dtype.kind == "c":
        compound = np.dtype([("real", np.float64), ("imag", np.float64)])
        data = np.empty(value.T.shape, dtype=compound)
        data["real"], data["imag"] = value.T.real, value.T.imag
        ds = h5.create_dataset(name, data=data)
        ds.attrs["MATLAB_class"] = np.bytes_("double")
        return
    cls = {"f8": "double", "f4": "single"}.get(value.dtype.str[1:], None) or value.dtype.name
    ds = h5.create_dataset(name, data=value.T)                   # column-major: MATLAB's (m, n) is (n, m)
    ds.attrs["MATLAB_class"] = np.bytes_(cls)


def write_v73(path, **variables):
    """A MATLAB v7.3 .mat file: HDF5 behind MATLAB's header in a 512-byte user block."""
    import h5py
    with h5py.File(path, "w", userblock_size=512) as h5:
        refs = h5.create_group("#refs#")
        for name, value in variables.items():
            _v73_write(h5, name, value, refs)
    with open(path, "r+b") as handle:
        handle.write(v73_header())
    return path
