"""The index of getitem as a parameter: read from a file, written from a Python index, and
turned into numpy's index.

The index is a declared parameter, so that a session file can carry it and have it checked
before anything is computed. It is written in JSON's terms, one entry per axis:

* a whole number, ``-1`` for the last (the axis is dropped, as numpy does);
* a slice as text, ``"1:5:2"``, ``"::-1"``, ``":"`` (Python's slice notation);
* ``"..."`` for as many full slices as the other entries leave (at most one);
* a list of whole numbers, nested for more than one dimension: the positions to gather
  along that axis (at most one such list). Repeated positions gather the same row again,
  and their gradients add, as in an embedding lookup.

``x[1, 2:, [0, 0, 3]]`` is the index ``[1, "2:", [0, 0, 3]]``. The entries are checked
against the input's shape in the op's plan: too many of them, or a position out of range,
is refused before computing. Positions are read once into an integer array
(:class:`Positions`), and priced as work: the gather copies each output element (two units
each), and reading a position from a list costs 48 units.

Its own module, apart from the op: a node's ``x[...]`` writes its index here before it
builds the getitem node through the registry.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from typing import Any

import numpy as np

from .params import MAX_NDIM, _whole

Index = tuple[Any, ...]
MAX_LIST_NDIM = 4  # dimensions of a list of positions; a session file nests lists 8 deep
# NOTE: positions are counted, level by level, before any is read: 2**22 of them (a 32 MB
# array) read from a file's lists in about 0.15 s. Nested tuples of them took 2.2 µs and
# 120 bytes a position (2 M positions, a 4.5 kB file once deflated: 4.5 s and 253 MB).
MAX_POSITIONS = 2**22
READ_POSITION = 48  # the price of reading a position from a list: 40-50 ns (bench_op_prices.py)
_SLICE = re.compile(r"(-?\d{1,19})?:(-?\d{1,19})?(?::(-?\d{1,19})?)?")
ALLOWED = ("an index: a whole number, a slice as text ('1:5:2', '::-1'), '...', a list of whole "
           f"numbers (positions to gather, at most one, at most {MAX_POSITIONS} of them), or a "
           "list of these, one per axis")


def _slice_of(text: str) -> slice:
    match = _SLICE.fullmatch(text)
    if match is None:
        raise ValueError
    start, stop, step = (None if part is None else int(part) for part in match.groups())
    if step == 0:
        raise ValueError
    return slice(start, stop, step)


def _slice_text(s: slice) -> str:
    start, stop = ("" if v is None else str(v) for v in (s.start, s.stop))
    return f"{start}:{stop}" if s.step is None else f"{start}:{stop}:{s.step}"


class Positions:
    """Positions to gather along an axis: a read-only int64 array of one to four dimensions.

    An index holds them read once, so that computing, checking and pricing never look at a
    position in Python again. They compare equal to each other and to the nested tuples or
    lists of whole numbers they are written as, and hash as those tuples do.

    Attributes
    ----------
    array : ndarray
        The positions, int64, not writeable.
    low, high : int
        The smallest and largest position (0 and -1 when there is none).
    """

    __slots__ = ("array", "low", "high", "_hash")

    def __init__(self, array: np.ndarray):
        assert array.dtype == np.int64 and not array.flags.writeable  # made by read_positions
        self.array = array
        self.low, self.high = (int(array.min()), int(array.max())) if array.size else (0, -1)
        self._hash: int | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def size(self) -> int:
        return self.array.size

    def tolist(self) -> list:
        """The positions as nested lists of ints, as a file writes them."""
        return self.array.tolist()

    def nested(self) -> tuple:
        """The positions as nested tuples of ints (Python's form of an index)."""
        rows: Any = self.array.tolist()
        for _ in range(self.array.ndim - 1):
            rows = _tuples(rows)
        return tuple(rows)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if copy:
            return self.array.astype(dtype or self.array.dtype, copy=True)
        return np.asarray(self.array, dtype=dtype)

    def __len__(self) -> int:
        return len(self.array)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Positions):
            return self.shape == other.shape and bool(np.array_equal(self.array, other.array))
        if isinstance(other, (tuple, list)):
            return self.tolist() == _lists(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.nested())
        return self._hash

    def __repr__(self) -> str:
        if self.size <= 32:
            return repr(self.nested())
        return f"Positions(shape={self.shape}, {self.low}..{self.high})"


def _tuples(rows: list) -> list:
    """One level deeper of nested lists made tuples: [[[1]]] → [[(1,)]]."""
    if rows and isinstance(rows[0], list) and rows[0] and isinstance(rows[0][0], list):
        return [_tuples(row) for row in rows]
    return [tuple(row) for row in rows]


