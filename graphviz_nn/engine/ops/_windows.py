"""Sliding windows over an array's last axes, shared by convolution and pooling.

The parameters that shape the windows (kernel size, stride, padding, dilation: a whole
number or one per spatial axis, as torch takes them), the output lengths they give, the
windows themselves as a strided view of the padded input, and the adjoint of gathering
them: adding each window's values back where they were read from (col2im).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..params import REQUIRED, Param, _whole

Lengths = tuple[int, ...]
AXIS_NAMES = {1: ("length",), 2: ("height", "width")}


def lengths(name: str, d: int, least: int, default: Any = REQUIRED, optional: bool = False) -> Param:
    """A parameter holding one whole number >= ``least`` per spatial axis: one number for
    all ``d`` axes or a tuple of ``d`` of them (torch's int or pair); with ``optional``,
    None too (a pooling stride: the kernel's size)."""
    def read(value: Any, ndim: int) -> Lengths | None:
        if value is None and optional:
            return None
        values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * d
        if len(values) != d:
            raise ValueError
        read_values = tuple(_whole(v) for v in values)
        if min(read_values) < least:
            raise ValueError
        return read_values

    words = f"a whole number >= {least}" + (" or a pair of them" if d == 2 else " or a tuple of one")
    return Param(name, words + (", or None" if optional else ""), read, default)


def output_lengths(where: str, size: Lengths, kernel: Lengths, stride: Lengths, padding: Lengths,
                   dilation: Lengths) -> Lengths:
    """The window positions along each spatial axis: (n + 2p − dilation·(k − 1) − 1) // stride + 1.

    Raises ValueError (the shape rules' way) when a kernel length is 0 or a kernel spans more
    than the padded input; ``where`` names the input ("the input").
    """
    names = AXIS_NAMES.get(len(size), tuple(f"axis {i}" for i in range(len(size))))
    out = []
    for axis, n, k, s, p, dl in zip(names, size, kernel, stride, padding, dilation):
        if k < 1:
            raise ValueError(f"the kernel's {axis} is 0; a kernel needs at least one value per axis")
        span = dl * (k - 1) + 1
        if span > n + 2 * p:
            size = f"size {k}, dilation {dl}" if dl > 1 else f"size {k}"
            raise ValueError(
                f"the kernel spans {span} along the {axis} ({size}) but {where} padded has {n + 2 * p} "
                f"({n} + 2·{p}); pad the input more or take a smaller kernel")
        out.append((n + 2 * p - span) // s + 1)
    return tuple(out)


def padded(x: np.ndarray, padding: Lengths, fill: float = 0.0) -> np.ndarray:
    """x with ``padding`` values of ``fill`` before and after each of its last axes."""
    if not any(padding):
        return x
    d = len(padding)
    shape = x.shape[:-d] + tuple(n + 2 * p for n, p in zip(x.shape[-d:], padding))
    out = np.full(shape, fill)
    out[interior(x.shape[-d:], padding)] = x
    return out


def interior(size: Lengths, padding: Lengths) -> tuple:
    """Where an input of spatial ``size`` sits in its padded copy."""
    return (Ellipsis,) + tuple(slice(p, p + n) for n, p in zip(size, padding))


def windows(xp: np.ndarray, kernel: Lengths, stride: Lengths, dilation: Lengths) -> np.ndarray:
    """A strided view (..., k1, k2, o1, o2) of the windows over xp's last axes: the kernel's
    axes first, then the positions, so a copy is C·k values per position read along rows."""
    d = len(kernel)
    spans = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
    view = sliding_window_view(xp, spans, axis=tuple(range(-d, 0)))
    view = view[(Ellipsis,) + tuple(slice(None, None, s) for s in stride)
                + tuple(slice(None, None, dl) for dl in dilation)]
    lead = view.ndim - 2 * d
    return view.transpose(tuple(range(lead)) + tuple(range(lead + d, lead + 2 * d))
                          + tuple(range(lead, lead + d)))


def columns(xp: np.ndarray, kernel: Lengths, stride: Lengths, dilation: Lengths) -> np.ndarray:
    """The windows copied as a matrix per sample, (N, C·k1·k2, o1·o2): im2col."""
    view = windows(xp, kernel, stride, dilation)
    d = len(kernel)
    return view.reshape(view.shape[0], math.prod(view.shape[1:-d]), math.prod(view.shape[-d:]))


def scatter(cols: np.ndarray, size: Lengths, stride: Lengths, padding: Lengths,
            dilation: Lengths) -> np.ndarray:
    """The adjoint of :func:`windows`: each window's values (cols, shaped as the view,
    (..., k1, k2, o1, o2)) added back where they were read, cropped to the unpadded ``size``.

    One strided add per kernel offset (9 for a 3 x 3 kernel), each over every position.
    """
    # NOTE: for N=32, C=8 -> 16, 8 x 8, 3 x 3 these adds took 0.47 ms with the product
    # before them, against 0.60 for the same gradient as a full correlation of the
    # zero-dilated g (one product on windows, but stride² times the work) and 0.57 for
    # windows in (N, positions, C) order. The adds alone took 0.41 ms, np.add.at with its
    # indices 0.52 and np.bincount 0.38 (2.2, 3.6 and 2.3 ms on 8 x 16 x 32 x 32 images).
    d = len(size)
    kernel = cols.shape[-2 * d:-d]
    positions = cols.shape[-d:]
    lead = cols.shape[:-2 * d]
    out = np.zeros(lead + tuple(n + 2 * p for n, p in zip(size, padding)))
    for offset in itertools.product(*(range(k) for k in kernel)):
        at = tuple(slice(o * dl, o * dl + s * (m - 1) + 1, s)
                   for o, dl, s, m in zip(offset, dilation, stride, positions))
        out[(Ellipsis,) + at] += cols[(Ellipsis,) + offset + (slice(None),) * d]
    return out[interior(size, padding)] if any(padding) else out
