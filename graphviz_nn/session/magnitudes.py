"""Gradient magnitudes on a scale, the same for a recorded pass and for a network as it trains:
log10 ‖dL/d·‖ of each node, placed between the smallest and the largest. Qt-free."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..engine import Graph


@dataclass(frozen=True)
class MagnitudeScale:
    """Where each node's gradient norm sits, 0 (smallest) to 1 (largest) on a log scale; None
    for a zero or non-finite norm. ``low`` and ``high`` are the scale's ends, as log10."""

    positions: Mapping[str, float | None]
    low: float
    high: float


def magnitude_scale(norms: Mapping[str, float]) -> MagnitudeScale:
    """The scale of gradient norms given by node id."""
    logs = {k: math.log10(v) if v > 0 and math.isfinite(v) else None for k, v in norms.items()}
    finite = [v for v in logs.values() if v is not None]
    if not finite:
        return MagnitudeScale({}, 0.0, 0.0)
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    return MagnitudeScale({k: None if v is None else (v - low) / span for k, v in logs.items()}, low, high)


def gradient_norms(graph: Graph) -> dict[str, float]:
    """‖dL/d·‖ of every node that holds a gradient, by node id."""
    # vdot: one pass, no temporary (it runs after every training update)
    return {graph.id_of(n): float(np.sqrt(np.vdot(n.grad, n.grad))) for n in graph.nodes if n.grad is not None}
