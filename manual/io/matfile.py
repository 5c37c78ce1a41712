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
import math
import os
import warnings
from collections import Counter

import numpy as np

from ..errors import InputError
from .regular import mib, open_regular
from .regular import reason as _reason

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
V73_USERBLOCK = 512        # MATLAB writes its 128-byte text header into a 512-byte HDF5 user block
HEAD = V73_USERBLOCK + len(HDF5_SIGNATURE)

NUMERIC_CLASSES = ("double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32",
                   "int64", "uint64")

# The most a .mat file may hold, and the most its arrays may take once read: the file's size,
# what its compressed variables inflate to, and each array's declared size (dimensions ×
# bytes per element). The course's ex4data1.mat holds 16 MB of doubles; 512 MiB is 32 times
# that, and keeps a hostile file's cost bounded. Raise it with ``max_bytes`` (the command
# line's --max-mat-mb).
MAX_MAT_BYTES = 512 << 20


class TooLarge(InputError):
    """The file, or an array it declares, is over the caller's limit."""


def _too_large(name, what, max_bytes):
    return TooLarge(f"{name}: {what}, over the limit of {mib(max_bytes)} (the command line's "
                    "--max-mat-mb raises it)")


def read_mat(path, max_bytes=MAX_MAT_BYTES):
    """{name: (matlab_class, value)} for every variable of the MAT file at ``path``.

    The header is read and checked first; the rest only when the file is a MAT file no
    larger than ``max_bytes``.
    """
    name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else path
    handle, size = open_regular(path, "a .mat file")
    with handle:
        try:
            head = handle.read(HEAD)
            kind = _kind(name, head)
            if size > max_bytes:
                raise _too_large(name, f"the file is {mib(size)}", max_bytes)
            data = head + handle.read(max_bytes + 1 - len(head))
        except OSError as exc:
            raise InputError(f"{name}: cannot read the file ({exc.strerror or _reason(exc)})") from None
    if len(data) > max_bytes:
        raise _too_large(name, "the file grew while being read", max_bytes)
    if kind == "v7.3":
        return _read_v73(name, data, max_bytes)
    if kind == "damaged v7.3":
        raise InputError(f"{name}: a damaged or truncated MATLAB v7.3 .mat file (no HDF5 data after its header)")
    if kind == "v5":
        from .mat5_guard import DamagedMat, TooLarge as Declared, check_v5
        try:
            data, _ = check_v5(data, max_bytes)
        except Declared as exc:
            raise TooLarge(f"{name}: {exc} (the command line's --max-mat-mb raises it)") from None
        except DamagedMat as exc:
            raise InputError(f"{name}: a damaged or truncated MATLAB .mat file ({exc})") from None
    return _read_v4_v5(name, data, kind)


def _kind(name, head):
    """"v7.3", "v5" or "v4" from the first bytes; InputError for what is no MAT file at all."""
    if not head:
        raise InputError(f"{name}: the file is empty (0 bytes), not a .mat file")
    hdf5_at_userblock = head[V73_USERBLOCK:HEAD] == HDF5_SIGNATURE
    if head.startswith(HDF5_SIGNATURE) or (hdf5_at_userblock and not head.startswith(b"MATLAB")):
        raise InputError(f"{name}: an HDF5 file without a MATLAB header, not a MATLAB v7.3 .mat file "
                         "(save it with MATLAB's save -v7.3 or with scipy.io.savemat)")
    if hdf5_at_userblock:
        return "v7.3"
    major = _scipy_version(head)
    if major in (1, 2):
        return "v5" if major == 1 else "damaged v7.3"
    if major == 0 and _v4_header(head):
        return "v4"
    raise InputError(f"{name}: not a MATLAB .mat file (no MATLAB header, and not a v4 file either)")


def _v4_header(head):
    """True when the first variable's 20-byte v4 header is one MATLAB could write.

    (type, rows, columns, imaginary flag, name length) as int32 in either byte order; type
    is M·1000 + O·100 + P·10 + T with M ≤ 4 the byte order, O = 0, P ≤ 5 the number type,
    T ≤ 2 full/text/sparse. scipy calls any file with a zero in its first 4 bytes v4,
    which would let 2 GB of zeros through to be read whole.
    """
    if len(head) < 20:
        return False
    for order in "<>":
        mopt, rows, cols, imagf, namlen = np.frombuffer(head[:20], dtype=f"{order}i4")
        m, o, p, t = mopt // 1000, mopt // 100 % 10, mopt // 10 % 10, mopt % 10
        if (0 <= mopt and m <= 4 and o == 0 and p <= 5 and t <= 2 and rows >= 0 and cols >= 0
                and imagf in (0, 1) and 1 <= namlen <= 4096):
            return True
    return False


