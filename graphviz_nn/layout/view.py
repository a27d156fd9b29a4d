"""What a graph looks like after some scopes are collapsed: visible nodes, edges, clusters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


from ..engine import Function, Graph, Node
from ..engine.values import short_value

Scope = tuple[str, ...]
COLLAPSE_THRESHOLD = 400


@dataclass(frozen=True)
class ViewNode:
    """A node as drawn: one graph node, or a collapsed scope standing for many.

    Attributes
    ----------
    id : str
        The graph node's id ("n4"), or "scope/layer 1/perceptron 2" for a collapsed scope.
    lines : tuple of str
        The label, one line each: name, op, and optionally value and gradient.
    kind : str
        variable, constant, function, output or scope.
    scope : tuple of str
        The cluster it is drawn in.
    members : tuple of str
        The ids of the graph nodes it stands for.
    """

    id: str
    lines: tuple[str, ...]
    kind: str
    scope: Scope
    members: tuple[str, ...]


@dataclass(frozen=True)
class ViewEdge:
    """An edge as drawn; ``index`` tells apart two edges between the same pair (x * x)."""

    tail: str
    head: str
    index: int = 0


@dataclass(frozen=True)
class DrawnGraph:
    """A graph as it is drawn: its nodes, collapsed scopes as one node each, the edges
    between them and the clusters of the open scopes (the window's Qt view is ``gui.GraphView``)."""

    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    clusters: tuple[Scope, ...]
    collapsed: frozenset[Scope]


def scope_id(scope: Scope) -> str:
    # No colon: the graphviz package reads "a:b" in an edge as node a, port b.
    return "scope/" + "/".join(scope)


def all_scopes(graph: Graph) -> list[Scope]:
    """Every scope and every enclosing prefix of one, outermost first, in graph order."""
    seen: dict[Scope, None] = {}
    for node in graph.nodes:
        for depth in range(1, len(node.scope) + 1):
            seen.setdefault(node.scope[:depth], None)
    return sorted(seen, key=len)


def default_collapsed(graph: Graph, threshold: int = COLLAPSE_THRESHOLD) -> frozenset[Scope]:
    """Nothing for a small graph; for one over ``threshold`` nodes, the deepest scopes first,
    then shallower ones, until the drawing has at most ``threshold`` nodes or none is left."""
    if len(graph) <= threshold:
        return frozenset()
    scopes = all_scopes(graph)
    for depth in range(max((len(s) for s in scopes), default=0), 0, -1):
        collapsed = frozenset(s for s in scopes if len(s) == depth)
        if len(build_view(graph, collapsed).nodes) <= threshold:
            return collapsed
    return frozenset(s for s in scopes if len(s) == 1)


def _name_lines(name: str | None) -> list[str]:
    """A name's non-blank lines (a name may hold line breaks)."""
    return [line for line in (name or "").splitlines() if line.strip()]


def node_lines(node: Node, values: bool, gradients: bool) -> tuple[str, ...]:
    """The lines of a node's label; never a blank line (Graphviz's bundled library crashed
    on a label whose first line was empty, as ``Variable(0.5, "")`` made)."""
    if isinstance(node, Function):
        lines = [*_name_lines(node.name), node.op.label]
    else:
        lines = _name_lines(node.label) or [node.kind]
    if values:
        lines.append("= " + short_value(node.value))
    if gradients:
        lines.append("∇ " + short_value(node.grad))
    return tuple(lines)


#: A graph this big opens one scope at a time: opening a scope closes the other outermost ones.
#: Beside one open perceptron of a [40, 40, 40, 1] PerceptronNet (9,927 nodes), its collapsed
#: siblings' 3,000 edges would cross its 40 ranks and Graphviz ran past a minute; in focus, 1.2 s.
FOCUS_NODES = 5_000


def toggled(graph: Graph, collapsed: Iterable[Scope], scope: Scope) -> frozenset[Scope]:
    """The collapsed scopes after ``scope`` is opened or closed.

    Closing a scope folds what is inside it. Opening one opens the scopes around it too; in a
    graph of more than :data:`FOCUS_NODES` nodes the other outermost scopes close, so the scope
    is seen in context and the drawing stays fast to lay out.
    """
    collapsed = set(collapsed)
    scope = tuple(scope)
    if scope in collapsed:
        collapsed = {s for s in collapsed if not (len(s) <= len(scope) and scope[: len(s)] == s)}
        if len(graph) > FOCUS_NODES:
            outermost = {s for s in all_scopes(graph) if len(s) == 1 and s != scope[:1]}
            collapsed = {s for s in collapsed if s[:1] not in outermost} | outermost
    else:
        collapsed = {s for s in collapsed if s[: len(scope)] != scope} | {scope}
    return frozenset(collapsed)


def build_view(graph: Graph, collapsed: Iterable[Scope] = (), values: bool = False,
               gradients: bool = False) -> DrawnGraph:
    """The drawing of ``graph`` with the given scopes collapsed into one node each."""
    collapsed = frozenset(tuple(s) for s in collapsed)
    outputs = set(graph.outputs)
    represent: dict[Node, str] = {}
    nodes: dict[str, ViewNode] = {}
    members: dict[str, list[str]] = {}
    for node in graph.nodes:
        node_id = graph.id_of(node)
        outer = next((node.scope[:d] for d in range(1, len(node.scope) + 1)
                      if node.scope[:d] in collapsed), None)
        if outer is None:
            kind = "output" if node in outputs else node.kind
            represent[node] = node_id
            nodes[node_id] = ViewNode(node_id, node_lines(node, values, gradients), kind, node.scope, (node_id,))
        else:
            sid = scope_id(outer)
            represent[node] = sid
            members.setdefault(sid, []).append(node_id)
            if sid not in nodes:
                nodes[sid] = ViewNode(sid, (outer[-1],), "scope", outer[:-1], ())
    for sid, ids in members.items():
        old = nodes[sid]
        nodes[sid] = ViewNode(sid, (old.lines[0], f"{len(ids)} nodes"), "scope", old.scope, tuple(ids))
    edges: list[ViewEdge] = []
    counts: dict[tuple[str, str], int] = {}
    for node in graph.nodes:
        head = represent[node]
        for x in node.inputs:
            tail = represent[x]
            if tail == head:
                continue
            pair = (tail, head)
            grouped = tail.startswith("scope/") or head.startswith("scope/")
            if grouped and pair in counts:
                continue
            edges.append(ViewEdge(tail, head, counts.get(pair, 0)))
            counts[pair] = counts.get(pair, 0) + 1
    clusters: dict[Scope, None] = {}
    for view_node in nodes.values():
        for depth in range(1, len(view_node.scope) + 1):
            clusters.setdefault(view_node.scope[:depth], None)
    return DrawnGraph(tuple(nodes.values()), tuple(edges), tuple(clusters), collapsed)
