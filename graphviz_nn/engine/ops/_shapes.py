"""Shape checks shared by op records: each returns why shapes do not fit, or None."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np


def broadcastable(shapes: tuple[tuple[int, ...], ...], params: Mapping[str, Any]) -> str | None:
    """Elementwise binary ops: the shapes must broadcast as in numpy."""
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return (
            "shapes cannot be broadcast together (trailing dimensions must be equal or 1); "
            "reshape or transpose one operand"
        )
    return None


def has_axis(shapes: tuple[tuple[int, ...], ...], params: Mapping[str, Any]) -> str | None:
    """Reductions and softmax: every axis named must exist in the input."""
    axis = params.get("axis")
    if axis is None:
        return None
    ndim = len(shapes[0])
    for a in (axis if isinstance(axis, tuple) else (axis,)):
        if not -ndim <= a < ndim:
            return f"axis {a} is out of range for an input of {ndim} dimension(s)"
    return None
