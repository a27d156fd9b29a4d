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
        Floating-point operations of the forward, estimated (one per element for elementwise
        ops and copies; 2·m·n·k for a product): a measure of time, not an exact count.
    temporary : int
        Elements of the largest array the forward allocates at once, its output included.
    """

    params: Mapping[str, Any]
    shape: Shape
    flops: int
    temporary: int

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


def per_element(shapes: Sequence[Shape], params: Mapping[str, Any], shape: Shape) -> tuple[int, int]:
    """Elementwise ops, copies and views: one operation per output element, no bigger array."""
    size = math.prod(shape)
    return size, size


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


def plan_call(op: Op, shapes: Sequence[Sequence[int]], params: Any, where: str | None = None) -> Plan:
    """The :class:`Plan` of ``op`` on inputs of ``shapes`` with ``params``; see :meth:`Op.plan`."""
    shapes = tuple(tuple(int(n) for n in s) for s in shapes)
    checked, shape = check_call(op, shapes, params, where)
    shape = tuple(int(n) for n in shape)
    full = {p.name: p.default for p in op.params}
    full.update(checked)
    flops, temporary = (op.cost or per_element)(shapes, full, shape)
    return Plan(checked, shape, int(flops), int(temporary))


__all__ = ["ParamError", "Plan", "broadcast_shape", "broadcast_together", "check_call", "per_element", "plan_call"]
