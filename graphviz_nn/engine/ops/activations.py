"""Activations: tanh, sigmoid, logsigmoid, relu, leaky_relu, softplus, softmax, log_softmax."""

from __future__ import annotations

import numpy as np

from ..node import Function, NodeLike, apply
from ..params import real
from ..registry import Example, Op, register
from ._shapes import ONE_AXIS, along_axis, same_shape

_ANY = (Example(((3,),)), Example(((2, 3),)), Example(((),)))
_AXES = (
    Example(((4,),), {"axis": -1}),
    Example(((2, 3),), {"axis": -1}),
    Example(((2, 3),), {"axis": 0}),
    Example(((2, 3, 2),), {"axis": 1}, domain=((-8, 8),)),
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # NOTE: 1 / (1 + e^−x) keeps full relative precision in both tails (e^−x, the sum and the
    # reciprocal are each exact to an ulp); 0.5 + 0.5·tanh(x/2) lost it (relative error
    # 1.7e-4 at x = −30, exactly 0 below −37, so log σ(−40) was −inf). Done in place it is
    # 5x faster than the tanh form on 512 x 64 values (66 µs against 323 µs), 0.5 µs slower
    # on a few hundred. Where e^−x would overflow (x < −700), e^x / (1 + e^x) instead.
    t = np.negative(x)
    if x.ndim == 0 or t.max() > 700.0:
        e = np.exp(-np.abs(x))
        return np.where(x < 0, e, 1.0) / (1.0 + e)
    np.exp(t, out=t)
    t += 1.0
    return np.reciprocal(t, out=t)


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    # NOTE: shifting by the max keeps exp from overflowing; softmax is shift invariant.
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


TANH = register(Op(
    name="tanh", arity=1, label="tanh", forward=np.tanh, elementwise=True,
    # NOTE: the derivative is written with the output, 1 − tanh², saving a second tanh.
    derivative=(lambda ans, x: 1 - ans * ans,),
    vjp_text=("g · (1 − tanh²(x))",), unit_cost=2, examples=_ANY,
))

SIGMOID = register(Op(
    name="sigmoid", arity=1, label="σ", forward=_sigmoid, elementwise=True,
    # NOTE: σ' = σ(1 − σ) uses the output, as the original program's SigmM should have; it keeps full
    # relative precision in the negative tail, where log σ needs it (d log σ(−40) = 1).
    derivative=(lambda ans, x: ans * (1 - ans),),
    vjp_text=("g · σ(x) · (1 − σ(x))",), unit_cost=2,  # 2.2-2.6 ns an element
    examples=_ANY + (Example(((5,),), domain=((-6, 6),)), Example(((5,),), domain=((-60, -20),))),
))

RELU = register(Op(
    name="relu", arity=1, label="ReLU", forward=lambda x: np.maximum(x, 0.0), elementwise=True,
    derivative=(lambda ans, x: x > 0,),
    vjp_text=("g · [x > 0]",),
    examples=tuple(Example(e.shapes, away_from=0.0) for e in _ANY),
))

LEAKY_RELU = register(Op(
    name="leaky_relu", arity=1, label="LReLU",
    forward=lambda x, alpha=0.01: np.where(x > 0, x, alpha * x), elementwise=True,
    derivative=(lambda ans, x, alpha=0.01: np.where(x > 0, 1.0, alpha),),
    vjp_text=("g · (1 if x > 0 else α)",), params=(real("alpha", 0.01),), unit_cost=6,  # 3 passes and a where
    examples=(Example(((3,),), away_from=0.0), Example(((2, 3),), {"alpha": 0.2}, away_from=0.0)),
))

SOFTPLUS = register(Op(
    name="softplus", arity=1, label="softplus", forward=lambda x: np.logaddexp(0.0, x),
    elementwise=True,
    derivative=(lambda ans, x: _sigmoid(x),),
    vjp_text=("g · σ(x)",), unit_cost=24, examples=_ANY,  # logaddexp: 24-32 ns an element
))

LOGSIGMOID = register(Op(
    name="logsigmoid", arity=1, label="log σ", forward=lambda x: -np.logaddexp(0.0, -x),
    elementwise=True,
    # NOTE: log σ(x) = −log(1 + e^−x); logaddexp keeps both tails exact (−40 at x = −40,
    # −4.2e-18 at x = 40), and the slope σ(−x) = 1 − σ(x) is exact where σ(x) rounds to 1.
    derivative=(lambda ans, x: _sigmoid(-x),),
    vjp_text=("g · σ(−x)",), unit_cost=32,
    examples=_ANY + (Example(((5,),), domain=((-40, 40),)),),
))

SOFTMAX = register(Op(
    name="softmax", arity=1, label="softmax", forward=_softmax,
    vjp=(lambda g, ans, x, axis=-1: ans * (g - (g * ans).sum(axis=axis, keepdims=True)),),
    jvp=(lambda dx, ans, x, axis=-1: ans * (dx - (dx * ans).sum(axis=axis, keepdims=True)),),
    vjp_text=("s ⊙ (g − Σ g ⊙ s), s = softmax(x)",),
    jvp_text=("s ⊙ (dx − Σ dx ⊙ s)",), params=ONE_AXIS, shape=same_shape,
    cost=along_axis, examples=_AXES,
))

LOG_SOFTMAX = register(Op(
    name="log_softmax", arity=1, label="log softmax", forward=_log_softmax,
    vjp=(lambda g, ans, x, axis=-1: g - np.exp(ans) * g.sum(axis=axis, keepdims=True),),
    jvp=(lambda dx, ans, x, axis=-1: dx - (np.exp(ans) * dx).sum(axis=axis, keepdims=True),),
    vjp_text=("g − softmax(x) · Σ g",), jvp_text=("dx − Σ softmax(x) ⊙ dx",), params=ONE_AXIS, shape=same_shape,
    cost=along_axis, examples=_AXES,
))


def tanh(x: NodeLike) -> Function:
    """Hyperbolic tangent elementwise. dL/dx = g · (1 − tanh²(x))."""
    return apply(TANH, x)


def sigmoid(x: NodeLike) -> Function:
    """Logistic function 1 / (1 + e^−x) elementwise. dL/dx = g · σ(x) · (1 − σ(x))."""
    return apply(SIGMOID, x)


def logsigmoid(x: NodeLike) -> Function:
    """log σ(x) = −log(1 + e^−x) elementwise, exact in both tails. dL/dx = g · σ(−x)."""
    return apply(LOGSIGMOID, x)


def relu(x: NodeLike) -> Function:
    """max(x, 0) elementwise. dL/dx = g where x > 0, else 0."""
    return apply(RELU, x)


def leaky_relu(x: NodeLike, alpha: float = 0.01) -> Function:
    """x where x > 0, else α·x. dL/dx = g where x > 0, else α·g."""
    return apply(LEAKY_RELU, x, alpha=float(alpha))


def softplus(x: NodeLike) -> Function:
    """log(1 + e^x) elementwise, computed without overflow. dL/dx = g · σ(x)."""
    return apply(SOFTPLUS, x)


def softmax(x: NodeLike, axis: int = -1) -> Function:
    """e^x / Σ e^x along an axis. dL/dx = s ⊙ (g − Σ g ⊙ s) with s the output."""
    return apply(SOFTMAX, x, axis=int(axis))


def log_softmax(x: NodeLike, axis: int = -1) -> Function:
    """x − log Σ e^x along an axis, stable for large x. dL/dx = g − softmax(x) · Σ g."""
    return apply(LOG_SOFTMAX, x, axis=int(axis))
