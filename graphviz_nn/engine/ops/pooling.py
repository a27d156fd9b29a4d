"""Pooling: max_pool2d and avg_pool2d over the last two axes, as torch.nn.functional's.

One node each, computed on strided views of the padded input. The max routes its gradient
to the first largest value of each window in row-major order (torch's choice where values
tie); the average divides by the kernel's size, padding included (torch's
``count_include_pad=True``).
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Mapping, Sequence, Union

import numpy as np

from ..node import Function, NodeLike, apply
from ..registry import Example, Op, register
from ._shapes import Shapes
from ._windows import Lengths, lengths, output_lengths, padded, scatter, windows

Size = Union[int, Sequence[int]]
_PARAMS = (lengths("kernel_size", 2, 1), lengths("stride", 2, 1, None, optional=True),
           lengths("padding", 2, 0, (0, 0)))
_ONE = (1, 1)


def _geometry(kernel_size: Size, stride: Size | None, padding: Size) -> tuple[Lengths, Lengths, Lengths]:
    """Kernel, stride (the kernel's size when None) and padding as pairs; numbers as written
    in an example are spread to both axes (the plan has checked them)."""
    def pair(v: Size) -> Lengths:
        return tuple(v) if isinstance(v, (tuple, list)) else (int(v),) * 2

    kernel = pair(kernel_size)
    return kernel, kernel if stride is None else pair(stride), pair(padding)


def _shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    x = shapes[0]
    if len(x) not in (3, 4):
        raise ValueError(f"the input must be (N, C, H, W) or (C, H, W); got {len(x)} dimensions, "
                         f"shape {x}")
    kernel, stride, padding = _geometry(params["kernel_size"], params["stride"], params["padding"])
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"padding {padding} is more than half the kernel {kernel}; torch allows at "
                         "most half, so that every window holds a value of the input")
    return x[:-2] + output_lengths("the input", x[-2:], kernel, stride, padding, _ONE)


def _cost(per_value: int):
    """The padded copy, ``per_value`` units for each value of each window, and a call of
    numpy per kernel offset (the windows are combined one offset at a time)."""
    def cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
        x = shapes[0]
        kernel, _, padding = _geometry(params["kernel_size"], params["stride"], params["padding"])
        padded_size = math.prod(x[:-2]) * math.prod(n + 2 * p for n, p in zip(x[-2:], padding))
        values = math.prod(kernel) * math.prod(shape)
        return 2 * padded_size + per_value * values + 512 * math.prod(kernel), max(padded_size, values)

    return cost


# NOTE: a running maximum (or sum) over the kernel's offsets, one strided slice of the windows
# each, took 0.4-0.8 ms where a reduction over the windows' axes took 2.9-5.6 ms (and a
# copy of the windows then argmax 2.4-6.8): (16, 16, 32, 32), (30, 1, 75, 90) and
# (1, 22, 55, 55), kernels 2 x 2 to 3 x 3. numpy's reductions restart their inner loop for
# every window of 4 or 6 values.
def _slices(x: np.ndarray, kernel_size: Size, stride: Size | None, padding: Size, fill: float
            ) -> tuple[np.ndarray, Lengths]:
    """The windows of x padded with ``fill`` as a view (..., kh, kw, oh, ow), and the kernel."""
    kernel, stride, padding = _geometry(kernel_size, stride, padding)
    return windows(padded(x, padding, fill), kernel, stride, _ONE), kernel


def _fold(view: np.ndarray, kernel: Lengths, combine) -> np.ndarray:
    """``combine(total, window_values, k)`` over the kernel's offsets k in row-major order,
    into a copy of the first offset's values."""
    total = view[..., 0, 0, :, :].copy()
    for k, (i, j) in enumerate(itertools.product(range(kernel[0]), range(kernel[1]))):
        if k:
            combine(total, view[..., i, j, :, :], k)
    return total


def _firsts(x: np.ndarray, kernel_size: Size, stride: Size | None, padding: Size) -> np.ndarray:
    """Each window's first largest value's place in it, in row-major order (torch's choice
    where values tie)."""
    view, kernel = _slices(x, kernel_size, stride, padding, -np.inf)
    first = np.zeros(view.shape[:-4] + view.shape[-2:], dtype=np.intp)

    def keep_first(best: np.ndarray, value: np.ndarray, k: int) -> None:
        np.copyto(first, k, where=value > best)  # strictly larger: a tie keeps the first
        np.maximum(best, value, out=best)

    _fold(view, kernel, keep_first)
    return first


def _max_pool(x: np.ndarray, kernel_size: Size, stride: Size | None = None, padding: Size = 0) -> np.ndarray:
    view, kernel = _slices(x, kernel_size, stride, padding, -np.inf)
    return _fold(view, kernel, lambda best, value, k: np.maximum(best, value, out=best))


def _sources(x: np.ndarray, kernel_size: Size, stride: Size | None, padding: Size) -> tuple[np.ndarray, int]:
    """Where each window's max was read: its index in the padded input, flattened."""
    kernel, steps, pad = _geometry(kernel_size, stride, padding)
    first = _firsts(x, kernel_size, stride, padding)
    hp, wp = (n + 2 * p for n, p in zip(x.shape[-2:], pad))
    oh, ow = first.shape[-2:]
    stacks = math.prod(first.shape[:-2])
    rows = np.arange(oh)[:, None] * steps[0] + first // kernel[1]
    cols = np.arange(ow) * steps[1] + first % kernel[1]
    base = (np.arange(stacks) * (hp * wp)).reshape(first.shape[:-2] + (1, 1))
    return base + rows * wp + cols, stacks * hp * wp


def _max_vjp(g: np.ndarray, ans: np.ndarray, x: np.ndarray, kernel_size: Size, stride: Size | None = None,
             padding: Size = 0) -> np.ndarray:
    """g sent to each window's first largest value; overlapping windows add theirs."""
    sources, size = _sources(x, kernel_size, stride, padding)
    _, _, pad = _geometry(kernel_size, stride, padding)
    gp = np.bincount(sources.ravel(), weights=g.ravel(), minlength=size)
    gp = gp.reshape(x.shape[:-2] + tuple(n + 2 * p for n, p in zip(x.shape[-2:], pad)))
    return gp[..., pad[0]:pad[0] + x.shape[-2], pad[1]:pad[1] + x.shape[-1]]


def _max_jvp(dx: np.ndarray, ans: np.ndarray, x: np.ndarray, kernel_size: Size, stride: Size | None = None,
             padding: Size = 0) -> np.ndarray:
    """dx at each window's first largest value."""
    sources, _ = _sources(x, kernel_size, stride, padding)
    _, _, pad = _geometry(kernel_size, stride, padding)
    return padded(dx, pad).reshape(-1)[sources]


def _avg_pool(x: np.ndarray, kernel_size: Size, stride: Size | None = None, padding: Size = 0) -> np.ndarray:
    view, kernel = _slices(x, kernel_size, stride, padding, 0.0)
    total = _fold(view, kernel, lambda total, value, k: np.add(total, value, out=total))
    return total / (kernel[0] * kernel[1])


def _avg_vjp(g: np.ndarray, ans: np.ndarray, x: np.ndarray, kernel_size: Size, stride: Size | None = None,
             padding: Size = 0) -> np.ndarray:
    """g / (kh·kw) added to every value of each window."""
    kernel, stride, padding = _geometry(kernel_size, stride, padding)
    share = g / (kernel[0] * kernel[1])
    spread = np.broadcast_to(share[..., None, None, :, :], g.shape[:-2] + kernel + g.shape[-2:])
    return scatter(spread, x.shape[-2:], stride, padding, _ONE)


# Windows side by side, overlapping, padded, of two shapes, and over one image unbatched.
_EXAMPLES = (
    Example(((2, 2, 4, 4),), {"kernel_size": 2}),
    Example(((1, 2, 5, 5),), {"kernel_size": 3, "stride": 1, "padding": 1}),
    Example(((2, 1, 5, 6),), {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 1)}),
    Example(((3, 4, 5),), {"kernel_size": (3, 2), "stride": (2, 1)}),
)


