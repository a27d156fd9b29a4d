"""Building a layout's scene items a slice of time per turn of the event loop, so the window
keeps drawing while a big graph's thousands of items are made."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from ...layout import Layout
from .items import EdgeItem, NodeItem
from .scope_items import ClusterItem, ScopeCaption, place_captions

BUILD_SLICE_S = 0.006  # UI-thread time per turn of the event loop spent building items
WARM_ITEMS = 400       # items drawn off screen per turn, to warm a new scene up before it is shown


class SceneBuild:
    """A layout's items, built into a scene of their own a slice of time per turn of the
    event loop, then drawn once off screen a strip per turn.

    The off-screen drawing is there because a new scene's first paint costs nearly twice a
    later one (Qt works out and keeps what it needs to draw each item): paid for in small
    pieces beforehand, the view's own first paint is an ordinary one.
    """

    def __init__(self, view, layout: Layout, prepare, scale: float, old_positions: dict):
        self.layout, self.prepare, self.scale = layout, prepare, scale
        self.old_positions = old_positions
        self.theme, self.looks = view.theme, view._looks
        self.least = view.least_pixels
        self.scene = QGraphicsScene(view)
        # No BSP index: building one for thousands of items stalls the first paint, and
        # drawing the whole graph visits every item anyway.
        self.scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.scene.setBackgroundBrush(view.theme.background)
        self.scene.setSceneRect(QRectF(-20, -20, layout.width + 40, layout.height + 40))
        self.work = [("cluster", c) for c in layout.clusters] + [("edge", e) for e in layout.edges] \
            + [("node", n) for n in layout.nodes]
        self.built = 0
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.edges_into: dict[str, list[EdgeItem]] = {}
        self.member_of: dict[str, str] = {}
        self.clusters: list[ClusterItem] = []
        self.captions: list[ScopeCaption] = []
        self.node_rects = [QRectF(n.x - n.width / 2, n.y - n.height / 2, n.width, n.height) for n in layout.nodes]
        self.bounds = QRectF(-8, -8, layout.width + 16, layout.height + 16)  # within fit's margin
        self.strips = max(1, math.ceil(len(self.work) / WARM_ITEMS))
        self.warmed = 0
        self.ranked = 0  # captions whose places at this scale are worked out ahead of the swap
        self.placed = False  # the captions placed for this scale, a turn of its own

    @property
    def finished(self) -> bool:
        return self.warmed == self.strips

    def step(self) -> None:
        """One turn's work: items for BUILD_SLICE_S; once all are built, the captions' places
        for BUILD_SLICE_S, then the captions placed (a turn of their own, not the swap's);
        then one strip drawn."""
        if self.built < len(self.work):
            self._build_some()
        elif self.ranked < len(self.captions):
            self._rank_some()
        elif not self.placed:
            place_captions(self.captions, self.scale, self.least)
            self.placed = True
        else:
            self._warm_strip()

    def _rank_some(self) -> None:
        # Each caption finds its scope's boxes in the scene and ranks its places once (cached
        # for the scale): all 144 scopes of the expanded 1,307-node net at the swap held the
        # event loop 190 ms.
        deadline = time.perf_counter() + BUILD_SLICE_S
        while self.ranked < len(self.captions) and time.perf_counter() < deadline:
            self.captions[self.ranked].places(self.scale, self.least)
            self.ranked += 1

    def _build_some(self) -> None:
        # A time budget, not a count: a slow or busy machine builds fewer items per turn
        # rather than holding the event loop longer.
        deadline = time.perf_counter() + BUILD_SLICE_S
        while self.built < len(self.work) and time.perf_counter() < deadline:
            kind, box = self.work[self.built]
            self.built += 1
            if kind == "cluster":
                cluster = ClusterItem(box, self.theme)
                self.scene.addItem(cluster)
                self.clusters.append(cluster)
                # Every scope: a nested one's caption shows only while its boxes are dots.
                caption = ScopeCaption(box, self.theme, self.node_rects, self.bounds)
                self.scene.addItem(caption)
                self.captions.append(caption)
            elif kind == "edge":
                edge = EdgeItem(box, self.theme, self.scene, self.looks)
                self.edges.append(edge)
                self.edges_into.setdefault(box.head, []).append(edge)
            else:
                node = NodeItem(box, self.theme, self.scene, self.looks, self.scale)
                node.set_view_scale(self.scale, self.least)
                if self.prepare is not None:
                    self.prepare(node)
                self.nodes[box.id] = node
                for member in box.members:
                    self.member_of[member] = box.id

    def _warm_strip(self) -> None:
        area = self.scene.sceneRect()
        width = area.width() / self.strips
        image = QImage(64, 64, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        self.scene.render(painter, QRectF(image.rect()),
                          QRectF(area.left() + self.warmed * width, area.top(), width, area.height()))
        painter.end()
        self.warmed += 1
