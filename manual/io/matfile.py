"""Reading MATLAB .mat files of every version into {name: (matlab_class, value)}, or InputError.

Versions: v4 and v5/v7 through ``scipy.io.loadmat``; v7.3, which is HDF5 behind a 512-byte
MATLAB header, through ``h5py``. v7.3 stores each array column-major, so an (m, n) MATLAB
matrix is an (n, m) HDF5 dataset: it is transposed back here, and every caller sees MATLAB's
shapes whatever the version. A plain HDF5 file without the MATLAB header is refused rather
than guessed at, since its arrays may be stored either way round.

Every failure (missing, unreadable, not a MAT file, truncated, damaged) is one InputError
whose message is one line naming the file: the caller never sees a scipy, h5py, zlib or
numpy exception. ``value`` is an ndarray, or None for what has no array form (a struct, a
cell array, a sparse matrix, a MATLAB object); ``matlab_class`` says which ("double",
"logical", "char", "cell", "struct", "sparse", ...).
"""
import io
import os
import stat
import warnings

import numpy as np

from ..errors import InputError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
V73_USERBLOCK = 512        # MATLAB writes its 128-byte text header into a 512-byte HDF5 user block

NUMERIC_CLASSES = ("double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32",
                   "int64", "uint64")


def _reason(exc):
    """The first line of an exception's message, short enough for a one-line error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def read_bytes(path):
    """The file's bytes; InputError for a missing file, a directory, a device, no permission."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise InputError(f"expected a file name for a .mat file, got {type(path).__name__}")
    name = os.fsdecode(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror or _reason(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{name}: is a directory, not a .mat file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{name}: not a regular file (a device, pipe or socket), not a .mat file")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except PermissionError:
        raise InputError(f"{name}: cannot read the file (permission denied)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror or _reason(exc)})") from None


def read_mat(path):
    """{name: (matlab_class, value)} for every variable of the MAT file at ``path``."""
    name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else path
    data = read_bytes(path)
    if not data:
        raise InputError(f"{name}: the file is empty (0 bytes), not a .mat file")
    hdf5_at_userblock = data[V73_USERBLOCK:V73_USERBLOCK + len(HDF5_SIGNATURE)] == HDF5_SIGNATURE
    if data.startswith(HDF5_SIGNATURE) or (hdf5_at_userblock and not data.startswith(b"MATLAB")):
        raise InputError(f"{name}: an HDF5 file without a MATLAB header, not a MATLAB v7.3 .mat file "
                         "(save it with MATLAB's save -v7.3 or with scipy.io.savemat)")
    if hdf5_at_userblock:
        return _read_v73(name, data)
    major = _scipy_version(data)
    if major == 2:
        raise InputError(f"{name}: a damaged or truncated MATLAB v7.3 .mat file (no HDF5 data after its header)")
    if major == 1:
        from .mat5_guard import DamagedMat, check_v5
        try:
            check_v5(data)
        except DamagedMat as exc:
            raise InputError(f"{name}: a damaged or truncated MATLAB .mat file ({exc})") from None
    return _read_v4_v5(name, data, major)


def _scipy_version(data):
    """0 (v4), 1 (v5/v7) or 2 (v7.3): the major version scipy.io.loadmat would read ``data`` as."""
    from scipy.io.matlab import matfile_version
    try:
        return matfile_version(io.BytesIO(data))[0]
    except Exception:   # noqa: BLE001  "unknown mat file type", too short for a header, ...
        return None


def _read_v4_v5(name, data, major):
    import scipy.io
    if major is None:
        raise InputError(f"{name}: not a MATLAB .mat file (no MATLAB header)")
    try:
        with warnings.catch_warnings():
            # scipy warns about what it skips (an unreadable variable, a duplicate name); the
            # variables the caller needs are checked one by one afterwards, so nothing is lost.
            warnings.simplefilter("ignore")
            classes = {var: cls for var, _shape, cls in scipy.io.whosmat(io.BytesIO(data))}
            contents = scipy.io.loadmat(io.BytesIO(data))
    except InputError:
        raise
    except Exception as exc:   # scipy, zlib and numpy raise many types for a malformed file
        if major == 1:
            raise InputError(f"{name}: a damaged or truncated MATLAB .mat file ({_reason(exc)})") from None
        raise InputError(f"{name}: not a MATLAB .mat file (no MATLAB header, and not a readable "
                         "v4 file either)") from None
    variables = {}
    for var, value in contents.items():
        if var.startswith("__"):
            continue                            # __header__, __version__, __globals__
        cls = classes.get(var, "double")
        if cls not in NUMERIC_CLASSES + ("logical",):
            value = None                        # char, cell, struct, sparse, object, function
        variables[var] = (cls, value)
    return variables


def _read_v73(name, data):
    try:
        import h5py
    except ImportError:
        raise InputError(f"{name}: a MATLAB v7.3 (HDF5) .mat file; reading it needs h5py "
                         "(pip install h5py) or re-save it with save -v7") from None
    try:
        variables = {}
        with h5py.File(io.BytesIO(data), "r") as f:
            for var, obj in f.items():
                if var.startswith("#"):
                    continue                    # '#refs#' holds cell contents, '#subsystem#' objects
                variables[var] = _v73_variable(h5py, obj)
        return variables
    except InputError:
        raise
    except Exception as exc:   # h5py raises OSError, KeyError, RuntimeError, ... for damage
        raise InputError(f"{name}: a damaged or truncated MATLAB v7.3 (HDF5) .mat file "
                         f"({_reason(exc)})") from None


def _v73_variable(h5py, obj):
    """(matlab_class, value) for one root object of a v7.3 file, transposed back to MATLAB's shape."""
    cls = obj.attrs.get("MATLAB_class", b"")
    cls = cls.decode("ascii", "replace") if isinstance(cls, bytes) else str(cls)
    if isinstance(obj, h5py.Group):
        if "MATLAB_sparse" in obj.attrs:
            return "sparse", None
        return (cls or "struct"), None
    if not isinstance(obj, h5py.Dataset):
        return "object", None
    if np.any(obj.attrs.get("MATLAB_empty", 0)):
        return (cls or "double"), np.zeros((0, 0))    # the dataset holds the dimensions, not data
    if cls == "cell" or obj.dtype.kind == "O":
        return "cell", None
    if cls and cls not in NUMERIC_CLASSES + ("logical",):
        return cls, None                        # char, function_handle, ...
    value = np.asarray(obj[()])
    if value.dtype.names and {"real", "imag"} <= set(value.dtype.names):
        value = value["real"] + 1j * value["imag"]
    elif value.dtype.names:
        return "struct", None
    if cls == "logical":
        value = value.astype(bool)
    return (cls or "double"), value.T       # column-major on disk: undo the transposition
