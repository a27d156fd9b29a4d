"""Convolution and pooling layers as ``torch.nn`` names them: Conv1d, Conv2d, MaxPool2d, AvgPool2d.

Each is called on a node of images (N, C, H, W) (or sequences (N, C, L) for Conv1d), or on one
unbatched image (C, H, W) as torch allows, and returns a node in the layer's scope. Sizes are
checked when the layer is built, and the input's shape when it is called, before anything is
computed: a kernel that spans more than the padded input is refused naming the layer, the axis
and both lengths.
"""

from __future__ import annotations

import math
from typing import Any, Sequence, Union

import numpy as np

from ..engine import Node, Variable, as_node, avg_pool2d, conv1d, conv2d, max_pool2d, reshape
from .layers import check_size, generator, uniform_fan_in
from .module import Module

Size = Union[int, Sequence[int]]
_AXES = {1: ("length",), 2: ("height", "width")}


def spatial(layer: str, name: str, value: Any, d: int, least: int) -> tuple[int, ...]:
    """One whole number >= ``least`` per spatial axis, from a number or a tuple of ``d``.

    Raises ValueError naming the layer and the argument, as torch's ``kernel_size=3`` or
    ``(3, 5)`` are given.
    """
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * d
    good = len(values) == d and all(
        not isinstance(v, bool) and isinstance(v, (int, np.integer)) and v >= least for v in values)
    if not good:
        pair = " or a pair of them" if d == 2 else " or a tuple of one"
        raise ValueError(f"{layer}: {name} must be a whole number >= {least}{pair}, got {value!r}")
    return tuple(int(v) for v in values)


def check_windows(where: str, shape: tuple[int, ...], kernel: tuple[int, ...], padding: tuple[int, ...],
                  dilation: tuple[int, ...]) -> None:
    """Refuse a kernel that spans more than the padded input along a spatial axis."""
    d = len(kernel)
    for axis, n, k, p, dl in zip(_AXES[d], shape[-d:], kernel, padding, dilation):
        span = dl * (k - 1) + 1
        if span > n + 2 * p:
            raise ValueError(f"{where}: the kernel spans {span} along the {axis} but the input {shape} "
                             f"padded has {n + 2 * p} ({n} + 2·{p}); give a larger input, more padding "
                             f"or a smaller kernel")


def _unbatched(x: Node, d: int, where: str, layout: str) -> bool:
    """True for one unbatched sample (d + 1 axes); ValueError for any rank but d + 1 or d + 2."""
    if x.value.ndim not in (d + 1, d + 2):
        raise ValueError(f"{where}: the input must be {layout} (or one sample without N); got shape {x.shape}")
    return x.value.ndim == d + 1


