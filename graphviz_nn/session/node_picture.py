"""What each node of a graph shows at a cursor in a recorded pass: its numbers, its state and
the edges the current step uses. Qt-free; the window's Presenter paints it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from ..engine import Graph
from .box_detail import box_number
from .playback import Cursor

PREFIX = {"backward": "∇ ", "tangent": "ẋ "}


@dataclass(frozen=True)
class NodePicture:
    """One box's texts and state.

    Attributes
    ----------
    value_text, second_text : str
        "= value" and, in a backward or tangent pass, "∇ gradient" or "ẋ tangent"; empty when
        not to be shown (not reached yet with reveal on, or not part of the pass).
    state : {"pending", "current", "done"}
    finite : bool
        False when a number shown is nan or infinite.
    """

    value_text: str
    second_text: str
    state: str
    finite: bool


def _finite(array) -> bool:
    return array is None or bool(np.all(np.isfinite(array)))


def node_picture(graph: Graph, node_id: str, cursor: Cursor | None, reveal: bool = False) -> NodePicture:
    """What the node shows at the cursor. With ``reveal``, a number stays hidden until the pass
    reaches its node, so a class can guess it first."""
    node = graph[node_id]
    phase = cursor.recording.phase if cursor else None
    current = cursor is not None and cursor.current is not None and cursor.current.node_id == node_id
    if phase == "forward":
        shown = cursor.shown(node_id)
        value = cursor.quantity(node_id) if shown else None
        state = "current" if current else ("done" if shown else "pending")
        return NodePicture(("= " + box_number(value)) if shown else "", "", state, _finite(value))
    value_text = "= " + box_number(node.value)
    if phase is None:
        return NodePicture(value_text if not reveal else "", "", "done", _finite(node.value))
    recorded = node_id in cursor.recording.index_of
    shown = cursor.shown(node_id)
    quantity = cursor.quantity(node_id) if shown else None
    if phase == "tangent" and shown and quantity is None:
        second = PREFIX[phase] + "0"  # not reached by the seeded input: its tangent is zero
    else:
        second = PREFIX[phase] + box_number(quantity, shape=False) if shown else ""
    state = "current" if current else ("pending" if recorded and not shown else "done")
    if reveal and not shown:
        return NodePicture("", "", state, True)
    if second and "," in value_text and not value_text.startswith("= ["):
        value_text = value_text.split(",")[0]  # the shape; the second line gives the range
    return NodePicture(value_text, second, state, _finite(node.value) and _finite(quantity))


def scope_picture(members: Iterable[str], cursor: Cursor | None) -> NodePicture:
    """A collapsed scope's box: how many nodes it holds and how many of its steps are done."""
    members = tuple(members)
    recorded = [m for m in members if cursor and m in cursor.recording.index_of]
    done = sum(1 for m in recorded if cursor.shown(m))
    current = bool(cursor and cursor.current and cursor.current.node_id in members)
    state = "current" if current else ("pending" if recorded and done < len(recorded) else "done")
    return NodePicture(f"{len(members)} nodes", f"{done}/{len(recorded)} done" if recorded else "", state, True)


def scope_output(graph: Graph, members: Iterable[str]) -> str | None:
    """The member whose value leaves a collapsed scope (the last, in graph order, that a node
    outside uses or that is an output of the graph): what the scope's box summarises."""
    inside = set(members)
    outputs = {graph.id_of(n) for n in graph.outputs}
    leaving = [k for k in inside if k in outputs
               or any(graph.id_of(c) not in inside for c in graph.consumers(graph[k]))]
    return max(leaving, key=lambda k: int(k[1:]), default=None)  # ids count in graph order


def revealed(node_id: str, cursor: Cursor | None, reveal: bool) -> bool:
    """Whether the node's numbers may be shown."""
    if not reveal:
        return True
    return cursor is not None and cursor.recording.phase is not None and cursor.shown(node_id)


def lit_edges(graph: Graph, cursor: Cursor | None) -> tuple[list[tuple[str, str]], str | None, bool]:
    """The edges the current step uses, as (from, to) node ids in the graph's direction, its
    phase, and whether they are travelled against it (a backward step)."""
    step = cursor.current if cursor else None
    if step is None:
        return [], None, False
    if step.phase == "forward":
        return [(graph.id_of(x), step.node_id) for x in step.node.inputs], "forward", False
    if step.phase == "backward":
        return [(c.target, c.source) for c in step.sent], "backward", True
    return [(c.source, c.target) for c in step.received], step.phase, False
