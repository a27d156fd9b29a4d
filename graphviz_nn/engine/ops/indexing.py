"""Indexing a node with a static index: getitem (x[1:3, ::2], x[rows]) and take.

The index is a declared parameter in JSON's terms (see ``engine/indices.py``), so that a session
file can carry it and have it checked before anything is computed.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ..indices import (  # noqa: F401 - Positions and READ_POSITION are this op's as well
    ALLOWED, READ_POSITION, Positions, _expanded, _slice_of, encode_index, numpy_index, plain_index,
    read_index,
)
from ..node import Function, NodeLike, apply, as_node
from ..params import Param, axis_of
from ..registry import Example, Op, register
from ._shapes import Shapes
from .linalg import reshape


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
        low, high = (entry.low, entry.high) if isinstance(entry, Positions) else (entry, entry)
        if isinstance(entry, Positions):
            gathered = entry.shape
        if low <= high and not (-n <= low and high < n):
            bad = low if low < -n else high
            if isinstance(entry, Positions):  # the first one out of range, as it is written
                positions = entry.array.ravel()
                bad = int(positions[np.flatnonzero((positions < -n) | (positions >= n))[0]])
            raise ValueError(f"position {bad} is out of range for axis {axis} of length {n}")
    # numpy puts the gathered axes where the whole numbers and the list are when those are
    # next to each other, else first (a whole number counts as a gathered axis of none).
    lengths = [length for _, length in kept]
    if chosen and chosen == list(range(chosen[0], chosen[-1] + 1)):
        before = sum(axis < chosen[0] for axis, _ in kept)
        return tuple(lengths[:before]) + gathered + tuple(lengths[before:])
    return gathered + tuple(lengths)


GATHER_UNIT = 4  # the price of an element a gather copies (see _index_cost)


def _index_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """Slices and whole numbers make a view; a gather copies every output element (four units
    each: gathering columns from every other row of 2048 x 2048 values took 5.9 ns an element,
    at two it was the dearest op for its price by 28-34 times the cheapest), and its positions
    were read from their lists (``READ_POSITION`` each)."""
    size = math.prod(shape)
    gathered = [entry.size for entry in params["index"] if isinstance(entry, Positions)]
    if not gathered:
        return 0, size
    return GATHER_UNIT * size + READ_POSITION * gathered[0], size + gathered[0]



def _gathers(index: Any) -> bool:
    entries = index if isinstance(index, (tuple, list)) else (index,)
    return any(isinstance(entry, (tuple, list, np.ndarray, Positions)) for entry in entries)


def _scatter(g: np.ndarray, x: np.ndarray, index: Any) -> np.ndarray:
    """g put back where the index took it from, and 0 elsewhere; repeated positions add."""
    out = np.zeros(x.shape)
    where = numpy_index(index, x.ndim)
    if _gathers(index):
        np.add.at(out, where, g)
    else:
        out[where] = g
    return out


def _scatter_into(acc: np.ndarray, g: np.ndarray, ans: np.ndarray, x: np.ndarray, index: Any) -> None:
    """g added into ``acc`` where the index took it from (repeated positions add)."""
    where = plain_index(index, x.ndim)
    if where is not None:
        part = acc[where]  # a view, added into in place with no write back through acc[where] =
        if type(part) is np.ndarray:
            part += g
        else:  # one entry: numpy hands a copy of it, not a view
            acc[where] += g
    else:
        np.add.at(acc, numpy_index(index, x.ndim), g)


GETITEM = register(Op(
    name="getitem", arity=1, label="[ ]",
    forward=lambda x, index: x[numpy_index(index, x.ndim)],
    vjp=(lambda g, ans, x, index: _scatter(g, x, index),),
    vjp_add=(_scatter_into,),
    linear=(0,),
    vjp_text=("g put back where x[index] was taken from (repeated positions add)",),
    jvp_text=("dx[index]",), notation="x[…]", params=(Param("index", ALLOWED, read_index),), shape=_index_shape,
    cost=_index_cost,
    examples=(
        Example(((6,),), {"index": [[5, 0, 0, 2, -1, 3, 1, 1]]}),
        Example(((4, 3),), {"index": [[0, 2, 0, 3, 0]]}),
        Example(((4, 3),), {"index": [-1]}),
        Example(((5, 4),), {"index": ["1:5:2", "::-1"]}),
        Example(((2, 3, 4),), {"index": ["...", -2]}),
        Example(((2, 3, 4),), {"index": [1, ":", [0, 2, 2]]}),
        Example(((2, 3, 4),), {"index": [":", [-1, 0], 3]}),
        Example(((3, 4),), {"index": [[[0, 1], [2, 0]], "1:"]}),
        Example(((6,),), {"index": ["-2:0:-2"]}),
        Example(((3, 2),), {"index": 1}),
        Example(((3, 2),), {"index": [1, -1]}),
    ),
))


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
