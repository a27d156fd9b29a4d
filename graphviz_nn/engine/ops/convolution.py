"""Convolution: conv1d and conv2d, cross-correlations as torch.nn.functional computes them.

One node per convolution: the windows of the padded input are a strided view, copied once
as a matrix per sample (im2col), and multiplied by the weight in one matrix product. The
bias is an optional third input, so each convolution is two records: ``conv2d`` (x, w) and
``conv2d_bias`` (x, w, b), drawn alike; a convolution without bias draws no zero bias.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence, Union

import numpy as np

from ..node import Function, NodeLike, apply
from ..registry import Example, Op, register
from ._shapes import Shapes
from ._windows import Lengths, columns, lengths, output_lengths, padded, scatter

Size = Union[int, Sequence[int]]


def _params(d: int) -> tuple:
    return (lengths("stride", d, 1, (1,) * d), lengths("padding", d, 0, (0,) * d),
            lengths("dilation", d, 1, (1,) * d))


def _shape_of(d: int):
    """The shape rule of a d-dimensional convolution, with or without bias."""
    axes = "(N, C, L)" if d == 1 else "(N, C, H, W)"
    kernel = "k" if d == 1 else "kh, kw"

    def shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
        x, w = shapes[0], shapes[1]
        if len(x) != d + 2:
            raise ValueError(f"the input must be {axes}, {d + 2} dimensions; got {len(x)}, shape {x}")
        if len(w) != d + 2:
            raise ValueError(f"the weight must be (out_channels, in_channels, {kernel}), {d + 2} "
                             f"dimensions; got {len(w)}, shape {w}")
        if x[1] != w[1]:
            raise ValueError(f"the input has {x[1]} channels (axis 1) but the weight takes {w[1]} "
                             f"(its axis 1); give the weight shape {(w[0], x[1]) + w[2:]}")
        if len(shapes) == 3 and shapes[2] != (w[0],):
            raise ValueError(f"the bias must have shape ({w[0]},), one value per output channel; "
                             f"got {shapes[2]}")
        return (x[0], w[0]) + output_lengths("the input", x[2:], w[2:], params["stride"],
                                             params["padding"], params["dilation"])

    return shape


def _cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """The padded copy and the windows' copy (im2col), about 2 units a value each, and the
    product at BLAS's pace of 16 flops a unit, with a call of it per sample."""
    x, w = shapes[0], shapes[1]
    padded_size = math.prod(x[:2]) * math.prod(n + 2 * p for n, p in zip(x[2:], params["padding"]))
    cols = x[0] * math.prod(w[1:]) * math.prod(shape[2:])
    size = math.prod(shape)
    flops = 2 * padded_size + 2 * cols + 2 * size + 2 * size * math.prod(w[1:]) // 16 + 256 * x[0]
    return flops, max(padded_size, cols, size)


def _spread(value: Size, d: int) -> Lengths:
    """A whole number for every spatial axis as a tuple; a tuple as it is (the plan has
    checked it: the rules also take an example's numbers as written)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (int(value),) * d


def _convolve(x: np.ndarray, w: np.ndarray, stride: Size = 1, padding: Size = 0, dilation: Size = 1
              ) -> np.ndarray:
    """The cross-correlation of x (N, C, *size) with w (O, C, *kernel), without bias."""
    d, n, o, kernel = w.ndim - 2, x.shape[0], w.shape[0], w.shape[2:]
    stride, padding, dilation = (_spread(v, d) for v in (stride, padding, dilation))
    cols = columns(padded(x, padding), kernel, stride, dilation)  # (N, C·k, positions)
    ans = np.matmul(w.reshape(o, cols.shape[1]), cols)
    positions = tuple((m + 2 * p - dl * (k - 1) - 1) // s + 1
                      for m, k, s, p, dl in zip(x.shape[2:], kernel, stride, padding, dilation))
    return ans.reshape((n, o) + positions)


def _x_cotangent(g: np.ndarray, ans: np.ndarray, x: np.ndarray, w: np.ndarray, *bias: np.ndarray,
                 stride: Size = 1, padding: Size = 0, dilation: Size = 1) -> np.ndarray:
    """The transposed convolution: g times the weight per window, added back where read."""
    d, n, o, kernel, positions = w.ndim - 2, g.shape[0], g.shape[1], w.shape[2:], g.shape[2:]
    w2 = w.reshape(o, math.prod(w.shape[1:]))
    cols = np.matmul(w2.T, g.reshape(n, o, math.prod(positions)))  # (N, C·k, positions)
    return scatter(cols.reshape(x.shape[:2] + kernel + positions), x.shape[2:], _spread(stride, d),
                   _spread(padding, d), _spread(dilation, d))


def _w_cotangent(g: np.ndarray, ans: np.ndarray, x: np.ndarray, w: np.ndarray, *bias: np.ndarray,
                 stride: Size = 1, padding: Size = 0, dilation: Size = 1) -> np.ndarray:
    """Σ over samples and positions of g times the input's windows."""
    d, n, o = w.ndim - 2, g.shape[0], g.shape[1]
    cols = columns(padded(x, _spread(padding, d)), w.shape[2:], _spread(stride, d), _spread(dilation, d))
    # NOTE: a product per sample summed after (0.26 ms for N=32, C=8 -> 16, 8 x 8, 3 x 3)
    # beat one product over windows copied in (C·k, N·positions) order (0.33) and einsum (0.43).
    per_sample = np.matmul(g.reshape(n, o, cols.shape[2]), np.swapaxes(cols, 1, 2))
    return per_sample.sum(axis=0).reshape(w.shape)


def _b_cotangent(g: np.ndarray, ans: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray,
                 **params: Size) -> np.ndarray:
    return g.sum(axis=(0,) + tuple(range(2, g.ndim)))


