"""A convolution's chain rule position by position, and where pooling sends each gradient. Qt-free.

A weight entry w[o, c, i, j] of a convolution meets one input value at every position (y, x)
the filter slid over, in every sample n: x[n, c, y·s − p + i·d, x·s − p + j·d], zero where
that falls in the padding. Each meeting adds that value times the upstream gradient
g[n, o, y, x] to the entry's gradient; a bias entry b[o] adds g[n, o, y, x] itself. A pool
sends each output's gradient back to its window: all of it to the window's largest value
(max), or an equal share to every value of the window (average).

Everything is kept as arrays, one value per sample and position, never a Python object per
term: a 28 × 28 map over a batch of 32 is 25,088 terms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..engine import Function, Graph, Node

__all__ = ["CONVOLUTIONS", "POOLS", "ConvTerms", "PoolRoutes", "conv_terms", "parameter_terms",
           "pool_routes"]

CONVOLUTIONS = ("conv1d", "conv1d_bias", "conv2d", "conv2d_bias")
POOLS = ("max_pool2d", "avg_pool2d")


@dataclass(frozen=True, eq=False)
class ConvTerms:
    """The terms whose sum is one entry of a convolution weight's (or bias's) gradient.

    Attributes
    ----------
    node_label, input_label, parameter_label : str
        The convolution, its input x and the weight (or bias) node, as the graph names them.
    parameter : str
        "weight" or "bias".
    entry : tuple of int
        (o, c, i, j) of a conv2d weight, (o, c, i) of a conv1d weight, (o,) of a bias.
    inputs : ndarray
        (N, *positions): the input value the entry multiplied at each sample and output
        position; 0 where the tap fell in the padding; 1 for a bias.
    upstream : ndarray
        (N, *positions): the upstream gradient g[n, o, ...] at each of them.
    products : ndarray
        ``inputs * upstream``: the terms.
    total : float
        The sum of the terms: this convolution's share of the entry's gradient (all of it
        when the parameter feeds no other node).
    read_at : tuple of ndarray
        One per spatial axis: the input's index along that axis that each output position
        read (below 0 or past the input's end: the padding). Empty for a bias.
    patches : ndarray or None
        (N, *positions, *kernel): channel c's window at each position, zeros in the padding;
        the entry's tap is ``patches[..., i, j]``. None for a bias.
    input_size : tuple of int
        The input's spatial size (H, W) or (L,).
    stride, padding, dilation : tuple of int
        The convolution's, one per spatial axis.

    Every array is read-only.
    """

    node_label: str
    input_label: str
    parameter_label: str
    parameter: str
    entry: tuple[int, ...]
    inputs: np.ndarray
    upstream: np.ndarray
    products: np.ndarray
    total: float
    read_at: tuple[np.ndarray, ...]
    patches: np.ndarray | None
    input_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]

    @property
    def positions(self) -> tuple[int, ...]:
        """The output's spatial size: the positions the filter slid over."""
        return tuple(self.inputs.shape[1:])

    @property
    def count(self) -> int:
        """How many terms: samples times positions."""
        return int(self.inputs.size)

    @property
    def inside(self) -> np.ndarray:
        """Per position (*positions), whether the entry read the input rather than the padding."""
        inside = np.ones(self.positions, dtype=bool)
        for axis, (rows, n) in enumerate(zip(self.read_at, self.input_size)):
            shape = [1] * len(self.positions)
            shape[axis] = rows.size
            inside = inside & ((rows >= 0) & (rows < n)).reshape(shape)
        return inside

    def source(self, n: int, position: Sequence[int]) -> tuple[int, ...] | None:
        """The index into x of the value met at sample n and ``position``: (n, c, r, q);
        None when the tap fell in the padding, or for a bias (it meets no input)."""
        if self.parameter == "bias":
            return None
        index = tuple(int(rows[k]) for rows, k in zip(self.read_at, position))
        if not all(0 <= r < size for r, size in zip(index, self.input_size)):
            return None
        return (int(n), self.entry[1]) + index


@dataclass(frozen=True, eq=False)
class PoolRoutes:
    """Where a pool sends each output's gradient: to which inputs, and how much.

    Attributes
    ----------
    node_label : str
    kind : str
        "max" (all of it to the window's first largest value in row-major order, as the
        engine and torch break ties) or "avg" (an equal share to every value of the window,
        the padding's shares lost).
    upstream : ndarray
        (..., oh, ow): the gradient arriving at each output.
    rows, cols : ndarray of int
        (..., oh, ow, m): the input's row and column each share goes to; m is 1 for max,
        kh·kw for avg (the window in row-major order). Outside the input: the padding.
    inside : ndarray of bool
        (..., oh, ow, m): where the share reaches the input.
    amounts : ndarray
        (..., oh, ow, m): each share.
    input_shape : tuple of int

    Every array is read-only.
    """

    node_label: str
    kind: str
    upstream: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    inside: np.ndarray
    amounts: np.ndarray
    input_shape: tuple[int, ...]

    def input_gradient(self) -> np.ndarray:
        """The shares added up where they land: this pool's part of its input's gradient."""
        h, w = self.input_shape[-2:]
        lead = self.input_shape[:-2]
        stacks = np.arange(math.prod(lead)).reshape(lead + (1, 1, 1)) * (h * w)
        flat = (stacks + self.rows * w + self.cols)[self.inside]
        total = np.bincount(flat, weights=self.amounts[self.inside], minlength=math.prod(self.input_shape))
        return total.reshape(self.input_shape)


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


def _checked(node: Node, names: tuple[str, ...], what: str) -> Function:
    op = getattr(node, "op", None)
    if op is None or op.name not in names:
        kind = f"a {op.name} node" if op is not None else f"a {node.kind}"
        raise ValueError(f"'{node.label}' is {kind}, not {what} node: select one in the graph")
    return node


def _upstream(node: Function, upstream: np.ndarray | None) -> np.ndarray:
    g = node.grad if upstream is None else np.asarray(upstream, dtype=float)
    if g is None:
        raise ValueError(f"'{node.label}' has no gradient yet: run a backward pass through it first, "
                         "or pass its upstream gradient")
    if g.shape != node.value.shape:
        raise ValueError(f"the upstream gradient of '{node.label}' has shape {g.shape}, but the node's "
                         f"value has shape {node.value.shape}; they must be the same")
    return g


def _entry(entry: Sequence[int], shape: tuple[int, ...], where: str) -> tuple[int, ...]:
    index = tuple(int(k) for k in entry)
    if len(index) != len(shape):
        raise ValueError(f"{where} has shape {shape}: an entry takes {len(shape)} indices, got {list(index)}")
    for axis, (k, n) in enumerate(zip(index, shape)):
        if not 0 <= k < n:
            raise ValueError(f"entry {list(index)} is not in {where} of shape {shape}: index {k} on "
                             f"axis {axis} must be from 0 to {n - 1}")
    return index


def _taps(out: tuple[int, ...], kernel: tuple[int, ...], stride: tuple[int, ...], padding: tuple[int, ...],
          dilation: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Per spatial axis, (positions, kernel taps): the input index each tap of each window
    reads, for ``out`` positions along the axes (below 0 or past the input: the padding)."""
    return tuple(np.arange(o)[:, None] * s - p + np.arange(k)[None, :] * dl
                 for o, k, s, p, dl in zip(out, kernel, stride, padding, dilation))


def _placed(taps: tuple[np.ndarray, ...], size: tuple[int, ...]) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """The taps as indices over (*positions, *kernel), clipped into the input, and where they
    are inside it (not in the padding)."""
    d = len(taps)
    index, inside = [], np.ones((1,) * 2 * d, dtype=bool)
    for axis, (t, n) in enumerate(zip(taps, size)):
        shape = [1] * 2 * d
        shape[axis], shape[d + axis] = t.shape
        t = t.reshape(shape)
        inside = inside & (t >= 0) & (t < n)
        index.append(np.clip(t, 0, n - 1))
    return tuple(index), inside


def _windows(x: np.ndarray, taps: tuple[np.ndarray, ...]) -> np.ndarray:
    """x's values under every window's taps, (..., *positions, *kernel), zero in the padding."""
    index, inside = _placed(taps, x.shape[x.ndim - len(taps):])
    return np.where(inside, x[(Ellipsis,) + index], 0.0)


def conv_terms(node: Node, entry: Sequence[int], parameter: str = "weight",
               upstream: np.ndarray | None = None) -> ConvTerms:
    """The terms of one entry of a convolution's weight (or bias) gradient, position by position.

    Parameters
    ----------
    node : Function
        A conv1d or conv2d node (with or without bias).
    entry : sequence of int
        (o, c, i, j) of a conv2d weight, (o, c, i) of a conv1d weight, (o,) of the bias.
    parameter : {"weight", "bias"}
    upstream : ndarray, optional
        The node's upstream gradient dL/d(node); its ``grad`` from the last backward pass
        when not given (pass the gradient at a step of a recorded pass to show that step).

    Returns
    -------
    ConvTerms

    Raises
    ------
    ValueError
        A node that is no convolution, a bias asked of a convolution without one, an entry
        of the wrong length or out of range, or no upstream gradient (or one of the wrong shape).
    """
    node = _checked(node, CONVOLUTIONS, "a conv1d or conv2d")
    if parameter not in ("weight", "bias"):
        raise ValueError(f"parameter must be 'weight' or 'bias', got {parameter!r}")
    if parameter == "bias" and len(node.inputs) < 3:
        raise ValueError(f"'{node.label}' has no bias: it was built without one; ask for its weight's entries")
    x, held = node.inputs[0], node.inputs[1 if parameter == "weight" else 2]
    index = _entry(entry, held.value.shape, f"the {parameter} '{held.label}' of '{node.label}'")
    g = _upstream(node, upstream)
    up = np.array(g[:, index[0]], dtype=float)
    geometry = tuple(node.params[k] for k in ("stride", "padding", "dilation"))
    if parameter == "bias":
        inputs, read_at, patches = np.ones_like(up), (), None
    else:
        taps = _taps(node.value.shape[2:], held.value.shape[2:], *geometry)
        patches = _windows(x.value[:, index[1]], taps)
        inputs = np.ascontiguousarray(patches[(Ellipsis,) + index[2:]])
        read_at = tuple(t[:, k].copy() for t, k in zip(taps, index[2:]))
        _read_only(patches, *read_at)
    products = inputs * up
    _read_only(inputs, up, products)
    return ConvTerms(node.label, x.label, held.label, parameter, index, inputs, up, products,
                     float(products.sum()), read_at, patches, tuple(x.value.shape[2:]), *geometry)


def parameter_terms(graph: Graph, parameter: Node, entry: Sequence[int],
                    gradient: Callable[[Node], np.ndarray | None] | None = None) -> tuple[ConvTerms, ...]:
    """The terms of ``parameter[entry]`` in every convolution it is the weight or bias of.

    Parameters
    ----------
    graph : Graph
    parameter : Node
        A node of ``graph``: a convolution's weight or bias (a Variable, usually).
    entry : sequence of int
        An index into the parameter's value.
    gradient : callable, optional
        The upstream gradient of a convolution node, or None where it is not known yet (at
        an early step of a recorded backward pass); the node's ``grad`` when not given.

    Returns
    -------
    tuple of ConvTerms
        One per convolution whose gradient is known, in graph order; empty when the node
        feeds no convolution as its weight or bias. Their totals add up to the entry's
        gradient when the parameter feeds nothing else.
    """
    found = []
    for consumer in graph.consumers(parameter):
        if getattr(consumer, "op", None) is None or consumer.op.name not in CONVOLUTIONS:
            continue
        for role, k in (("weight", 1), ("bias", 2)):
            if k < len(consumer.inputs) and consumer.inputs[k] is parameter:
                g = consumer.grad if gradient is None else gradient(consumer)
                if g is not None:
                    found.append(conv_terms(consumer, entry, role, g))
    return tuple(found)


def _max_sources(node: Function) -> tuple[np.ndarray, np.ndarray]:
    """Each output's source in the input, as (flat index in its image, inside)."""
    x = node.inputs[0].value
    # The op's own forward-mode rule reads dx at each window's largest value; fed every
    # value's place in x (from 1: 0 is what the padding reads), it says where each maximum
    # was read, ties broken exactly as the engine breaks them in both passes.
    places = np.arange(1, x.size + 1, dtype=float).reshape(x.shape)
    read = np.rint(node.op.jvp[0](places, node.value, x, **node.params)).astype(np.intp) - 1
    return read % math.prod(x.shape[-2:]), read >= 0


def pool_routes(node: Node, upstream: np.ndarray | None = None) -> PoolRoutes:
    """Where a max_pool2d or avg_pool2d node sends each output's gradient.

    Parameters
    ----------
    node : Function
        A max_pool2d or avg_pool2d node.
    upstream : ndarray, optional
        The node's upstream gradient; its ``grad`` from the last backward pass when not given.

    Returns
    -------
    PoolRoutes
        Whose :meth:`~PoolRoutes.input_gradient` is the engine's gradient of the pool's input.

    Raises
    ------
    ValueError
        A node that is no pool, or no upstream gradient (or one of the wrong shape).
    """
    node = _checked(node, POOLS, "a max_pool2d or avg_pool2d")
    g = np.array(_upstream(node, upstream), dtype=float)
    shape = node.inputs[0].value.shape
    kind, routes = ("max", _max_routes) if node.op.name == "max_pool2d" else ("avg", _avg_routes)
    rows, cols, inside, amounts = routes(node, g)
    _read_only(g, rows, cols, inside, amounts)
    return PoolRoutes(node.label, kind, g, rows, cols, inside, amounts, tuple(shape))


def _max_routes(node: Function, g: np.ndarray) -> tuple[np.ndarray, ...]:
    """One route per output: to its window's maximum (nowhere when that is the padding)."""
    w = node.inputs[0].value.shape[-1]
    flat, inside = _max_sources(node)
    rows, cols = np.where(inside, flat // w, -1), np.where(inside, flat % w, -1)
    return rows[..., None], cols[..., None], inside[..., None], g[..., None].copy()


def _avg_routes(node: Function, g: np.ndarray) -> tuple[np.ndarray, ...]:
    """kh·kw routes per output, one to each tap of its window. The places are the same for
    every leading index (sample, channel): they are broadcast, not copied (a 3 × 3 average
    over 32 × 16 maps of 28 × 28 would take 90 MB)."""
    kernel = node.params["kernel_size"]
    stride = kernel if node.params["stride"] is None else node.params["stride"]
    size = node.inputs[0].value.shape[-2:]
    taps = _taps(node.value.shape[-2:], kernel, stride, node.params["padding"], (1, 1))
    inside = _placed(taps, size)[1]
    grid = node.value.shape[-2:] + kernel
    rows, cols = taps[0][:, None, :, None], taps[1][None, :, None, :]
    places = [np.broadcast_to(a, grid).reshape(grid[:2] + (-1,)) for a in (rows, cols, inside)]
    full = g.shape + (math.prod(kernel),)
    amounts = np.broadcast_to(g[..., None] / math.prod(kernel), full)
    return tuple(np.broadcast_to(a, full) for a in places) + (amounts,)
