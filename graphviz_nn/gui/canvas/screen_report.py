"""What a window's graph view has on screen, measured: how high each label is drawn and which
nodes are in view. ``graphviz-nn shot --report`` writes it beside the PNG, and the tests check
with it that every graph is readable on a 1280 × 720 projector.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...io import write_atomic

REPORT_FORMAT = 1


def screen_report(window) -> dict:
    """The graph view of ``window`` (a MainWindow) as it is drawn now.

    Returns
    -------
    dict
        ``format`` (1); ``view``: its ``width`` and ``height`` in pixels, ``scale`` (screen
        pixels per scene unit: 1 draws a node's 14-unit text 14 pixels high) and ``fitted``
        (the whole graph is shown); ``phase``, ``step`` (steps done, from 0) and ``steps``;
        ``current``: the node of the current step (``id``), the box drawing it (``item``: its
        own, or its collapsed scope's) and whether that box is ``inside`` the view, or None;
        ``nodes``: for each box drawn, by id, its ``kind``, its ``detail`` ("full", "brief",
        "title", "symbol" or "marker"), ``text_pixels`` (how high its text is on screen; 0 when no text is
        drawn), ``value_shown`` (its numbers are drawn: every line, or the
        brief ``data | grad`` line) and ``inside`` (wholly in view); ``scopes``: for each scope's box, by its
        names joined with " / ", ``label_pixels`` (its own label's height), ``caption_pixels``
        (its large caption's, for outermost scopes zoomed out; 0 when not drawn) and
        ``inside`` (the box meets the view); ``smallest_text_pixels``: the least height of any
        text drawn, or None when none is.
    """
    view = window.view
    scale = view.transform().m11()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    nodes = {key: {"kind": item.box.kind, "detail": item.detail.value,
                   "text_pixels": round(item.text_pixels_at(scale), 2), "value_shown": item.value_shown,
                   "inside": visible.contains(item.sceneBoundingRect())}
             for key, item in view.nodes.items()}
    captions = {c.cluster.scope: c.text_pixels for c in view.captions}
    scopes = {" / ".join(c.cluster.scope): {"label_pixels": round(c.text_pixels_at(scale), 2),
                                             "caption_pixels": round(captions.get(c.cluster.scope, 0.0), 2),
                                             "inside": visible.intersects(c.boundingRect())}
              for c in view.clusters}
    cursor = window.model.cursor
    step = cursor.current if cursor is not None else None
    current = None
    if step is not None:
        item = view.item_for(step.node_id)
        current = {"id": step.node_id, "item": item.node_id if item is not None else None,
                   "inside": item is not None and visible.contains(item.sceneBoundingRect())}
    heights = [e["text_pixels"] for e in nodes.values()] + \
        [e[k] for e in scopes.values() for k in ("label_pixels", "caption_pixels")]
    drawn = [h for h in heights if h > 0]
    size = view.viewport().size()
    return {
        "format": REPORT_FORMAT,
        "view": {"width": size.width(), "height": size.height(), "scale": round(scale, 4), "fitted": view.auto_fit},
        "phase": cursor.recording.phase if cursor is not None else None,
        "step": cursor.position + 1 if cursor is not None else 0,
        "steps": len(cursor.recording) if cursor is not None else 0,
        "current": current,
        "smallest_text_pixels": min(drawn) if drawn else None,
        "nodes": nodes,
        "scopes": scopes,
    }


def write_report(path: str | Path, report: dict) -> Path:
    """Write a report as JSON, atomically (a reader never sees half of it)."""
    return write_atomic(path, (json.dumps(report, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
