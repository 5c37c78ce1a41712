"""A dry run of scipy's MATLAB v5 reader over the file's tags, before the real one runs.

Why: scipy's C reader (``_mio5_utils``) trusts what a file says about itself. A damaged file
can crash the interpreter (SIGSEGV) instead of raising: a type code outside its C table, a
"complex" flag with no imaginary part (the next variable's tag is taken as data), a char
matrix whose dimensions element holds fewer than two numbers (``chars_to_strings`` then
reads the last of zero dimensions). It also allocates from the declared dimensions before
reading any data (``' ' * length`` for empty text, ``np.empty(length)`` for cells and
structs), so a tiny file can ask for gigabytes. This module walks the elements in exactly
the order that reader consumes them and refuses, as DamagedMat, anything MATLAB never
writes: an unknown type code where numbers are read, a small data element of more than 4
bytes, fewer than 2 or more than 32 dimensions, numbers whose byte count is not the
dimensions' product times the element size, an element or matrix that overruns what
holds it, a matrix whose parts do not add up to its length, a compressed element that does
not inflate to exactly one matrix. It refuses, as TooLarge, any array whose declared size
(product of dimensions × bytes per element in memory) exceeds ``max_bytes``, and inflates
at most ``max_bytes`` in all, so a "zip bomb" costs no memory. Only tags, flags,
dimensions and field-name lengths are read; values are left to scipy and the loader.

``check_v5`` returns the file as scipy should read it: every compressed variable already
inflated (once, here) and stored uncompressed, with the names of the top-level variables.

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

MI_INT8, MI_UINT8, MI_UINT16, MI_INT32, MI_UINT32 = 1, 2, 4, 5, 6
MI_MATRIX, MI_COMPRESSED, MI_UTF8, MI_UTF16, MI_UTF32 = 14, 15, 16, 17, 18
# Bytes per value of each code scipy's numeric table holds: miINT8..miSINGLE, miDOUBLE,
# miINT64, miUINT64, UTF-8/16/32. Any other code would index past the table.
ITEM_SIZE = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4}
DATA_TYPES = frozenset(ITEM_SIZE)
TEXT_TYPES = frozenset({MI_INT8, MI_UINT8, MI_UINT16, MI_UTF8, MI_UTF16, MI_UTF32})
CELL, STRUCT, OBJECT, CHAR, SPARSE, FUNCTION, OPAQUE = 1, 2, 3, 4, 5, 16, 17
# Bytes per element in memory once scipy has read it: numbers in their class's type
# (mxDOUBLE_CLASS .. mxUINT64_CLASS), text as numpy 'U1' (4 bytes), cells and structs as
# one object pointer (8 bytes) per element and field.
CLASS_SIZE = {6: 8, 7: 4, 8: 1, 9: 1, 10: 2, 11: 2, 12: 4, 13: 4, 14: 8, 15: 8}
NUMERIC = range(6, 16)
MAX_DEPTH = 64                            # cells of cells of ...: far beyond any real file


class DamagedMat(ValueError):
    """The element structure is not one MATLAB writes; the message says where."""


class TooLarge(DamagedMat):
    """A variable declares (or inflates to) more than the caller's ``max_bytes``."""


def _mib(n):
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n} bytes"


def check_v5(data, max_bytes):
    """(bytes scipy may read, [top-level variable names]); DamagedMat or TooLarge otherwise.

    ``data`` is the whole file. The bytes returned are ``data`` itself when nothing is
    compressed, else the same variables with every miCOMPRESSED element inflated.
    """
    if len(data) < 128:
        raise DamagedMat(f"only {len(data)} bytes, shorter than the 128-byte header")
    endian = {b"IM": "<", b"MI": ">"}.get(bytes(data[126:128]))
    if endian is None:
        raise DamagedMat("the header's byte-order mark is neither 'IM' nor 'MI'")
    view = memoryview(data)
    pos, parts, names, budget, compressed = 128, [view[:128]], [], max_bytes, False
    while pos < len(data):
        if len(data) - pos < 8:
            raise DamagedMat(f"{len(data) - pos} stray bytes at offset {pos} (the file is cut short)")
        mdtype, count = struct.unpack_from(endian + "II", data, pos)
        end = pos + 8 + count
        if end > len(data):
            raise DamagedMat(f"variable at offset {pos} claims {count} bytes, only {len(data) - pos - 8} "
                             "remain (the file is cut short)")
        if mdtype == MI_COMPRESSED:
            matrix = _inflate(view[pos + 8:end], pos, endian, budget)
            try:
                names.append(_Reader(matrix, 0, len(matrix), endian, max_bytes).matrix(0))
            except DamagedMat as exc:
                raise type(exc)(f"compressed variable at offset {pos}, once inflated: {exc}") from None
            compressed = True
        elif mdtype == MI_MATRIX:
            names.append(_Reader(view, pos, end, endian, max_bytes).matrix(0))
            matrix = view[pos:end]
        else:
            raise DamagedMat(f"element of type {mdtype} at offset {pos} where a variable should start")
        budget -= len(matrix)
        parts.append(matrix)
        pos = end
    return (b"".join(parts) if compressed else data), names


