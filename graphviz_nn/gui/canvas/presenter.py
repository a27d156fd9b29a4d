"""Paints what each node shows at a cursor (:mod:`graphviz_nn.session.node_picture` decides it)
onto the view's items, touching only what changed."""

from __future__ import annotations

import base64

import numpy as np
from PySide6.QtGui import QColor, QPixmap

from ...engine import Graph
from ...session import Cursor
from ...session.magnitudes import gradient_norms, magnitude_scale
from ...session.node_picture import lit_edges, node_picture, revealed, scope_output, scope_picture
from ...session.player import Player
from ...session.symbols import short_names
from ..image_bytes import image_bytes
from .graph_view import GraphView
from .heatmap import heatmap_pixmap
from .items import NodeItem
from .theme import scale_colour

def _png64(array) -> str:
    """A heatmap of the array as base64 PNG, for an <img> in a tooltip."""
    pixmap = heatmap_pixmap(np.asarray(array, dtype=float), cell=12, max_size=160, ratio=1.0)  # an <img> in HTML
    return base64.b64encode(image_bytes(pixmap)).decode("ascii")


class Presenter:
    """Keeps the view's items in step with the cursor, touching only what changed."""

    def __init__(self, view: GraphView, graph: Graph, player: Player, names: dict[str, str] | None = None):
        self.view, self.graph, self.player = view, graph, player
        self.tints: dict[str, QColor] = {}
        self._summaries: dict[str, QPixmap | None] = {}
        # The short names the chain rule calls long expressions by ("t16"), shown on their
        # boxes: given when they were worked out off the UI thread.
        self.short_names = short_names(graph) if names is None else names

    def _summary(self, members) -> QPixmap | None:
        """A heatmap of the values that leave a collapsed scope (rows × units), for its box."""
        output = scope_output(self.graph, members)
        if output is None:
            return None
        values = np.asarray(self.graph[output].value, dtype=float)
        if values.size < 2 or not np.all(np.isfinite(values)):
            return None
        return heatmap_pixmap(values.reshape(1, -1) if values.ndim == 1 else values, cell=4, max_size=64)

    @property
    def breakpoints(self) -> set[str]:
        return self.player.breakpoints

    @property
    def reveal(self) -> bool:
        """Every number stays hidden until the pass being played reaches its node, so a class
        can guess each one first."""
        return self.player.reveal

    @reveal.setter
    def reveal(self, on: bool) -> None:
        self.player.set_reveal(on)

    def revealed(self, node_id: str, cursor: Cursor | None) -> bool:
        """Whether the node's numbers may be shown."""
        return revealed(node_id, cursor, self.reveal)

    def phase_colour(self, phase: str | None) -> QColor:
        theme = self.view.theme
        return {"backward": theme.backward, "tangent": theme.tangent}.get(phase or "", theme.forward)

    # --- one node -----------------------------------------------------------------------
    def refresh_item(self, item: NodeItem, cursor: Cursor | None) -> None:
        phase = cursor.recording.phase if cursor else None
        if item.box.kind == "scope":
            picture = scope_picture(item.box.members, cursor)
            item.set_quantities(picture.value_text, picture.second_text)
            item.set_state(picture.state, self.phase_colour(phase))
            if item.node_id not in self._summaries:  # the values leaving it: fixed for a graph
                self._summaries[item.node_id] = self._summary(item.box.members)
            hidden = self.reveal and (phase is None or picture.state != "done")  # a class guesses first
            item.set_summary(None if hidden else self._summaries[item.node_id])
            return
        name = self.short_names.get(item.node_id)
        if name is not None and item.titles[:1] != (name,):
            item.set_titles((name, *item.titles))
        picture = node_picture(self.graph, item.node_id, cursor, self.reveal)
        value, second = picture.value_text, picture.second_text
        item.set_quantities(value, second)
        item.set_state(picture.state, self.phase_colour(phase))
        item.set_flags(self.tints.get(item.node_id), not picture.finite, item.node_id in self.breakpoints)
        # The map of an image-like value, as the pass has it; none while its number is hidden.
        # The shape is asked first: most nodes of a big graph have none, and cost no more.
        held = self.graph[item.node_id].value
        if value and np.ndim(held) >= 3:
            item.set_thumbnail_value(cursor.quantity(item.node_id) if phase == "forward" else held)
        else:
            item.set_thumbnail_value(None)
        # Built when the pointer rests on the node, not on every step: a heatmap per node
        # per step would cost more than the step.
        item.tooltip_source = lambda c=cursor, k=item.node_id, v=value, q=second: self._tooltip(k, v, q, c)

    def _tooltip(self, node_id: str, value: str, second: str, cursor: Cursor | None) -> str:
        """The node's name, kind and shape, its value and gradient or tangent, and small
        heatmaps of them when they are arrays."""
        node = self.graph[node_id]
        lines = [f"<b>{node.label}</b> ({node_id}, {node.kind}, shape {tuple(node.value.shape)})"]
        if node.scope:
            lines.append("in " + " / ".join(node.scope))
        phase = cursor.recording.phase if cursor else None
        shown_value = cursor.quantity(node_id) if phase == "forward" else node.value
        arrays = [("value " + value, shown_value if value else None)]
        if second:
            arrays.append((second, cursor.quantity(node_id) if cursor else None))
        for text, array in arrays:
            lines.append(text)
            if array is not None and np.ndim(array) >= 1 and 1 < np.size(array) <= 4096:
                lines.append(f'<img src="data:image/png;base64,{_png64(array)}">')
        return "<br>".join(lines)

    # --- the whole picture ----------------------------------------------------------------
    def refresh_all(self, cursor: Cursor | None) -> None:
        for item in self.view.nodes.values():
            self.refresh_item(item, cursor)
        self.light_current(cursor)

    def move(self, cursor: Cursor, old_position: int) -> None:
        """Update only the nodes whose steps lie between the old and the new position."""
        low, high = sorted((old_position, cursor.position))
        steps = cursor.recording.steps
        touched = {steps[i].node_id for i in range(max(low, 0), min(high, len(steps) - 1) + 1)}
        for node_id in touched:
            item = self.view.item_for(node_id)
            if item is not None:
                self.refresh_item(item, cursor)
        self.light_current(cursor)

    def light_current(self, cursor: Cursor | None) -> None:
        pairs, phase, reverse = lit_edges(self.graph, cursor)
        self.view.light_edges(pairs, self.phase_colour(phase), reverse)

    # --- colour modes -----------------------------------------------------------------------
    def set_tints(self, tints: dict[str, QColor], cursor: Cursor | None) -> None:
        self.tints = dict(tints)
        self.refresh_all(cursor)

    def magnitude_tints(self) -> tuple[dict[str, QColor], float, float]:
        """Colours by log10 ‖dL/d·‖ of every node with a gradient, and the scale's ends."""
        scale = magnitude_scale(gradient_norms(self.graph))
        return magnitude_colours(scale), scale.low, scale.high


def magnitude_colours(scale) -> dict[str, QColor]:
    """Each node's place on a magnitude scale as a colour; grey for a zero gradient."""
    return {k: scale_colour(v) if v is not None else QColor("#D0D0D0") for k, v in scale.positions.items()}
