"""Layer and batch normalisation as one node each: records with exact rules for x, weight and bias.

Both compute ``(x − μ) / σ · weight + bias`` with σ = √(var + ε), the variance biased (divided
by n), as ``torch.nn.functional.layer_norm`` and ``batch_norm`` do:

* layer_norm takes μ and var over the last axes of x, as many as the weight has (its shape is
  torch's ``normalized_shape``);
* batch_norm takes them over every axis but 1 (the channels) from the batch itself, or, given
  the running statistics as parameters, uses those (evaluation mode).

The public functions are in ``normalisation.py``; the same computations built from their parts
(a node a step) in ``normalisation_parts.py``.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ..params import Param, _finite
from ..registry import Example, Op, register
from ._shapes import Shapes

EPS_WORDS = "a finite number > 0"


def _positive(value: Any, ndim: int) -> float:
    number = _finite(value)
    if number <= 0:
        raise ValueError
    return number


def _statistics(value: Any, ndim: int) -> tuple[float, ...] | None:
    """None (the batch's own statistics) or one finite number per channel, as a tuple."""
    if value is None:
        return None
    if not isinstance(value, (tuple, list, np.ndarray)) or np.ndim(value) != 1:
        raise ValueError
    return tuple(_finite(v.item() if isinstance(v, np.generic) else v) for v in value)


EPS = Param("eps", EPS_WORDS, _positive, 1e-5)
RUNNING_MEAN = Param("running_mean", "None or a list of one finite number per channel", _statistics, None)
RUNNING_VAR = Param("running_var", "None or a list of one finite number >= 0 per channel", _statistics, None)


# --- layer norm -------------------------------------------------------------------------------

def _trailing(w: np.ndarray) -> tuple[int, ...]:
    """The normalised axes: the last ones of x, as many as the weight has."""
    return tuple(range(-w.ndim, 0))


def _normalised(x: np.ndarray, axes: tuple[int, ...], eps: float) -> tuple[np.ndarray, np.ndarray]:
    """x̂ = (x − μ) / σ (a new array) and σ = √(var + ε), kept as length-1 axes."""
    centred = x - np.mean(x, axis=axes, keepdims=True)
    sigma = np.sqrt(np.mean(np.square(centred), axis=axes, keepdims=True) + eps)
    centred /= sigma
    return centred, sigma


def _affine(xh: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    xh *= w
    xh += b
    return xh


def _layer_norm(x, w, b, eps=1e-5):
    return _affine(_normalised(x, _trailing(w), eps)[0], w, b)


def _projected(t: np.ndarray, xh: np.ndarray, sigma: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """(t − mean(t) − x̂ · mean(t · x̂)) / σ: the normalisation's Jacobian (symmetric) applied to t."""
    return (t - np.mean(t, axis=axes, keepdims=True) - xh * np.mean(t * xh, axis=axes, keepdims=True)) / sigma


def _layer_x_vjp(g, ans, x, w, b, eps=1e-5):
    axes = _trailing(w)
    xh, sigma = _normalised(x, axes, eps)
    return _projected(g * w, xh, sigma, axes)


def _layer_x_jvp(dx, ans, x, w, b, eps=1e-5):
    axes = _trailing(w)
    xh, sigma = _normalised(x, axes, eps)
    return w * _projected(dx, xh, sigma, axes)


def _layer_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    x, w, b = shapes
    if not w:
        raise ValueError("the weight must have the shape of the normalised axes (normalized_shape), "
                         "at least one axis; got a number")
    if len(x) < len(w) or x[len(x) - len(w):] != w:
        raise ValueError(f"the weight {w} does not match the last axes of x {x}: normalized_shape "
                         f"must be the lengths of x's last axes")
    if b != w:
        raise ValueError(f"the bias {b} must have the weight's shape {w}")
    if math.prod(w) == 0:
        raise ValueError(f"the normalised axes {w} hold no value to take a mean of")
    return x


def _layer_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """A mean, a centring, a square, a mean of it, a division, the weight and the bias: about
    8 passes over x, and two reductions a row (priced as ``_shapes.reduction`` does)."""
    # NOTE: timed at about a million units (tests/engine/op_timing.py, one BLAS thread):
    # 0.4-0.9 ns a unit, 1.6 on rows of one value; batch_norm's 0.6-1.0; add's 0.6-1.4.
    size, length = math.prod(shape), math.prod(shapes[1])
    return 8 * size + (64 * (size // length) if length > 1 else 0), size


_LAYER_EXAMPLES = (
    Example(((2, 3), (3,), (3,))),
    Example(((4,), (4,), (4,)), {"eps": 0.1}),
    Example(((2, 3, 4), (3, 4), (3, 4))),
    Example(((3, 2, 1, 5), (5,), (5,)), {"eps": 1e-3}),
    # Rows of one repeated value: var is 0, and ε keeps 1/σ finite (1/√ε ≈ 316).
    Example(((2, 3), (3,), (3,)), domain=((1.5, 1.5), (-2, 2), (-2, 2))),
    Example(((2, 1), (1,), (1,)), {"eps": 0.5}),
)

LAYER_NORM = register(Op(
    name="layer_norm", arity=3, label="LayerNorm", forward=_layer_norm,
    vjp=(_layer_x_vjp,
         lambda g, ans, x, w, b, eps=1e-5: g * _normalised(x, _trailing(w), eps)[0],
         lambda g, ans, x, w, b, eps=1e-5: g),
    jvp=(_layer_x_jvp,
         lambda dw, ans, x, w, b, eps=1e-5: dw * _normalised(x, _trailing(w), eps)[0],
         lambda db, ans, x, w, b, eps=1e-5: np.broadcast_to(db, ans.shape)),
    vjp_text=("(g·y − mean(g·y) − (x − μ)/σ · mean(g·y·(x − μ)/σ)) / σ, μ = mean(x), σ = √(var(x) + ε), "
              "over the last axes",
              "Σ g · (x − μ)/σ over the leading axes", "Σ g over the leading axes"),
    jvp_text=("y · (dx − mean(dx) − (x − μ)/σ · mean(dx · (x − μ)/σ)) / σ", "dy · (x − μ)/σ", "dz"),
    notation="LN(x, y, z)", params=(EPS,), shape=_layer_shape, cost=_layer_cost,
    examples=_LAYER_EXAMPLES,
))


# --- batch norm -------------------------------------------------------------------------------

def _channel_axes(x: np.ndarray) -> tuple[int, ...]:
    """Every axis but 1 (the channels): the statistics of (N, C, ...) are per channel."""
    return (0,) + tuple(range(2, x.ndim))


def _per_channel(a: Any, ndim: int) -> np.ndarray:
    """One value per channel, shaped (C, 1, ...) to broadcast against x of ``ndim`` axes."""
    a = np.asarray(a, dtype=np.float64)
    return a.reshape(a.shape + (1,) * (ndim - 2))


def _batch_normalised(x, eps, running_mean, running_var) -> tuple[np.ndarray, np.ndarray]:
    if running_mean is None:
        return _normalised(x, _channel_axes(x), eps)
    sigma = np.sqrt(_per_channel(running_var, x.ndim) + eps)
    return (x - _per_channel(running_mean, x.ndim)) / sigma, sigma


def _batch_norm(x, w, b, eps=1e-5, running_mean=None, running_var=None):
    xh, _ = _batch_normalised(x, eps, running_mean, running_var)
    return _affine(xh, _per_channel(w, x.ndim), _per_channel(b, x.ndim))


def _batch_x_vjp(g, ans, x, w, b, eps=1e-5, running_mean=None, running_var=None):
    xh, sigma = _batch_normalised(x, eps, running_mean, running_var)
    gw = g * _per_channel(w, x.ndim)
    if running_mean is not None:  # fixed statistics: an affine map of x
        return gw / sigma
    return _projected(gw, xh, sigma, _channel_axes(x))


def _batch_x_jvp(dx, ans, x, w, b, eps=1e-5, running_mean=None, running_var=None):
    xh, sigma = _batch_normalised(x, eps, running_mean, running_var)
    scale = _per_channel(w, x.ndim)
    if running_mean is not None:
        return dx * (scale / sigma)
    return scale * _projected(dx, xh, sigma, _channel_axes(x))


def _batch_w_vjp(g, ans, x, w, b, eps=1e-5, running_mean=None, running_var=None):
    xh, _ = _batch_normalised(x, eps, running_mean, running_var)
    return np.sum(g * xh, axis=_channel_axes(x))


def _batch_w_jvp(dw, ans, x, w, b, eps=1e-5, running_mean=None, running_var=None):
    xh, _ = _batch_normalised(x, eps, running_mean, running_var)
    return _per_channel(dw, x.ndim) * xh


def _batch_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    x, w, b = shapes
    if len(x) < 2:
        raise ValueError(f"x {x} must be (N, C) or (N, C, ...): its axis 1 holds the channels")
    channels = (x[1],)
    if w != channels or b != channels:
        raise ValueError(f"the weight {w} and bias {b} must hold one value per channel: {channels}")
    mean, var = params["running_mean"], params["running_var"]
    if (mean is None) != (var is None):
        raise ValueError("running_mean and running_var are given together (evaluation) or not at all "
                         "(the batch's statistics)")
    if mean is None and math.prod(x) <= x[1]:
        raise ValueError(f"the batch statistics of x {x} need more than one value per channel")
    if mean is not None and not len(mean) == len(var) == x[1]:
        raise ValueError(f"the running statistics hold {len(mean)} and {len(var)} values for {x[1]} channels")
    if var is not None and min(var, default=0.0) < 0:
        raise ValueError(f"running_var holds a negative variance, {min(var)}; a variance is >= 0")
    return x


def _batch_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """As layer norm's with the batch's statistics (two reductions a channel); with the running
    ones, a centring, a division, the weight and the bias."""
    size = math.prod(shape)
    if params["running_mean"] is not None:
        return 4 * size, size
    return 8 * size + 64 * shape[1], size


_RUNNING = {"running_mean": (0.3, -0.5, 1.0), "running_var": (0.5, 2.0, 0.0)}

_BATCH_EXAMPLES = (
    Example(((4, 3), (3,), (3,))),
    Example(((2, 3, 4), (3,), (3,)), {"eps": 1e-3}),
    Example(((2, 2, 3, 2), (2,), (2,))),
    Example(((4, 3), (3,), (3,)), dict(_RUNNING)),
    Example(((2, 3, 2, 2), (3,), (3,)), dict(_RUNNING, eps=0.1)),
    # A channel of one repeated value: var is 0, and ε keeps 1/σ finite.
    Example(((3, 2), (2,), (2,)), domain=((0.7, 0.7), (-2, 2), (-2, 2))),
)

BATCH_NORM = register(Op(
    name="batch_norm", arity=3, label="BatchNorm", forward=_batch_norm,
    vjp=(_batch_x_vjp, _batch_w_vjp,
         lambda g, ans, x, w, b, eps=1e-5, running_mean=None, running_var=None:
         np.sum(g, axis=_channel_axes(x))),
    jvp=(_batch_x_jvp, _batch_w_jvp,
         lambda db, ans, x, w, b, eps=1e-5, running_mean=None, running_var=None:
         np.broadcast_to(_per_channel(db, x.ndim), ans.shape)),
    vjp_text=("(g·y − mean(g·y) − (x − μ)/σ · mean(g·y·(x − μ)/σ)) / σ over every axis but 1, "
              "μ = mean(x), σ = √(var(x) + ε) (with running statistics: g·y / σ)",
              "Σ g · (x − μ)/σ over every axis but 1", "Σ g over every axis but 1"),
    jvp_text=("y · (dx − mean(dx) − (x − μ)/σ · mean(dx · (x − μ)/σ)) / σ (with running statistics: y · dx / σ)",
              "dy · (x − μ)/σ", "dz"),
    notation="BN(x, y, z)", params=(EPS, RUNNING_MEAN, RUNNING_VAR), shape=_batch_shape,
    cost=_batch_cost, examples=_BATCH_EXAMPLES,
))
