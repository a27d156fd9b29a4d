"""Reductions beyond sums: max, min, logsumexp, var and std over an axis (or all axes)."""

from __future__ import annotations

import math
from typing import Any, Mapping, Union

import numpy as np

from ..node import Function, NodeLike, apply
from ..params import Param, _whole, axis, flag
from ..registry import Example, Op, register
from ._shapes import AXIS_PARAMS, Shapes, reduced, reduction
from .reductions import _axis, _count, _spread

Axis = Union[int, tuple, None]

_EXAMPLES = (
    Example(((2, 3),)),
    Example(((2, 3),), {"axis": 0}),
    Example(((2, 3),), {"axis": -1, "keepdims": True}),
    Example(((2, 3, 2),), {"axis": (0, -1)}),
    Example(((2, 3, 2),), {"axis": (-2, 0), "keepdims": True}),
    Example(((4,),), {"axis": -1}),
)


def _axes_of(shape: tuple[int, ...], a: Axis) -> set[int]:
    ndim = len(shape)
    return set(range(ndim)) if a is None else {i % ndim for i in (a if isinstance(a, tuple) else (a,))}


def _nonempty(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    """max, min, logsumexp: as any reduction, but over at least one value."""
    if any(shapes[0][i] == 0 for i in _axes_of(shapes[0], params["axis"])):
        raise ValueError("the reduced axes have length 0: there is no value to take")
    return reduced(shapes, params)


def _counted(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    """var, std: the reduction's shape, when more values are reduced than ddof."""
    n = math.prod(shapes[0][i] for i in _axes_of(shapes[0], params["axis"]))
    if n <= params["ddof"]:
        raise ValueError(f"{n} value(s) are reduced, which leaves no degree of freedom with "
                         f"ddof={params['ddof']}; reduce over more values or lower ddof")
    return reduced(shapes, params)


def _two_passes(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """logsumexp, var, std: a centred copy of the input, then a reduction of it (two
    reductions a row, and logsumexp's log and shift: see ``_shapes.reduction``)."""
    flops, _ = reduction(4, 64)(shapes, params, shape)
    return flops, math.prod(shapes[0])


def _degrees() -> Param:
    def read(value: Any, ndim: int) -> int:
        d = _whole(value)
        if d < 0:
            raise ValueError
        return d

    return Param("ddof", "a whole number >= 0", read, 0)


VAR_PARAMS = (axis(None), _degrees(), flag("keepdims", False))


def _extreme_share(g: np.ndarray, ans: np.ndarray, x: np.ndarray, axis: Axis, keepdims: bool) -> np.ndarray:
    """g split equally among the elements equal to the max (or min) they were reduced to."""
    ties = x == _spread(ans, x, axis, keepdims)
    count = np.sum(ties, axis=axis, keepdims=True)
    return _spread(g, x, axis, keepdims) * ties / count


def _extreme_tangent(dx: np.ndarray, ans: np.ndarray, x: np.ndarray, axis: Axis, keepdims: bool) -> np.ndarray:
    ties = x == _spread(ans, x, axis, keepdims)
    return np.sum(dx * ties, axis=axis, keepdims=keepdims) / np.sum(ties, axis=axis, keepdims=keepdims)


def _shifted_exp(x: np.ndarray, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """e^(x − max x) and the max (0 where it is infinite), the max kept as a length-1 axis."""
    # NOTE: shifted by the max, so e^x neither overflows nor underflows to a sum of 0.
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.exp(x - top), top


def _logsumexp(x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    e, top = _shifted_exp(x, axis)
    total = np.log(np.sum(e, axis=axis, keepdims=True)) + top
    return total if keepdims else np.squeeze(total, axis=axis)


def _softmax_of(x: np.ndarray, axis: Axis) -> np.ndarray:
    # NOTE: e^(x − max) / Σ e^(x − max), not e^(x − logsumexp): that difference of two
    # numbers near 1000 keeps only 13 digits.
    e, _ = _shifted_exp(x, axis)
    return e / np.sum(e, axis=axis, keepdims=True)


def _var(x: np.ndarray, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> np.ndarray:
    return np.var(x, axis=axis, ddof=ddof, keepdims=keepdims)


def _std(x: np.ndarray, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> np.ndarray:
    return np.std(x, axis=axis, ddof=ddof, keepdims=keepdims)


def _var_vjp(g, ans, x, axis=None, ddof=0, keepdims=False):
    centred = x - np.mean(x, axis=axis, keepdims=True)
    return _spread(g, x, axis, keepdims) * centred * (2.0 / (_count(x, axis) - ddof))


def _var_jvp(dx, ans, x, axis=None, ddof=0, keepdims=False):
    centred = x - np.mean(x, axis=axis, keepdims=True)
    return np.sum(centred * dx, axis=axis, keepdims=keepdims) * (2.0 / (_count(x, axis) - ddof))


def _std_scale(ans: np.ndarray) -> np.ndarray:
    # NOTE: d√v = dv / (2√v); where every value is equal (std 0) the slope is taken as 0,
    # the subgradient PyTorch uses, instead of 0/0.
    safe = np.where(ans == 0, 1.0, ans)
    return np.where(ans == 0, 0.0, 0.5 / safe)


def _std_vjp(g, ans, x, axis=None, ddof=0, keepdims=False):
    return _var_vjp(g * _std_scale(ans), ans, x, axis, ddof, keepdims)


def _std_jvp(dx, ans, x, axis=None, ddof=0, keepdims=False):
    return _var_jvp(dx, ans, x, axis, ddof, keepdims) * _std_scale(ans)


def _extreme(name: str, pick) -> Op:
    """max or min over axes: where several elements tie, they share g equally (torch.amax)."""
    return register(Op(
        name=name, arity=1, label=name,
        forward=lambda x, axis=None, keepdims=False: pick(x, axis=axis, keepdims=keepdims),
        vjp=(lambda g, ans, x, axis=None, keepdims=False: _extreme_share(g, ans, x, axis, keepdims),),
        jvp=(lambda dx, ans, x, axis=None, keepdims=False: _extreme_tangent(dx, ans, x, axis, keepdims),),
        vjp_text=(f"g at the {name} (shared equally by ties), 0 elsewhere",),
        jvp_text=(f"dx at the {name} (averaged over ties)",), params=AXIS_PARAMS,
        shape=_nonempty, cost=reduction(1, 32), examples=_EXAMPLES,
    ))


MAX = _extreme("max", np.max)
MIN = _extreme("min", np.min)

LOGSUMEXP = register(Op(
    name="logsumexp", arity=1, label="logΣexp", forward=_logsumexp,
    vjp=(lambda g, ans, x, axis=None, keepdims=False:
         _spread(g, x, axis, keepdims) * _softmax_of(x, axis),),
    jvp=(lambda dx, ans, x, axis=None, keepdims=False:
         np.sum(dx * _softmax_of(x, axis), axis=axis, keepdims=keepdims),),
    vjp_text=("g · softmax(x), copied along the reduced axes",), jvp_text=("Σ softmax(x) ⊙ dx",),
    params=AXIS_PARAMS, shape=_nonempty, cost=_two_passes,
    examples=_EXAMPLES + (Example(((3, 4),), {"axis": 1}, domain=((-300, 300),)),),
))

VAR = register(Op(
    name="var", arity=1, label="var", forward=_var, vjp=(_var_vjp,), jvp=(_var_jvp,),
    vjp_text=("g · 2 (x − mean(x)) / (n − ddof)",), jvp_text=("Σ 2 (x − mean(x)) ⊙ dx / (n − ddof)",),
    params=VAR_PARAMS, shape=_counted, cost=_two_passes,
    examples=_EXAMPLES + (Example(((2, 3),), {"axis": -1, "ddof": 1}),
                          Example(((3, 2, 2),), {"axis": (0, 2), "ddof": 2, "keepdims": True})),
))

STD = register(Op(
    name="std", arity=1, label="std", forward=_std, vjp=(_std_vjp,), jvp=(_std_jvp,),
    vjp_text=("g · (x − mean(x)) / ((n − ddof) · std(x))",),
    jvp_text=("Σ (x − mean(x)) ⊙ dx / ((n − ddof) · std(x))",),
    params=VAR_PARAMS, shape=_counted, cost=_two_passes,
    examples=_EXAMPLES + (Example(((2, 3),), {"axis": -1, "ddof": 1}),
                          Example(((3, 2, 2),), {"axis": (0, 2), "ddof": 2, "keepdims": True})),
))


def max(x: NodeLike, axis: Axis = None, keepdims: bool = False) -> Function:  # noqa: A001
    """Largest value over an axis, a tuple of axes, or everything (numpy's amax).

    dL/dx = g at the largest values, shared equally where several tie; 0 elsewhere.
    """
    return apply(MAX, x, axis=_axis(axis), keepdims=bool(keepdims))


def min(x: NodeLike, axis: Axis = None, keepdims: bool = False) -> Function:  # noqa: A001
    """Smallest value over an axis, a tuple of axes, or everything (numpy's amin).

    dL/dx = g at the smallest values, shared equally where several tie; 0 elsewhere.
    """
    return apply(MIN, x, axis=_axis(axis), keepdims=bool(keepdims))


def logsumexp(x: NodeLike, axis: Axis = None, keepdims: bool = False) -> Function:
    """log Σ e^x over an axis, a tuple of axes, or everything, without overflow.

    dL/dx = g · softmax(x) along the reduced axes.
    """
    return apply(LOGSUMEXP, x, axis=_axis(axis), keepdims=bool(keepdims))


def var(x: NodeLike, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Function:
    """Variance Σ (x − mean)² / (n − ddof) over an axis, a tuple of axes, or everything.

    ddof=0 (numpy's default) is the population variance, ddof=1 the sample variance
    (PyTorch's default). dL/dx = g · 2 (x − mean(x)) / (n − ddof).
    """
    return apply(VAR, x, axis=_axis(axis), ddof=int(ddof), keepdims=bool(keepdims))


def std(x: NodeLike, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Function:
    """Standard deviation √var(x, axis, ddof). dL/dx = g · (x − mean(x)) / ((n − ddof) std).

    Where all the values reduced are equal (std 0) the slope is taken as 0.
    """
    return apply(STD, x, axis=_axis(axis), ddof=int(ddof), keepdims=bool(keepdims))
