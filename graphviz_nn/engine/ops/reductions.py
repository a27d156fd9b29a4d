"""Reductions: sum and mean over an axis (or all axes), with or without keepdims."""

from __future__ import annotations

from typing import Union

import numpy as np

from ..node import Function, NodeLike, apply
from ..registry import Example, Op, register
from ._shapes import AXIS_PARAMS, reading_once, reduced

Axis = Union[int, tuple, None]

_EXAMPLES = (
    Example(((2, 3),)),
    Example(((2, 3),), {"axis": 0}),
    Example(((2, 3),), {"axis": 1, "keepdims": True}),
    Example(((2, 3, 2),), {"axis": (0, 2)}),
    Example(((4,),), {"axis": -1}),
    Example(((),)),
)


def _spread(g: np.ndarray, x: np.ndarray, axis: Axis, keepdims: bool) -> np.ndarray:
    """Broadcast a reduced cotangent back over the axes the reduction removed."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, x.shape)


def _count(x: np.ndarray, axis: Axis) -> int:
    if axis is None:
        return x.size
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([x.shape[a] for a in axes]))


SUM = register(Op(
    name="sum", arity=1, label="Σ",
    forward=lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims),
    vjp=(lambda g, ans, x, axis=None, keepdims=False: _spread(g, x, axis, keepdims),),
    linear=(0,),
    vjp_text=("g, copied along the summed axes",), jvp_text=("Σ dx",), params=AXIS_PARAMS,
    shape=reduced, cost=reading_once, examples=_EXAMPLES,
))

MEAN = register(Op(
    name="mean", arity=1, label="mean",
    forward=lambda x, axis=None, keepdims=False: np.mean(x, axis=axis, keepdims=keepdims),
    vjp=(lambda g, ans, x, axis=None, keepdims=False: _spread(g, x, axis, keepdims) / _count(x, axis),),
    linear=(0,),
    vjp_text=("g / n, copied along the averaged axes",), jvp_text=("mean(dx)",), params=AXIS_PARAMS,
    shape=reduced, cost=reading_once, examples=_EXAMPLES,
))


def _axis(axis: Axis) -> Axis:
    if axis is None or isinstance(axis, tuple):
        return axis
    if isinstance(axis, list):
        return tuple(int(a) for a in axis)
    return int(axis)


def sum(x: NodeLike, axis: Axis = None, keepdims: bool = False) -> Function:  # noqa: A001
    """Sum over an axis, a tuple of axes, or everything. dL/dx = g copied along those axes."""
    return apply(SUM, x, axis=_axis(axis), keepdims=bool(keepdims))


def mean(x: NodeLike, axis: Axis = None, keepdims: bool = False) -> Function:
    """Mean over an axis, a tuple of axes, or everything. dL/dx = g / n copied along them."""
    return apply(MEAN, x, axis=_axis(axis), keepdims=bool(keepdims))
