"""A scope's box with its name, and its name in large type beside it while the view is too far
out to read its nodes.

At the fitted view of a network the nodes show no numbers and the scope's own label would
be a few pixels high; the caption says, readable from the back of a room, which part of the
network each box is ("layer 1", "loss"). It goes where it hides the fewest nodes, inside the
box's top-left corner, above or below the box, or in another corner, and never over another
caption (one that finds no room is left out). Zoomed in, the ordinary label takes over.
"""

from __future__ import annotations

import math
from typing import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from ...layout import ClusterBox
from .level_of_detail import CAPTION_PIXELS, READABLE_PIXELS
from .theme import Theme

LABEL_PIXELS = 13  # a scope's own label, in scene units
PADDING = 5.0      # screen pixels around the caption's text


class ClusterItem(QGraphicsItem):
    """A scope's box with its name; double-clicking it collapses the scope."""

    LABEL_PIXELS = LABEL_PIXELS

    def __init__(self, cluster: ClusterBox, theme: Theme):
        super().__init__()
        self.cluster, self.theme = cluster, theme
        self._rect = QRectF(cluster.x, cluster.y, cluster.width, cluster.height)
        self._bounds = self._rect.adjusted(-2, -2, 2, 2)
        self._pen = QPen(theme.cluster_border, 1.2 * theme.line)
        self._brush = QBrush(theme.cluster_fill)
        self._label_colour = theme.muted.darker(150) if not theme.dark else theme.muted.lighter(150)
        self.setZValue(0)
        self.setToolTip(f"{' / '.join(cluster.scope)}: double-click to collapse")

    def boundingRect(self) -> QRectF:
        return self._bounds

    def text_pixels_at(self, scale: float) -> float:
        """How high the scope's own label is on screen at a view scale; 0 when it is not drawn."""
        return self.LABEL_PIXELS * scale if self.LABEL_PIXELS * scale >= READABLE_PIXELS else 0.0

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen)
        painter.setBrush(self._brush)
        painter.drawRoundedRect(self._rect, 8, 8)
        # A label too small to read is not drawn (further out, a caption of its own shows the
        # name of an outermost scope); the first text drawn at a new scale costs more than
        # all the boxes, as its glyphs are rendered then.
        if not self.text_pixels_at(option.levelOfDetailFromTransform(painter.worldTransform())):
            return
        font = QFont(painter.font())
        font.setPixelSize(self.LABEL_PIXELS)
        painter.setFont(font)
        painter.setPen(self._label_colour)
        painter.drawText(self._rect.adjusted(8, 3, -4, -4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         self.cluster.scope[-1])


class ScopeCaption(QGraphicsItem):
    """The caption of one outermost scope; drawn above the nodes, takes no mouse input.

    Parameters
    ----------
    cluster : ClusterBox
    theme : Theme
    obstacles : sequence of QRectF
        The nodes' boxes (scene units), which the caption avoids covering.
    bounds : QRectF, optional
        Where captions may go (the layout's box: fitting shows no more).
    """

    def __init__(self, cluster: ClusterBox, theme: Theme, obstacles: Sequence[QRectF] = (),
                 bounds: QRectF | None = None):
        super().__init__()
        self.cluster = cluster
        self.text = cluster.scope[-1]
        self._rect = QRectF(cluster.x, cluster.y, cluster.width, cluster.height)
        self._bounds = bounds
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
        self._size = 0         # its font, in scene units
        self._scale = 1.0      # the view's scale it was placed for
        self._places: dict[int, list[tuple[float, int, QRectF]]] = {}  # by font size: hundreds of nodes to avoid
        self.setZValue(4)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    def boundingRect(self) -> QRectF:
        return self._back

    def font_pixels(self, scale: float) -> int:
        """The caption's font (scene units) at a view scale: :data:`CAPTION_PIXELS` on screen;
        0 while the ordinary label is readable."""
        if scale <= 0 or LABEL_PIXELS * scale >= READABLE_PIXELS:
            return 0
        return math.ceil(CAPTION_PIXELS / scale)

    def places(self, scale: float) -> list[tuple[float, int, QRectF]]:
        """The places the caption may go at a view scale, best first: (the area of nodes it
        covers, the order of preference, the box in scene units)."""
        size = self.font_pixels(scale)
        if not size:
            return []
        if size not in self._places:
            if len(self._places) > 64:  # a long zoom: the sizes met on the way are not needed again
                self._places.clear()
            self._places[size] = self._rank(size, PADDING / scale)
        return self._places[size]

    def _rank(self, size: int, pad: float) -> list[tuple[float, int, QRectF]]:
        c = self._rect
        width, height = self._per_pixel[0] * size + 2 * pad, self._per_pixel[1] * size + pad
        inside = width + 2 * pad <= c.width() and height <= c.height() / 2  # the nodes must still show
        corners = [(c.left(), c.top() - height - pad), (c.left(), c.bottom() + pad),
                   (c.right() - width, c.top() - height - pad), (c.right() - width, c.bottom() + pad)]
        if inside:
            corners[:0] = [(c.left() + pad, c.top() + pad), (c.right() - width - pad, c.top() + pad),
                           (c.left() + pad, c.bottom() - height - pad)]
        boxes = [QRectF(x, y, width, height) for x, y in corners]
        if self._bounds is not None:
            boxes = [b for b in boxes if self._bounds.contains(b)]
        ranked = [(sum(_area(b.intersected(r)) for r in self._obstacles), i, b) for i, b in enumerate(boxes)]
        return sorted(ranked, key=lambda entry: entry[:2])

    def set_view_scale(self, scale: float, taken: list[QRectF]) -> None:
        """Follow the view's zoom (the view calls this for all its captions in turn): the best
        place that no caption in ``taken`` covers, added to it; none, and not drawn, if all are."""
        free = [box for _, _, box in self.places(scale) if not any(box.intersects(t) for t in taken)]
        self.prepareGeometryChange()
        self._scale = scale
        self._back = free[0] if free else QRectF()
        self._size = self.font_pixels(scale) if free else 0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, not free)
        if free:
            taken.append(self._back)

    @property
    def text_pixels(self) -> float:
        """How high the caption is on screen as last placed; 0 when it is not drawn."""
        return self._size * self._scale

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if not self._size:
            return
        pad = self._back.height() - self._per_pixel[1] * self._size
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(self._size)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._border)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(self._back, 2 * pad, 2 * pad)
        painter.setFont(font)
        painter.setPen(self._text_colour)
        painter.drawText(self._back, Qt.AlignmentFlag.AlignCenter, self.text)


def place_captions(captions: Sequence[ScopeCaption], scale: float) -> None:
    """Place every caption for a view scale, each clear of those placed before it."""
    taken: list[QRectF] = []
    for caption in captions:
        caption.set_view_scale(scale, taken)


def _area(rect: QRectF) -> float:
    return rect.width() * rect.height() if rect.isValid() else 0.0
