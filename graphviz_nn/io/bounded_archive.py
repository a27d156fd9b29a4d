"""Opening a session file's zip archives without letting the file decide what it costs.

Only a regular file no larger than ``MAX_FILE_BYTES`` is opened (measured before reading, so a
FIFO, a device such as ``/dev/zero`` or a huge file costs nothing); its central directory is
measured before zipfile builds a record per entry; members must be stored or deflated and are
unpacked in chunks against a running limit, never trusting the sizes they declare; each array's
``.npy`` header is checked (dtype, shape, bytes held) before its array is allocated, and the
array is then read in chunks straight into place.

Qt-free.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Callable

import numpy as np

from . import session_schema as schema
from .session_fields import count, short
from .session_schema import SessionError

Problem = Callable[[str], SessionError]  # makes the one-line error naming the file

REAL_KINDS = "biuf"  # bool, signed, unsigned, floating: the values a session's arrays may hold


def real_arrays_out(named, where: str, prefix: str, arrays: dict, text: Callable) -> list[str]:
    """Put each array of ``named`` (name -> array-like) into ``arrays`` as ``<prefix>0``,
    ``<prefix>1``...; the names, each checked by ``text(name, where)``, in that order.
    ValueError naming ``where`` and the name for an array that is not real numbers."""
    names = []
    for i, (name, value) in enumerate(named.items()):
        value = np.asarray(value)
        if value.dtype.kind not in REAL_KINDS:
            raise ValueError(f"{where}[{name!r}] must hold real numbers, not {value.dtype}")
        names.append(text(name, where))
        arrays[f"{prefix}{i}"] = value
    return names
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_CHUNK = 2**20  # unpack a member a mebibyte at a time, counting as it goes
_SPOOL_BYTES = 32 * 2**20  # a deflated arrays.npz beyond this is unpacked to a temporary file
_LOCAL = struct.Struct("<4s5H3L2H")  # a member's local header; its name and extra field follow
_END = struct.Struct("<4s4H2LH")  # the end of central directory record
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_END = struct.Struct("<4sqhhiiqqqq")  # the ZIP64 end of central directory record
_ZIP64_SIGNATURE = b"PK\x06\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_MOST_ENTRY_BYTES = 128  # a directory entry: 46 bytes and a name such as "trainer-12.npy"
# What an array adds to an npz beside its values: a .npy header of 128 bytes (64 in old
# files; numpy pads longer shapes), a local header and a directory entry with its name.
_MOST_RECORD_BYTES = 512
_MOST_DIMENSIONS = 64  # numpy's own limit
_LENGTHS = {1: struct.Struct("<H"), 2: struct.Struct("<I")}  # a .npy header's length, by format version
_MOST_HEADER_BYTES = 10_000  # what numpy itself reads at most
# The header numpy writes: {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
_NPY_HEADER = re.compile(rb"\{'descr': '([<>|=][a-z][0-9]{1,2})', 'fortran_order': (True|False), "
                         rb"'shape': \(((?:[0-9]{1,20}, ?)*(?:[0-9]{1,20})?)\), \}")
#: The entries a session file's archive may list: its two members and a few more it ignores.
MOST_SESSION_ENTRIES = 16


def most_array_entries() -> int:
    """The entries an arrays.npz may list: the leaves of a graph of ``MAX_NODES`` nodes, the
    optimiser's arrays and an embedded dataset's."""
    return schema.MAX_NODES + 64


def open_regular_file(path: Path, error: Problem) -> tuple[IO[bytes], int]:
    """An open handle on ``path`` and its size, when it is a regular file of at most
    ``MAX_FILE_BYTES``; anything else is refused before a byte is read."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise error("no such file; check the path") from None
    except OSError as failure:
        raise error(f"cannot be read ({failure.strerror or failure})") from None
    _check_status(status, error)
    # Not blocking: were the file swapped for a FIFO after the check, opening it would wait.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.fdopen(os.open(path, flags), "rb")
    except IsADirectoryError:
        raise error("is a folder, not a session file") from None
    except OSError as failure:
        raise error(f"cannot be read ({failure.strerror or failure})") from None
    try:
        status = os.fstat(handle.fileno())
        _check_status(status, error)  # the file opened is the file measured
    except BaseException:
        handle.close()
        raise
    return handle, status.st_size


def _check_status(status: os.stat_result, error: Problem) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise error("is a folder, not a session file")
    if not stat.S_ISREG(status.st_mode):
        raise error("is not a regular file (a device, a pipe or a socket); a session file is a "
                    "file on disk, refused without reading it")
    if status.st_size > schema.MAX_FILE_BYTES:
        raise error(f"is {status.st_size} bytes, larger than any session file can be "
                    f"({schema.MAX_FILE_BYTES} bytes); refused without reading it")