class _ConvNd(Module):
    """What Conv1d and Conv2d share: the sizes, the parameters and the call."""

    _d = 2
    _layout = "(N, C, H, W)"

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Size, stride: Size = 1,
                 padding: Size = 0, dilation: Size = 1, bias: bool = True,
                 rng: np.random.Generator | None = None, *, parts: bool = False):
        super().__init__()
        name, d = type(self).__name__, self._d
        check_size(name, in_channels=in_channels, out_channels=out_channels)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = spatial(name, "kernel_size", kernel_size, d, 1)
        self.stride = spatial(name, "stride", stride, d, 1)
        self.padding = spatial(name, "padding", padding, d, 0)
        self.dilation = spatial(name, "dilation", dilation, d, 1)
        self.parts = bool(parts)
        fan_in = self.in_channels * math.prod(self.kernel_size)
        rng = generator(rng)
        # torch's default: kaiming_uniform_(a=√5) for the weight, which is U(±1/√fan_in), and
        # the bias from the same range.
        self.weight = Variable(uniform_fan_in(rng, fan_in, (self.out_channels, self.in_channels)
                                              + self.kernel_size), "weight")
        self.bias = Variable(uniform_fan_in(rng, fan_in, (self.out_channels,)), "bias") if bias else None

    def _describe(self) -> str:
        sizes = ", ".join(map(str, self.kernel_size))
        return f"{self.label}({self.in_channels}, {self.out_channels}, kernel_size=({sizes}))"

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        where, d = self._describe(), self._d
        single = _unbatched(x, d, where, self._layout)
        if x.shape[-d - 1] != self.in_channels:
            raise ValueError(f"{where}: the input {x.shape} has {x.shape[-d - 1]} channels (axis "
                             f"{-d - 1}) but the layer takes {self.in_channels}; build it with in_channels="
                             f"{x.shape[-d - 1]} or give it {self.in_channels} channels")
        check_windows(where, x.shape, self.kernel_size, self.padding, self.dilation)
        if single:
            x = reshape(x, (1,) + x.shape)
        convolve = conv1d if d == 1 else conv2d
        sizes = dict(stride=self.stride, padding=self.padding, dilation=self.dilation)
        if self.bias is not None and self.parts:  # the bias as its own node, added per channel
            y = convolve(x, self.weight, **sizes) + reshape(self.bias, (self.out_channels,) + (1,) * d)
        else:
            y = convolve(x, self.weight, self.bias, **sizes)
        return reshape(y, y.shape[1:]) if single else y

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if any(self.padding):
            text += f", padding={self.padding}"
        if any(v != 1 for v in self.dilation):
            text += f", dilation={self.dilation}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv2d(_ConvNd):
    """2-D cross-correlation of images, as ``torch.nn.Conv2d``.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input (its axis 1) and of the output.
    kernel_size : int or pair of int
        (kh, kw); one number for both.
    stride, padding, dilation : int or pair of int
        Step between windows (>= 1), zeros added on each side (>= 0), spacing of the kernel's
        taps (>= 1), as :func:`graphviz_nn.engine.conv2d` takes them.
    bias : bool
        Add a bias (out_channels,).
    rng : numpy Generator, optional
        Draws weight (out_channels, in_channels, kh, kw), then bias, from U(−1/√fan_in,
        1/√fan_in) with fan_in = in_channels·kh·kw (torch's default initialisation).
    parts : bool
        Draw the bias as its own addition node after the convolution, instead of one node.

    Notes
    -----
    Called on (N, in_channels, H, W) it returns (N, out_channels, H_out, W_out), with
    ``H_out = (H + 2p − dilation·(kh − 1) − 1) // stride + 1`` (W_out alike); on one image
    (in_channels, H, W), one output image.
    """

    _d = 2
    _layout = "(N, C, H, W)"


class Conv1d(_ConvNd):
    """1-D cross-correlation of sequences (N, C, L), as ``torch.nn.Conv1d``; the parameters as
    :class:`Conv2d`'s with one length per argument, the weight (out_channels, in_channels, k)."""

    _d = 1
    _layout = "(N, C, L)"


class _Pool2d(Module):
    _pool = staticmethod(max_pool2d)

    def __init__(self, kernel_size: Size, stride: Size | None = None, padding: Size = 0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = spatial(name, "kernel_size", kernel_size, 2, 1)
        self.stride = self.kernel_size if stride is None else spatial(name, "stride", stride, 2, 1)
        self.padding = spatial(name, "padding", padding, 2, 0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{name}: padding {self.padding} is more than half the kernel {self.kernel_size}; "
                             f"give at most half, as torch")

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        where = f"{self.label}(kernel_size={self.kernel_size})"
        _unbatched(x, 2, where, "(N, C, H, W)")
        check_windows(where, x.shape, self.kernel_size, self.padding, (1, 1))
        return self._pool(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The largest value of each window over the last two axes, as ``torch.nn.MaxPool2d``.

    Parameters
    ----------
    kernel_size : int or pair of int
    stride : int or pair of int, optional
        The kernel's size when None (torch's default).
    padding : int or pair of int
        At most half the kernel; padded values never win.

    The gradient goes to the first largest value of each window (torch's choice for ties).
    """

    _pool = staticmethod(max_pool2d)


class AvgPool2d(_Pool2d):
    """The mean of each window over the last two axes, as ``torch.nn.AvgPool2d`` (padding counts
    as zeros in the mean, torch's ``count_include_pad=True``); parameters as :class:`MaxPool2d`."""

    _pool = staticmethod(avg_pool2d)