def _bias_tangent(db: np.ndarray, d: int) -> np.ndarray:
    return db.reshape(db.shape + (1,) * d)


def _with_bias(x: np.ndarray, w: np.ndarray, b: np.ndarray, **params: Size) -> np.ndarray:
    ans = _convolve(x, w, **params)
    ans += _bias_tangent(b, x.ndim - 2)
    return ans


def _examples(d: int, bias: bool) -> tuple[Example, ...]:
    """Sample points of a d-dimensional convolution: kernels as large as the input, with
    padding, stride and dilation; each small enough that the inputs 16 times longer still
    convolve in a fraction of a second (or no longer fit: the dilated kernels)."""
    def example(x: tuple, w: tuple, **params: Any) -> Example:
        return Example((x, w, (w[0],)) if bias else (x, w), params)

    if d == 1:
        return (
            example((2, 3, 5), (4, 3, 3)),
            example((2, 3, 5), (2, 3, 3), padding=1, stride=2),
            example((1, 2, 6), (3, 2, 2), padding=(2,), stride=(3,), dilation=(2,)),
            example((3, 1, 4), (1, 1, 4), padding=1),
        )
    return (
        example((1, 1, 3, 3), (2, 1, 3, 3), padding=1),
        example((2, 2, 3, 3), (3, 2, 2, 2), padding=1, dilation=2),
        example((1, 2, 3, 5), (2, 2, 2, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 3)),
        example((1, 1, 3, 2), (2, 1, 3, 2), stride=2, padding=2),
    )


def _convolution(d: int, bias: bool) -> Op:
    name = f"conv{d}d" + ("_bias" if bias else "")
    rules = dict(
        vjp=(_x_cotangent, _w_cotangent) + ((_b_cotangent,) if bias else ()),
        vjp_text=("the transposed convolution of g with y",
                  "Σ over samples and positions of g · the windows of x")
        + (("Σ g over samples and positions",) if bias else ()),
        jvp_text=(f"conv{d}d(dx, y)", f"conv{d}d(x, dy)") + (("dz at every position",) if bias else ()),
    )
    if bias:  # affine, not linear, in x and in w: their tangents are convolutions without bias
        rules["jvp"] = (
            lambda dx, ans, x, w, b, **params: _convolve(dx, w, **params),
            lambda dw, ans, x, w, b, **params: _convolve(x, dw, **params),
            lambda db, ans, x, w, b, **params: _bias_tangent(db, d),
        )
    return register(Op(
        name=name, arity=3 if bias else 2, label=f"conv{d}d",
        forward=_with_bias if bias else _convolve, linear=() if bias else (0, 1),
        params=_params(d), shape=_shape_of(d), cost=_cost, examples=_examples(d, bias),
        notation=f"conv{d}d(x, y) + z" if bias else "", **rules,
    ))


CONV1D = _convolution(1, bias=False)
CONV1D_BIAS = _convolution(1, bias=True)
CONV2D = _convolution(2, bias=False)
CONV2D_BIAS = _convolution(2, bias=True)


def _convolve_nodes(ops: tuple[Op, Op], x: NodeLike, w: NodeLike, bias: NodeLike | None,
                    stride: Size, padding: Size, dilation: Size) -> Function:
    if bias is None:
        return apply(ops[0], x, w, stride=stride, padding=padding, dilation=dilation)
    return apply(ops[1], x, w, bias, stride=stride, padding=padding, dilation=dilation)


def conv2d(x: NodeLike, w: NodeLike, bias: NodeLike | None = None, stride: Size = 1, padding: Size = 0,
           dilation: Size = 1) -> Function:
    """2-D cross-correlation of a batch of images, as ``torch.nn.functional.conv2d``.

    ``ans[n, o, i, j] = bias[o] + Σ_c,a,b w[o, c, a, b] · xp[n, c, i·sh + a·dh, j·sw + b·dw]``
    where ``xp`` is x with ``padding`` zeros around each image.

    Parameters
    ----------
    x : node or array
        Images (N, C, H, W).
    w : node or array
        Kernels (out_channels, C, kh, kw).
    bias : node or array, optional
        One value per output channel (out_channels,); without it the node has two inputs.
    stride, padding, dilation : int or pair of int
        Step between windows (>= 1), zeros added on each side (>= 0), and spacing of the
        kernel's taps (>= 1); one number for both axes or (height, width).

    Returns
    -------
    Function
        (N, out_channels, H_out, W_out), ``H_out = (H + 2p − dilation·(kh − 1) − 1) // stride + 1``.
        dL/dx is the transposed convolution of g with w; dL/dw sums g times the windows of x;
        dL/dbias sums g over samples and positions.

    Raises
    ------
    ShapeError
        Inputs that are not 4-D, channels that differ, a bias of the wrong length, or a
        kernel larger than the padded image; before anything is computed.
    ParamError
        A stride or dilation below 1, a negative padding, or a value that is no whole number.
    """
    return _convolve_nodes((CONV2D, CONV2D_BIAS), x, w, bias, stride, padding, dilation)


def conv1d(x: NodeLike, w: NodeLike, bias: NodeLike | None = None, stride: Size = 1, padding: Size = 0,
           dilation: Size = 1) -> Function:
    """1-D cross-correlation of a batch of sequences, as ``torch.nn.functional.conv1d``.

    x is (N, C, L), w (out_channels, C, k), bias (out_channels,) or None; stride, padding and
    dilation are whole numbers (or tuples of one). Returns (N, out_channels, L_out) with
    ``L_out = (L + 2p − dilation·(k − 1) − 1) // stride + 1``. See :func:`conv2d` for the rules
    and the errors.
    """
    return _convolve_nodes((CONV1D, CONV1D_BIAS), x, w, bias, stride, padding, dilation)
