"""Getting a graph ready to show, off the window's thread: its forward pass recorded and its
layout made (by Graphviz, in the layout worker)."""

from __future__ import annotations

from dataclasses import dataclass

from ..layout import Layout, LayoutWorker, default_collapsed, layout
from .built import Built
from .playback import Recording, record
from .symbols import short_names


@dataclass(frozen=True, eq=False)
class Prepared:
    """What a background job hands the window: the example, its first recording, a layout."""

    built: Built
    recording: Recording
    layout: Layout
    collapsed: frozenset
    title: str = ""
    expression: str | None = None
    #: The short names long expressions go by ("t16"), by node id: worked out here, off the UI
    #: thread (on the 9,927-node net they held the event loop 105 ms when the picture came).
    short_names: dict | None = None


def collapsed_on_opening(built: Built) -> frozenset:
    """The scopes drawn collapsed when ``built`` opens: its own choice (an unrolled
    recurrence's time steps), else the deepest scopes of a big graph."""
    return frozenset(built.collapsed) if built.collapsed is not None else default_collapsed(built.graph)


def prepare(built: Built, collapsed: frozenset, worker: LayoutWorker, title: str,
            expression: str | None) -> Prepared:
    """Record the forward pass of a built graph and lay it out (off the UI thread)."""
    recording = record(built.graph, "forward")
    return Prepared(built, recording, layout(built.graph, collapsed, True, True, timeout=120, worker=worker),
                    collapsed, title, expression, short_names(built.graph))
