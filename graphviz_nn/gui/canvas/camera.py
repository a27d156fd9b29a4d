"""Where the graph view looks: fitting the whole graph (small graphs enlarged, up to a limit)
and following the pass, so the node being computed never leaves the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEasingCurve, QObject, QPointF, QRectF, Qt, QVariantAnimation
from PySide6.QtWidgets import QGraphicsView

MAX_FIT_SCALE = 2.5   # fitting enlarges a small graph, but one node is not drawn a screen wide
PAN_MS = 200          # a pan to the current node: long enough to see where it went
FOLLOW_MARGIN = 24.0  # screen pixels kept between the followed node and the view's edge


def fit_scale(width: float, height: float, room_width: float, room_height: float) -> float:
    """The scale that shows ``width`` × ``height`` scene units whole in the room given (pixels),
    never more than :data:`MAX_FIT_SCALE`."""
    if width <= 0 or height <= 0 or room_width <= 0 or room_height <= 0:
        return 1.0
    return min(room_width / width, room_height / height, MAX_FIT_SCALE)


class Camera(QObject):
    """Moves a QGraphicsView: fitting, and panning to follow the pass at the user's zoom.

    Attributes
    ----------
    smooth : bool
        Pan in :data:`PAN_MS` milliseconds; False jumps at once (screenshots, exports).
    """

    def __init__(self, view: QGraphicsView):
        super().__init__(view)
        self.view = view
        self.smooth = True
        self._pan = QVariantAnimation(self)
        self._pan.setDuration(PAN_MS)
        self._pan.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._pan.valueChanged.connect(self._on_pan_value_changed)

    def fit(self, rect: QRectF) -> None:
        """Show ``rect`` (scene units) whole and centred, enlarged at most :data:`MAX_FIT_SCALE` times."""
        self.stop()
        view = self.view
        view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if view.transform().m11() > MAX_FIT_SCALE:
            view.resetTransform()
            view.scale(MAX_FIT_SCALE, MAX_FIT_SCALE)
            view.centerOn(rect.center())

    @property
    def centre(self) -> QPointF:
        """The scene point at the middle of the view, or where a pan under way will end."""
        if self._pan.state() == QVariantAnimation.State.Running:
            return self._pan.endValue()
        return self.view.mapToScene(self.view.viewport().rect().center())

    def visible(self, centre: QPointF | None = None, margin: float = 0.0) -> QRectF:
        """The scene rectangle on screen (around ``centre``, by default where the view is or
        is panning to), less ``margin`` screen pixels on each side."""
        scale = self.view.transform().m11()
        size = self.view.viewport().rect()
        centre = self.centre if centre is None else centre
        width, height = (size.width() - 2 * margin) / scale, (size.height() - 2 * margin) / scale
        return QRectF(centre.x() - width / 2, centre.y() - height / 2, max(width, 0.0), max(height, 0.0))

    def follow(self, wanted: QRectF, core: QRectF) -> bool:
        """Bring ``wanted`` (a node with the edges it uses) into view, or at least ``core``
        (the node) when the whole of it cannot fit, keeping the zoom. Nothing moves while it
        is in view already. True when the view moves."""
        inside = self.visible(margin=FOLLOW_MARGIN)
        fits = wanted.width() <= inside.width() and wanted.height() <= inside.height()
        target = wanted if fits else core
        if inside.contains(target):
            return False
        self.pan_to(target.center())
        return True

    def pan_to(self, centre: QPointF) -> None:
        """Centre the view on a scene point: smoothly, or at once when not ``smooth`` or hidden."""
        self._pan.stop()
        start = self.view.mapToScene(self.view.viewport().rect().center())
        if not self.smooth or not self.view.isVisible():
            self.view.centerOn(centre)
            return
        self._pan.setStartValue(QPointF(start))
        self._pan.setEndValue(QPointF(centre))
        self._pan.start()

    def stop(self) -> None:
        """End a pan where it is (the user zooms, drags or fits)."""
        self._pan.stop()

    @property
    def panning(self) -> bool:
        return self._pan.state() == QVariantAnimation.State.Running

    def _on_pan_value_changed(self, point) -> None:
        self.view.centerOn(point)
