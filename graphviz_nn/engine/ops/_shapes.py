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


# NOTE: numpy starts its inner loop again for each value a reduction makes: over rows of 2
# values a sum took 14 ns a row, a max 34, var 38, logsumexp 67 and softmax 77 (a price of one
# unit an element made them 7-17 times cheaper than their cost). Over rows of 64 the elements
# dominate; over rows of 1 there is no loop (a copy).
def reduction(per_element: int, per_row: int):
    """The cost rule of a reduction: ``per_element`` units for each value read, ``per_row``
    for each value made from more than one; nothing bigger than the output allocated."""
    def cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
        size, rows = math.prod(shapes[0]), math.prod(shape)
        return per_element * size + (per_row * rows if size > rows else 0), rows

    return cost


reading_once = reduction(1, 16)  # sum, mean


def along_axis(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """softmax and log_softmax: a max, a shift, an exp, a sum and a division per element, and
    two reductions per row along the axis."""
    size = math.prod(shape)
    length = shape[params["axis"]] if shape else 1
    return 5 * size + (64 * (size // length) if length > 1 else 0), size
