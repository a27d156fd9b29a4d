"""Messages between two of the program's own processes: a JSON header line followed by the
raw bytes of named numpy arrays. No pickles: a message can carry nothing but JSON values and
plain numeric arrays, so reading one can never run code.

A message on the wire::

    {"header": {...}, "arrays": [["name", "<f8", [3, 2]], ...]}\\n
    <the bytes of each array, in order, C order>
"""

from __future__ import annotations

import json
from typing import BinaryIO

import numpy as np

# Plain numbers only: object, string and structured dtypes are refused.
DTYPES = frozenset({"<f8", "<f4", "<i8", "<i4", "|b1", "|u1", "|i1"})
MAX_HEADER = 64 * 1024 * 1024
MAX_ARRAY = 1 << 31


class MessageError(ValueError):
    """The other process sent something that is not a well-formed message."""


def encode(header: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    """The bytes of one message."""
    metas, chunks = [], []
    for name, array in (arrays or {}).items():
        array = np.asarray(array)
        dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
        if dtype.str not in DTYPES:
            raise MessageError(f"array {name!r}: dtype {array.dtype} cannot be sent")
        metas.append([name, dtype.str, list(array.shape)])
        chunks.append(array.astype(dtype, copy=False).tobytes(order="C"))
    line = json.dumps({"header": header, "arrays": metas}, separators=(",", ":")).encode()
    return b"".join([line, b"\n", *chunks])


def write_message(stream: BinaryIO, header: dict, arrays: dict[str, np.ndarray] | None = None) -> None:
    stream.write(encode(header, arrays))
    stream.flush()


def _exactly(stream: BinaryIO, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = stream.read(left)
        if not part:
            raise MessageError(f"the message ended {left} bytes early")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_message(stream: BinaryIO) -> tuple[dict, dict[str, np.ndarray]] | None:
    """The next message's header and arrays; None at the end of the stream.

    Raises
    ------
    MessageError
        For anything but a well-formed message (bad JSON, an unknown dtype, a short read).
    """
    line = stream.readline(MAX_HEADER)
    if not line:
        return None
    if not line.endswith(b"\n"):
        raise MessageError("a message header was cut off or too long")
    try:
        document = json.loads(line)
        header, metas = document["header"], document["arrays"]
    except (ValueError, KeyError, TypeError) as error:
        raise MessageError(f"a message header is not valid: {error}") from None
    if not isinstance(header, dict) or not isinstance(metas, list):
        raise MessageError("a message header is not valid")
    arrays = {}
    for meta in metas:
        try:
            name, dtype_text, shape = meta
            dtype = np.dtype(dtype_text) if dtype_text in DTYPES else None
            shape = tuple(int(n) for n in shape)
        except (ValueError, TypeError):
            raise MessageError(f"an array description is not valid: {meta!r}") from None
        if dtype is None or any(n < 0 for n in shape):
            raise MessageError(f"an array description is not valid: {meta!r}")
        size = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
        if size > MAX_ARRAY:
            raise MessageError(f"array {name!r} is too large ({size} bytes)")
        arrays[str(name)] = np.frombuffer(_exactly(stream, size), dtype=dtype).reshape(shape).copy()
    return header, arrays
