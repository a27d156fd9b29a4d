"""Linear algebra and shape: matmul, dot, transpose, reshape."""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from ..node import Function, NodeLike, apply
from ..params import new_shape, permutation
from ..plan import a_view, broadcast_together
from ..registry import Example, Op, register
from ._shapes import Shapes


def _matmul_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    a, b = shapes
    if not a or not b:
        raise ValueError("matmul needs arrays of at least one dimension; use mul for scalars")
    inner_a, inner_b = a[-1], (b[0] if len(b) == 1 else b[-2])
    if inner_a != inner_b:
        raise ValueError(f"inner dimensions differ ({inner_a} vs {inner_b})")
    try:
        stack = broadcast_together(a[:-2], b[:-2])
    except ValueError:
        raise ValueError("the stacked (leading) dimensions cannot be broadcast together") from None
    return tuple(stack) + a[-2:-1] + b[-1:] if len(b) > 1 else tuple(stack) + a[-2:-1]


def _matmul_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """matmul: every element of the operands and the result touched once, and the 2·m·n·k
    multiplies and adds at BLAS's pace of about 16 a price unit."""
    # NOTE: one BLAS thread took 0.013-0.02 ns a flop on (194, 291) @ (291, 388) and stacks
    # of such (a slow BLAS's 0.1 ns makes 16 flops 1.6 units' time); a vector times a matrix
    # runs at the memory's pace instead (0.15-0.4 ns a flop, reading the matrix once), and a
    # stack of 2 x 2 matrices at 25-45 ns each: the elements' term and 16 a matrix price those.
    size = math.prod(shape)
    matrices = math.prod(shape[:-2])
    return (sum(math.prod(s) for s in shapes) + size + 16 * matrices + 2 * size * shapes[0][-1] // 16,
            size)


def _dot_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """dot: one unit per multiply and add of each output element's sum (einsum: 0.1-0.26 ns
    a flop), and 4 per output element (sums of two products took 6 ns each)."""
    size = math.prod(shape)
    return size * shapes[0][-1] + 4 * size, size


def _matmul_vjp(g: np.ndarray, x: np.ndarray, y: np.ndarray, wrt: int) -> np.ndarray:
    if x.ndim == 2 and y.ndim == 2:  # two matrices, the usual case: no promotion to undo
        return g @ y.T if wrt == 0 else x.T @ g
    # Promote 1-D operands to matrices (a row for x, a column for y), as numpy does, so one
    # rule covers vectors, matrices and stacks; the engine un-broadcasts stacked dimensions.
    x_vec, y_vec = x.ndim == 1, y.ndim == 1
    x2 = x[np.newaxis, :] if x_vec else x
    y2 = y[:, np.newaxis] if y_vec else y
    g2 = np.expand_dims(g, -1) if y_vec else g
    if x_vec:
        g2 = np.expand_dims(g2, -2)
    if wrt == 0:
        result = None
        if x2.shape[:-2] != g2.shape[:-2]:  # x's stack was broadcast: sum while multiplying
            result = _summed_product(g2, "PQ", y2, "KQ", x2.shape, "PK")
        if result is None:
            result = g2 @ np.swapaxes(y2, -1, -2)
        return result[..., 0, :] if x_vec else result
    result = None
    if y2.shape[:-2] != g2.shape[:-2]:
        result = _summed_product(g2, "PQ", x2, "PK", y2.shape, "KQ")
    if result is None:
        result = np.swapaxes(x2, -1, -2) @ g2
    return result[..., :, 0] if y_vec else result


def _dot_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    a, b = shapes
    if not a or not b:
        raise ValueError("dot needs vectors (the last axis is summed); use mul for scalars")
    if a[-1] != b[-1]:
        raise ValueError(f"last dimensions differ ({a[-1]} vs {b[-1]})")
    try:
        return broadcast_together(a[:-1], b[:-1])
    except ValueError:
        raise ValueError("leading dimensions cannot be broadcast together") from None


