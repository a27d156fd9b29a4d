"""Smooth activation units, applied elementwise: gelu (exact or tanh form), silu, elu."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..node import Function, NodeLike, apply
from ..params import Param, real
from ..registry import Example, Op, register
from .activations import _sigmoid
from .special import each_by_python, erfc_values

_ANY = (Example(((3,),)), Example(((2, 3),), domain=((-4, 4),)), Example(((),)))
_INV_ROOT_2 = 1.0 / math.sqrt(2.0)
_INV_ROOT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_SCALE = math.sqrt(2.0 / math.pi)
_TANH_CUBIC = 0.044715
GELU_FORMS = ("none", "tanh")


def choice(name: str, options: tuple[str, ...], default: str) -> Param:
    """A parameter that is one of a few words (gelu's ``approximate``)."""
    def read(value: Any, ndim: int) -> str:
        if not isinstance(value, str) or value not in options:
            raise ValueError
        return value

    return Param(name, "one of " + ", ".join(repr(o) for o in options), read, default)


def _gelu(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(_TANH_SCALE * (x + _TANH_CUBIC * x ** 3)))
    # NOTE: Φ(x) = erfc(−x/√2) / 2 keeps full relative precision for negative x, where
    # (1 + erf(x/√2)) / 2 cancels (Φ(−8) = 6.2e-16 would come out 0).
    return 0.5 * x * erfc_values(-x * _INV_ROOT_2)


def _gelu_slope(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        t = np.tanh(_TANH_SCALE * (x + _TANH_CUBIC * x ** 3))
        inner = _TANH_SCALE * (1.0 + 3.0 * _TANH_CUBIC * x * x)
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * inner
    # d/dx x Φ(x) = Φ(x) + x φ(x)
    return 0.5 * erfc_values(-x * _INV_ROOT_2) + x * _INV_ROOT_2PI * np.exp(-0.5 * x * x)


def _elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _elu_slope(ans: np.ndarray, x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    # NOTE: α e^x = elu(x) + α for x <= 0, from the output; it is 0 where α(e^x − 1) rounds
    # to −α, as the function's own differences are.
    return np.where(x > 0, 1.0, ans + alpha)


def _silu_slope(x: np.ndarray) -> np.ndarray:
    s = _sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


GELU = register(Op(
    name="gelu", arity=1, label="GELU", forward=_gelu, elementwise=True,
    derivative=(lambda ans, x, approximate="none": _gelu_slope(x, approximate),),
    vjp_text=("g · (Φ(x) + x φ(x))",),
    params=(choice("approximate", GELU_FORMS, "none"),), cost=each_by_python,
    examples=_ANY + (Example(((2, 3),), {"approximate": "tanh"}, domain=((-4, 4),)),
                     Example(((4,),), {"approximate": "none"}, domain=((-9, 9),))),
))

SILU = register(Op(
    name="silu", arity=1, label="SiLU", forward=lambda x: x * _sigmoid(x), elementwise=True,
    derivative=(lambda ans, x: _silu_slope(x),),
    vjp_text=("g · σ(x) · (1 + x (1 − σ(x)))",), unit_cost=3, examples=_ANY,
))

ELU = register(Op(
    name="elu", arity=1, label="ELU", forward=_elu, elementwise=True,
    derivative=(lambda ans, x, alpha=1.0: _elu_slope(ans, x, alpha),),
    vjp_text=("g · (1 if x > 0 else α e^x)",), params=(real("alpha", 1.0),), unit_cost=6,
    examples=(Example(((3,),)), Example(((2, 3),), {"alpha": 0.5}, away_from=0.0),
              Example(((),), {"alpha": 2.0}, away_from=0.0)),
))


def gelu(x: NodeLike, approximate: str = "none") -> Function:
    """Gaussian error linear unit x Φ(x), Φ the standard normal distribution function.

    ``approximate="tanh"`` gives 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), as PyTorch's
    option of that name. dL/dx = g · (Φ(x) + x φ(x)) (or the tanh form's slope).
    """
    return apply(GELU, x, approximate=approximate)


def silu(x: NodeLike) -> Function:
    """x σ(x) elementwise (the swish). dL/dx = g · σ(x) · (1 + x (1 − σ(x)))."""
    return apply(SILU, x)


def elu(x: NodeLike, alpha: float = 1.0) -> Function:
    """x where x > 0, else α (e^x − 1). dL/dx = g where x > 0, else g · α e^x."""
    return apply(ELU, x, alpha=float(alpha))
