"""Layer and batch normalisation as ``torch.nn.functional`` names them: one node, or its parts.

``parts=False`` builds one LayerNorm or BatchNorm node (the records of
``normalisation_records.py``, with exact rules for x, weight and bias); ``parts=True`` builds
the same computation a node a step (``normalisation_parts.py``) in a scope the window draws as
a cluster and can collapse. Both give the same values, gradients and tangents.
"""

from __future__ import annotations

from typing import Any, Sequence, Union

import numpy as np

from ..errors import ShapeError
from ..node import Constant, Node, NodeLike, apply, as_node
from ..params import ParamError, _finite, _whole, unit_interval
from .normalisation_parts import batch_norm_parts, layer_norm_parts
from .normalisation_records import BATCH_NORM, EPS_WORDS, LAYER_NORM

Scope = Union[str, Sequence[str]]


def _eps(where: str, eps: Any) -> float:
    try:
        value = _finite(eps)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise ParamError(f"{where}: eps must be {EPS_WORDS} (it keeps 1/√(var + eps) finite); got {eps!r}")
    return value


def _scope(where: str, scope: Scope) -> tuple[str, ...]:
    parts = (scope,) if isinstance(scope, str) else tuple(scope)
    if not parts or not all(isinstance(s, str) for s in parts):
        raise ParamError(f"{where}: scope must be a name or a tuple of names; got {scope!r}")
    return parts


def _lengths(where: str, normalized_shape: Any) -> tuple[int, ...]:
    try:
        shape = (_whole(normalized_shape),) if not isinstance(normalized_shape, (tuple, list)) \
            else tuple(_whole(n) for n in normalized_shape)
    except (ValueError, TypeError):
        shape = ()
    if not shape or min(shape) < 1:
        raise ParamError(f"{where}: normalized_shape must be a length or a tuple of lengths >= 1; "
                         f"got {normalized_shape!r}")
    return shape


def _affine_node(where: str, value: NodeLike | None, name: str, shape: tuple[int, ...]) -> Node | None:
    if value is None:
        return None
    node = as_node(value)
    if node.shape != shape:
        raise ShapeError(f"{where}: the {name} {node.shape} must have shape {shape}, one value per "
                         f"normalised entry")
    return node


def layer_norm(x: NodeLike, normalized_shape: int | Sequence[int], weight: NodeLike | None = None,
               bias: NodeLike | None = None, eps: float = 1e-5, *, parts: bool = False,
               scope: Scope = "layer norm") -> Node:
    """Normalise x over its last axes: ``(x − mean) / √(var + eps) · weight + bias``.

    As ``torch.nn.functional.layer_norm``: the mean and the (biased) variance are taken over
    the last ``len(normalized_shape)`` axes of x, separately for every entry of the others.

    Parameters
    ----------
    x : node or array
        The input, whose last axes are ``normalized_shape``.
    normalized_shape : int or tuple of int
        The lengths of the normalised axes.
    weight, bias : node or array, optional
        Of shape ``normalized_shape``; none means 1 and 0.
    eps : float
        Added to the variance, > 0: a row of equal values gives 0, not 0/0.
    parts : bool
        False: one LayerNorm node. True: μ, x − μ, σ², σ, x̂ and the affine map, a node each,
        in ``scope``.
    scope : str or tuple of str
        The scope of the parts (nested names), drawn as a cluster.

    Returns
    -------
    Node
        Of x's shape.

    Raises
    ------
    ShapeError
        normalized_shape is not the lengths of x's last axes; a weight or bias of another shape.
    ParamError
        normalized_shape not lengths >= 1; eps not a finite number > 0.
    """
    x = as_node(x)
    shape = _lengths("layer_norm", normalized_shape)
    if x.shape[len(x.shape) - len(shape):] != shape or len(shape) > len(x.shape):
        raise ShapeError(f"layer_norm(x {x.shape}): normalized_shape {shape} does not match the last "
                         f"axes of x; give the lengths of its last axes, e.g. {x.shape[-1:]}")
    where = f"layer_norm(x {x.shape})"
    weight = _affine_node(where, weight, "weight", shape)
    bias = _affine_node(where, bias, "bias", shape)
    eps = _eps("layer_norm", eps)
    if parts:
        return layer_norm_parts(x, len(shape), weight, bias, eps, _scope("layer_norm", scope))
    return apply(LAYER_NORM, x, _or(weight, np.ones(shape), "1"), _or(bias, np.zeros(shape), "0"), eps=eps)


def _or(node: Node | None, value: np.ndarray, name: str) -> Node:
    return node if node is not None else Constant(value, name=name)


def _momentum(momentum: Any) -> float:
    return unit_interval(momentum, "batch_norm: momentum must be a number between 0 and 1 (the weight of the "
                                   "new batch in the running statistics)")


