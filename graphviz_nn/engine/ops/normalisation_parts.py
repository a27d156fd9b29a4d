"""Layer and batch normalisation built from their parts, in a scope the window draws as a cluster.

The same computation as the one-node records of ``normalisation.py``, as a learner writes it:
μ = mean(x), x − μ, σ² = mean((x − μ)²), σ = √(σ² + ε), x̂ = (x − μ) / σ, x̂ · weight + bias.
Each part is a node of its own, so the passes can be stepped through it.
"""

from __future__ import annotations

import numpy as np

from ..node import Constant, Node, tag_scope
from .elementary import sqrt
from .linalg import reshape
from .reductions import mean
from .special import square


def _normalised(x: Node, mu: Node, variance: Node, eps: float) -> Node:
    """x̂ = (x − μ) / √(σ² + ε), each step a node."""
    sigma = sqrt(variance + Constant(eps, name="ε"))
    sigma.name = "σ"
    xh = (x - mu) / sigma
    xh.name = "x̂"
    return xh


def _statistics(x: Node, axes: tuple[int, ...]) -> tuple[Node, Node]:
    """μ and σ² (biased) over ``axes``, kept as length-1 axes."""
    mu = mean(x, axis=axes, keepdims=True)
    mu.name = "μ"
    variance = mean(square(x - mu), axis=axes, keepdims=True)
    variance.name = "σ²"
    return mu, variance


def _scaled(xh: Node, weight: Node | None, bias: Node | None) -> Node:
    out = xh if weight is None else xh * weight
    return out if bias is None else out + bias


def layer_norm_parts(x: Node, n_axes: int, weight: Node | None, bias: Node | None, eps: float,
                     scope: tuple[str, ...]) -> Node:
    """LayerNorm over the last ``n_axes`` axes of x, one node per step, in ``scope``."""
    axes = tuple(range(-n_axes, 0))
    mu, variance = _statistics(x, axes)
    out = _scaled(_normalised(x, mu, variance, eps), weight, bias)
    return tag_scope(out, scope, [n for n in (x, weight, bias) if n is not None])


def _channels(a: Node | None, ndim: int) -> Node | None:
    """A per-channel node (C,) as (C, 1, ...), to broadcast against x (N, C, ...)."""
    if a is None or ndim == 2:
        return a
    return reshape(a, a.shape + (1,) * (ndim - 2))


def batch_norm_parts(x: Node, weight: Node | None, bias: Node | None, eps: float,
                     running_mean: np.ndarray | None, running_var: np.ndarray | None,
                     scope: tuple[str, ...]) -> Node:
    """BatchNorm of x (N, C, ...) per channel, one node per step, in ``scope``: the batch's
    statistics, or the running ones (copied now, as Constants) when given."""
    ndim = len(x.shape)
    if running_mean is None:
        mu, variance = _statistics(x, (0,) + tuple(range(2, ndim)))
    else:
        shape = (x.shape[1],) + (1,) * (ndim - 2)
        mu = Constant(np.array(running_mean, dtype=np.float64).reshape(shape), name="running mean")
        variance = Constant(np.array(running_var, dtype=np.float64).reshape(shape), name="running var")
    xh = _normalised(x, mu, variance, eps)
    out = _scaled(xh, _channels(weight, ndim), _channels(bias, ndim))
    return tag_scope(out, scope, [n for n in (x, weight, bias) if n is not None])
