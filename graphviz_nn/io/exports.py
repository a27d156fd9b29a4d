"""Exporting a graph as DOT, SVG, PNG or PDF, in any collapse state, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..engine import Graph
from ..layout import LayoutWorker, Scope, default_collapsed, graph_to_dot, render
from .atomic import write_atomic

FORMATS = ("dot", "gv", "svg", "png", "pdf")


def export_format(path: str | Path, fmt: str | None = None) -> str:
    """The format named, or the one the file's suffix implies; ValueError for others."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {str(path)!r}: use a suffix or --format among {', '.join(FORMATS)}"
        )
    return "dot" if chosen == "gv" else chosen


def export_graph(graph: Graph, path: str | Path, fmt: str | None = None,
                 collapsed: Iterable[Scope] | None = None, values: bool = False,
                 gradients: bool = False, worker: LayoutWorker | None = None) -> Path:
    """Write the graph's drawing to ``path``.

    DOT is the plain source (positions are Graphviz's business); SVG, PNG and PDF are
    rendered by Graphviz in the layout worker. Collapsed scopes default as in the window.
    """
    fmt = export_format(path, fmt)
    chosen = default_collapsed(graph) if collapsed is None else frozenset(tuple(s) for s in collapsed)
    if fmt == "dot":
        data = graph_to_dot(graph, chosen, values, gradients).source.encode("utf-8")
    else:
        data = render(graph, fmt, chosen, values, gradients, worker=worker)
    return write_atomic(path, data)
