"""Opening a dataset file that a path names: what may be read, and reading it in chunks
that a deadline or a Cancel stops.

A path is resolved first (symbolic links followed) and refused when it leads into the
system's own folders (``/proc``, ``/sys``, ``/dev`` on POSIX) or to anything but a regular
file: ``/proc/kmsg`` is a regular file of size 0 whose read waits for the kernel's next
message, as root, and takes it from the kernel's log. The file is opened without waiting
(``O_NONBLOCK`` where the system has it: opening a named pipe would wait for a writer),
checked again on the open descriptor (the path may have been swapped since), and read in
chunks: between two chunks, the deadline and the cancel request are looked at, so a Cancel
takes effect within one chunk (64 KiB, about a millisecond).
"""

from __future__ import annotations

import codecs
import os
import pathlib
import stat
import sys
import threading
import time
from typing import Callable, Iterator, Union

# numpy's parser reads a table as fast in chunks of 64 KiB as in one (78 ms against 68 ms
# for 7.5 MB of numbers), and what a chunk costs to parse is the constant of the memory bound.
CHUNK_BYTES = 2**16

# Folders of the running system, not of data: their files are processes, devices and the
# kernel's state, and reading one can wait forever or change the machine.
if sys.platform.startswith("linux"):
    SYSTEM_FOLDERS: tuple[str, ...] = ("/proc", "/sys", "/dev")
elif os.name == "posix":  # macOS and the BSDs: devices only
    SYSTEM_FOLDERS = ("/dev",)
else:  # Windows: its devices (NUL, CON) are no regular files, refused as such
    SYSTEM_FOLDERS = ()

Cancel = Union[Callable[[], bool], threading.Event, None]


class DatasetError(ValueError):
    """A dataset file that cannot be used; the message names the file, line and column."""


class ReadCancelled(DatasetError):
    """Reading a dataset was cancelled, or ran past its deadline."""


def resolved(path: str | os.PathLike) -> pathlib.Path:
    """The path with symbolic links and ``..`` resolved, as the system would open it."""
    return pathlib.Path(os.path.realpath(os.fspath(path)))


def refusal(path: str | os.PathLike) -> str | None:
    """Why ``path`` may not be read as a dataset (one line naming it), or None when it may.

    Nothing is opened: the path is resolved and its kind looked up, which never waits
    (not even for a named pipe). A file that passes may still fail when read (it can change).
    """
    real = resolved(path)
    shown = _shown(path, real)
    for folder in SYSTEM_FOLDERS:
        if real == pathlib.Path(folder) or pathlib.Path(folder) in real.parents:
            return f"{shown}: a file of the system ({folder}), not data: give a CSV file"
    try:
        info = os.stat(real)
    except OSError as error:
        return f"{shown}: cannot read the file ({error.strerror or error})"
    if not stat.S_ISREG(info.st_mode):
        return f"{shown}: not a regular file but {_kind(info.st_mode)}: give a CSV file"
    return None


class Stop:
    """When reading must stop: a deadline (a ``time.monotonic()`` value) and a cancel request
    (a callable returning True, or a ``threading.Event``), both optional."""

    def __init__(self, deadline: float | None = None, cancel: Cancel = None):
        self.deadline = deadline
        self._cancelled = cancel.is_set if isinstance(cancel, threading.Event) else cancel

    def check(self, path: str | os.PathLike) -> None:
        """ReadCancelled when cancelled or past the deadline."""
        if self._cancelled is not None and self._cancelled():
            raise ReadCancelled(f"{path}: reading was cancelled")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ReadCancelled(f"{path}: reading took too long and was stopped: take a sample "
                                "of its rows, or a file on a local disk")


class Source:
    """A dataset file opened for reading in chunks; a context manager that closes it.

    Parameters
    ----------
    path : path
        As the user gave it (messages name it so).
    max_bytes : int
        Larger files are refused before reading, and reading stops past it (a growing file).
    stop : Stop, optional
        The deadline and cancel request, checked before each chunk.

    Raises
    ------
    DatasetError
        A refused path (see :func:`refusal`), a file that cannot be opened, or is too large.
    """

    def __init__(self, path: str | os.PathLike, max_bytes: int, stop: Stop | None = None):
        self.path = path
        self.max_bytes = max_bytes
        self.stop = stop or Stop()
        why = refusal(path)
        if why is not None:
            raise DatasetError(why)
        self.stop.check(path)
        self._fd = _open(resolved(path), path)
        try:
            info = os.fstat(self._fd)
            if not stat.S_ISREG(info.st_mode):  # swapped for something else since refusal()
                raise DatasetError(f"{path}: not a regular file but {_kind(info.st_mode)}: give a CSV file")
            if info.st_size > max_bytes:
                raise DatasetError(too_large(path, info.st_size, max_bytes))
            self.size = info.st_size
        except BaseException:
            os.close(self._fd)
            raise

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def chunks(self, size: int | None = None) -> Iterator[bytes]:
        """The file's bytes in chunks of ``size`` (``CHUNK_BYTES``), checking the deadline and
        the cancel request before each read."""
        size = size or CHUNK_BYTES
        total = 0
        while True:
            self.stop.check(self.path)
            try:
                data = os.read(self._fd, size)
            except BlockingIOError:  # a regular file never would; something else never must
                raise DatasetError(f"{self.path}: the file is not ready to be read: give a CSV file") from None
            except OSError as error:
                raise DatasetError(f"{self.path}: cannot read the file ({error.strerror or error})") from None
            if not data:
                return
            total += len(data)
            if total > self.max_bytes:  # it grew since it was measured
                raise DatasetError(too_large(self.path, total, self.max_bytes))
            yield data

    def text(self, size: int | None = None) -> Iterator[str]:
        """The file's text in chunks, decoded as UTF-8 (a byte order mark dropped), a chunk
        boundary never splitting a character. DatasetError naming the line of a bad byte."""
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        lines = 0
        for data in self.chunks(size):
            held = len(decoder.getstate()[0])
            try:
                yield decoder.decode(data)
            except UnicodeDecodeError as error:
                line = lines + data.count(b"\n", 0, max(0, error.start - held)) + 1
                raise DatasetError(f"{self.path}, line {line}: not "
                                   f"UTF-8 text (byte {error.object[error.start]:#04x}): save it as "
                                   "CSV UTF-8") from None
            lines += data.count(b"\n")
        try:
            yield decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DatasetError(f"{self.path}, line {lines + 1}: not UTF-8 text (it ends inside a "
                               "character): save it as CSV UTF-8") from None


def _open(real: pathlib.Path, shown: str | os.PathLike) -> int:
    if os.name == "posix":  # opening a pipe or a device must not wait (nor make a terminal ours)
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY
    else:  # Windows: no pipes in the file system to wait on; bytes as they are
        flags = os.O_RDONLY | os.O_BINARY
    try:
        return os.open(real, flags)
    except OSError as error:
        raise DatasetError(f"{shown}: cannot read the file ({error.strerror or error})") from None


def _shown(path: str | os.PathLike, real: pathlib.Path) -> str:
    given = os.fspath(path)
    return given if os.path.abspath(given) == str(real) else f"{given} (which is {real})"


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "something else"


def too_large(path: str | os.PathLike, size: int, limit: int) -> str:
    return (f"{path}: {_size(size)}, more than the {_size(limit)} a dataset file may have: "
            "take a sample of its rows")


def _size(n: int) -> str:
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.{0 if n % scale == 0 else 1}f} {unit}"
    return f"{n} bytes"
