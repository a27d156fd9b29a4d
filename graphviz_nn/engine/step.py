"""Records that the passes yield, one per node, for the window to replay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .node import Node


@dataclass(frozen=True, eq=False)
class Contribution:
    """One term of the chain rule, flowing along the edge ``source -> target``.

    In a backward step, the term ``local derivative x upstream gradient`` that a node sends
    to one of its inputs: ``value = vjp(upstream)``, un-broadcast to the input's shape. In a
    tangent step, the term an input's tangent adds to the node's tangent.

    Attributes
    ----------
    source, target : str
        Node ids. Backward: source is the consumer, target its input. Tangent: source is the
        input, target the node.
    argument : str
        Which argument of the op the input is ("x", "y").
    value : ndarray
        The term itself.
    upstream : ndarray
        Backward: the consumer's gradient g. Tangent: the input's tangent.
    local : ndarray or None
        The elementwise local derivative d(consumer)/d(input) where the op is elementwise
        (the array the upstream is multiplied by), else None (matmul, softmax, sums).
    formula : str
        The rule as text ("g · cos(x)").
    """

    source: str
    target: str
    argument: str
    value: np.ndarray
    upstream: np.ndarray
    local: np.ndarray | None
    formula: str


@dataclass(frozen=True, eq=False)
class Step:
    """The state right after one node was handled by a pass.

    Attributes
    ----------
    phase : str
        "forward", "backward" or "tangent".
    index : int
        Position of the step in its pass, from 0.
    node_id : str
        The node's id in the graph ("n4").
    node : Node
    value : ndarray or None
        Forward: the node's value. Backward: its complete gradient dL/d(node). Tangent: its
        tangent (None where it does not depend on the seeded variables).
    received : tuple of Contribution
        Backward: the terms the node's consumers sent it, whose sum is its gradient (one
        line each of dL/dx = Σ_y dy/dx · dL/dy). Tangent: the terms from its inputs.
    sent : tuple of Contribution
        Backward: the terms the node sends to each of its inputs that needs a gradient.
    """

    phase: str
    index: int
    node_id: str
    node: "Node"
    value: np.ndarray | None
    received: tuple[Contribution, ...] = ()
    sent: tuple[Contribution, ...] = ()