def _running(where: str, name: str, value: Any, channels: int, training: bool) -> np.ndarray:
    """A running statistic: (C,) floats; in training, an array updated in place."""
    array = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=np.float64)
    if array.shape != (channels,):
        raise ShapeError(f"{where}: {name} {array.shape} must hold one value per channel: ({channels},)")
    if training and not (isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.flags.writeable):
        raise ParamError(f"{where}: {name} must be a writable float array, which training updates in "
                         f"place; got {type(value).__name__} of {array.dtype}")
    if not training and not np.all(np.isfinite(array)):
        raise ParamError(f"{where}: {name} holds a value that is not finite")
    return array


def update_running_stats(x: NodeLike, running_mean: np.ndarray, running_var: np.ndarray,
                         momentum: float = 0.1) -> None:
    """Move the running statistics toward x's, in place, as torch's batch_norm does in training.

    ``running ← (1 − momentum) · running + momentum · batch``, the batch's mean and its unbiased
    variance (divided by n − 1) per channel (axis 1 of x). ``batch_norm(training=True)`` calls
    it; a layer whose graph is fed again calls it after each feed.

    Parameters
    ----------
    x : node or array
        (N, C) or (N, C, ...), more than one value per channel.
    running_mean, running_var : ndarray of shape (C,)
        Float arrays, changed in place.
    momentum : float
        The new batch's weight, in [0, 1].
    """
    value = x.value if isinstance(x, Node) else np.asarray(x, dtype=np.float64)
    axes = (0,) + tuple(range(2, value.ndim))
    running_mean *= 1.0 - momentum
    running_mean += momentum * np.mean(value, axis=axes)
    running_var *= 1.0 - momentum
    running_var += momentum * np.var(value, axis=axes, ddof=1)


def batch_norm(x: NodeLike, running_mean: np.ndarray | None, running_var: np.ndarray | None,
               weight: NodeLike | None = None, bias: NodeLike | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5, *, parts: bool = False,
               scope: Scope = "batch norm") -> Node:
    """Normalise x (N, C) or (N, C, ...) per channel: ``(x − mean) / √(var + eps) · weight + bias``.

    As ``torch.nn.functional.batch_norm``. In training the mean and (biased) variance are the
    batch's, over every axis but 1, and the running statistics, when given, are moved toward
    them in place (the variance unbiased: see :func:`update_running_stats`). In evaluation the
    running statistics are used, as they are when the node is built.

    Parameters
    ----------
    x : node or array
        (N, C) or (N, C, ...).
    running_mean, running_var : ndarray of shape (C,), or None
        Required in evaluation; in training, float arrays updated in place, or None.
    weight, bias : node or array of shape (C,), optional
        None means 1 and 0.
    training : bool
        Use and update the batch's statistics (True) or use the running ones (False).
    momentum : float
        In [0, 1]: the new batch's weight in the running statistics.
    eps : float
        Added to the variance, > 0.
    parts : bool
        False: one BatchNorm node. True: a node a step, in ``scope`` (the running statistics
        as Constants).
    scope : str or tuple of str
        The scope of the parts.

    Returns
    -------
    Node
        x normalised per channel, of x's shape.

    Raises
    ------
    ShapeError
        x with fewer than 2 axes, or (training) one value per channel; running statistics,
        weight or bias not of shape (C,).
    ParamError
        Running statistics missing in evaluation, or not writable float arrays in training;
        eps <= 0; momentum outside [0, 1].
    """
    x = as_node(x)
    where = f"batch_norm(x {x.shape})"
    if len(x.shape) < 2:
        raise ShapeError(f"{where}: x must be (N, C) or (N, C, ...), its axis 1 the channels; "
                         f"add a batch axis of 1 with reshape")
    channels = x.shape[1]
    if (running_mean is None) != (running_var is None) or (running_mean is None and not training):
        raise ParamError(f"{where}: give running_mean and running_var together (evaluation needs "
                         f"them), or neither with training=True")
    if running_mean is not None:
        running_mean = _running(where, "running_mean", running_mean, channels, training)
        running_var = _running(where, "running_var", running_var, channels, training)
        if not training and np.any(running_var < 0):
            raise ParamError(f"{where}: running_var holds a negative variance; a variance is >= 0")
    if training and x.value.size <= channels:
        raise ShapeError(f"{where}: training needs more than one value per channel to take a "
                         f"variance; give a batch of more than one")
    weight = _affine_node(where, weight, "weight", (channels,))
    bias = _affine_node(where, bias, "bias", (channels,))
    eps, momentum = _eps("batch_norm", eps), _momentum(momentum)
    fixed = (None, None) if training else (running_mean, running_var)
    if parts:
        out = batch_norm_parts(x, weight, bias, eps, *fixed, _scope("batch_norm", scope))
    else:
        stats = {} if training else {"running_mean": tuple(running_mean.tolist()),
                                     "running_var": tuple(running_var.tolist())}
        out = apply(BATCH_NORM, x, _or(weight, np.ones(channels), "1"), _or(bias, np.zeros(channels), "0"),
                    eps=eps, **stats)
    if training and running_mean is not None:
        update_running_stats(x, running_mean, running_var, momentum)
    return out
