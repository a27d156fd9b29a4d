"""Fans: a node read at every time step of an unrolled loop (a recurrent weight, the sequence
each step reads a row of) is placed by Graphviz beside its first step only, and its edges to
the later steps are drawn here as a bus: a line out of it with a branch into each step.

Graphviz routes an edge across every rank it spans through a chain of virtual nodes: the
edges of an unrolled LSTM of 50 steps from Wₕₕᵀ and from the input gates to every step span up
to 300 ranks, and dot took 18 s to lay the expanded LSTM out (30-60 s when each step had its
own input product); without them, 0.2 s, and 0.007 s instead of 0.12 s with each step
collapsed into a box. The steps then lie in a straight row.
Nodes read side by side (the perceptrons of a layer) keep the edges Graphviz routes.
"""

from __future__ import annotations

from dataclasses import replace

from .model import EdgePath, NodeBox
from .view import DrawnGraph, Scope, ViewEdge, ViewNode

#: Heads further than this many ranks beyond a tail's nearest head are far (0: all but the
#: nearest, so that the steps line up).
FAR_RANKS = 0
#: A tail with at least this many far heads is a fan.
FAN_HEADS = 3
#: The arrowhead's length in points (Graphviz's arrowsize 0.8 of its 10).
ARROW = 8.0
#: The radius of a branch's bend, in points.
BEND = 12.0
#: How far apart buses run beside a row of heads, in points.
BUS_GAP = 14.0


def _ranks(view: DrawnGraph) -> dict[str, int]:
    """Each drawn node's rank as Graphviz tends to give it: one past its furthest input, but a
    node read once sits just before its reader (a time step's row of the sequence lies by its
    step, not by the sequence). Edges closing a cycle among collapsed boxes are left out."""
    heads: dict[str, set[str]] = {node.id: set() for node in view.nodes}
    tails: dict[str, set[str]] = {node.id: set() for node in view.nodes}
    for edge in view.edges:
        heads[edge.tail].add(edge.head)
        tails[edge.head].add(edge.tail)
    waiting = {node: len(inputs) for node, inputs in tails.items()}
    order = [node for node, n in waiting.items() if n == 0]
    for node in order:  # grows while it is read: Kahn's topological order
        for head in heads[node]:
            waiting[head] -= 1
            if waiting[head] == 0:
                order.append(head)
    order += [node for node, n in waiting.items() if n > 0]  # in a cycle: last
    rank: dict[str, int] = {}
    for node in order:
        rank[node] = max((rank[t] + 1 for t in tails[node] if t in rank), default=0)
    for node in reversed(order):
        if len(heads[node]) == 1:
            (head,) = heads[node]
            rank[node] = max(rank[node], rank[head] - 1)
    return rank


def _scope_of(node: ViewNode) -> Scope:
    """The scope a drawn node stands in: a collapsed scope's box, the scope itself."""
    return node.scope + (node.lines[0],) if node.kind == "scope" else node.scope


def _steps(heads: list[str], rank: dict[str, int], scope: dict[str, Scope],
           links: set[tuple[Scope, Scope]]) -> list[str]:
    """Those of ``heads`` that lie one each in sibling scopes following one another, at least
    :data:`FAN_HEADS` of them (the time steps of an unrolled loop: t 4 reads t 3), not side by
    side (the perceptrons of a layer); a sequence read by two layers fans out into each."""
    siblings: dict[Scope, list[str]] = {}
    for head in sorted(heads, key=rank.__getitem__):
        if scope[head]:
            siblings.setdefault(scope[head][:-1], []).append(head)
    steps = []
    for group in siblings.values():
        scopes = [scope[h] for h in group]
        if (len(group) >= FAN_HEADS and len(set(scopes)) == len(scopes)
                and all((a, b) in links for a, b in zip(scopes, scopes[1:]))):
            steps += group
    return steps