def _lists(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    return value


def _whole_kind(kind: type) -> bool:
    return issubclass(kind, (int, np.integer)) and not issubclass(kind, (bool, np.bool_))


def _read_lists(value: Any) -> np.ndarray:
    """Nested lists (or tuples) of whole numbers as an int64 array, without looking at any
    element in Python: each level's lengths are compared, and the count so far bounded,
    before the next level is reached. ValueError when ragged, too deep or too many."""
    # NOTE: C loops only (map, count, chain, fromiter): about 30 ns a position, where
    # reading each in Python took 2.2 µs.
    level, shape = [value], []
    while True:
        kinds = list(map(type, level))
        if kinds.count(int) == len(level) or kinds.count(list) + kinds.count(tuple) < len(level):
            break
        if len(shape) == MAX_LIST_NDIM:
            raise ValueError
        lengths = set(map(len, level))
        if len(lengths) != 1:
            raise ValueError
        shape.append(lengths.pop())
        if math.prod(shape) > MAX_POSITIONS:
            raise ValueError
        level = level[0] if len(level) == 1 else list(itertools.chain.from_iterable(level))
    if level and not all(_whole_kind(kind) for kind in set(kinds)):
        raise ValueError
    try:
        return np.fromiter(level, dtype=np.int64, count=len(level)).reshape(shape)
    except (OverflowError, TypeError):  # beyond 64 bits
        raise ValueError from None


def read_positions(value: Any) -> Positions:
    """Positions to gather from nested lists of whole numbers, an integer array, or as read.

    Raises ValueError when they are none of these, have no dimension or more than
    ``MAX_LIST_NDIM``, or are more than ``MAX_POSITIONS``.
    """
    if isinstance(value, Positions):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iu" or value.size > MAX_POSITIONS:
            raise ValueError
        if value.dtype.kind == "u" and value.size and value.max() >= 2**63:
            raise ValueError
        array = value.astype(np.int64)  # a copy: the caller's array may change afterwards
    else:
        array = _read_lists(value)
    if not 1 <= array.ndim <= MAX_LIST_NDIM:
        raise ValueError
    array.flags.writeable = False
    return Positions(array)


def read_index(value: Any, ndim: int = 0) -> Index:
    """An index from an untrusted source in the form the forward takes (see the module):
    slices as text, whole numbers as ints, positions as :class:`Positions`.

    Raises ValueError when it is not one; bounds are checked by the plan, against shapes.
    """
    entries = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(entries) > MAX_NDIM + 1:
        raise ValueError
    read, lists, ellipses = [], 0, 0
    for entry in entries:
        if isinstance(entry, str):
            if entry == "...":
                ellipses += 1
                read.append(entry)
            else:
                read.append(_slice_text(_slice_of(entry)))
        elif isinstance(entry, (tuple, list, np.ndarray, Positions)):
            lists += 1
            read.append(read_positions(entry))
        else:
            read.append(_whole(entry))
    if lists > 1 or ellipses > 1:
        raise ValueError
    return tuple(read)


def _expanded(index: Index, ndim: int) -> Index:
    """The index with "..." replaced by full slices, and full slices added to reach ndim."""
    used = sum(not _is_ellipsis(entry) for entry in index)
    if used > ndim:
        raise ValueError(f"the index has {used} entries for an input of {ndim} dimension(s)")
    fill = (":",) * (ndim - used)
    at = next((k for k, entry in enumerate(index) if _is_ellipsis(entry)), None)
    if at is None:
        return index + fill
    return index[:at] + fill + index[at + 1:]


def _is_ellipsis(entry: Any) -> bool:
    return isinstance(entry, str) and entry == "..."


def _converted(index: Index, ndim: int) -> tuple[Any, ...]:
    converted = []
    for entry in _expanded(index, ndim):
        if isinstance(entry, str):
            converted.append(_slice_of(entry))
        elif isinstance(entry, Positions):
            converted.append(entry.array)
        else:
            converted.append(entry)
    return tuple(converted)


# NOTE: an unrolled recurrence indexes with a few hundred distinct indices (five a step), so
# the cache holds thousands; an entry is a tuple of slices and ints.
@functools.lru_cache(maxsize=4096)
def _plain(index: Index, ndim: int) -> tuple[Any, ...]:
    return _converted(index, ndim)


def plain_index(index: Any, ndim: int) -> tuple[Any, ...] | None:
    """The numpy index of an index of slices and whole numbers in this module's form,
    converted once and cached; None for any other (positions, or lists read from a file)."""
    # Positions never reach the cache: they hash as the tuples they are written as, which
    # for 2^18 positions is a pass over all of them at every call.
    if type(index) is tuple and all(type(entry) is str or type(entry) is int for entry in index):
        return _plain(index, ndim)
    return None


def numpy_index(index: Any, ndim: int) -> tuple[Any, ...]:
    """The numpy index of an index in this module's form (or as read from a file)."""
    where = plain_index(index, ndim)
    if where is not None:
        return where
    if not (isinstance(index, tuple) and all(isinstance(e, (str, int, Positions)) for e in index)):
        index = read_index(index)
    if any(isinstance(entry, Positions) for entry in index):
        return _converted(index, ndim)
    return _plain(index, ndim)


def encode_index(index: Any) -> Index:
    """A Python index (ints, slices, Ellipsis, integer lists or arrays, a tuple of these) in
    the op's form; TypeError for what it cannot express (None, masks, nodes)."""
    entries = index if isinstance(index, tuple) else (index,)
    encoded = []
    for entry in entries:
        if entry is Ellipsis:
            encoded.append("...")
        elif isinstance(entry, slice):
            for part in (entry.start, entry.stop, entry.step):
                if part is not None and (isinstance(part, bool) or not isinstance(part, (int, np.integer))):
                    raise TypeError(f"slice bounds must be whole numbers or None, got {part!r}")
            encoded.append(_slice_text(slice(*(None if p is None else int(p)
                                                for p in (entry.start, entry.stop, entry.step)))))
        elif isinstance(entry, (list, np.ndarray)):
            positions = np.asarray(entry)
            if positions.dtype.kind not in "iu" and positions.size:
                raise TypeError(f"positions to gather must be whole numbers, got an array of {positions.dtype} "
                                "(a boolean mask is not an index here: use where)")
            encoded.append(int(positions) if positions.ndim == 0 else positions.astype(np.int64, copy=False))
        elif isinstance(entry, (int, np.integer)) and not isinstance(entry, (bool, np.bool_)):
            encoded.append(int(entry))
        else:
            raise TypeError(f"a node can be indexed by whole numbers, slices, ..., and lists of "
                            f"whole numbers; got {type(entry).__name__} (for a new axis, use reshape)")
    return read_index(encoded)
