"""What the inspector shows about one node at one moment of a pass. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Function, Graph, Node
from .playback import Cursor


@dataclass(frozen=True, eq=False)
class ChainTerm:
    """One line of the chain rule: the term that ``other`` contributes.

    In a backward step, ``other`` is a consumer y of the node x and the term is
    (dy/dx) · (dL/dy): ``local`` (where the op is elementwise) times ``upstream``, giving
    ``value``. In a tangent step, ``other`` is an input and the term is its tangent pushed
    through the node's local derivative.
    """

    other_id: str
    other_label: str
    argument: str
    formula: str
    local: np.ndarray | None
    upstream: np.ndarray
    value: np.ndarray


@dataclass(frozen=True, eq=False)
class ChainRule:
    """dL/dx = Σ terms (backward), or ẋ = Σ terms (tangent), with the sum."""

    phase: str
    node_label: str
    terms: tuple[ChainTerm, ...]
    total: np.ndarray | None


@dataclass(frozen=True, eq=False)
class NodeInfo:
    """Everything the inspector shows about a node.

    ``value``, ``gradient`` and ``tangent`` are None when not yet computed at the cursor's
    position (or not part of the pass); ``formula`` is the op's rule per input.
    """

    node_id: str
    label: str
    name: str | None
    kind: str
    op: str | None
    shape: tuple[int, ...]
    scope: tuple[str, ...]
    value: np.ndarray | None
    gradient: np.ndarray | None
    tangent: np.ndarray | None
    formula: str
    chain: ChainRule | None
    check_error: float | None = None
    check_numeric: np.ndarray | None = None


def describe(graph: Graph, node: Node, cursor: Cursor | None,
             check: dict | None = None) -> NodeInfo:
    """The node as the window shows it at the cursor's position.

    Before a backward or tangent pass is recorded (no cursor), the node's current value is
    shown and no gradient. ``check`` maps node ids to (relative error, numeric gradient).
    """
    node_id = graph.id_of(node)
    phase = cursor.recording.phase if cursor else None
    value = node.value
    if phase == "forward":
        value = cursor.quantity(node_id)
    gradient = cursor.quantity(node_id) if phase == "backward" else None
    tangent = cursor.quantity(node_id) if phase == "tangent" else None
    chain = None
    if phase in ("backward", "tangent") and cursor.shown(node_id):
        step = cursor.recording.steps[cursor.recording.index_of[node_id]]
        terms = tuple(
            ChainTerm(c.source if phase == "backward" else c.source,
                      graph[c.source].label, c.argument, c.formula, c.local, c.upstream, c.value)
            for c in step.received
        )
        chain = ChainRule(phase, node.label, terms, step.value)
    error, numeric = (check or {}).get(node_id, (None, None))
    return NodeInfo(
        node_id, node.label, node.name, node.kind,
        node.op.name if isinstance(node, Function) else None, tuple(node.value.shape), node.scope,
        value, gradient, tangent, node.op.formula if isinstance(node, Function) else "",
        chain, error, numeric,
    )