def split_fans(view: DrawnGraph) -> tuple[DrawnGraph, tuple[ViewEdge, ...]]:
    """The view with the far edges of fans left out, for Graphviz to place, and those edges.

    A fan is a node feeding at least :data:`FAN_HEADS` heads more than :data:`FAR_RANKS`
    ranks beyond its nearest one, each head in its own time step (sibling scopes, each read
    by the next).
    """
    rank = _ranks(view)
    scope = {node.id: _scope_of(node) for node in view.nodes}
    links = {(scope[e.tail], scope[e.head]) for e in view.edges}
    out: dict[str, list[ViewEdge]] = {}
    for edge in view.edges:
        out.setdefault(edge.tail, []).append(edge)
    far: set[ViewEdge] = set()
    for edges in out.values():
        nearest = min(rank[e.head] for e in edges)
        beyond = [e for e in edges if rank[e.head] - nearest > FAR_RANKS]
        steps = set(_steps([e.head for e in beyond], rank, scope, links))
        far.update(e for e in beyond if e.head in steps)
    if not far:
        return view, ()
    kept = tuple(e for e in view.edges if e not in far)
    return replace(view, edges=kept), tuple(e for e in view.edges if e in far)


Point = tuple[float, float]


def _line(a: Point, b: Point) -> list[Point]:
    """A straight piece as a cubic's two control points and its end."""
    return [(a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3),
            (a[0] + 2 * (b[0] - a[0]) / 3, a[1] + 2 * (b[1] - a[1]) / 3), b]


def _towards(a: Point, b: Point, distance: float) -> Point:
    length = max(abs(b[0] - a[0]) + abs(b[1] - a[1]), 1e-9)  # pieces are level or upright
    step = min(distance, length / 2) / length
    return a[0] + (b[0] - a[0]) * step, a[1] + (b[1] - a[1]) * step


def _rounded(corners: list[Point]) -> tuple[Point, ...]:
    """A path through level and upright pieces, its corners rounded, as cubic Bezier points."""
    points = [corners[0]]
    here = corners[0]
    for before, corner, after in zip(corners, corners[1:], corners[2:]):
        into, out = _towards(corner, before, BEND), _towards(corner, after, BEND)
        points += _line(here, into) + [corner, corner, out]
        here = out
    return tuple(points + _line(here, corners[-1]))


def bus_edge(edge: ViewEdge, tail: NodeBox, head: NodeBox, row: float) -> EdgePath:
    """An edge out of the right of ``tail``, along the level ``row`` and down (or up) into
    ``head``; straight into the head's left side when the head is behind the tail."""
    start = (tail.x + tail.width / 2, tail.y)
    if head.x - head.width / 2 <= start[0] + 2 * BEND:
        tip = (head.x - head.width / 2, head.y)
        return EdgePath(edge.tail, edge.head, edge.index, (start, *_line(start, tip)), tip)
    sign = 1.0 if head.y > row else -1.0
    tip = (head.x, head.y - sign * head.height / 2)
    base = (tip[0], tip[1] - sign * ARROW)
    corners = [start, (start[0] + BEND, start[1]), (start[0] + BEND, row), (head.x, row), base]
    if abs(row - tail.y) < 1e-6:
        corners = [start, (head.x, row), base]
    return EdgePath(edge.tail, edge.head, edge.index, _rounded(corners), tip)


def _row(tail: NodeBox, heads: list[NodeBox], clear: float) -> float:
    """The level of a fan's bus: the tail's own, unless that runs through a head; then
    ``clear`` beyond the heads, on the tail's side."""
    if all(abs(h.y - tail.y) > h.height / 2 + BEND + ARROW for h in heads):
        return tail.y
    if tail.y <= sum(h.y for h in heads) / len(heads):
        return min(h.y - h.height / 2 for h in heads) - clear
    return max(h.y + h.height / 2 for h in heads) + clear


def bus_edges(boxes: tuple[NodeBox, ...], fanned: tuple[ViewEdge, ...]) -> tuple[EdgePath, ...]:
    """The paths of the edges :func:`split_fans` left out, between the boxes Graphviz placed;
    the buses moved off their tail's level are spread apart, so that none runs on another."""
    by_id = {box.id: box for box in boxes}
    fans: dict[str, list[ViewEdge]] = {}
    for edge in fanned:
        fans.setdefault(edge.tail, []).append(edge)
    paths, moved = [], 0
    for tail_id, edges in fans.items():
        tail = by_id[tail_id]
        row = _row(tail, [by_id[e.head] for e in edges], BUS_GAP * (moved + 1))
        moved += row != tail.y
        paths += [bus_edge(e, tail, by_id[e.head], row) for e in edges]
    return tuple(paths)