def check_directory(handle: IO[bytes], size: int, most_entries: int, error: Problem, problem: str) -> None:
    """Refuse an archive whose central directory lists more than ``most_entries`` entries:
    zipfile reads the directory whole and builds an object for every entry in it."""
    # The end record and its longest comment, the ZIP64 records before it, and room to spare.
    tail_size = min(size, _END.size + 0xFFFF + _ZIP64_END.size + 20 + 64)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    # Where zipfile looks: at the very end when there is no comment, else the last signature.
    if tail[-_END.size:-_END.size + 4] == _END_SIGNATURE and tail[-2:] == b"\0\0":
        at = len(tail) - _END.size
    else:
        at = tail.rfind(_END_SIGNATURE)
    if at < 0 or at + _END.size > len(tail):
        return  # not a zip: zipfile says so itself
    directory_bytes = _END.unpack_from(tail, at)[5]
    record = at - 20 - _ZIP64_END.size
    if tail[at - 20:at - 16] == _ZIP64_LOCATOR and record >= 0 and tail[record:record + 4] == _ZIP64_SIGNATURE:
        directory_bytes = _ZIP64_END.unpack_from(tail, record)[8]  # what zipfile then uses
    if not 0 <= directory_bytes <= most_entries * _MOST_ENTRY_BYTES:
        raise error(f"{problem} (its directory of {directory_bytes} bytes lists more entries than any "
                    "session file has)")
    # The directory ends where its end records begin; any signature before it only overcounts.
    end = size - tail_size + at
    handle.seek(max(0, end - directory_bytes - 20 - _ZIP64_END.size))
    if handle.read(end - handle.tell()).count(b"PK\x01\x02") > most_entries:
        raise error(f"{problem} (more entries than any session file has)")
    handle.seek(0)


def open_zip(source: IO[bytes], error: Problem, problem: str) -> zipfile.ZipFile:
    """A zip archive on ``source``; every way zipfile finds it damaged becomes one error."""
    try:
        return zipfile.ZipFile(source)
    except MemoryError:
        raise
    # zipfile reports a damaged archive with many exception types (BadZipFile, EOFError,
    # ValueError, struct.error, ...): at this library boundary all of them mean the same.
    except Exception as failure:  # noqa: BLE001
        raise error(f"{problem} ({short(str(failure))})") from None


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, error: Problem) -> IO[bytes]:
    """A stream unpacking one member, when it is stored or deflated."""
    if info.compress_type not in _METHODS:
        raise error(f"{where} is compressed with method {info.compress_type}; session files use only "
                    "stored or deflate members (others can unpack beyond any limit in one step)")
    try:
        return archive.open(info)
    except MemoryError:
        raise
    except Exception as failure:  # noqa: BLE001 - zipfile's damaged-member errors, as above
        raise error(f"{where} is damaged ({short(str(failure))})") from None


def read_member(archive: zipfile.ZipFile, name: str, where: str, limit: int, error: Problem) -> bytes:
    """The bytes of one member, unpacked in chunks and stopped as soon as they pass ``limit``."""
    buffer = io.BytesIO()
    _unpack(archive, name, where, limit, error, buffer)
    return buffer.getvalue()


