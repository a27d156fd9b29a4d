"""Gradient clipping by global norm, as ``torch.nn.utils.clip_grad_norm_``."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from ..engine import Node


def _norm(values: np.ndarray, norm_type: float) -> float:
    """‖values‖ of order ``norm_type`` (inf: the largest magnitude), as torch's vector_norm."""
    flat = np.ravel(values)
    if norm_type == 2.0:
        return math.sqrt(float(flat.dot(flat)))
    return float(np.linalg.norm(flat, ord=norm_type)) if flat.size else 0.0


def clip_grad_norm_(parameters: Node | Iterable[Node], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale every gradient by one factor so that together they have norm at most ``max_norm``.

    The norm is global: that of all the gradients seen as one vector (the norm of each
    gradient's norm). The factor is max_norm / (total + 1e-6), clamped to 1, so gradients
    already within the bound are kept; each ``.grad`` is replaced by a new array (Steps that
    hold the old one keep it), as the trailing underscore says torch changes them in place.

    Parameters
    ----------
    parameters : Node or iterable of Node
        Those without a gradient are skipped.
    max_norm : float
    norm_type : float
        2 by default; ``math.inf`` for the largest magnitude.
    error_if_nonfinite : bool
        Raise rather than scale by a nan or infinite norm.

    Returns
    -------
    float
        The total norm before clipping (torch returns it as a tensor).

    Raises
    ------
    ValueError
        A negative ``max_norm``, or a non-finite total norm when ``error_if_nonfinite``.
    """
    if not max_norm >= 0:
        raise ValueError(f"max_norm must be 0 or more, got {max_norm}")
    params = [parameters] if isinstance(parameters, Node) else list(parameters)
    owners = [p for p in params if p.grad is not None]
    if not owners:
        return 0.0
    norm_type = float(norm_type)
    total = _norm(np.array([_norm(p.grad, norm_type) for p in owners]), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise ValueError(f"the total norm of order {norm_type:g} of the gradients is {total}, so they "
                         "cannot be clipped; find the first non-finite node, or pass error_if_nonfinite=False")
    factor = max_norm / (total + 1e-6)
    factor = factor if factor < 1.0 or math.isnan(factor) else 1.0  # torch.clamp(max=1) keeps a nan
    for p in owners:
        p.grad = p.grad * factor
    return total
