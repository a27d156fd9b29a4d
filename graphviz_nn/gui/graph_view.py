"""The graph drawn as real scene items: zoom, pan, fit, find, hover, and the pass's picture."""

from __future__ import annotations

import math
from typing import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QMenu

from ..layout import Layout
from .items import ClusterItem, EdgeItem, NodeItem
from .theme import Theme, system_theme

CHUNK = 250          # items built per turn of the event loop, so big graphs never freeze it
FLOW_INTERVAL_MS = 33


class GraphView(QGraphicsView):
    """Shows a Layout; the window tells it, node by node, what each pass has reached.

    Signals
    -------
    node_clicked(str)
        A node was clicked (its id).
    scope_toggled(tuple)
        A cluster (to collapse) or a collapsed scope node (to expand) was double-clicked.
    breakpoint_toggled(str)
        A node's breakpoint was switched from its context menu.
    picture_ready()
        A new layout's items are all built and shown.
    """

    node_clicked = Signal(str)
    scope_toggled = Signal(tuple)
    breakpoint_toggled = Signal(str)
    picture_ready = Signal()

    def __init__(self, parent=None, theme: Theme | None = None):
        super().__init__(parent)
        self.setObjectName("graph_view")
        self.theme = theme or system_theme()
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(self.theme.background)
        # No scroll bars: the canvas pans by dragging, and bars would fight fitInView.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layout_shown: Layout | None = None
        self.auto_fit = True
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.edges_into: dict[str, list[EdgeItem]] = {}
        self.member_of: dict[str, str] = {}
        self._active: list[EdgeItem] = []
        self._pending_build: list | None = None
        self._flow = QTimer(self)
        self._flow.setInterval(FLOW_INTERVAL_MS)
        self._flow.timeout.connect(self._on_flow_timeout)
        self._transition = QVariantAnimation(self)
        self._transition.setDuration(280)
        self._transition.setStartValue(0.0)
        self._transition.setEndValue(1.0)
        self._moves: dict[str, tuple[QPointF, QPointF]] = {}
        self._transition.valueChanged.connect(self._on_transition_value_changed)

    # --- building -------------------------------------------------------------------
    def show_layout(self, layout: Layout, prepare=None, same_graph: bool = False) -> None:
        """Build items for ``layout`` in chunks off to the side; swap them in when done,
        moving nodes that were already shown from their old places.

        ``prepare(item)`` is called on each new node item as it is built, so items enter the
        view already showing the right state: the view then draws the new scene once.
        """
        # Nodes slide to their new places only when the same graph is laid out again.
        old_positions = {k: item.pos() for k, item in self.nodes.items()} if same_graph else {}
        scene = QGraphicsScene(self)
        # No BSP index: building one for thousands of items stalls the first paint, and
        # drawing the whole graph visits every item anyway.
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        scene.setBackgroundBrush(self.theme.background)
        bounds = QRectF(-20, -20, layout.width + 40, layout.height + 40)
        scene.setSceneRect(bounds)
        work = [("cluster", c) for c in layout.clusters] + [("edge", e) for e in layout.edges] \
            + [("node", n) for n in layout.nodes]
        built = {"nodes": {}, "edges": [], "into": {}, "members": {}}
        self._pending_build = work

        def build_some() -> None:
            if self._pending_build is not work:
                return  # a newer layout replaced this one
            for kind, item in work[:CHUNK]:
                if kind == "cluster":
                    scene.addItem(ClusterItem(item, self.theme))
                elif kind == "edge":
                    edge = EdgeItem(item, self.theme)
                    scene.addItem(edge)
                    built["edges"].append(edge)
                    built["into"].setdefault(item.head, []).append(edge)
                else:
                    node = NodeItem(item, self.theme)
                    if prepare is not None:
                        prepare(node)
                    scene.addItem(node)
                    built["nodes"][item.id] = node
                    for member in item.members:
                        built["members"][member] = item.id
            del work[:CHUNK]
            # A 1 ms timer, not 0: zero-delay calls run back to back ahead of other timers
            # and input. The swap also waits a turn, so the new scene has settled its own
            # bookkeeping before the view draws it (once).
            if work:
                QTimer.singleShot(1, build_some)
            else:
                QTimer.singleShot(1, lambda: self._swap(scene, layout, built, old_positions)
                                  if self._pending_build is work else None)

        build_some()

    def set_theme(self, theme: Theme, prepare=None) -> None:
        """Draw with another theme: the items are built again from the layout shown."""
        self.theme = theme
        self.setBackgroundBrush(theme.background)
        if self.layout_shown is not None:  # the same places: the view stays where it is
            self.show_layout(self.layout_shown, prepare, same_graph=True)

    def _swap(self, scene: QGraphicsScene, layout: Layout, built: dict, old_positions: dict) -> None:
        self._pending_build = None
        previous = self.scene()
        self._active = []
        self.nodes, self.edges = built["nodes"], built["edges"]
        self.edges_into, self.member_of = built["into"], built["members"]
        first = self.layout_shown is None
        self.layout_shown = layout
        self.setScene(scene)
        scene.selectionChanged.connect(self._on_scene_selection_changed)
        if previous is not None:
            previous.deleteLater()
        moved = {k: (old_positions[k], item.pos()) for k, item in self.nodes.items() if k in old_positions}
        if moved and not first:
            self._animate_moves(moved)
        if first or not moved:
            self.fit()
        self.picture_ready.emit()

    def _animate_moves(self, moved: dict[str, tuple[QPointF, QPointF]]) -> None:
        """Slide nodes that were already shown from their old places to their new ones."""
        self._transition.stop()
        self._moves = moved
        self._on_transition_value_changed(0.0)
        self._transition.start()

    def _on_transition_value_changed(self, t) -> None:
        for key, (start, end) in self._moves.items():
            item = self.nodes.get(key)
            if item is not None:
                item.setPos(start + (end - start) * float(t))

    @property
    def building(self) -> bool:
        return self._pending_build is not None

    # --- the picture of a pass ----------------------------------------------------------
    def item_for(self, node_id: str) -> NodeItem | None:
        """The item that shows a graph node: its own, or its collapsed scope's."""
        key = self.member_of.get(node_id)
        return self.nodes.get(key) if key is not None else None

    def light_edges(self, pairs: Iterable[tuple[str, str]], colour: QColor, reverse: bool) -> None:
        """Light the edges carrying the current step: (input id, consumer id) pairs."""
        for edge in self._active:
            edge.set_active(False)
        self._active = []
        for tail, head in pairs:
            tail_key, head_key = self.member_of.get(tail), self.member_of.get(head)
            for edge in self.edges_into.get(head_key, ()):
                if edge.edge.tail == tail_key:
                    edge.set_active(True, colour, reverse)
                    self._active.append(edge)
        if self._active and not self._flow.isActive():
            self._flow.start()
        elif not self._active:
            self._flow.stop()

    def _on_flow_timeout(self) -> None:
        for edge in self._active:
            edge.advance_flow(1.2)

    # --- navigation ------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.auto_fit:  # keep the whole graph in view until the user zooms
            self.fit()

    def fit(self) -> None:
        """Show the whole graph (and keep it so when the view is resized)."""
        self.auto_fit = True
        rect = self.scene().itemsBoundingRect()
        if not rect.isEmpty():
            self.fitInView(rect.adjusted(-10, -10, 10, 10), Qt.AspectRatioMode.KeepAspectRatio)
        self._choose_quality()

    def _choose_quality(self) -> None:
        # Far out, antialiasing thousands of tiny shapes costs most of a frame and shows
        # nothing; close in, it is what makes the drawing look right.
        smooth = self.transform().m11() >= 0.35
        self.setRenderHint(QPainter.RenderHint.Antialiasing, smooth)

    def zoom(self, factor: float) -> None:
        self.auto_fit = False
        current = self.transform().m11()
        if 0.02 < current * factor < 12:
            self.scale(factor, factor)
        self._choose_quality()

    def placement(self) -> tuple[float, tuple[float, float] | None]:
        """The zoom, and the scene point at the centre (None while the whole graph is fitted)."""
        centre = None
        if not self.auto_fit:
            point = self.mapToScene(self.viewport().rect().center())
            centre = (point.x(), point.y())
        return self.transform().m11(), centre

    def place(self, zoom: float, centre: tuple[float, float] | None) -> None:
        """Show the scene at ``zoom`` around ``centre``; with no centre (or an unusable zoom)
        the whole graph stays fitted."""
        if centre is None or not (math.isfinite(zoom) and 0.02 < zoom < 12):
            return
        self.auto_fit = False
        self.resetTransform()
        self.scale(zoom, zoom)
        self.centerOn(QPointF(*centre))
        self._choose_quality()

    def centre_on(self, node_id: str) -> bool:
        """Select a node and bring it to the middle of the view."""
        item = self.item_for(node_id) or self.nodes.get(node_id)
        if item is None:
            return False
        self.scene().clearSelection()
        item.setSelected(True)
        self.auto_fit = False
        if self.transform().m11() < 0.6:
            self.resetTransform()
            self.scale(0.9, 0.9)
        self.centerOn(item)
        return True

    def nodes_on_screen(self) -> list[str]:
        """Ids of the nodes wholly inside the visible part of the view."""
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        return [k for k, item in self.nodes.items() if visible.contains(item.sceneBoundingRect())]

    # --- mouse -----------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.15 ** steps)
        event.accept()

    def _on_scene_selection_changed(self) -> None:
        chosen = [i for i in self.scene().selectedItems() if isinstance(i, NodeItem)]
        if chosen:
            self.node_clicked.emit(chosen[0].node_id)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        for item in self.items(event.position().toPoint()):
            if isinstance(item, NodeItem) and item.box.kind == "scope":
                self.scope_toggled.emit(self._scope_of(item))
                return
            if isinstance(item, ClusterItem):
                self.scope_toggled.emit(item.cluster.scope)
                return
        super().mouseDoubleClickEvent(event)

    @staticmethod
    def _scope_of(item: NodeItem) -> tuple[str, ...]:
        return tuple(item.node_id.removeprefix("scope/").split("/"))

    def contextMenuEvent(self, event) -> None:
        node = next((i for i in self.items(event.pos()) if isinstance(i, NodeItem)), None)
        if node is None:
            return
        menu = QMenu(self)
        if node.box.kind == "scope":
            menu.addAction("Expand", lambda: self.scope_toggled.emit(self._scope_of(node)))
        else:
            label = "Remove breakpoint" if node.breakpoint else "Set breakpoint"
            menu.addAction(label, lambda: self.breakpoint_toggled.emit(node.node_id))
            if node.box.scope:
                menu.addAction(f"Collapse {node.box.scope[-1]}", lambda: self.scope_toggled.emit(node.box.scope))
        menu.exec(event.globalPos())
