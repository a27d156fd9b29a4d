"""Reading Graphviz's JSON output (``-Tjson0``, or ``-Tjson``) into a :class:`Layout`."""

from __future__ import annotations

import json

from .model import ClusterBox, EdgePath, Layout, NodeBox
from .view import DrawnGraph

POINTS_PER_INCH = 72.0


def _point(text: str, height: float) -> tuple[float, float]:
    x, y = text.split(",")[:2]
    return float(x), height - float(y)  # Graphviz's y points up; the scene's points down


def _spline(pos: str, height: float) -> tuple[tuple[tuple[float, float], ...], tuple[float, float] | None]:
    tip = None
    points = []
    for token in pos.split():
        if token.startswith("e,"):
            tip = _point(token[2:], height)
        elif token.startswith("s,"):
            continue
        else:
            points.append(_point(token, height))
    return tuple(points), tip


def layout_from_json(text: str | bytes, view: DrawnGraph) -> Layout:
    """Positions from Graphviz's JSON for the nodes, edges and clusters of ``view``."""
    data = json.loads(text)
    left, bottom, right, top = (float(v) for v in data["bb"].split(","))
    height = top
    objects = data.get("objects", [])
    by_id = {node.id: node for node in view.nodes}
    cluster_scopes = {f"cluster_{i}": scope for i, scope in enumerate(view.clusters)}
    names = {}
    boxes, clusters = [], []
    for index, obj in enumerate(objects):
        name = obj.get("name", "")
        names[obj.get("_gvid", index)] = name
        if name in cluster_scopes and "bb" in obj:
            x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
            clusters.append(ClusterBox(cluster_scopes[name], x0, height - y1, x1 - x0, y1 - y0))
        elif name in by_id and "pos" in obj:
            x, y = _point(obj["pos"], height)
            node = by_id[name]
            boxes.append(NodeBox(name, x, y, float(obj["width"]) * POINTS_PER_INCH,
                                 float(obj["height"]) * POINTS_PER_INCH, node.lines, node.kind,
                                 node.scope, node.members))
    edges = []
    for edge in data.get("edges", []):
        points, tip = _spline(edge.get("pos", ""), height)
        tail, head = names[edge["tail"]], names[edge["head"]]
        index = int(str(edge.get("id", "#0")).rsplit("#", 1)[-1] or 0)
        edges.append(EdgePath(tail, head, index, points, tip))
    return Layout(tuple(boxes), tuple(edges), tuple(clusters), right - left, top - bottom, view.collapsed)
