"""Normalisation layers as ``torch.nn`` names them: BatchNorm1d, BatchNorm2d and LayerNorm.

Each draws as one node, or with ``parts=True`` as its steps (μ, σ², σ, x̂, the affine map) in
a scope of its own, as :func:`graphviz_nn.engine.batch_norm` and ``layer_norm`` build them.

Batch norm keeps torch's buffers, ``running_mean``, ``running_var`` and ``num_batches_tracked``,
under torch's state-dict keys. A call in training normalises by the batch's statistics and
moves the running ones toward them (torch's update, the variance unbiased); a call in
evaluation uses the running statistics as they are when the node is built: build the
evaluation graph after training. A graph built in training and fed again calls
:meth:`update_running_stats` after each forward pass, as torch updates them at every call.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..engine import Node, Variable, as_node, batch_norm, layer_norm
from ..engine.ops.normalisation import update_running_stats
from .layers import check_size
from .module import Module


def _positive(layer: str, eps: Any) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating, np.integer)) \
            or not math.isfinite(eps) or eps <= 0:
        raise ValueError(f"{layer}: eps must be a finite number > 0 (it keeps 1/√(var + eps) finite), got {eps!r}")
    return float(eps)


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ in the input's rank."""

    _ranks: tuple[int, ...] = (2, 3)
    _layout = "(N, C) or (N, C, L)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *, parts: bool = False):
        super().__init__()
        name = type(self).__name__
        check_size(name, num_features=num_features)
        if momentum is not None and (isinstance(momentum, bool) or not isinstance(momentum, (int, float))
                                     or not 0.0 <= momentum <= 1.0):
            raise ValueError(f"{name}: momentum must be a number in [0, 1] (the new batch's weight in the "
                             f"running statistics) or None for their plain average, got {momentum!r}")
        self.num_features, self.eps = int(num_features), _positive(name, eps)
        self.momentum = None if momentum is None else float(momentum)
        self.affine, self.track_running_stats, self.parts = bool(affine), bool(track_running_stats), bool(parts)
        channels = self.num_features
        self.weight = Variable(np.ones(channels), "weight") if affine else None
        self.bias = Variable(np.zeros(channels), "bias") if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(channels))
            self.register_buffer("running_var", np.ones(channels))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        object.__setattr__(self, "_last_batch", None)

    def _factor(self) -> float:
        """The new batch's weight: momentum, or 1 / batches seen for the plain average (None)."""
        self.num_batches_tracked[...] += 1
        return self.momentum if self.momentum is not None else 1.0 / int(self.num_batches_tracked)

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        where = f"{self.label}({self.num_features})"
        if x.value.ndim not in self._ranks:
            raise ValueError(f"{where}: the input must be {self._layout}; got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{where}: the input {x.shape} has {x.shape[1]} channels (axis 1) but the "
                             f"layer normalises {self.num_features}; build it with num_features={x.shape[1]}")
        if self.training and x.value.size <= self.num_features:
            raise ValueError(f"{where}: training needs more than one value per channel to take a "
                             f"variance, got shape {x.shape}; give a batch of more than one")
        common = dict(eps=self.eps, parts=self.parts, scope="batch norm")
        if self.training and self.track_running_stats:
            object.__setattr__(self, "_last_batch", x)
            return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              training=True, momentum=self._factor(), **common)
        if self.training or not self.track_running_stats:  # the batch's statistics, nothing kept
            return batch_norm(x, None, None, self.weight, self.bias, training=True, **common)
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          training=False, **common)

    def update_running_stats(self) -> None:
        """Move the running statistics toward the batch the last training call's input now
        holds, as a new call would: for a graph built once and fed again.

        Raises
        ------
        ValueError
            When the layer keeps no running statistics or was not called in training.
        """
        if self._last_batch is None:
            raise ValueError(f"{self.label}: no training call to update from; call the layer in "
                             f"training mode (with track_running_stats=True) first")
        update_running_stats(self._last_batch, self.running_mean, self.running_var, self._factor())

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Normalise (N, C) or (N, C, L) per channel over the batch, as ``torch.nn.BatchNorm1d``.

    Parameters
    ----------
    num_features : int
        C, the channels (axis 1).
    eps : float
        Added to the variance, > 0.
    momentum : float or None
        The new batch's weight in the running statistics, in [0, 1]; None for the plain
        average of every batch so far (torch's cumulative average).
    affine : bool
        Learn weight (ones) and bias (zeros) of shape (C,).
    track_running_stats : bool
        Keep the running statistics (buffers) and use them in evaluation; without, every
        call uses its batch's statistics.
    parts : bool
        Draw the normalisation as its steps in a scope, rather than one node.
    """

    _ranks = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Normalise images (N, C, H, W) per channel over the batch and the positions, as
    ``torch.nn.BatchNorm2d``; the parameters as :class:`BatchNorm1d`'s."""

    _ranks = (4,)
    _layout = "(N, C, H, W)"


class LayerNorm(Module):
    """Normalise over the last axes of each sample, as ``torch.nn.LayerNorm``.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The lengths of the input's last axes that are normalised together.
    eps : float
        Added to the variance, > 0.
    elementwise_affine : bool
        Learn weight (ones) and bias (zeros) of ``normalized_shape``.
    bias : bool
        With ``elementwise_affine``, learn the bias too (torch's ``bias=True``).
    parts : bool
        Draw the normalisation as its steps in a scope, rather than one node.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, *, parts: bool = False):
        super().__init__()
        shape = tuple(normalized_shape) if isinstance(normalized_shape, (tuple, list)) else (normalized_shape,)
        if not shape:
            raise ValueError("LayerNorm: normalized_shape must hold at least one length, got ()")
        check_size("LayerNorm", **{f"normalized_shape[{i}]": n for i, n in enumerate(shape)})
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps, self.elementwise_affine, self.parts = _positive("LayerNorm", eps), bool(elementwise_affine), bool(parts)
        self.weight = Variable(np.ones(self.normalized_shape), "weight") if elementwise_affine else None
        self.bias = Variable(np.zeros(self.normalized_shape), "bias") if elementwise_affine and bias else None

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        n = len(self.normalized_shape)
        if x.shape[len(x.shape) - n:] != self.normalized_shape or x.value.ndim < n:
            raise ValueError(f"{self.label}({self.normalized_shape}): the input's last axes must be "
                             f"{self.normalized_shape}, got shape {x.shape}")
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps, parts=self.parts,
                          scope="layer norm")

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps:g}, elementwise_affine={self.elementwise_affine}"
