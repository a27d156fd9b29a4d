"""Loss functions as graph nodes, computed from logits where the output activation allows.

Cross-entropies are never built as log(softmax(z)) or log(sigmoid(z)), which give -inf once a
probability rounds to 0; they use log_softmax(z) and softplus(z) − y·z instead.
"""

from __future__ import annotations

from typing import Callable

from ..engine import Node, abs, log_softmax, mean, softplus
from ..engine import sum as total

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
