"""Shape and cost rules shared by op records: the output's shape from the inputs' shapes alone.

A shape rule gets the inputs' shapes and the parameters (checked, defaults filled in) and
returns the output's shape, or raises ValueError with the reason the shapes do not fit.
A cost rule also gets the output shape and returns (flops, largest temporary in elements).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from ..params import axis, flag

Shapes = tuple[tuple[int, ...], ...]

AXIS_PARAMS = (axis(None), flag("keepdims", False))  # sum, mean
ONE_AXIS = (axis(-1, several=False),)  # softmax, log_softmax


def same_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    """Ops along an axis (softmax): the output has the input's shape."""
    return shapes[0]


def reduced(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    """Reductions: the axes named (all when None) removed, or kept as 1 with keepdims."""
    shape, a = shapes[0], params["axis"]
    ndim = len(shape)
    axes = range(ndim) if a is None else {i % ndim for i in (a if isinstance(a, tuple) else (a,))}
    if params["keepdims"]:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def reading_once(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """Reductions: one operation per input element; nothing bigger than the output allocated."""
    return math.prod(shapes[0]), math.prod(shape)


def along_axis(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """softmax and log_softmax: a max, a shift, an exp, a sum and a division per element."""
    size = math.prod(shape)
    return 5 * size, size
