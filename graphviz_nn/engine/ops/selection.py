"""Choosing between values elementwise: maximum, minimum, where, clip. All broadcast as numpy."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..node import Function, NodeLike, apply
from ..params import Param, real
from ..registry import Example, Op, register
from ._shapes import Shapes

_BROADCAST = (
    Example(((2, 3), (2, 3))),
    Example(((2, 3), (3,))),
    Example(((2, 1), (1, 3))),
    Example(((), (4,))),
)


def _larger_share(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x's share of maximum(x, y)'s slope: 1 where x > y, 1/2 where they tie, else 0."""
    return (x > y) + 0.5 * (x == y)


def _smaller_share(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x < y) + 0.5 * (x == y)


def _clip(x: np.ndarray, min: float | None = None, max: float | None = None) -> np.ndarray:  # noqa: A002
    if min is None and max is None:
        return np.array(x, dtype=np.float64)
    return np.clip(x, min, max)


def _inside(x: np.ndarray, min: float | None, max: float | None) -> np.ndarray:  # noqa: A002
    """1 where x is within [min, max] (the bounds included, as torch.clamp), else 0."""
    inside = np.ones(np.shape(x))
    if min is not None:
        inside *= x >= min
    if max is not None:
        inside *= x <= max
    return inside


def bound(name: str) -> Param:
    """A bound of clip: a finite number, or None for no bound on that side."""
    return real(name, None, optional=True)


def _clip_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    low, high = params["min"], params["max"]
    if low is not None and high is not None and low > high:
        raise ValueError(f"min ({low:g}) is larger than max ({high:g}); give min <= max")
    return shapes[0]


MAXIMUM = register(Op(
    name="maximum", arity=2, label="max", forward=np.maximum, elementwise=True,
    # NOTE: where x == y the slope is split half and half, as PyTorch and JAX do: the mean
    # of the one-sided derivatives, and the same in both modes.
    derivative=(lambda ans, x, y: _larger_share(x, y), lambda ans, x, y: _larger_share(y, x)),
    vjp_text=("g · ([x > y] + ½ [x = y])", "g · ([y > x] + ½ [x = y])"), examples=_BROADCAST,
))

MINIMUM = register(Op(
    name="minimum", arity=2, label="min", forward=np.minimum, elementwise=True,
    derivative=(lambda ans, x, y: _smaller_share(x, y), lambda ans, x, y: _smaller_share(y, x)),
    vjp_text=("g · ([x < y] + ½ [x = y])", "g · ([y < x] + ½ [x = y])"), examples=_BROADCAST,
))

WHERE = register(Op(
    name="where", arity=3, label="where",
    forward=lambda c, x, y: np.where(c != 0, x, y), elementwise=True,
    # NOTE: the condition (the first input, x in the formulas) chooses; it is not
    # differentiated: its slope is 0 wherever it is constant around a point.
    # A choice, not a product: where(c, t, 0) keeps an inf or nan of t that t · [c ≠ 0]
    # would turn into nan where the other input was chosen.
    chain=(
        lambda t, ans, c, x, y: np.zeros_like(ans),
        lambda t, ans, c, x, y: np.where(c != 0, t, 0.0),
        lambda t, ans, c, x, y: np.where(c != 0, 0.0, t),
    ),
    vjp_text=("0 (the condition only chooses)", "g where x ≠ 0, else 0", "g where x = 0, else 0"),
    unit_cost=2,  # a comparison and a choice from three inputs
    examples=(
        Example(((2, 3), (2, 3), (2, 3)), domain=((0.5, 1.0), (-2, 2), (-2, 2))),
        Example(((2, 3), (3,), ()), domain=((0.0, 0.0), (-2, 2), (-2, 2))),
        Example(((3,), (2, 1), (2, 3)), domain=((-1.0, -0.5), (-2, 2), (-2, 2))),
    ),
))

CLIP = register(Op(
    name="clip", arity=1, label="clip", forward=_clip, elementwise=True,
    derivative=(lambda ans, x, min=None, max=None: _inside(x, min, max),),  # noqa: A002
    vjp_text=("g where min ≤ x ≤ max, else 0",), params=(bound("min"), bound("max")),
    shape=_clip_shape,
    examples=(Example(((2, 3),), {"min": -1.0, "max": 1.0}), Example(((4,),), {"min": 0.5}),
              Example(((),), {"max": -0.5}), Example(((3, 2),), {"min": -1.0, "max": -1.0})),
))


def maximum(x: NodeLike, y: NodeLike) -> Function:
    """The larger of x and y elementwise, broadcasting (not a reduction: see ``max``).

    dL/dx = g where x > y, dL/dy = g where y > x; where they are equal each gets g / 2.
    """
    return apply(MAXIMUM, x, y)


def minimum(x: NodeLike, y: NodeLike) -> Function:
    """The smaller of x and y elementwise, broadcasting (not a reduction: see ``min``).

    dL/dx = g where x < y, dL/dy = g where y < x; where they are equal each gets g / 2.
    """
    return apply(MINIMUM, x, y)


def where(condition: NodeLike, x: NodeLike, y: NodeLike) -> Function:
    """x where the condition is true (nonzero), else y; all three broadcast together.

    The condition is usually a Constant of booleans or 0/1 values (a mask); it gets no
    gradient. dL/dx = g where the condition holds, dL/dy = g elsewhere.
    """
    return apply(WHERE, condition, x, y)


def clip(x: NodeLike, min: float | None = None, max: float | None = None) -> Function:  # noqa: A002
    """x limited to [min, max] elementwise (either bound may be None).

    dL/dx = g where min ≤ x ≤ max (the bounds included, as torch.clamp), 0 outside.
    """
    return apply(CLIP, x, min=None if min is None else float(min), max=None if max is None else float(max))

