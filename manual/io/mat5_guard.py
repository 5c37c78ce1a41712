"""A dry run of scipy's MATLAB v5 reader over the file's tags, before the real one runs.

Why: scipy's C reader (``_mio5_utils``) looks up each numeric element's type code in a C
table without a range check, so a damaged file can crash the interpreter (SIGSEGV) instead
of raising: one flipped byte in a tag, or a "complex" flag with no imaginary part (the
reader then takes the next variable's tag as data). This module walks the elements in
exactly the order that reader consumes them and refuses, as DamagedMat, anything MATLAB
never writes: an unknown type code where numbers are read, a small data element of more
than 4 bytes, an element or a matrix that overruns what holds it, a matrix whose parts do
not add up to its length, a compressed element that does not inflate. Only tags, flags,
dimensions and field-name lengths are read; the values are left to scipy and the loader.

Layout (MATLAB's "MAT-File Format"): a 128-byte header ending in 'IM' (little-endian) or
'MI' (big-endian), then top-level elements: miMATRIX (14), or miCOMPRESSED (15) holding one
zlib-deflated miMATRIX. A tag is (type uint32, byte count uint32), or a small data element:
a count ≤ 4 in the type word's upper 16 bits and the data in the tag's second word.
Sub-elements are padded to 8 bytes. A matrix is: array flags (class in the low byte,
complex = bit 11), dimensions (int32), name (int8), then by class: numbers (real part, and
an imaginary part if complex), sparse (row indices, column pointers, real[, imaginary]),
char (one element), cell (one miMATRIX per element), struct (field-name length, names, one
miMATRIX per field per element), object (class name, then as struct), function (one
miMATRIX), opaque (no dimensions; three names, then one miMATRIX).
"""
import math
import struct
import zlib

MI_INT8, MI_INT32, MI_UINT32, MI_MATRIX, MI_COMPRESSED, MI_UTF8 = 1, 5, 6, 14, 15, 16
# The codes scipy's numeric table holds: miINT8..miSINGLE, miDOUBLE, miINT64, miUINT64, UTF-8/16/32.
DATA_TYPES = frozenset({1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 16, 17, 18})
CELL, STRUCT, OBJECT, CHAR, SPARSE, FUNCTION, OPAQUE = 1, 2, 3, 4, 5, 16, 17
NUMERIC = range(6, 16)                    # mxDOUBLE_CLASS .. mxUINT64_CLASS
MAX_DEPTH = 64                            # cells of cells of ...: far beyond any real file
MAX_INFLATED = 8 << 30                    # refuse a "zip bomb" rather than exhaust memory


class DamagedMat(ValueError):
    """The element structure is not one MATLAB writes; the message says where."""


def check_v5(data):
    """Raise DamagedMat unless ``data`` (the whole file's bytes) reads cleanly as MATLAB v5."""
    if len(data) < 128:
        raise DamagedMat(f"only {len(data)} bytes, shorter than the 128-byte header")
    endian = {b"IM": "<", b"MI": ">"}.get(bytes(data[126:128]))
    if endian is None:
        raise DamagedMat("the header's byte-order mark is neither 'IM' nor 'MI'")
    pos = 128
    while pos < len(data):
        if len(data) - pos < 8:
            raise DamagedMat(f"{len(data) - pos} stray bytes at offset {pos} (the file is cut short)")
        mdtype, count = struct.unpack_from(endian + "II", data, pos)
        end = pos + 8 + count
        if end > len(data):
            raise DamagedMat(f"variable at offset {pos} claims {count} bytes, only {len(data) - pos - 8} "
                             "remain (the file is cut short)")
        if mdtype == MI_COMPRESSED:
            inflated = _inflate(data[pos + 8:end], pos)
            _Reader(inflated, 0, len(inflated), endian).matrix(0)
        elif mdtype == MI_MATRIX:
            _Reader(data, pos, end, endian).matrix(0)
        else:
            raise DamagedMat(f"element of type {mdtype} at offset {pos} where a variable should start")
        pos = end


def _inflate(chunk, pos):
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(chunk, MAX_INFLATED)
    except zlib.error as exc:
        raise DamagedMat(f"compressed variable at offset {pos} does not inflate ({exc})") from None
    if inflater.unconsumed_tail:
        raise DamagedMat(f"compressed variable at offset {pos} inflates beyond {MAX_INFLATED >> 30} GiB")
    if not inflater.eof:
        raise DamagedMat(f"compressed variable at offset {pos} is cut short")
    return out


