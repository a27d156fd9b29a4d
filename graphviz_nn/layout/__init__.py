"""From a graph to positions: DOT, Graphviz's dot layout in a worker process, collapsible
scopes, and rendered exports. Qt-free."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from ..engine import Graph
from ..engine.graph import register_drawing
from .dot import Dot, draw, graph_to_dot, view_to_dot
from .fans import bus_edges, split_fans
from .graphviz_json import layout_from_json
from .model import ClusterBox, EdgePath, Layout, NodeBox
from .view import COLLAPSE_THRESHOLD, DrawnGraph, Scope, all_scopes, build_view, default_collapsed
from .worker import (
    LayoutCancelled, LayoutError, LayoutTimeout, LayoutWorker, default_worker, render_in_process,
)


def layout(graph: Graph, collapsed: Iterable[Scope] | None = None, values: bool = False,
           gradients: bool = False, timeout: float | None = 30.0,
           worker: LayoutWorker | None = None) -> Layout:
    """Lay a graph out with Graphviz's dot, in a worker process.

    Parameters
    ----------
    graph : Graph
    collapsed : iterable of scope tuples, optional
        Scopes drawn as one node each; by default none, or for graphs over
        COLLAPSE_THRESHOLD nodes the deepest scopes (see :func:`default_collapsed`).
    values, gradients : bool
        Put short values and gradients in the labels (the boxes grow to fit them).
    timeout : float or None
        Seconds before LayoutTimeout; the worker is then restarted.
    worker : LayoutWorker, optional
        The process to use; a shared default otherwise.

    Returns
    -------
    Layout
        Node boxes, edge splines and cluster boxes in points, y pointing down.
    """
    worker = worker or default_worker()
    ticket = worker.ticket()  # a cancel while the DOT text is made still cancels this layout
    chosen = default_collapsed(graph) if collapsed is None else frozenset(tuple(s) for s in collapsed)
    view = build_view(graph, chosen, values, gradients)
    placed, fanned = split_fans(view)  # a weight read at every time step: drawn as a bus
    data = worker.render(view_to_dot(placed, styled=False).source, "layout", timeout, ticket)
    shown = layout_from_json(data, placed)
    return replace(shown, edges=shown.edges + bus_edges(shown.nodes, fanned)) if fanned else shown


def render(graph: Graph, fmt: str, collapsed: Iterable[Scope] | None = None, values: bool = False,
           gradients: bool = False, timeout: float | None = 60.0,
           worker: LayoutWorker | None = None) -> bytes:
    """The graph drawn by Graphviz as "svg", "png", "pdf" or "dot" (DOT with positions)."""
    worker = worker or default_worker()
    ticket = worker.ticket()
    chosen = default_collapsed(graph) if collapsed is None else frozenset(tuple(s) for s in collapsed)
    source = graph_to_dot(graph, chosen, values, gradients).source
    return worker.render(source, fmt, timeout, ticket)


def _svg(graph: Graph) -> str:
    return draw(graph).pipe(format="svg", encoding="utf-8")


register_drawing(graph_to_dot, _svg)  # Graph.to_dot and a notebook's inline display

__all__ = [
    "COLLAPSE_THRESHOLD", "ClusterBox", "Dot", "DrawnGraph", "EdgePath", "Layout", "LayoutCancelled",
    "LayoutError", "LayoutTimeout", "LayoutWorker", "NodeBox", "Scope", "all_scopes", "build_view",
    "default_collapsed", "default_worker", "graph_to_dot", "layout", "layout_from_json", "render",
    "render_in_process", "view_to_dot",
]
