"""A finished layout: boxes, splines and clusters in scene coordinates (points, y down)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeBox:
    """A node's box: centre (x, y), width and height, plus what the view said of it."""

    id: str
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]
    kind: str
    scope: tuple[str, ...]
    members: tuple[str, ...]

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        return (abs(x - self.x) <= self.width / 2 + margin and abs(y - self.y) <= self.height / 2 + margin)


@dataclass(frozen=True)
class EdgePath:
    """An edge as a cubic Bezier spline: points p0, c1, c2, p1, c1, c2, p2, ...

    ``arrow_tip`` is where the arrowhead points (the spline ends at its base).
    """

    tail: str
    head: str
    index: int
    points: tuple[tuple[float, float], ...]
    arrow_tip: tuple[float, float] | None


@dataclass(frozen=True)
class ClusterBox:
    """A scope's box: left, top, width, height."""

    scope: tuple[str, ...]
    x: float
    y: float
    width: float
    height: float

    def contains(self, box: NodeBox) -> bool:
        return (self.x - 0.5 <= box.x - box.width / 2 and box.x + box.width / 2 <= self.x + self.width + 0.5
                and self.y - 0.5 <= box.y - box.height / 2 and box.y + box.height / 2 <= self.y + self.height + 0.5)


@dataclass(frozen=True)
class Layout:
    """Everything a view needs to draw a graph, Qt-free and immutable."""

    nodes: tuple[NodeBox, ...]
    edges: tuple[EdgePath, ...]
    clusters: tuple[ClusterBox, ...]
    width: float
    height: float
    collapsed: frozenset[tuple[str, ...]]

    def node(self, node_id: str) -> NodeBox:
        for box in self.nodes:
            if box.id == node_id:
                return box
        raise KeyError(f"no node {node_id!r} in this layout")
