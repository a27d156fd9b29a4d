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
    ndim = max((len(s) for s in shapes), default=0)
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


def plan_call(op: Op, shapes: Sequence[Sequence[int]], params: Any, where: str | None = None) -> Plan:
    """The :class:`Plan` of ``op`` on inputs of ``shapes`` with ``params``; see :meth:`Op.plan`."""
    shapes = tuple(tuple(int(n) for n in s) for s in shapes)
    where = where or f"{op.name}({', '.join(str(s) for s in shapes)})"
    if len(shapes) != op.arity:
        raise ShapeError(f"{where}: {op.name} takes {op.arity} input(s), got {len(shapes)}")
    for s in shapes:
        if len(s) > MAX_NDIM or any(n < 0 for n in s):
            raise ShapeError(f"{where}: an input of shape {s} is not allowed (at most {MAX_NDIM} "
                             "dimensions, each of length >= 0)")
    checked = read_params(where, op.params, params, len(shapes[0]) if shapes else 0)
    full = {p.name: p.default for p in op.params}
    full.update(checked)
    try:
        shape = tuple(int(n) for n in (op.shape or broadcast_shape)(shapes, full))
    except ValueError as error:
        raise ShapeError(f"{where}: {error}") from None
    if len(shape) > MAX_NDIM:
        raise ShapeError(f"{where}: the result would have {len(shape)} dimensions, more than {MAX_NDIM}")
    flops, temporary = (op.cost or per_element)(shapes, full, shape)
    return Plan(checked, shape, int(flops), int(temporary))


__all__ = ["ParamError", "Plan", "broadcast_shape", "broadcast_together", "per_element", "plan_call"]
