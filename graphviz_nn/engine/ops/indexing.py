"""Indexing a node with a static index: getitem (x[1:3, ::2], x[rows]) and take.

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
is refused before computing.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Mapping

import numpy as np

from ..node import Function, NodeLike, apply, as_node
from ..params import MAX_NDIM, Param, _whole, axis_of
from ..registry import Example, Op, register
from ._shapes import Shapes
from .linalg import reshape

Index = tuple[Any, ...]
MAX_LIST_NDIM = 4  # dimensions of a list of positions; a session file nests lists 8 deep
_SLICE = re.compile(r"(-?\d{1,19})?:(-?\d{1,19})?(?::(-?\d{1,19})?)?")
ALLOWED = ("an index: a whole number, a slice as text ('1:5:2', '::-1'), '...', a list of whole "
           "numbers (positions to gather, at most one), or a list of these, one per axis")


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


def _positions(value: Any, depth: int = 0) -> tuple[tuple[int, ...], tuple]:
    """A nested list of whole numbers as (its shape, the nested tuple); ValueError if ragged."""
    if not isinstance(value, (tuple, list)):
        return (), _whole(value)
    if depth >= MAX_LIST_NDIM:
        raise ValueError
    read = [_positions(v, depth + 1) for v in value]
    shapes = {shape for shape, _ in read}
    if len(shapes) > 1:
        raise ValueError
    return (len(read),) + (shapes.pop() if shapes else ()), tuple(v for _, v in read)


def read_index(value: Any, ndim: int = 0) -> Index:
    """An index from an untrusted source in the form the forward takes (see the module).

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
        elif isinstance(entry, (tuple, list)):
            lists += 1
            shape, nested = _positions(entry)
            if not shape:
                raise ValueError
            read.append(nested)
        else:
            read.append(_whole(entry))
    if lists > 1 or ellipses > 1:
        raise ValueError
    return tuple(read)


def _expanded(index: Index, ndim: int) -> Index:
    """The index with "..." replaced by full slices, and full slices added to reach ndim."""
    used = sum(entry != "..." for entry in index)
    if used > ndim:
        raise ValueError(f"the index has {used} entries for an input of {ndim} dimension(s)")
    fill = (":",) * (ndim - used)
    if "..." not in index:
        return index + fill
    at = index.index("...")
    return index[:at] + fill + index[at + 1:]


def _flat(nested: Any) -> list[int]:
    if not isinstance(nested, tuple):
        return [nested]
    return [v for item in nested for v in _flat(item)]


def _index_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    """numpy's result shape, from the shape alone; out-of-range positions are refused."""
    shape = shapes[0]
    index = _expanded(params["index"], len(shape))
    kept: list[tuple[int, int]] = []  # (axis, length) of every slice
    chosen, gathered = [], ()  # axes of whole numbers and the list; the list's shape
    for axis, (entry, n) in enumerate(zip(index, shape)):
        if isinstance(entry, str):
            kept.append((axis, len(range(*_slice_of(entry).indices(n)))))
            continue
        chosen.append(axis)
        values = _flat(entry)
        if isinstance(entry, tuple):
            gathered = _positions(entry)[0]
        if values and not (-n <= min(values) and max(values) < n):
            bad = next(v for v in values if not -n <= v < n)
            raise ValueError(f"position {bad} is out of range for axis {axis} of length {n}")
    # numpy puts the gathered axes where the whole numbers and the list are when those are
    # next to each other, else first (a whole number counts as a gathered axis of none).
    lengths = [length for _, length in kept]
    if chosen and chosen == list(range(chosen[0], chosen[-1] + 1)):
        before = sum(axis < chosen[0] for axis, _ in kept)
        return tuple(lengths[:before]) + gathered + tuple(lengths[before:])
    return gathered + tuple(lengths)


