"""Numbers as the inspector writes them, in the engine's one short form of numbers
(:func:`~graphviz_nn.engine.values.short_number`) with the inspector's sizes. Qt-free."""

from __future__ import annotations

import numpy as np

from ..engine.values import short_number

__all__ = ["brief", "cell", "magnitude", "number", "shape_text"]

_WRITTEN_UP_TO = 4      # a vector this short is written out inside a line of arithmetic


def number(x) -> str:
    """A scalar with 6 significant digits ("nan" and "inf" as such; −0 as 0)."""
    return short_number(x, 6)


def cell(x) -> str:
    """A number in a table cell or a heatmap's scale: 4 significant digits, as the graph's boxes."""
    return short_number(x, 4)


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as a reader says it: "4 × 3", "12"."""
    return " × ".join(str(n) for n in shape)


def brief(a) -> str:
    """A scalar as a number, a short vector written out, else the array's shape in words."""
    a = np.asarray(a)
    if a.size == 1:
        return number(a)
    if a.ndim == 1 and a.size <= _WRITTEN_UP_TO:
        return "[" + ", ".join(number(v) for v in a) + "]"
    return f"[{shape_text(a.shape)} array]"


def magnitude(a) -> str:
    """A scalar as a number; an array by its norm and shape, for a one-line summary."""
    a = np.asarray(a)
    if a.size == 1:
        return number(a)
    return f"‖·‖ = {cell(np.linalg.norm(a.astype(float).ravel()))}, shape {a.shape}"