def _scipy_version(data):
    """0 (v4), 1 (v5/v7) or 2 (v7.3): the major version scipy.io.loadmat would read ``data`` as."""
    from scipy.io.matlab import matfile_version
    try:
        return matfile_version(io.BytesIO(data))[0]
    except Exception:   # noqa: BLE001  "unknown mat file type", too short for a header, ...
        return None


def _read_v4_v5(name, data, kind):
    import scipy.io
    try:
        with warnings.catch_warnings():
            # scipy warns about what it skips (an unreadable variable, a duplicate name); the
            # variables the caller needs are checked one by one afterwards, so nothing is lost.
            warnings.simplefilter("ignore")
            listed = scipy.io.whosmat(io.BytesIO(data))
            contents = scipy.io.loadmat(io.BytesIO(data))
    except InputError:
        raise
    except Exception as exc:   # scipy, zlib and numpy raise many types for a malformed file
        if kind == "v5":
            raise InputError(f"{name}: a damaged or truncated MATLAB .mat file ({_reason(exc)})") from None
        raise InputError(f"{name}: not a MATLAB .mat file (no MATLAB header, and not a readable "
                         "v4 file either)") from None
    _no_duplicates(name, [var for var, _shape, _cls in listed])
    classes = {var: cls for var, _shape, cls in listed}
    variables = {}
    for var, value in contents.items():
        if var.startswith("__"):
            continue                            # __header__, __version__, __globals__
        cls = classes.get(var, "double")
        if cls not in NUMERIC_CLASSES + ("logical",):
            value = None                        # char, cell, struct, sparse, object, function
        variables[var] = (cls, value)
    return variables


def _no_duplicates(name, names):
    """InputError naming a variable stored twice: scipy would silently keep the last one."""
    twice = sorted(var for var, n in Counter(names).items() if n > 1)
    if twice:
        raise InputError(f"{name}: variable {twice[0]!r} is stored {Counter(names)[twice[0]]} times; "
                         "MATLAB writes each name once, so which one is meant is unclear")


def _read_v73(name, data, max_bytes):
    try:
        import h5py
    except ImportError:
        raise InputError(f"{name}: a MATLAB v7.3 (HDF5) .mat file; reading it needs h5py "
                         "(pip install h5py) or re-save it with save -v7") from None
    try:
        variables, budget = {}, [max_bytes]
        with h5py.File(io.BytesIO(data), "r") as f:
            for var in f:
                if var.startswith("#"):
                    continue                    # '#refs#' holds cell contents, '#subsystem#' objects
                link = f.get(var, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    raise InputError(f"{name}: variable {var!r} is an HDF5 {type(link).__name__} "
                                     "(to another place or file), not data MATLAB writes")
                variables[var] = _v73_variable(h5py, f[var], budget)
        return variables
    except InputError as exc:
        raise exc if str(exc).startswith(f"{name}:") else InputError(f"{name}: {exc}") from None
    except Exception as exc:   # h5py raises OSError, KeyError, RuntimeError, ... for damage
        raise InputError(f"{name}: a damaged or truncated MATLAB v7.3 (HDF5) .mat file "
                         f"({_reason(exc)})") from None


def _v73_variable(h5py, obj, budget):
    """(matlab_class, value) for one root object of a v7.3 file, transposed back to MATLAB's shape.

    ``budget`` ([bytes left]) is charged shape × item size before a dataset is read: a tiny
    file may declare a huge dataset of its fill value, or of highly compressed chunks.
    """
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
    size = math.prod(obj.shape or ()) * obj.dtype.itemsize
    if size > budget[0]:
        raise TooLarge(f"variable {obj.name.lstrip('/')!r} declares {obj.shape[::-1]} of "
                       f"{obj.dtype.itemsize}-byte values ({mib(size)}), over the {mib(budget[0])} left "
                       "of the limit (the command line's --max-mat-mb raises it)")
    budget[0] -= size
    value = np.asarray(obj[()])
    if value.dtype.names and {"real", "imag"} <= set(value.dtype.names):
        value = value["real"] + 1j * value["imag"]
    elif value.dtype.names:
        return "struct", None
    if cls == "logical":
        value = value.astype(bool)
    return (cls or "double"), value.T       # column-major on disk: undo the transposition