@functools.lru_cache(maxsize=256)
def _numpy_index(index: Index, ndim: int) -> tuple[Any, ...]:
    converted = []
    for entry in _expanded(index, ndim):
        if isinstance(entry, str):
            converted.append(_slice_of(entry))
        elif isinstance(entry, tuple):
            converted.append(np.array(entry, dtype=np.intp))
        else:
            converted.append(entry)
    return tuple(converted)


def numpy_index(index: Any, ndim: int) -> tuple[Any, ...]:
    """The numpy index of an index in this module's form (or as read from a file)."""
    # NOTE: an index as the plan read it (a tuple of tuples) is converted once and cached;
    # reading it again in Python would cost a microsecond per gathered position each pass.
    if isinstance(index, tuple):
        try:
            return _numpy_index(index, ndim)
        except TypeError:  # a list inside: not read yet
            pass
    return _numpy_index(read_index(index), ndim)


def _gathers(index: Any) -> bool:
    entries = index if isinstance(index, (tuple, list)) else (index,)
    return any(isinstance(entry, (tuple, list)) for entry in entries)


def _scatter(g: np.ndarray, x: np.ndarray, index: Any) -> np.ndarray:
    """g put back where the index took it from, and 0 elsewhere; repeated positions add."""
    out = np.zeros(x.shape)
    where = numpy_index(index, x.ndim)
    if _gathers(index):
        np.add.at(out, where, g)
    else:
        out[where] = g
    return out


GETITEM = register(Op(
    name="getitem", arity=1, label="[ ]",
    forward=lambda x, index: x[numpy_index(index, x.ndim)],
    vjp=(lambda g, ans, x, index: _scatter(g, x, index),),
    jvp=(lambda dx, ans, x, index: dx[numpy_index(index, dx.ndim)],),
    vjp_text=("g put back where x[index] was taken from (repeated positions add)",),
    jvp_text=("dx[index]",), notation="x[…]", params=(Param("index", ALLOWED, read_index),), shape=_index_shape,
    examples=(
        Example(((4, 3),), {"index": [[0, 2, 0, 3, 0]]}),
        Example(((4, 3),), {"index": [-1]}),
        Example(((5, 4),), {"index": ["1:5:2", "::-1"]}),
        Example(((2, 3, 4),), {"index": ["...", -2]}),
        Example(((2, 3, 4),), {"index": [1, ":", [0, 2, 2]]}),
        Example(((2, 3, 4),), {"index": [":", [-1, 0], 3]}),
        Example(((3, 4),), {"index": [[[0, 1], [2, 0]], "1:"]}),
        Example(((6,),), {"index": ["-2:0:-2"]}),
        Example(((3, 2),), {"index": 1}),
    ),
))


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
            encoded.append(positions.tolist())
        elif isinstance(entry, (int, np.integer)) and not isinstance(entry, (bool, np.bool_)):
            encoded.append(int(entry))
        else:
            raise TypeError(f"a node can be indexed by whole numbers, slices, ..., and lists of "
                            f"whole numbers; got {type(entry).__name__} (for a new axis, use reshape)")
    return read_index(encoded)


def getitem(x: NodeLike, index: Any) -> Function:
    """x[index] for a static index: whole numbers, slices (with steps), ..., and one list of
    positions to gather (numpy's rules for where the gathered axes go).

    dL/dx = g put back where each value was taken from, 0 elsewhere; a position gathered
    several times receives the sum of its gradients.
    """
    return apply(GETITEM, x, index=encode_index(index))


def take(x: NodeLike, indices: Any, axis: int | None = None) -> Function:
    """numpy's take: the positions ``indices`` along ``axis`` (of the flattened x when None).

    The same as x[:, ..., indices] with ``axis`` full slices before; dL/dx adds up the
    gradients of repeated positions.
    """
    node = as_node(x)
    positions = encode_index((np.asarray(indices),))
    if axis is None:
        return apply(GETITEM, reshape(node, -1), index=positions)
    return apply(GETITEM, node, index=(":",) * axis_of(axis, node.value.ndim, "x", "take") + positions)
