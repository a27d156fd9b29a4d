"""Joining arrays: pad with zeros, and concatenate and stack.

The registry's ops each take a fixed number of inputs, so a join of any number of parts is
not one record: ``concatenate`` joins two parts (one binary op, each part's gradient the
slice of g where it sits) and a longer list is joined in halves, a balanced tree of them, so
that T parts are copied T log T times over, not T² (a recurrence's 50 outputs: 0.3 M element
copies, where placing each part in a zero array of the whole and adding took 7.7 M).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ShapeError
from ..node import Function, Node, NodeLike, apply, as_node
from ..params import MAX_NDIM, Param, _whole, axis, axis_of
from ..registry import Example, Op, register
from ._shapes import Shapes
from .linalg import reshape

Widths = tuple[tuple[int, int], ...]


def _pair(value: Any) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError
    before, after = _whole(value[0]), _whole(value[1])
    if before < 0 or after < 0:
        raise ValueError
    return before, after


def read_widths(value: Any, ndim: int) -> Widths:
    """``pad_width`` as numpy takes it (n, (before, after), or one pair per axis) as one
    (before, after) pair per axis; ValueError when it is none of these."""
    if not isinstance(value, (tuple, list)):
        n = _whole(value)
        if n < 0:
            raise ValueError
        return ((n, n),) * ndim
    if len(value) > MAX_NDIM:
        raise ValueError
    if len(value) == 1 and not isinstance(value[0], (tuple, list)):
        return read_widths(value[0], ndim)
    if len(value) == 2 and not isinstance(value[0], (tuple, list)):
        return (_pair(value),) * ndim
    if len(value) == 1:
        return (_pair(value[0]),) * ndim
    if len(value) != ndim:
        raise ValueError
    return tuple(_pair(v) for v in value)


def widths() -> Param:
    """``pad_width``, read into one (before, after) pair per axis of the input."""
    return Param("pad_width", "n, (before, after) or one (before, after) pair per axis of the "
                 "input ({ndim}), all whole numbers >= 0", read_widths)


def _padded_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    return tuple(n + b + a for n, (b, a) in zip(shapes[0], params["pad_width"]))


def _interior(pad_width: Any, shape: tuple[int, ...]) -> tuple[slice, ...]:
    """Where the input sits inside an array of the padded ``shape``."""
    return tuple(slice(b, n - a) for (b, a), n in zip(read_widths(pad_width, len(shape)), shape))


def _pad(x: np.ndarray, pad_width: Any) -> np.ndarray:
    pairs = read_widths(pad_width, x.ndim)
    out = np.zeros(tuple(n + b + a for n, (b, a) in zip(x.shape, pairs)))
    out[_interior(pairs, out.shape)] = x
    return out


PAD = register(Op(
    name="pad", arity=1, label="pad", forward=_pad,
    vjp=(lambda g, ans, x, pad_width: g[_interior(pad_width, g.shape)],),
    linear=(0,),
    vjp_text=("g without the padding",), jvp_text=("dx padded with zeros",),
    params=(widths(),), shape=_padded_shape,
    examples=(
        Example(((2, 3),), {"pad_width": ((1, 0), (2, 1))}),
        Example(((4,),), {"pad_width": 2}),
        Example(((2, 3),), {"pad_width": (0, 3)}),
        Example(((2, 1, 2),), {"pad_width": ((1, 1),)}),
        Example(((),), {"pad_width": 1}),
    ),
))


def pad(x: NodeLike, pad_width: Any) -> Function:
    """x with zeros added before and after along each axis (numpy's pad, constant mode).

    ``pad_width`` is n (n on both sides of every axis), (before, after) for every axis, or
    one (before, after) pair per axis. dL/dx = g without the padding.
    """
    return apply(PAD, x, pad_width=pad_width)


def _parts(nodes: Sequence[NodeLike], name: str) -> list[Node]:
    if isinstance(nodes, (Node, np.ndarray)) or not isinstance(nodes, Sequence) or not nodes:
        raise TypeError(f"{name} takes a non-empty list of nodes (or arrays), as in {name}([a, b])")
    return [as_node(x) for x in nodes]


def _joined_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    (x, y), a = shapes, params["axis"]
    if len(x) != len(y) or not x:
        raise ValueError("the parts must have the same number of dimensions, at least one")
    a %= len(x)
    if x[:a] + x[a + 1:] != y[:a] + y[a + 1:]:
        raise ValueError(f"the parts must have the same lengths except along axis {a}")
    return x[:a] + (x[a] + y[a],) + x[a + 1:]


def _part(g: np.ndarray, axis: int, start: int, stop: int | None) -> np.ndarray:
    """The slice of g along ``axis`` where a part sits (a view)."""
    return g[(slice(None),) * (axis % g.ndim) + (slice(start, stop),)]


def _padded_tangent(d: np.ndarray, other: np.ndarray, axis: int, first: bool) -> np.ndarray:
    zeros = np.zeros(other.shape, dtype=d.dtype)
    return np.concatenate((d, zeros) if first else (zeros, d), axis=axis)


CONCATENATE = register(Op(
    name="concatenate", arity=2, label="concat",
    forward=lambda x, y, axis=0: np.concatenate((x, y), axis=axis),
    vjp=(lambda g, ans, x, y, axis=0: _part(g, axis, 0, x.shape[axis]),
         lambda g, ans, x, y, axis=0: _part(g, axis, x.shape[axis], None)),
    jvp=(lambda dx, ans, x, y, axis=0: _padded_tangent(dx, y, axis, True),
         lambda dy, ans, x, y, axis=0: _padded_tangent(dy, x, axis, False)),
    vjp_text=("g where x sits", "g where y sits"), jvp_text=("dx, then zeros for y", "zeros for x, then dy"),
    notation="[x, y]", params=(axis(0, several=False),), shape=_joined_shape,
    examples=(
        Example(((2, 3), (2, 1)), {"axis": 1}),
        Example(((1, 3), (2, 3)), {"axis": 0}),
        Example(((2, 1, 2), (2, 3, 2)), {"axis": -2}),
        Example(((3,), (2,))),
    ),
))


def concatenate(nodes: Sequence[NodeLike], axis: int = 0) -> Node:
    """The parts joined along an existing axis (numpy's concatenate, torch's cat).

    The parts must have the same number of dimensions (at least one) and the same lengths
    except along ``axis``. Two parts are one node, whose gradient hands each part the slice
    of g where it sits; more are joined in halves. A single part is returned as it is.

    Raises
    ------
    ShapeError
        Parts of different dimensions or lengths, or scalars.
    ParamError
        An axis that none of the parts has.
    """
    parts = _parts(nodes, "concatenate")
    shapes = [p.shape for p in parts]
    ndim = len(shapes[0])
    if ndim == 0 or any(len(s) != ndim for s in shapes):
        raise ShapeError(f"concatenate: the parts must have the same number of dimensions, at least one; "
                         f"got shapes {', '.join(map(str, shapes))}")
    a = axis_of(axis, ndim, "the parts", "concatenate")
    if any(s[:a] + s[a + 1:] != shapes[0][:a] + shapes[0][a + 1:] for s in shapes):
        raise ShapeError(f"concatenate: the parts must have the same lengths except along axis {axis}; "
                         f"got shapes {', '.join(map(str, shapes))}")
    return _joined(parts, a)


def _joined(parts: list[Node], axis: int) -> Node:
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return apply(CONCATENATE, _joined(parts[:half], axis), _joined(parts[half:], axis), axis=axis)


def stack(nodes: Sequence[NodeLike], axis: int = 0) -> Node:
    """The parts, all of one shape, joined along a new axis (numpy's and torch's stack).

    ``axis`` is the new axis's place in the result, −1 for last. Each part gets a length-1
    axis there (a reshape) and the parts are concatenated along it.
    """
    parts = _parts(nodes, "stack")
    shape = parts[0].shape
    if any(p.shape != shape for p in parts):
        raise ShapeError(f"stack: the parts must all have the same shape; got shapes "
                         f"{', '.join(str(p.shape) for p in parts)}")
    a = axis_of(axis, len(shape) + 1, "the result", "stack")
    grown = shape[:a] + (1,) + shape[a:]
    return concatenate([reshape(p, grown) for p in parts], axis=a)