class _Reader:
    """A cursor over data[pos:end] that consumes elements in scipy's order."""

    def __init__(self, data, pos, end, endian):
        self.data, self.pos, self.end, self.endian = data, pos, end, endian

    def _u32(self, n):
        if self.pos + 4 * n > self.end:
            raise DamagedMat(f"the data run out at offset {self.pos}")
        values = struct.unpack_from(f"{self.endian}{n}I", self.data, self.pos)
        return values

    def element(self, allowed=DATA_TYPES):
        """(type, offset of the data, byte count) of the next element, which is consumed."""
        start = self.pos
        word, count = self._u32(2)
        if word >> 16:                                   # small data element
            mdtype, count, body = word & 0xFFFF, word >> 16, start + 4
            if count > 4:
                raise DamagedMat(f"small data element of {count} bytes at offset {start}")
            self.pos = start + 8
        else:
            mdtype, body = word, start + 8
            if count > self.end - body:
                raise DamagedMat(f"element at offset {start} claims {count} bytes, only {self.end - body} remain")
            self.pos = min(self.end, body + count + (-count) % 8)
        if mdtype not in allowed:
            raise DamagedMat(f"element of type {mdtype} at offset {start} where numbers or text belong")
        return mdtype, body, count

    def _int32s(self):
        mdtype, body, count = self.element({MI_INT32, MI_UINT32})
        values = struct.unpack_from(f"{self.endian}{count // 4}i", self.data, body)
        if any(v < 0 for v in values):
            raise DamagedMat(f"negative dimension or length at offset {body}")
        return values

    def _name(self):
        self.element({MI_INT8, MI_UTF8})

    def matrix(self, depth):
        """One miMATRIX, consumed exactly to its declared end."""
        if depth > MAX_DEPTH:
            raise DamagedMat(f"cells or structs nested more than {MAX_DEPTH} deep")
        start = self.pos
        mdtype, count = self._u32(2)
        if mdtype != MI_MATRIX:
            raise DamagedMat(f"element of type {mdtype} at offset {start} where a matrix belongs")
        if count > self.end - start - 8:
            raise DamagedMat(f"matrix at offset {start} claims {count} bytes, only {self.end - start - 8} remain")
        self.pos, outer_end, self.end = start + 8, self.end, start + 8 + count
        if count:
            self._matrix_body(start, depth)
        if self.pos != self.end:
            raise DamagedMat(f"matrix at offset {start} is {count} bytes long but its parts take "
                             f"{self.pos - start - 8}")
        self.end = outer_end

    def _matrix_body(self, start, depth):
        _, body, count = self.element({MI_UINT32})
        if count != 8:
            raise DamagedMat(f"array flags of {count} bytes at offset {start}")
        flags = struct.unpack_from(self.endian + "I", self.data, body)[0]
        mclass, complex_ = flags & 0xFF, flags >> 11 & 1
        if mclass == OPAQUE:
            for _ in range(3):
                self._name()
            self.matrix(depth + 1)
            return
        dims = self._int32s()
        if len(dims) > 32:
            raise DamagedMat(f"{len(dims)} dimensions at offset {start}")
        self._name()
        n = math.prod(dims)
        if mclass in NUMERIC:
            for _ in range(1 + complex_):
                self.element()
        elif mclass == SPARSE:
            for _ in range(3 + complex_):
                self.element()
        elif mclass == CHAR:
            self.element()
        elif mclass == CELL:
            for _ in range(n):
                self.matrix(depth + 1)
        elif mclass in (STRUCT, OBJECT):
            if mclass == OBJECT:
                self._name()
            lengths = self._int32s()
            if len(lengths) != 1 or lengths[0] == 0:
                raise DamagedMat(f"bad field-name length at offset {start}")
            _, _, names = self.element({MI_INT8, MI_UTF8})
            for _ in range(n * (names // lengths[0])):
                self.matrix(depth + 1)
        elif mclass == FUNCTION:
            self.matrix(depth + 1)
        else:
            raise DamagedMat(f"unknown array class {mclass} at offset {start}")
