"""Arithmetic: add, sub, mul, div, neg, pow. Binary ops broadcast as numpy does."""

from __future__ import annotations

import numpy as np

from ..node import Function, NodeLike, apply
from ..registry import Example, Op, register

_BROADCAST_EXAMPLES = (
    Example(((2, 3), (2, 3))),
    Example(((2, 3), (3,))),
    Example(((2, 1), (1, 3))),
    Example(((), (4,))),
)


def _safe_log(x: np.ndarray) -> np.ndarray:
    # NOTE: d(x**y)/dy = log(x) * x**y; where x == 0 the product is 0 (as x**y is), so log is
    # evaluated at 1 there instead of giving -inf * 0 = nan.
    return np.log(np.where(x == 0, 1.0, x))


def _base_slope(ans: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d(x**y)/dx = y · x^(y−1), and 0 where y == 0 even at x == 0 (x**0 is constant 1).

    The plain product is 0 · 0^−1 = 0 · inf = nan there; the exponent 1 stands in for y − 1
    wherever y == 0, which the factor y zeroes anyway.
    """
    if y.ndim == 0:  # the usual x ** 2: the exponent as a Python number, as fast as before
        e = float(y)
        return e * np.power(x, e - 1.0) if e != 0.0 else np.zeros(np.shape(x))
    return y * np.power(x, np.where(y == 0, 1.0, y - 1))


ADD = register(Op(
    name="add", arity=2, label="+", forward=np.add, elementwise=True,
    # NOTE: add and sub are linear in both inputs together, not in each alone (add(dx, y) is
    # no tangent), so they declare their elementwise rule: t itself costs nothing, t · 1 a pass.
    chain=(lambda t, ans, x, y: t, lambda t, ans, x, y: t),
    vjp_text=("g", "g"), examples=_BROADCAST_EXAMPLES,
))

SUB = register(Op(
    name="sub", arity=2, label="−", forward=np.subtract, elementwise=True,
    chain=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t),
    vjp_text=("g", "−g"), examples=_BROADCAST_EXAMPLES,
))

MUL = register(Op(
    name="mul", arity=2, label="×", forward=np.multiply, elementwise=True,
    derivative=(lambda ans, x, y: y, lambda ans, x, y: x), linear=(0, 1),
    vjp_text=("g · y", "g · x"), examples=_BROADCAST_EXAMPLES,
))

# NOTE: div writes its rule out: t / y is one pass where t · (1 / y) takes two.
DIV = register(Op(
    name="div", arity=2, label="÷", forward=np.divide, elementwise=True,
    chain=(lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y),
    vjp_text=("g / y", "−g · x / y²"),
    examples=tuple(Example(e.shapes, domain=((-2, 2), (0.5, 2))) for e in _BROADCAST_EXAMPLES),
))

NEG = register(Op(
    name="neg", arity=1, label="−", forward=np.negative, elementwise=True,
    vjp=(lambda g, ans, x: -g,), linear=(0,),
    vjp_text=("−g",), notation="−x", examples=(Example(((3,),)), Example(((),))),
))

POW = register(Op(
    name="pow", arity=2, label="^", forward=np.power, elementwise=True,
    derivative=(_base_slope, lambda ans, x, y: _safe_log(x) * ans),
    vjp_text=("g · y · x^(y−1)", "g · log(x) · x^y"), notation="x^y", unit_cost=4,  # 3-5 ns an element
    examples=tuple(Example(e.shapes, domain=((0.3, 2), (-2, 2))) for e in _BROADCAST_EXAMPLES),
))


def add(x: NodeLike, y: NodeLike) -> Function:
    """x + y, broadcasting. dL/dx = g, dL/dy = g (summed over broadcast axes)."""
    return apply(ADD, x, y)


def sub(x: NodeLike, y: NodeLike) -> Function:
    """x − y, broadcasting. dL/dx = g, dL/dy = −g."""
    return apply(SUB, x, y)


def mul(x: NodeLike, y: NodeLike) -> Function:
    """x · y elementwise, broadcasting. dL/dx = g · y, dL/dy = g · x."""
    return apply(MUL, x, y)


def div(x: NodeLike, y: NodeLike) -> Function:
    """x / y elementwise, broadcasting. dL/dx = g / y, dL/dy = −g · x / y²."""
    return apply(DIV, x, y)


def neg(x: NodeLike) -> Function:
    """−x. dL/dx = −g."""
    return apply(NEG, x)


def pow(x: NodeLike, y: NodeLike) -> Function:  # noqa: A001 - the op's own name
    """x ** y elementwise; base and exponent both differentiable.

    dL/dx = g · y · x^(y−1), dL/dy = g · log(x) · x^y (real only where x > 0).
    """
    return apply(POW, x, y)
