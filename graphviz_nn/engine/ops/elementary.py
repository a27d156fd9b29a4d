"""Elementary functions, applied elementwise: exp, log, sqrt, abs, sin, cos."""

from __future__ import annotations

import numpy as np

from ..node import Function, NodeLike, apply
from ..registry import Example, Op, register

_ANY = (Example(((3,),)), Example(((2, 3),)), Example(((),)))
_POSITIVE = tuple(Example(e.shapes, domain=((0.2, 3.0),)) for e in _ANY)
# NOTE: prices per element from tests/benchmarks/bench_op_prices.py: exp, log and sqrt are
# vectorised (0.7-1.3 ns an element), sin and cos are not (9-16 ns).

EXP = register(Op(
    name="exp", arity=1, label="exp", forward=np.exp, elementwise=True,
    # NOTE: the derivative of exp is its own output, so the rule reuses ans.
    derivative=(lambda ans, x: ans,),
    vjp_text=("g · exp(x)",), examples=_ANY,
))

# NOTE: log and sqrt write their rule out: t / x is one pass where t · (1 / x) takes two.
LOG = register(Op(
    name="log", arity=1, label="log", forward=np.log, elementwise=True,
    chain=(lambda t, ans, x: t / x,),
    vjp_text=("g / x",), examples=_POSITIVE,
))

SQRT = register(Op(
    name="sqrt", arity=1, label="√", forward=np.sqrt, elementwise=True,
    chain=(lambda t, ans, x: t / (2 * ans),),
    vjp_text=("g / (2 √x)",), notation="√x", examples=_POSITIVE,
))

ABS = register(Op(
    name="abs", arity=1, label="|·|", forward=np.abs, elementwise=True,
    # NOTE: at x = 0 the subgradient 0 is used (np.sign(0) == 0), as PyTorch and JAX do.
    derivative=(lambda ans, x: np.sign(x),),
    vjp_text=("g · sign(x)",),
    examples=tuple(Example(e.shapes, away_from=0.0) for e in _ANY),
))

SIN = register(Op(
    name="sin", arity=1, label="sin", forward=np.sin, elementwise=True,
    derivative=(lambda ans, x: np.cos(x),),
    vjp_text=("g · cos(x)",), unit_cost=12, examples=_ANY,
))

COS = register(Op(
    name="cos", arity=1, label="cos", forward=np.cos, elementwise=True,
    derivative=(lambda ans, x: -np.sin(x),),
    vjp_text=("−g · sin(x)",), unit_cost=12, examples=_ANY,
))


def exp(x: NodeLike) -> Function:
    """e^x elementwise. dL/dx = g · e^x."""
    return apply(EXP, x)


def log(x: NodeLike) -> Function:
    """Natural logarithm elementwise. dL/dx = g / x."""
    return apply(LOG, x)


def sqrt(x: NodeLike) -> Function:
    """Square root elementwise. dL/dx = g / (2 √x)."""
    return apply(SQRT, x)


def abs(x: NodeLike) -> Function:  # noqa: A001 - the op's own name
    """|x| elementwise. dL/dx = g · sign(x), 0 at x = 0."""
    return apply(ABS, x)


def sin(x: NodeLike) -> Function:
    """Sine elementwise. dL/dx = g · cos(x)."""
    return apply(SIN, x)


def cos(x: NodeLike) -> Function:
    """Cosine elementwise. dL/dx = −g · sin(x)."""
    return apply(COS, x)
