"""More elementary functions, applied elementwise: tan, log1p, expm1, erf, square, reciprocal."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ..node import Function, NodeLike, apply
from ..registry import Example, Op, register
from ._shapes import Shapes

_ANY = (Example(((3,),)), Example(((2, 3),)), Example(((),)))
TWO_OVER_ROOT_PI = 2.0 / math.sqrt(math.pi)

_erf_each = np.frompyfunc(math.erf, 1, 1)
_erfc_each = np.frompyfunc(math.erfc, 1, 1)


def each_by_python(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """erf and gelu: one Python call per element (110-140 ns), through an array of Python
    floats (32 bytes each with its pointer, 4 float64 arrays' worth)."""
    size = math.prod(shape)
    return 128 * size, 4 * size


def erf_values(x: np.ndarray) -> np.ndarray:
    """The error function of every element, to the last bit of the C library's erf."""
    # NOTE: math.erf applied to each element: exact where a series or a rational approximation
    # would need care in both tails, and numpy has no erf of its own (scipy is no dependency).
    return np.asarray(_erf_each(x), dtype=np.float64)


def erfc_values(x: np.ndarray) -> np.ndarray:
    """1 − erf(x) of every element, with full relative precision where erf(x) is near 1."""
    return np.asarray(_erfc_each(x), dtype=np.float64)


TAN = register(Op(
    name="tan", arity=1, label="tan", forward=np.tan, elementwise=True,
    # NOTE: tan' = 1 + tan², written with the output to save a division by cos².
    derivative=(lambda ans, x: 1 + ans * ans,),
    vjp_text=("g · (1 + tan²(x))",), unit_cost=2,  # 1.4-2 ns an element
    examples=tuple(Example(e.shapes, domain=((-1.2, 1.2),)) for e in _ANY),
))

LOG1P = register(Op(
    name="log1p", arity=1, label="log1p", forward=np.log1p, elementwise=True,
    chain=(lambda t, ans, x: t / (1 + x),),  # one division, not t · (1 / (1 + x))
    vjp_text=("g / (1 + x)",),
    examples=tuple(Example(e.shapes, domain=((-0.8, 3.0),)) for e in _ANY),
))

EXPM1 = register(Op(
    name="expm1", arity=1, label="expm1", forward=np.expm1, elementwise=True,
    # NOTE: e^x = (e^x − 1) + 1 from the output: where e^x − 1 rounds to −1 (x < −37) the
    # slope is 0, as the function's own differences are.
    derivative=(lambda ans, x: ans + 1,),
    vjp_text=("g · e^x",), examples=_ANY,
))

ERF = register(Op(
    name="erf", arity=1, label="erf", forward=erf_values, elementwise=True,
    derivative=(lambda ans, x: TWO_OVER_ROOT_PI * np.exp(-x * x),),
    vjp_text=("g · 2/√π · e^(−x²)",), cost=each_by_python,
    examples=_ANY + (Example(((5,),), domain=((-5, 5),)),),
))

SQUARE = register(Op(
    name="square", arity=1, label="²", forward=np.square, elementwise=True,
    derivative=(lambda ans, x: 2 * x,),
    vjp_text=("g · 2x",), local_text=("2 · x",), notation="x²", examples=_ANY,
))

RECIPROCAL = register(Op(
    name="reciprocal", arity=1, label="1/·", forward=np.reciprocal, elementwise=True,
    derivative=(lambda ans, x: -ans * ans,),
    vjp_text=("−g / x²",),
    examples=(Example(((3,),), domain=((0.3, 2.0),)), Example(((2, 3),), domain=((-2.0, -0.3),)),
              Example(((),), domain=((0.5, 2.0),))),
))


def tan(x: NodeLike) -> Function:
    """Tangent elementwise (poles at π/2 + kπ). dL/dx = g · (1 + tan²(x))."""
    return apply(TAN, x)


def log1p(x: NodeLike) -> Function:
    """log(1 + x) elementwise, exact for small x. dL/dx = g / (1 + x)."""
    return apply(LOG1P, x)


def expm1(x: NodeLike) -> Function:
    """e^x − 1 elementwise, exact for small x. dL/dx = g · e^x."""
    return apply(EXPM1, x)


def erf(x: NodeLike) -> Function:
    """The error function 2/√π ∫₀ˣ e^(−t²) dt elementwise. dL/dx = g · 2/√π · e^(−x²)."""
    return apply(ERF, x)


def square(x: NodeLike) -> Function:
    """x² elementwise. dL/dx = g · 2x."""
    return apply(SQUARE, x)


def reciprocal(x: NodeLike) -> Function:
    """1 / x elementwise. dL/dx = −g / x²."""
    return apply(RECIPROCAL, x)