MAX_POOL2D = register(Op(
    name="max_pool2d", arity=1, label="maxpool", forward=_max_pool, vjp=(_max_vjp,), jvp=(_max_jvp,),
    vjp_text=("g at each window's largest x (the first in row-major order where values tie), "
              "added where windows overlap",),
    jvp_text=("dx at each window's largest x",),
    params=_PARAMS, shape=_shape, cost=_cost(2), examples=_EXAMPLES,
))

AVG_POOL2D = register(Op(
    name="avg_pool2d", arity=1, label="avgpool", forward=_avg_pool, vjp=(_avg_vjp,), linear=(0,),
    vjp_text=("g / (kh·kw) added to every x of each window",), jvp_text=("avg_pool2d(dx)",),
    params=_PARAMS, shape=_shape, cost=_cost(2), examples=_EXAMPLES,
))


def max_pool2d(x: NodeLike, kernel_size: Size, stride: Size | None = None, padding: Size = 0) -> Function:
    """The largest value of each window over the last two axes, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : node or array
        (N, C, H, W) or (C, H, W).
    kernel_size : int or pair of int
        The window's (height, width), or one number for both.
    stride : int or pair of int, optional
        Step between windows; the kernel's size when None (windows side by side).
    padding : int or pair of int
        −inf added on each side, at most half the kernel.

    Returns
    -------
    Function
        (..., H_out, W_out), ``H_out = (H + 2p − kh) // stride + 1``. dL/dx is g at each
        window's largest value, the first in row-major order where several tie (as torch),
        summed where windows overlap.

    Raises
    ------
    ShapeError
        An input of other than 3 or 4 dimensions, padding above half the kernel, or a
        kernel larger than the padded input.
    ParamError
        A kernel size or stride below 1, or a negative padding.
    """
    return apply(MAX_POOL2D, x, kernel_size=kernel_size, stride=stride, padding=padding)


def avg_pool2d(x: NodeLike, kernel_size: Size, stride: Size | None = None, padding: Size = 0) -> Function:
    """The mean of each window over the last two axes, as ``torch.nn.functional.avg_pool2d``.

    Padding counts as zeros in the mean (torch's default ``count_include_pad=True``): every
    window is divided by kh·kw. Parameters, shape and errors as :func:`max_pool2d`;
    dL/dx is g / (kh·kw) added to every value of each window.
    """
    return apply(AVG_POOL2D, x, kernel_size=kernel_size, stride=stride, padding=padding)
