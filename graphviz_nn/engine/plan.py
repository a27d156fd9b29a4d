"""What applying an op will make and cost, known from shapes alone before computing anything.

:meth:`Op.plan` checks the parameters against the op's declarations, derives the output's
shape with the op's shape rule (broadcasting for elementwise ops) and estimates the work
with its cost rule, so that a file reader or the expression parser can refuse a graph whose
recomputation is too large before a single array is allocated. None of it knows what any
particular op means: that lives in each op's record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from .errors import ShapeError
from .params import MAX_NDIM, ParamError, read_params

if TYPE_CHECKING:
    from .registry import Op

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """An op applied to inputs of given shapes, before anything is computed.

    Attributes
    ----------
    params : dict
        The parameters as given, checked and in the form the forward takes (lists as tuples);
        pass these to ``Function(op, inputs, plan.params)``.
    shape : tuple of int
        The output's shape.
    flops : int
        The price of the call: its work in the engine's unit of about a nanosecond of numpy's
        time on float64 values (an add or an exp per element; ``CALL_FLOPS`` for the call
        itself), estimated from shapes; a measure of time, not an exact count. Every op's
        price is within a small factor of what it costs (tests/engine/test_op_prices.py).
    temporary : int
        Elements of the largest array the forward allocates at once, its output included.
    dtype : numpy.dtype
        The slowest of the inputs' dtypes given to the plan (float64 when none are): what the
        price was made for, and what a planner may take the output to be, since a float16
        or long double input leaves its slowness downstream.
    """

    params: Mapping[str, Any]
    shape: Shape
    flops: int
    temporary: int
    dtype: np.dtype = np.dtype(np.float64)

    @property
    def size(self) -> int:
        """Elements of the output."""
        return math.prod(self.shape)


def broadcast_together(*shapes: Shape) -> Shape:
    """numpy's broadcasting of shapes, in exact integers (lengths beyond 2**63 included).

    Raises ValueError where two lengths differ and neither is 1.
    """
    if not shapes or all(s == shapes[0] for s in shapes):  # the usual case, at a glance
        return tuple(shapes[0]) if shapes else ()
    ndim = max(len(s) for s in shapes)
    result = []
    for i in range(-ndim, 0):
        lengths = {s[i] for s in shapes if len(s) >= -i} - {1}
        if len(lengths) > 1:
            raise ValueError(f"lengths {sorted(lengths)} do not broadcast")
        result.append(lengths.pop() if lengths else 1)
    return tuple(result)


def broadcast_shape(shapes: Sequence[Shape], params: Mapping[str, Any]) -> Shape:
    """Elementwise ops: the inputs broadcast as in numpy, and so does the output."""
    try:
        return broadcast_together(*shapes)
    except ValueError:
        raise ValueError(
            "shapes cannot be broadcast together (trailing dimensions must be equal or 1); "
            "reshape or transpose one operand"
        ) from None


# NOTE: checking a call and numpy's dispatch cost 2-6 µs whatever the sizes (a transpose, a view,
# costs nothing else): a file of 200,000 nodes is a second of work before any element.
CALL_FLOPS = 16384


def per_element(shapes: Sequence[Shape], params: Mapping[str, Any], shape: Shape) -> tuple[int, int]:
    """Copies: one operation per output element, no bigger array."""
    size = math.prod(shape)
    return size, size


def a_view(shapes: Sequence[Shape], params: Mapping[str, Any], shape: Shape) -> tuple[int, int]:
    """Views of the input (transpose, slices): no work beyond the call; the output's size."""
    return 0, math.prod(shape)


def _pace(dtype: np.dtype) -> int:
    if dtype.kind == "f" and dtype.itemsize > 8:
        return 128
    if dtype.itemsize <= 2 or dtype.kind not in "fiu":
        return 16
    return 1


def slowdown(dtypes: Sequence[Any]) -> int:
    """How many times its float64 price a call may take on values of these dtypes.

    numpy computes float16 through float32 one element at a time (add 8.1 ns an element
    against 0.85), and the functions of bools and 8- or 16-bit integers give float16 (exp
    8.9 ns against 0.9); long double is done in software (pow 352 ns against 3.3, matmul
    1.6 ns a flop against BLAS's 0.015).
    """
    return max((_pace(np.dtype(d)) for d in dtypes), default=1)


def slowest(dtypes: Sequence[Any]) -> np.dtype:
    """The dtype of these whose :func:`slowdown` is largest (float64 when there are none)."""
    return max((np.dtype(d) for d in dtypes), key=_pace, default=np.dtype(np.float64))


def check_call(op: Op, shapes: tuple[Shape, ...], params: Any, where: str | None = None
               ) -> tuple[dict[str, Any], Shape]:
    """The checked parameters and the output shape of a call; ``shapes`` are tuples of ints.

    ``where`` names the call in messages; by default ``sum((2, 3))``, made only on error.
    """
    if len(shapes) != op.arity:
        raise ShapeError(f"{_where(op, shapes, where)}: {op.name} takes {op.arity} input(s), "
                         f"got {len(shapes)}")
    for s in shapes:
        if len(s) > MAX_NDIM or (s and min(s) < 0):
            raise ShapeError(f"{_where(op, shapes, where)}: an input of shape {s} is not allowed "
                             f"(at most {MAX_NDIM} dimensions, each of length >= 0)")
    ndim = len(shapes[0]) if shapes else 0
    if params or op.params:
        checked = read_params(_where(op, shapes, where), op.params, params, ndim)
        full = {p.name: p.default for p in op.params}
        full.update(checked)
    else:
        checked = full = {}
    try:
        shape = (op.shape or broadcast_shape)(shapes, full)
    except ValueError as error:
        raise ShapeError(f"{_where(op, shapes, where)}: {error}") from None
    if len(shape) > MAX_NDIM:
        raise ShapeError(f"{_where(op, shapes, where)}: the result would have {len(shape)} "
                         f"dimensions, more than {MAX_NDIM}")
    return checked, shape


def _where(op: Op, shapes: tuple[Shape, ...], where: str | None) -> str:
    return where or f"{op.name}({', '.join(str(s) for s in shapes)})"


def plan_call(op: Op, shapes: Sequence[Sequence[int]], params: Any, where: str | None = None,
              dtypes: Sequence[np.dtype] | None = None) -> Plan:
    """The :class:`Plan` of ``op`` on inputs of ``shapes`` with ``params``; see :meth:`Op.plan`."""
    shapes = tuple(tuple(int(n) for n in s) for s in shapes)
    checked, shape = check_call(op, shapes, params, where)
    shape = tuple(int(n) for n in shape)
    full = {p.name: p.default for p in op.params}
    full.update(checked)
    if op.cost is None:
        size = math.prod(shape)
        flops, temporary = op.unit_cost * size, size
    else:
        flops, temporary = op.cost(shapes, full, shape)
    dtypes = dtypes or ()
    flops = (CALL_FLOPS + int(flops)) * slowdown(dtypes)
    return Plan(checked, shape, flops, int(temporary), slowest(dtypes))


__all__ = ["CALL_FLOPS", "ParamError", "Plan", "a_view", "broadcast_shape", "broadcast_together", "check_call",
           "per_element", "plan_call", "slowdown", "slowest"]
