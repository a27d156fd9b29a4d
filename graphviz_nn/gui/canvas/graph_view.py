"""The graph drawn as real scene items: zoom, pan, fit, find, hover, and the pass's picture."""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QMenu

from ...layout import Layout
from .camera import MAX_FIT_SCALE, Camera, fit_scale
from .items import EdgeItem, Looks, NodeItem
from .level_of_detail import READABLE_PIXELS
from .scene_build import SceneBuild
from .scope_items import ClusterItem, ScopeCaption, place_captions
from .theme import Theme, system_theme

MARGIN = 16.0          # around the layout's box when fitting: rings and stacked scope cards
FLOW_INTERVAL_MS = 33
FLOW_STEP = 1.2        # scene units the dashes move per turn of flow


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
        self.least_pixels = READABLE_PIXELS  # no text on screen smaller (more when presenting)
        self.camera = Camera(self)
        #: The graph shown's :class:`~.presenter.Presenter`: what each node shows of its passes
        #: (set by whoever shows a graph; None before the first).
        self.presenter = None
        self._looks = Looks(self.theme)
        self._scale_shown = 1.0  # the scale the items' level of detail was chosen for
        self.clusters: list[ClusterItem] = []
        self.captions: list[ScopeCaption] = []
        self._ringed: list[NodeItem] = []  # selected nodes, whose ring shows it
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.edges_into: dict[str, list[EdgeItem]] = {}
        self.member_of: dict[str, str] = {}
        self._active: list[EdgeItem] = []
        self._pending_build: SceneBuild | None = None
        self._framed_next: tuple[str, ...] | None = None  # a scope to frame once its layout is shown
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
    def prepare_item(self, item: NodeItem) -> None:
        """Give a new node item what the presenter says it shows now (``show_layout``'s
        ``prepare``)."""
        if self.presenter is not None:
            self.presenter.refresh_item(item, self.presenter.player.cursor)

    @contextmanager
    def jumping(self):
        """Within this block, the camera jumps to what it follows instead of panning there
        (a seek, a frame of an animation being recorded)."""
        smooth, self.camera.smooth = self.camera.smooth, False
        try:
            yield
        finally:
            self.camera.smooth = smooth

    def show_layout(self, layout: Layout, prepare=None, same_graph: bool = False) -> None:
        """Build items for ``layout`` in slices off to the side; swap them in when done,
        moving nodes that were already shown from their old places.

        ``prepare(item)`` is called on each new node item as it is built, so items enter the
        view already showing the right state: the view then draws the new scene once.
        """
        # Nodes slide to their new places only when the same graph is laid out again.
        old_positions = {k: item.pos() for k, item in self.nodes.items()} if same_graph else {}
        # Items are built with the text they will show once swapped in, so the swap need not
        # visit them all again.
        fitting = not (same_graph and old_positions and self.layout_shown is not None)
        scale = self._fitted_scale(layout) if fitting else self.transform().m11()
        build = SceneBuild(self, layout, prepare, scale, old_positions)
        self._pending_build = build
        QTimer.singleShot(1, self, lambda: self._continue_build(build))  # the caller's turn ends first

    def _continue_build(self, build: SceneBuild) -> None:
        if self._pending_build is not build:
            return  # a newer layout replaced this one
        if build.finished:
            self._swap(build)
            return
        build.step()
        # A 1 ms timer, not 0: zero-delay calls run back to back ahead of other timers and
        # input. The swap also waits a turn after the last step, so the new scene has settled
        # its own bookkeeping before the view draws it (once).
        QTimer.singleShot(1, self, lambda: self._continue_build(build))

    def set_theme(self, theme: Theme, prepare=None) -> None:
        """Draw with another theme: the items are built again from the layout shown."""
        self.theme = theme
        self._looks = Looks(theme)
        self.setBackgroundBrush(theme.background)
        if self.layout_shown is not None:  # the same places: the view stays where it is
            self.show_layout(self.layout_shown, prepare, same_graph=True)

    def _swap(self, build: SceneBuild) -> None:
        self._pending_build = None
        previous, scene = self.scene(), build.scene
        self._active = []
        self._ringed = []
        self.nodes, self.edges = build.nodes, build.edges
        self.edges_into, self.member_of = build.edges_into, build.member_of
        self.clusters, self.captions = build.clusters, build.captions
        self._scale_shown = build.scale
        if not (build.placed and build.least == self.least_pixels):
            place_captions(self.captions, build.scale, self.least_pixels)
        first = self.layout_shown is None
        self.layout_shown = build.layout
        self.setScene(scene)
        scene.selectionChanged.connect(self._on_scene_selection_changed)
        if previous is not None:
            previous.deleteLater()
        old_positions = build.old_positions
        moved = {k: (old_positions[k], item.pos()) for k, item in self.nodes.items() if k in old_positions}
        if moved and not first:
            self._animate_moves(moved)
        scope, self._framed_next = self._framed_next, None
        framed = scope is not None and not first and self.frame_scope(scope)
        if not framed and (first or not moved):
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
            edge.advance_flow(FLOW_STEP)

    def hold_flow(self, ticks: int) -> None:
        """Stop the lit edges' dashes where ``ticks`` turns of flow from their start put them:
        a screenshot then looks the same however fast the machine drew it."""
        self._flow.stop()
        for edge in self._active:
            edge.offset = 0.0
            edge.advance_flow(FLOW_STEP * ticks)

    # --- navigation ------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.auto_fit:  # keep the whole graph in view until the user zooms
            self.fit()

    def fit(self) -> None:
        """Show the whole graph (and keep it so when the view is resized)."""
        self.auto_fit = True
        shown = self.layout_shown
        if shown is not None and shown.width > 0 and shown.height > 0:
            # The layout's box, not the items' bounding rect: asking every item for its
            # bounds costs a pass over thousands of them on each resize.
            rect = QRectF(-MARGIN, -MARGIN, shown.width + 2 * MARGIN, shown.height + 2 * MARGIN)
            self.camera.fit(rect)
        self._choose_quality()

    def _fitted_scale(self, layout: Layout) -> float:
        """The scale :meth:`fit` will choose for a layout in this view."""
        room = self.viewport().rect().adjusted(2, 2, -2, -2)  # fitInView's own margin
        return fit_scale(layout.width + 2 * MARGIN, layout.height + 2 * MARGIN, room.width(), room.height())

    def _choose_quality(self) -> None:
        # Far out, antialiasing thousands of tiny shapes costs most of a frame and shows
        # nothing; close in, it is what makes the drawing look right. Each node shows as
        # much of its label as can be read at this scale (see level_of_detail).
        scale = self.transform().m11()
        self.setRenderHint(QPainter.RenderHint.Antialiasing, scale >= 0.35)
        if scale != self._scale_shown:
            self._scale_shown = scale
            for item in self.nodes.values():
                item.set_view_scale(scale, self.least_pixels)
            place_captions(self.captions, scale, self.least_pixels)

    def frame_scope_next(self, scope: tuple[str, ...]) -> None:
        """Frame ``scope`` once the layout being made (the scope opened or closed) is shown."""
        self._framed_next = tuple(scope)

    def frame_scope(self, scope: tuple[str, ...]) -> bool:
        """Centre a scope's box (open) or its collapsed node in the view and show it whole, as
        large as the view allows (opening one perceptron of a 1,307-node net kept the zoom and
        showed a tangle of edges); a scope too big for that is shown around its middle at the
        least scale at which each of its boxes says what it is. False when it is not drawn."""
        scope = tuple(scope)
        box = next((c.boundingRect() for c in self.clusters if c.cluster.scope == scope), None)
        if box is None:
            item = self.nodes.get("scope/" + "/".join(scope))
            if item is None:
                return False
            box = item.sceneBoundingRect()
        self.auto_fit = False
        self.camera.fit(box.adjusted(-2 * MARGIN, -2 * MARGIN, 2 * MARGIN, 2 * MARGIN))
        # A scope too big to show whole and readable (one perceptron of a [30, 10, 10, 1] net
        # is 6,044 units wide: 0.1 px a unit) is shown as close as every box in it needs to
        # say what it is, around its middle.
        inside = [item for item in self.nodes.values() if box.contains(item.sceneBoundingRect())]
        needed = max((item.readable_scale(self.least_pixels) for item in inside), default=0.0)
        scale = self.transform().m11()
        if needed > scale and math.isfinite(needed):
            self.resetTransform()
            self.scale(min(needed, MAX_FIT_SCALE), min(needed, MAX_FIT_SCALE))
            self.centerOn(box.center())
        self._choose_quality()
        return True

    def set_least_pixels(self, pixels: float) -> None:
        """Draw no node text smaller than ``pixels`` on screen (18 on a projector, 12 at a desk)."""
        if pixels != self.least_pixels:
            self.least_pixels = pixels
            self._scale_shown = math.nan  # every item chooses again
            self._choose_quality()

    def follow(self, node_id: str) -> bool:
        """Keep a node, and the edges lit for its step, in view at the user's zoom: pan (in
        200 ms, or at once when ``camera.smooth`` is off) only when they are not on screen.
        True when the view moves."""
        item = self.item_for(node_id) or self.nodes.get(node_id)
        if item is None or self.auto_fit:  # fitted: the whole graph is on screen
            return False
        core = item.sceneBoundingRect()
        wanted = QRectF(core)
        for edge in self._active:
            wanted = wanted.united(edge.line.sceneBoundingRect())
        return self.camera.follow(wanted, core)

    def zoom(self, factor: float) -> None:
        self.camera.stop()
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
        self.camera.stop()
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
        self.camera.stop()
        if self.transform().m11() < 0.6:
            self.resetTransform()
            self.scale(0.9, 0.9)
            self._choose_quality()
        self.centerOn(item)
        return True

    def nodes_on_screen(self) -> list[str]:
        """Ids of the nodes wholly inside the visible part of the view."""
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        return [k for k, item in self.nodes.items() if visible.contains(item.sceneBoundingRect())]

    # --- mouse -----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.camera.stop()  # the user's drag wins over a pan under way
        super().mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.15 ** steps)
        event.accept()

    def _on_scene_selection_changed(self) -> None:
        chosen = [i for i in self.scene().selectedItems() if isinstance(i, NodeItem)]
        for item in self._ringed + chosen:
            item.show_selection()
        self._ringed = chosen
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
