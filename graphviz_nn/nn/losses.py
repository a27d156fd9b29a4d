"""Loss functions as graph nodes, computed from logits where the output activation allows.

Cross-entropies are never built as log(softmax(z)) or log(sigmoid(z)), which give -inf once a
probability rounds to 0; they use log_softmax(z) and softplus(z) − y·z instead.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..engine import Constant, Node, ShapeError, abs, as_node, log_softmax, mean, softplus
from ..engine import sum as total
from ..engine.node import NodeLike

LOSSES = ("sse", "mse", "mae", "bce", "cce")


def _mean_over_rows(per_entry: Node) -> Node:
    """Sum over output columns, mean over rows; a vector is one output over the rows.

    Built from the node's dimensions, not its row count, so mini-batches of any size reuse it.
    """
    if per_entry.value.ndim >= 2:
        return mean(total(per_entry, axis=-1))
    return mean(per_entry)


def squared_error_sum(p: Node, y: Node) -> Node:
    """Σ (p − y)²: the original program's loss. dL/dp = 2 (p − y)."""
    return total((p - y) ** 2)


def squared_error_mean(p: Node, y: Node) -> Node:
    """mean (p − y)². dL/dp = 2 (p − y) / n."""
    return mean((p - y) ** 2)


def absolute_error_mean(p: Node, y: Node) -> Node:
    """mean |p − y|. dL/dp = sign(p − y) / n."""
    return mean(abs(p - y))


def binary_cross_entropy_from_logits(z: Node, y: Node) -> Node:
    """mean over samples of −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y·z.

    Summed over output columns, averaged over rows. dL/dz = (σ(z) − y) / n.
    """
    return _mean_over_rows(softplus(z) - y * z)


def categorical_cross_entropy_from_logits(z: Node, y: Node) -> Node:
    """mean over samples of −Σ_k y_k log softmax(z)_k. dL/dz = (softmax(z) − y) / n.

    The classes are the last axis, so 1-D logits are one sample: the loss is −Σ_k y_k log
    softmax(z)_k, not that divided by the number of classes.
    """
    per_entry = y * log_softmax(z, axis=-1)
    if z.value.ndim < 2:
        return -total(per_entry)
    return -_mean_over_rows(per_entry)


_NEEDS_LOGITS = {"bce": "sigmoid", "cce": "softmax"}


def build_loss(name: str, output_activation: str, logits: Node, prediction: Node, targets: Node) -> Node:
    """The loss node for a network's output.

    Parameters
    ----------
    name : {"sse", "mse", "mae", "bce", "cce"}
    output_activation : str
        bce needs "sigmoid" and cce "softmax": they are computed from the logits.
    logits, prediction, targets : Node
        The output layer before and after its activation, and the targets.

    Raises
    ------
    ValueError
        An unknown loss, or a cross-entropy with an output activation it cannot use.
    """
    plain: dict[str, Callable[[Node, Node], Node]] = {
        "sse": squared_error_sum, "mse": squared_error_mean, "mae": absolute_error_mean,
    }
    if name in plain:
        return plain[name](prediction, targets)
    if name not in _NEEDS_LOGITS:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    needed = _NEEDS_LOGITS[name]
    if output_activation != needed:
        raise ValueError(
            f"loss {name!r} needs output activation {needed!r} (it is computed stably from "
            f"the logits), not {output_activation!r}"
        )
    if name == "bce":
        return binary_cross_entropy_from_logits(logits, targets)
    return categorical_cross_entropy_from_logits(logits, targets)


# --- torch.nn.functional's names ------------------------------------------------------------

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, where: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction {reduction!r} is unknown; choose one of {', '.join(_REDUCTIONS)}")


def _reduced(per_sample: Node, reduction: str) -> Node:
    if reduction == "mean":
        return mean(per_sample)
    return total(per_sample) if reduction == "sum" else per_sample


