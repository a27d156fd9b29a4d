"""Moving cotangents and tangents between an op's broadcast output and its inputs' shapes."""

from __future__ import annotations

import numpy as np


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a cotangent over the axes numpy broadcast, so it takes the input's shape.

    If ``x`` of shape (3,) was broadcast to (2, 3), each x[j] fed two outputs, and its
    gradient is the sum of the two: the adjoint of broadcasting is summation.

    Raises
    ------
    ValueError
        When ``g`` cannot come from ``shape`` by broadcasting: a rule returned a cotangent
        of the wrong shape, which must be loud rather than silently reshaped.
    """
    if g.shape == shape:
        return g
    if not shape:  # a scalar broadcasts to anything: its gradient is the sum of all
        return np.asarray(g.sum())
    lead = g.ndim - len(shape)
    if lead > 0:
        g = g.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and i < g.ndim and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    if g.shape != shape:  # checked once, after summing: cheaper than comparing every axis first
        raise ValueError(
            f"a cotangent of shape {g.shape} cannot come from an input of shape {shape} by broadcasting"
        )
    return np.asarray(g)


def broadcast_tangent(t: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Spread a tangent term computed on a broadcast input to the full output shape.

    Raises
    ------
    ValueError
        When ``t`` does not broadcast to ``shape`` (a rule returned a wrong shape).
    """
    if t.shape == shape:
        return t
    return np.broadcast_to(t, shape)
