"""What the inspector shows about one node at one moment of a pass. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Graph, Node
from .chain_rule import ChainRule, ChainTerm, build_chain, rule_text
from .entry_rule import with_entries
from .playback import Cursor
from .symbols import node_symbol, output_symbol

__all__ = ["ChainRule", "ChainTerm", "NodeInfo", "describe"]


@dataclass(frozen=True, eq=False)
class NodeInfo:
    """Everything the inspector shows about a node.

    ``value``, ``gradient`` and ``tangent`` are None when not yet computed at the cursor's
    position (or not part of the pass); a tangent pass that has reached a node its seeds do
    not reach gives it the tangent 0, as the graph shows. ``formula`` is the op's rule per
    input in the graph's names (the jvp in a tangent pass, else the vjp); ``symbol`` is the
    node in those names ("x2²"), ``output_symbol`` the output a backward pass differentiates
    ("L" when there is none). ``axis_labels`` says what the rows and columns of its last two
    axes stand for (an attention weights node's tokens), when the graph's maker said so.
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
    symbol: str = ""
    output_symbol: str = "L"
    axis_labels: tuple[tuple[str, ...], tuple[str, ...]] | None = None


def describe(graph: Graph, node: Node, cursor: Cursor | None,
             check: dict | None = None, axis_labels=None) -> NodeInfo:
    """The node as the window shows it at the cursor's position.

    Before a backward or tangent pass is recorded (no cursor), the node's current value is
    shown and no gradient. ``check`` maps node ids to (relative error, numeric gradient);
    ``axis_labels`` is the node's (row labels, column labels), from
    :attr:`~graphviz_nn.session.examples.Built.axis_labels`.
    """
    node_id = graph.id_of(node)
    memo: dict = {}
    phase = cursor.recording.phase if cursor else None
    value = node.value
    if phase == "forward":
        value = cursor.quantity(node_id)
    shown = phase in ("backward", "tangent") and cursor.shown(node_id)
    gradient = cursor.quantity(node_id) if phase == "backward" else None
    tangent = None
    if phase == "tangent" and shown:
        tangent = cursor.quantity(node_id)
        if tangent is None:         # the seeds do not reach it: its tangent is 0
            tangent = np.zeros_like(node.value, dtype=float)
    chain = None
    output = "L"
    if phase == "backward" and len(cursor.recording):
        first = cursor.recording.steps[0]
        output = output_symbol(graph, first.node, first.value, memo)
    if shown:
        step = cursor.recording.steps[cursor.recording.index_of[node_id]]
        chain = with_entries(graph, node, build_chain(graph, node, step, cursor.recording.steps[0], memo))
    error, numeric = (check or {}).get(node_id, (None, None))
    op = getattr(node, "op", None)
    return NodeInfo(
        node_id, node.label, node.name, node.kind, op.name if op else None,
        tuple(node.value.shape), node.scope, value, gradient, tangent,
        rule_text(graph, node, phase, output, memo), chain, error, numeric,
        node_symbol(graph, node, memo), output,
        None if axis_labels is None else (tuple(map(str, axis_labels[0])), tuple(map(str, axis_labels[1]))),
    )