def _inflate(chunk, pos, endian, budget):
    """The miMATRIX inside one miCOMPRESSED element: its tag first, then exactly its length."""
    inflater = zlib.decompressobj()
    try:
        tag = inflater.decompress(chunk, 8)
        if len(tag) < 8:
            raise DamagedMat(f"compressed variable at offset {pos} is cut short")
        mdtype, count = struct.unpack_from(endian + "II", tag)
        if mdtype != MI_MATRIX:
            raise DamagedMat(f"compressed variable at offset {pos} holds an element of type {mdtype}, not a matrix")
        if 8 + count > budget:
            raise TooLarge(f"compressed variable at offset {pos} inflates to {_mib(8 + count)}, over the "
                           f"{_mib(budget)} left of the limit")
        body = inflater.decompress(inflater.unconsumed_tail, count)
        extra = inflater.decompress(inflater.unconsumed_tail, 1)
    except zlib.error as exc:
        raise DamagedMat(f"compressed variable at offset {pos} does not inflate ({exc})") from None
    if len(body) < count or not inflater.eof:
        raise DamagedMat(f"compressed variable at offset {pos} is cut short")
    if extra:
        raise DamagedMat(f"compressed variable at offset {pos} inflates to more than its matrix")
    return tag + body


class _Reader:
    """A cursor over data[pos:end] that consumes elements in scipy's order."""

    def __init__(self, data, pos, end, endian, max_bytes):
        self.data, self.pos, self.end, self.endian, self.max_bytes = data, pos, end, endian, max_bytes

    def _u32(self, n):
        if self.pos + 4 * n > self.end:
            raise DamagedMat(f"the data run out at offset {self.pos}")
        return struct.unpack_from(f"{self.endian}{n}I", self.data, self.pos)

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

    def _int32s(self, what):
        mdtype, body, count = self.element({MI_INT32, MI_UINT32})
        if count % 4:
            raise DamagedMat(f"{what} of {count} bytes at offset {body}, not whole int32 values")
        values = struct.unpack_from(f"{self.endian}{count // 4}i", self.data, body)
        if any(v < 0 for v in values):
            raise DamagedMat(f"negative {what} at offset {body}")
        return values

    def _name(self):
        _, body, count = self.element({MI_INT8, MI_UTF8})
        return bytes(self.data[body:body + count]).decode("latin-1")

    def _numbers(self, n, start):
        """One numeric element that must hold exactly n values (MATLAB's count, any storage type)."""
        mdtype, _, count = self.element()
        if count != n * ITEM_SIZE[mdtype]:
            raise DamagedMat(f"matrix at offset {start} declares {n} values but stores {count} bytes "
                             f"of {ITEM_SIZE[mdtype]}-byte numbers")

    def _declares(self, n, per_element, start):
        """TooLarge unless n elements of ``per_element`` bytes fit in max_bytes."""
        if n * per_element > self.max_bytes:
            raise TooLarge(f"matrix at offset {start} declares {n} elements ({_mib(n * per_element)}), "
                           f"over the limit of {_mib(self.max_bytes)}")

    def matrix(self, depth):
        """One miMATRIX, consumed exactly to its declared end; returns its name."""
        if depth > MAX_DEPTH:
            raise DamagedMat(f"cells or structs nested more than {MAX_DEPTH} deep")
        start = self.pos
        mdtype, count = self._u32(2)
        if mdtype != MI_MATRIX:
            raise DamagedMat(f"element of type {mdtype} at offset {start} where a matrix belongs")
        if count > self.end - start - 8 or (depth == 0 and count != self.end - start - 8):
            raise DamagedMat(f"matrix at offset {start} claims {count} bytes, {self.end - start - 8} hold it")
        self.pos, outer_end, self.end = start + 8, self.end, start + 8 + count
        name = self._matrix_body(start, depth) if count else ""
        if self.pos != self.end:
            raise DamagedMat(f"matrix at offset {start} is {count} bytes long but its parts take "
                             f"{self.pos - start - 8}")
        self.end = outer_end
        return name

    def _matrix_body(self, start, depth):
        _, body, count = self.element({MI_UINT32})
        if count != 8:
            raise DamagedMat(f"array flags of {count} bytes at offset {start}")
        flags = struct.unpack_from(self.endian + "I", self.data, body)[0]
        mclass, complex_ = flags & 0xFF, flags >> 11 & 1
        if mclass == OPAQUE:
            name = self._name()
            self._name()
            self._name()
            self.matrix(depth + 1)
            return name
        dims = self._int32s("dimensions")
        if not 2 <= len(dims) <= 32:
            raise DamagedMat(f"{len(dims)} dimensions at offset {start}; MATLAB writes 2 to 32")
        name = self._name()
        n = math.prod(dims)
        if mclass in NUMERIC:
            self._declares(n, CLASS_SIZE[mclass] * (1 + complex_), start)
            for _ in range(1 + complex_):
                self._numbers(n, start)
        elif mclass == SPARSE:
            for _ in range(3 + complex_):
                self.element()
        elif mclass == CHAR:
            self._declares(n, 4, start)
            self.element(TEXT_TYPES)
        elif mclass == CELL:
            self._declares(n, 8, start)
            for _ in range(n):
                self.matrix(depth + 1)
        elif mclass in (STRUCT, OBJECT):
            if mclass == OBJECT:
                self._name()
            lengths = self._int32s("field-name length")
            if len(lengths) != 1 or lengths[0] == 0:
                raise DamagedMat(f"bad field-name length at offset {start}")
            _, _, names = self.element({MI_INT8, MI_UTF8})
            fields = names // lengths[0]
            self._declares(n, 8 * max(fields, 1), start)
            for _ in range(n * fields):
                self.matrix(depth + 1)
        elif mclass == FUNCTION:
            self.matrix(depth + 1)
        else:
            raise DamagedMat(f"unknown array class {mclass} at offset {start}")
        return name