def _reshape_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    size, shape = math.prod(shapes[0]), params["shape"]
    known = math.prod(n for n in shape if n != -1)
    if -1 in shape:
        if not known or size % known:
            raise ValueError(f"cannot reshape {size} values to {shape}")
        return tuple(size // known if n == -1 else n for n in shape)
    if known != size:
        raise ValueError(f"cannot reshape {size} values to {shape}")
    return shape


def _transpose_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    shape, axes = shapes[0], params["axes"]
    return shape[::-1] if axes is None else tuple(shape[a] for a in axes)


def _dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # NOTE: np.sum(x * y, axis=-1) made the broadcast product first: for x (m, 1, k) and
    # y (n, k) an m·n·k temporary (a 733-byte file asked for 8.4 GB). einsum sums as it goes.
    return np.einsum("...i,...i->...", x, y)


_STACK_LABELS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJLMNORSTUVWXYZ"  # K, P, Q name matrix axes


def _summed_product(g: np.ndarray, g_core: str, other: np.ndarray, other_core: str,
                    shape: tuple[int, ...], core: str) -> np.ndarray | None:
    """The cotangent of an input of ``shape`` whose leading (stacked) axes were broadcast:
    einsum of g and the other operand straight into that shape, summing as it multiplies.

    Computed as a product of broadcast shape and summed afterwards (as the engine's
    un-broadcasting would), it held the output's size times the summed length: m·n·k for
    dot(x (m, 1, k), y (n, k)), 17 GB for a 20 kB file. None when there are too many axes
    to label (more than 49); the caller then takes the product.
    """
    lead = g.ndim - len(g_core)
    other_lead = other.ndim - len(other_core)
    if lead + other_lead > len(_STACK_LABELS):
        return None
    g_sub, fresh = _STACK_LABELS[:lead], iter(_STACK_LABELS[lead:])
    at = lead - other_lead  # other's stacked axes line up with g's last ones
    o_sub = "".join(g_sub[at + j] if n == g.shape[at + j] else next(fresh)
                    for j, n in enumerate(other.shape[:other_lead]))
    at = lead - (len(shape) - len(core))
    kept = "".join(g_sub[at + j] for j, n in enumerate(shape[:len(shape) - len(core)]) if n == g.shape[at + j])
    return np.einsum(f"{g_sub}{g_core},{o_sub}{other_core}->{kept}{core}", g, other).reshape(shape)


def _dot_vjp(g: np.ndarray, x: np.ndarray, other: np.ndarray) -> np.ndarray:
    """dL/dx of Σ x·other: g · other, summed over the leading axes along which x was broadcast."""
    if x.shape[:-1] != g.shape:
        summed = _summed_product(g, "", other, "K", x.shape, "K")
        if summed is not None:
            return summed
    return np.expand_dims(g, -1) * other  # x was not broadcast: the product has its shape


def _inverse(axes: Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
    """The permutation that puts transposed axes back; axes may count from the end (−1)."""
    # NOTE: argsort of the raw axes (-1, 0) gives (0, 1), not the inverse (1, 0) of (1, 0).
    return None if axes is None else tuple(int(i) for i in np.argsort([a % ndim for a in axes]))


MATMUL = register(Op(
    name="matmul", arity=2, label="@", forward=np.matmul,
    vjp=(
        lambda g, ans, x, y: _matmul_vjp(g, x, y, 0),
        lambda g, ans, x, y: _matmul_vjp(g, x, y, 1),
    ),
    linear=(0, 1),
    vjp_text=("g @ yᵀ", "xᵀ @ g"), jvp_text=("dx @ y", "x @ dy"), shape=_matmul_shape,
    cost=_matmul_cost,
    examples=(
        Example(((2, 3), (3, 4))),
        Example(((3,), (3, 4))),
        Example(((2, 3), (3,))),
        Example(((3,), (3,))),
        Example(((2, 2, 3), (3, 4))),
        Example(((2, 3), (2, 3, 4))),
        Example(((2, 1, 2, 3), (3, 3, 2))),
        Example(((3,), (2, 1, 3, 2))),
        Example(((1, 2, 3), (4, 1, 3, 2))),
    ),
))

DOT = register(Op(
    name="dot", arity=2, label="·",
    forward=_dot,
    vjp=(lambda g, ans, x, y: _dot_vjp(g, x, y), lambda g, ans, x, y: _dot_vjp(g, y, x)),
    linear=(0, 1),
    vjp_text=("g · y", "g · x"), jvp_text=("Σ dx · y", "Σ x · dy"), shape=_dot_shape,
    cost=_dot_cost,
    examples=(Example(((3,), (3,))), Example(((2, 3), (3,))), Example(((2, 3), (2, 3))),
              Example(((2, 1, 3), (4, 3))), Example(((1, 4, 3), (2, 1, 3))), Example(((3,), (2, 2, 3)))),
))

def _transposed(x: np.ndarray, axes: Sequence[int] | None = None) -> np.ndarray:
    # NOTE: a copy in the new order, not numpy's view: an add of a transposed view and an
    # array took 11 ns an element on 2048 x 2048 values (2.7 in one order), reading one of
    # them across the grain; the copy is made once, at 1-5.5 ns an element.
    return np.ascontiguousarray(np.transpose(x, axes))


def _transpose_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """Nothing when the axes longer than 1 keep their order (a view); else the copy in the
    new order, four units an element."""
    x = shapes[0]
    order = range(len(x) - 1, -1, -1) if params["axes"] is None else [a % len(x) for a in params["axes"]]
    moved = [a for a in order if x[a] != 1]
    if moved == sorted(moved):
        return a_view(shapes, params, shape)
    return 4 * math.prod(shape), math.prod(shape)


TRANSPOSE = register(Op(
    name="transpose", arity=1, label="ᵀ",
    forward=_transposed,
    vjp=(lambda g, ans, x, axes=None: np.transpose(g, _inverse(axes, x.ndim)),),
    linear=(0,),
    vjp_text=("gᵀ (axes put back)",), jvp_text=("dxᵀ",), notation="xᵀ", params=(permutation(),),
    shape=_transpose_shape, cost=_transpose_cost,
    examples=(Example(((2, 3),)), Example(((2, 3, 4),), {"axes": (1, 2, 0)}), Example(((3,),))),
))

def _reshape_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """A view when the input has at most one axis longer than 1, or when only axes of length
    1 come or go; else priced as the copy numpy makes of a transposed input (4 ns an element
    across 8 MB, reading against the grain), four units an element."""
    longer = [n for n in shapes[0] if n != 1]
    if len(longer) <= 1 or longer == [n for n in shape if n != 1]:
        return a_view(shapes, params, shape)
    return 4 * math.prod(shape), math.prod(shape)


RESHAPE = register(Op(
    name="reshape", arity=1, label="reshape",
    forward=lambda x, shape: np.reshape(x, shape),
    vjp=(lambda g, ans, x, shape: np.reshape(g, x.shape),),
    linear=(0,),
    vjp_text=("g reshaped to x's shape",), jvp_text=("dx reshaped",), params=(new_shape(),),
    shape=_reshape_shape, cost=_reshape_cost,
    examples=(Example(((2, 3),), {"shape": (3, 2)}), Example(((6,),), {"shape": (2, -1)}),
              Example(((2, 3),), {"shape": (6,)})),
))


def matmul(x: NodeLike, y: NodeLike) -> Function:
    """Matrix product x @ y (numpy's rules for vectors and stacks).

    dL/dx = g @ yᵀ, dL/dy = xᵀ @ g.
    """
    return apply(MATMUL, x, y)


def dot(x: NodeLike, y: NodeLike) -> Function:
    """Inner product over the last axis, Σ x·y, broadcasting the leading axes.

    dL/dx = g · y, dL/dy = g · x.
    """
    return apply(DOT, x, y)


def transpose(x: NodeLike, axes: Sequence[int] | None = None) -> Function:
    """Permute axes (reverse them when axes is None). dL/dx = g with the axes put back."""
    return apply(TRANSPOSE, x, axes=None if axes is None else tuple(int(a) for a in axes))


def reshape(x: NodeLike, shape: Sequence[int] | int) -> Function:
    """The same values in a new shape (one entry may be −1). dL/dx = g reshaped back."""
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
    return apply(RESHAPE, x, shape=shape)