def _unpack(archive: zipfile.ZipFile, name: str, where: str, limit: int, error: Problem, sink: IO[bytes]) -> None:
    """Unpack one member into ``sink`` in chunks, stopping as soon as they pass ``limit``."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise error(f"has no {where}; a session file is a zip holding {schema.JSON_MEMBER} and "
                    f"{schema.ARRAYS_MEMBER}") from None
    if info.file_size > limit:
        raise error(f"{where} would unpack to {info.file_size} bytes, more than the limit of {limit}")
    written = 0
    with open_member(archive, info, where, error) as stream:
        while True:
            try:
                chunk = stream.read(_CHUNK)
            except MemoryError:
                raise
            except Exception as failure:  # noqa: BLE001 - as in open_member
                raise error(f"{where} is damaged ({short(str(failure))})") from None
            if not chunk:
                return
            written += len(chunk)
            if written > limit:
                raise error(f"{where} unpacks to more than the limit of {limit} bytes")
            sink.write(chunk)


def open_arrays(archive: zipfile.ZipFile, handle: IO[bytes], size: int, error: Problem,
                most: int | None = None, entries: int | None = None) -> ArrayReader:
    """The arrays of the session file open on ``handle``: read in place from the file when
    ``arrays.npz`` is stored, else unpacked (at most ``MAX_MEMBER_BYTES``) into memory or,
    past ``_SPOOL_BYTES``, into a temporary file deleted on closing; the arrays read from it
    may take ``most`` bytes together, and it may unpack to no more than those and the records
    of ``entries`` arrays."""
    name, limit = schema.ARRAYS_MEMBER, schema.MAX_MEMBER_BYTES
    if most is not None:
        limit = min(limit, most + (most_array_entries() if entries is None else entries) * _MOST_RECORD_BYTES)
    try:
        info = archive.getinfo(name)
    except KeyError:
        info = None
    if info is None or info.compress_type != zipfile.ZIP_STORED:
        # A deflated member of 511 MiB of zeros is half a megabyte of file: unpacked to memory
        # it held 570 MB, spooled to a file 82 MB.
        spool = _Spool(max_size=_SPOOL_BYTES)
        try:
            _unpack(archive, name, name, limit, error, spool)
            size = spool.tell()
            return ArrayReader(spool, size, error, most)
        except BaseException:
            spool.close()
            raise
    if info.file_size > limit:
        raise error(f"{name} would unpack to {info.file_size} bytes, more than the limit of {limit}")
    if info.compress_size != info.file_size:
        raise error(f"{name} is damaged (stored, yet it declares {info.file_size} bytes unpacked and "
                    f"{info.compress_size} packed)")
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL.size)
    if len(header) < _LOCAL.size or header[:4] != b"PK\x03\x04":
        raise error(f"{name} is damaged (its local header is missing)")
    start = info.header_offset + _LOCAL.size + sum(_LOCAL.unpack(header)[-2:])
    if start + info.compress_size > size:
        raise error(f"{name} is damaged (it runs past the end of the file)")
    return ArrayReader(_Window(handle, start, info.compress_size), info.compress_size, error, most)


class _Window(io.RawIOBase):
    """Part of an open file, read as a file of its own (a stored member, read in place)."""

    def __init__(self, handle: IO[bytes], start: int, size: int):
        super().__init__()
        self.handle, self.start, self.size, self.position = handle, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("a position before the start of the member")
        self.position = base + offset
        return self.position

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self.size - self.position)
        if wanted <= 0:
            return 0
        self.handle.seek(self.start + self.position)
        got = self.handle.readinto(memoryview(buffer).cast("B")[:wanted])
        self.position += got
        return got


class _Spool(tempfile.SpooledTemporaryFile):
    """A spooled file with the methods zipfile asks of a file (Python 3.10's lacks them)."""

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True


class ArrayReader:
    """The arrays of an ``arrays.npz`` (a seekable file of ``size`` bytes), read one by one,
    each from one pass over its member, their bytes counted together against ``most`` (at most
    ``MAX_MEMBER_BYTES``)."""

    def __init__(self, source: IO[bytes], size: int, error: Problem, most: int | None = None):
        self.error, self.source = error, source
        problem = f"{schema.ARRAYS_MEMBER} is not an npz archive"
        check_directory(source, size, most_array_entries(), error, problem)
        self.archive = open_zip(source, error, problem)  # its directory, read once for all arrays
        self.names = frozenset(self.archive.namelist())
        self.total = 0
        self.most = most

    def __enter__(self) -> ArrayReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.archive.close()
        if isinstance(self.source, tempfile.SpooledTemporaryFile):
            self.source.close()

    def read(self, name: str, what: str, most: int | None = None,
             expect: tuple[str, tuple[int, ...]] | None = None) -> np.ndarray:
        """The array named ``name`` (without ``.npy``), refused before allocation when its
        header is wrong, is not the ``expect``-ed (dtype.str, shape), or would pass ``most``
        bytes (or the running total)."""
        member = f"{name}.npy"
        at = f"{schema.ARRAYS_MEMBER}: {member}"
        if member not in self.names:
            raise self.error(f"{schema.ARRAYS_MEMBER} has no array for {what}; the file is incomplete")
        info = self.archive.getinfo(member)
        with open_member(self.archive, info, at, self.error) as stream:
            try:
                declared, dtype, fortran, header = self._header(stream, at)
            except (MemoryError, SessionError):
                raise
            except Exception as failure:  # noqa: BLE001 - zipfile's damaged-member errors
                raise self.error(f"{at} cannot be read ({short(str(failure))})") from None
            needed, held = math.prod(declared) * dtype.itemsize, info.file_size - header
            if needed > held:
                raise self.error(f"{at} declares {count(needed)} bytes of {dtype} values but holds only {held} bytes")
            if expect is not None and (dtype.str, declared) != expect:
                raise self.error(f"{at} holds {dtype.str!r} values of shape {short(declared, 60)}, but "
                                 f"{schema.JSON_MEMBER} says {short(expect[0], 20)} of shape {short(expect[1], 40)}")
            if most is not None and needed > most:
                raise self.error(f"{at} holds {needed} bytes for {what}, more than the limit of {most}")
            self.total += needed
            if self.total > schema.MAX_MEMBER_BYTES:
                raise self.error(f"{schema.ARRAYS_MEMBER}'s arrays unpack to more than the limit of "
                                 f"{schema.MAX_MEMBER_BYTES} bytes")
            if self.most is not None and self.total > self.most:
                raise self.error(f"{at}: the arrays read up to it take {self.total} bytes, more than a "
                                 f"session file of this size may ask for ({self.most} beside its graph)")
            return self._values(stream, declared, dtype, fortran, at)

    def _values(self, stream: IO[bytes], shape: tuple[int, ...], dtype: np.dtype, fortran: bool,
                at: str) -> np.ndarray:
        """The values after the header, read in chunks straight into the array."""
        values = np.empty(math.prod(shape), dtype)
        buffer = memoryview(values).cast("B") if values.nbytes else memoryview(b"")
        done = 0
        try:
            while done < len(buffer):
                chunk = stream.read(min(_CHUNK, len(buffer) - done))
                if not chunk:
                    raise self.error(f"{at} ends after {done} of the {len(buffer)} bytes its header declares")
                buffer[done:done + len(chunk)] = chunk
                done += len(chunk)
        except (MemoryError, SessionError):
            raise
        except Exception as failure:  # noqa: BLE001 - zipfile's damaged-member errors
            raise self.error(f"{at} cannot be read ({short(str(failure))})") from None
        if fortran:  # laid out in rows, as the engine's prices assume (mixed orders cost 4x)
            return np.ascontiguousarray(values.reshape(shape, order="F"))
        return values.reshape(shape)

    def _header(self, stream: IO[bytes], at: str) -> tuple[tuple[int, ...], np.dtype, bool, int]:
        """The shape, dtype, order and header length a .npy stream declares, checked.

        The header as numpy writes it is read with one pattern; numpy's own parser (45 us a
        header: a graph of 60,000 scalar leaves spent 3 s in it) reads any other.
        """
        magic = stream.read(8)
        if magic[:6] != b"\x93NUMPY" or len(magic) < 8 or magic[6] not in _LENGTHS:
            raise self.error(f"{at} is not a .npy array of a format session files use "
                             f"(it begins {short(magic[:8])})")
        length_format = _LENGTHS[magic[6]]
        length_bytes = stream.read(length_format.size)
        if len(length_bytes) < length_format.size:
            raise self.error(f"{at} is not a .npy array (it ends inside its header)")
        (length,) = length_format.unpack(length_bytes)
        if length > _MOST_HEADER_BYTES:
            raise self.error(f"{at} has a header of {length} bytes, more than numpy writes ({_MOST_HEADER_BYTES})")
        text = stream.read(length)
        usual = _NPY_HEADER.fullmatch(text.rstrip())
        if usual is not None:
            descr, fortran, shape = usual.groups()
            declared = tuple(int(n) for n in shape.split(b",") if n.strip())
            try:
                found = np.dtype(descr.decode("ascii"))
            except TypeError:
                raise self.error(f"{at} is not a .npy array (dtype {short(descr)})") from None
            fortran = fortran == b"True"
        else:
            read = np.lib.format.read_array_header_1_0 if magic[6] == 1 else np.lib.format.read_array_header_2_0
            try:
                declared, fortran, found = read(io.BytesIO(length_bytes + text))
            except MemoryError:
                raise
            except Exception as failure:  # noqa: BLE001 - numpy's header parser raises several types
                raise self.error(f"{at} is not a .npy array ({short(str(failure))})") from None
        if not isinstance(declared, tuple) or len(declared) > _MOST_DIMENSIONS:
            raise self.error(f"{at} declares more dimensions than numpy holds ({_MOST_DIMENSIONS})")
        if found.hasobject:
            raise self.error(f"{at} holds Python objects, which a session file never stores; "
                             "refused without reading them")
        if found.kind not in REAL_KINDS:
            raise self.error(f"{at} holds {found} values; a session's arrays must be real numbers")
        return tuple(declared), found, bool(fortran), 8 + len(length_bytes) + len(text)
