"""A small heatmap of an image-like value (a conv layer's output) beside a node's text, drawn
when the view is zoomed in enough and the box has room (:mod:`graphviz_nn.session.box_detail`
decides both).

Nothing is made for a node until its map is first shown: a fitted big graph, whose boxes are
markers, never builds a picture, and zooming costs one comparison per node that has a map.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from ...session.box_detail import (Detail, TextFit, ThumbnailPlace, thumbnail_matrix, thumbnail_place,
                                   thumbnail_shown)
from .heatmap import heatmap_image

__all__ = ["NodeThumbnail"]

CELL = 7            # image pixels per entry: under heatmap_image's grid lines, which would shimmer scaled down
MOST_PIXELS = 256   # a bigger map is drawn with fewer pixels per entry (a 224 × 224 image: one)


class NodeThumbnail:
    """The map a node's box shows of its value (:func:`~graphviz_nn.session.box_detail.thumbnail_matrix`).

    Parameters
    ----------
    parent : QGraphicsItem
        The node's item: the picture is its child, over the box's fill and under its text.
    """

    def __init__(self, parent: QGraphicsItem):
        self.parent = parent
        self.value = None
        self.matrix: np.ndarray | None = None
        self.place = ThumbnailPlace()   # no room beside the text until measured
        self._item: QGraphicsPixmapItem | None = None
        self._drawn = None         # the value the picture was made of

    @property
    def shown(self) -> bool:
        """Whether the map is on screen now."""
        return self._item is not None and self._item.isVisible()

    def set_value(self, value) -> bool:
        """The node's value now (None: no map); whether the map's room must be measured again
        (it came or went: a new value of the same shape keeps its place)."""
        if value is self.value:
            return False
        had = self.matrix is not None
        self.value = value
        self.matrix = None if value is None else thumbnail_matrix(value)
        return had != (self.matrix is not None)

    @property
    def picture(self) -> QPixmap | None:
        """The map's picture (None until first shown): one square of pixels per entry."""
        return None if self._item is None else self._item.pixmap()

    @property
    def rect(self) -> QRectF:
        """The map's square, in the node's coordinates."""
        side = self.place.side
        return QRectF(self.place.left, -side / 2, side, side)

    def measure(self, fit: TextFit, width: float, height: float, kind: str) -> None:
        """Where the map goes in a box of this size and shape, beside text measured as ``fit``."""
        self.place = ThumbnailPlace() if self.matrix is None else thumbnail_place(width, height, kind, fit.width)

    def text_shift(self, detail: Detail, scale: float) -> float:
        """Where the text's centre moves across to make room for the map at this zoom (0: no map)."""
        return self.place.shift if thumbnail_shown(self.place.side, scale, detail) else 0.0

    def follow(self, detail: Detail, scale: float) -> None:
        """Show the map, made now if it is the first time or the value changed, or hide it."""
        shown = self.matrix is not None and thumbnail_shown(self.place.side, scale, detail)
        if shown and (self._item is None or self._drawn is not self.value):
            self._make()
        if self._item is not None:
            if shown:
                self._place()
            self._item.setVisible(shown)

    def _make(self) -> None:
        if self._item is None:
            self._item = QGraphicsPixmapItem(self.parent)
            self._item.setTransformationMode(Qt.TransformationMode.FastTransformation)  # crisp cells
            self._item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self._item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
            self._item.setZValue(0.5)
        rows, cols = self.matrix.shape
        cell = max(1, min(CELL, MOST_PIXELS // max(rows, cols)))
        self._item.setPixmap(QPixmap.fromImage(heatmap_image(self.matrix, cell, cell * max(rows, cols))))
        self._drawn = self.value

    def _place(self) -> None:
        pixmap, rect = self._item.pixmap(), self.rect
        scale = min(rect.width() / max(1, pixmap.width()), rect.height() / max(1, pixmap.height()))
        self._item.setScale(scale)
        # Centred in its square: a map wider than tall sits across the middle.
        self._item.setPos(rect.left() + (rect.width() - pixmap.width() * scale) / 2,
                          rect.top() + (rect.height() - pixmap.height() * scale) / 2)
