"""A scope's name in large type by its box, while the view is too far out to read its nodes.

At the fitted view of a network the nodes show no numbers and the scope's own label would
be a few pixels high; the caption says, readable from the back of a room, which part of the
network each box is ("layer 1", "loss"). It goes where it hides the fewest nodes: inside the
box's top-left corner, above the box, or in another corner. Zoomed in, the ordinary label
takes over.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from ..layout import ClusterBox
from .level_of_detail import READABLE_PIXELS, caption_font
from .theme import Theme

LABEL_PIXELS = 13  # the ordinary label's font in scene units (ClusterItem draws it)
PADDING = 5.0      # screen pixels around the caption's text


class ScopeCaption(QGraphicsItem):
    """The caption of one outermost scope; drawn above the nodes, takes no mouse input."""

    def __init__(self, cluster: ClusterBox, theme: Theme, obstacles: Sequence[QRectF] = ()):
        super().__init__()
        self.cluster = cluster
        self.text = cluster.scope[-1]
        self._rect = QRectF(cluster.x, cluster.y, cluster.width, cluster.height)
        self._text_colour = QColor(theme.text)
        self._fill = QColor(theme.cluster_fill)
        self._fill.setAlphaF(0.88)
        self._border = QColor(theme.cluster_border)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(100)
        metrics = QFontMetricsF(font)
        self._per_pixel = (metrics.horizontalAdvance(self.text) / 100, metrics.height() / 100)
        near = self._rect.adjusted(-self._rect.width(), -self._rect.height(), self._rect.width(), self._rect.height())
        self._obstacles = [r for r in obstacles if r.intersects(near)]
        self._back = QRectF()  # where the caption is drawn at the view's scale
        self.setZValue(4)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    def boundingRect(self) -> QRectF:
        return self._back

    def placed(self, scale: float) -> QRectF:
        """The caption's box (scene units) at a view scale: of the places by the scope's box,
        the one overlapping the fewest nodes; empty when no caption is drawn."""
        size = self.font_pixels(scale)
        if not size:
            return QRectF()
        pad, c = PADDING / scale, self._rect
        width, height = self._per_pixel[0] * size + 2 * pad, self._per_pixel[1] * size + pad
        corners = ((c.left() + pad, c.top() + pad), (c.left(), c.top() - height - pad),
                   (c.right() - width - pad, c.top() + pad), (c.left() + pad, c.bottom() - height - pad),
                   (c.left(), c.bottom() + pad))
        places = [QRectF(x, y, width, height) for x, y in corners]
        return min(places, key=lambda place: sum(_area(place.intersected(r)) for r in self._obstacles))

    def font_pixels(self, scale: float) -> int:
        """The caption's font (scene units) at a view scale; 0 when it is not drawn: the
        ordinary label is readable, or the box is too small on screen to hold a caption."""
        if LABEL_PIXELS * scale >= READABLE_PIXELS:
            return 0
        pad = PADDING / scale if scale > 0 else 0.0
        # At most half the box's height: the nodes under it must still show.
        return caption_font(*self._per_pixel, self._rect.width() - 4 * pad, self._rect.height() / 2 - pad, scale)

    def set_view_scale(self, scale: float) -> None:
        """Follow the view's zoom (the view calls this): drawn only while it is needed."""
        self.prepareGeometryChange()
        self._back = self.placed(scale)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, self._back.isEmpty())

    def text_pixels_at(self, scale: float) -> float:
        """How high the caption is on screen at a view scale; 0 when it is not drawn."""
        return self.font_pixels(scale) * scale

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        scale = option.levelOfDetailFromTransform(painter.worldTransform())
        size = self.font_pixels(scale)
        if not size:
            return
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(size)
        pad = PADDING / scale
        back = self.placed(scale)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._border)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(back, 2 * pad, 2 * pad)
        painter.setFont(font)
        painter.setPen(self._text_colour)
        painter.drawText(back, Qt.AlignmentFlag.AlignCenter, self.text)


def _area(rect: QRectF) -> float:
    return rect.width() * rect.height() if rect.isValid() else 0.0
