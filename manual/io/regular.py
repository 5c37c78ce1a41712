"""Opening a file the suite was told to read: a regular file, read only up to a bound.

A path may name anything: a directory, /dev/zero (endless), a FIFO (``open`` waits for a
writer forever), a file of many gigabytes. ``open_regular`` opens without blocking
(O_NONBLOCK, which a regular file ignores), then refuses whatever ``fstat`` says is not a
regular file; ``read_bounded`` reads at most ``max_bytes``. Each failure is one InputError
naming the file.
"""
import os
import stat

from ..errors import InputError


def reason(exc):
    """The first line of an exception's message, short enough for a one-line error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def mib(n):
    """A byte count for people: '512 MiB', or bytes below one MiB."""
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n} bytes"


def _open_fd(path):
    return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))


def open_regular(path, what):
    """(binary file object, size in bytes) of the regular file at ``path``; InputError otherwise."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise InputError(f"expected a file name for {what}, got {type(path).__name__}")
    name = os.fsdecode(path)
    if not name:
        raise InputError(f"an empty file name was given for {what}")
    try:
        fd = _open_fd(path)
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not {what}") from None
    except PermissionError:
        raise InputError(f"{name}: cannot read the file (permission denied)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror or reason(exc)})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, pipe or socket)"
        raise InputError(f"{name}: {'is ' if stat.S_ISDIR(info.st_mode) else ''}{kind}, not {what}")
    return os.fdopen(fd, "rb"), info.st_size


def read_bounded(path, max_bytes, what):
    """The bytes of the regular file at ``path``; InputError if it holds more than ``max_bytes``."""
    name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else path
    handle, size = open_regular(path, what)
    try:
        with handle:
            data = handle.read(max_bytes + 1)           # + 1: a file that grew is still caught
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror or reason(exc)})") from None
    if max(size, len(data)) > max_bytes:
        raise InputError(f"{name}: {mib(max(size, len(data)))} is more than {what} may be "
                         f"(at most {mib(max_bytes)})")
    return data