def _one_hot(targets: np.ndarray, classes: int, axis: int) -> np.ndarray:
    """Class indices as rows of the identity, the class axis put at ``axis``; ValueError naming
    the first index that is not a whole number from 0 to ``classes`` − 1."""
    if targets.dtype.kind not in "iub":
        if targets.dtype.kind != "f":
            raise ValueError(f"cross_entropy: class indices must be whole numbers, got {targets.dtype} values")
        broken = np.flatnonzero(~np.isfinite(targets.ravel()) | (np.mod(targets.ravel(), 1) != 0))
        if broken.size:
            raise ValueError(f"cross_entropy: class indices must be whole numbers, got {targets.ravel()[broken[0]]}")
    indices = targets.astype(np.int64)
    outside = (indices < 0) | (indices >= classes)
    if outside.any():
        raise ValueError(f"cross_entropy: class index {indices.ravel()[np.flatnonzero(outside)[0]]} is out of range "
                         f"for {classes} classes (0 to {classes - 1})")
    return np.moveaxis(np.eye(classes)[indices], -1, axis)


def cross_entropy(logits: NodeLike, targets: NodeLike, reduction: str = "mean") -> Node:
    """−Σ_k y_k log softmax(z)_k per sample, averaged over samples, as
    ``torch.nn.functional.cross_entropy``.

    The classes are axis 1 of (N, C) or (N, C, d1, ...) logits (axis 0 of one sample's (C,)),
    as in torch. Computed with log_softmax, so logits of 1000 give finite losses and gradients.
    dL/dz = (softmax(z) − y) / (number of samples).

    Parameters
    ----------
    logits : Node
        Scores before the softmax.
    targets : Node or array
        Class indices of the logits' shape without the class axis ((N,) for (N, C)), as
        torch's integer targets; or probabilities (one-hot rows, say) of the logits' own shape.
        Indices become a one-hot Constant node, so the graph shows what was compared.
    reduction : {"mean", "sum", "none"}
        Over the samples (N, or N·d1·... for larger logits); "none" keeps one loss each.

    Raises
    ------
    ShapeError
        Targets of neither shape, naming the shapes (a ValueError, as the others).
    ValueError
        Indices that are not whole numbers or are out of range; an unknown reduction.
    """
    z = as_node(logits)
    shape = z.value.shape
    if not shape:
        raise ShapeError("cross_entropy: the logits are one number; give (C,) or (N, C) scores, one per class")
    axis = 1 if len(shape) >= 2 else 0
    given = np.shape(targets.value if isinstance(targets, Node) else targets)
    samples = shape[:axis] + shape[axis + 1:]
    _check_reduction(reduction, "cross_entropy")
    if given == shape:
        y = as_node(targets)
    elif given == samples:
        values = targets.value if isinstance(targets, Node) else np.asarray(targets)
        y = Constant(_one_hot(values, shape[axis], axis), "y (one-hot)")
    else:
        raise ShapeError(f"cross_entropy: targets of shape {given} fit logits {shape} neither as class indices "
                         f"(shape {samples}) nor as probabilities (shape {shape})")
    return _reduced(-total(y * log_softmax(z, axis=axis), axis=axis), reduction)


def mse_loss(prediction: NodeLike, target: NodeLike, reduction: str = "mean") -> Node:
    """(p − y)² averaged over every entry, as ``torch.nn.functional.mse_loss``: for regression
    (N, outputs) and for sequences (T, N, H) alike. dL/dp = 2 (p − y) / (number of entries).

    Parameters
    ----------
    prediction, target : Node or array
        Of one shape: torch would broadcast (N, 1) against (N,) into an (N, N) table with only
        a warning; here it is refused.
    reduction : {"mean", "sum", "none"}

    Raises
    ------
    ShapeError
        Shapes that differ, naming both (a ValueError).
    ValueError
        An unknown reduction.
    """
    _check_reduction(reduction, "mse_loss")
    p, y = as_node(prediction), as_node(target)
    if p.value.shape != y.value.shape:
        raise ShapeError(f"mse_loss: prediction {p.value.shape} and target {y.value.shape} differ in shape; "
                         "reshape one to the other (a column (N, 1) is not a vector (N,))")
    return _reduced((p - y) ** 2, reduction)
