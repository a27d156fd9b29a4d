"""A network's weight matrices as labelled heatmaps, side by side: each named with its shape
and colour range, one colour key for all, and the entry under the mouse read out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...engine.values import short_number
from ..canvas.heatmap import colour_scale, heatmap_colours, matrix_view

MAP_HEIGHT = 4.0    # lines of text: how tall the heatmaps are drawn
MOST_STRETCH = 8.0  # a cell is at most this many times wider than tall, or taller than wide
KEY_WIDTH = 14      # px: the colour key's bar
GAP = 10            # px between two maps


@dataclass(frozen=True)
class _Map:
    name: str
    matrix: np.ndarray
    image: QImage
    scale: float

    @property
    def caption(self) -> str:
        rows, cols = self.matrix.shape
        return f"{self.name}  {rows}×{cols}  ±{self.scale:.2g}"


class WeightMaps(QWidget):
    """Heatmaps of named matrices (a network's weights), each captioned with its name,
    shape and colour range (±max |w|: full blue to full red); hovering reads out an entry.

    The maps share the widget's width and a fixed height of a few text lines, so the view is
    as usable in a 1280 × 720 projector's narrow dock as in a wide one.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("weights")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._maps: list[_Map] = []
        self._boxes: list[QRect] = []
        self._share = 0.0
        self._hint = "Weights show here as the network trains"
        self.readout = self._hint
        self._fit_height()

    # --- content -----------------------------------------------------------------------------
    def show_weights(self, weights) -> None:
        """Show a network's weights.

        Parameters
        ----------
        weights : iterable of (str, array_like)
            Name and matrix pairs, drawn left to right; a vector shows as one row, an array of
            more axes as :func:`~graphviz_nn.gui.canvas.heatmap.matrix_view` lays it out. Empty
            arrays are left out.
        """
        maps = []
        for name, array in weights:
            matrix, _ = matrix_view(array)
            if matrix.size == 0:
                continue
            rgb = np.ascontiguousarray(heatmap_colours(matrix))
            rows, cols = matrix.shape
            image = QImage(rgb.data, cols, rows, 3 * cols, QImage.Format.Format_RGB888).copy()
            maps.append(_Map(str(name), matrix, image, colour_scale(matrix)))
        self._maps = maps
        self.readout = "Hover over a map to read a weight" if maps else self._hint
        self._arrange()
        self.update()

    @property
    def captions(self) -> list[str]:
        """Each map's caption: name, rows × columns, and the value drawn in full colour."""
        return [m.caption for m in self._maps]

    @property
    def matrices(self) -> list[tuple[str, np.ndarray]]:
        """Each map's name and the matrix it draws."""
        return [(m.name, m.matrix) for m in self._maps]

    def map_rect(self, index: int) -> QRect:
        """Where the ``index``-th map is drawn, in the widget's coordinates."""
        return QRect(self._boxes[index])

    def entry_at(self, point: QPointF) -> tuple[str, int, int, float] | None:
        """The map name, row, column and value under a point of the widget, or None."""
        for m, box in zip(self._maps, self._boxes):
            if box.contains(point.toPoint()):
                rows, cols = m.matrix.shape
                i = min(rows - 1, int((point.y() - box.top()) * rows / box.height()))
                j = min(cols - 1, int((point.x() - box.left()) * cols / box.width()))
                return m.name, i, j, float(m.matrix[i, j])
        return None

    # --- geometry ------------------------------------------------------------------------------
    def _fit_height(self) -> None:
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(round((2 + MAP_HEIGHT) * line) + 12)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(320, self.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(120, self.height())

    def _arrange(self) -> None:
        """Each map's box: an equal share of the width less the key, cells kept within
        MOST_STRETCH of square."""
        self._boxes = []
        if not self._maps:
            return
        line = self.fontMetrics().lineSpacing()
        top, tall = line + 4, round(MAP_HEIGHT * line)
        share = (self.width() - self._key_width() - GAP * len(self._maps)) / len(self._maps)
        self._share = share
        x = 0.0
        for m in self._maps:
            rows, cols = m.matrix.shape
            cell_h = tall / rows
            cell_w = min(max(share / cols, cell_h / MOST_STRETCH), cell_h * MOST_STRETCH, share / cols)
            width = max(2, round(cell_w * cols))
            height = max(2, round(min(tall, cell_w * MOST_STRETCH * rows)))
            self._boxes.append(QRect(round(x), top, width, height))
            x += share + GAP

    def _key_width(self) -> int:
        return KEY_WIDTH + self.fontMetrics().horizontalAdvance("−max") + 6

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._arrange()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._fit_height()
            self._arrange()

    # --- drawing -------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        line = self.fontMetrics().lineSpacing()
        painter.setPen(ink)
        for m, box in zip(self._maps, self._boxes):
            caption = self.fontMetrics().elidedText(m.caption, Qt.TextElideMode.ElideRight, int(self._share))
            painter.drawText(QRectF(box.left(), 0, self._share, line), caption)
            painter.drawImage(QRectF(box), m.image)  # nearest-neighbour: cells stay crisp
            painter.setPen(QPen(QColor("#7F7F7F"), 1))
            painter.drawRect(box.adjusted(0, 0, -1, -1))
            painter.setPen(ink)
        if self._maps:
            self._draw_key(painter, ink)
        painter.drawText(QRectF(0, self.height() - line - 2, self.width(), line), self.readout)
        painter.end()

    def _draw_key(self, painter: QPainter, ink: QColor) -> None:
        """One bar for all the maps: each map's full colour is its own ±max (its caption)."""
        line = self.fontMetrics().lineSpacing()
        top, tall = line + 4, round(MAP_HEIGHT * line)
        left = self.width() - self._key_width()
        bar = QRect(left, top, KEY_WIDTH, tall)
        gradient = QLinearGradient(QPointF(bar.topLeft()), QPointF(bar.bottomLeft()))
        colours = heatmap_colours(np.linspace(1, -1, 9).reshape(1, -1))[0]
        for k, (r, g, b) in enumerate(colours):
            gradient.setColorAt(k / 8, QColor(int(r), int(g), int(b)))
        painter.fillRect(bar, gradient)
        painter.setPen(QPen(QColor("#7F7F7F"), 1))
        painter.drawRect(bar.adjusted(0, 0, -1, -1))
        painter.setPen(ink)
        x = bar.right() + 4
        for text, y in (("+max", bar.top()), ("0", bar.center().y() - line // 2), ("−max", bar.bottom() - line)):
            painter.drawText(QRectF(x, y, self.width() - x, line), text)

    # --- hover ---------------------------------------------------------------------------------
    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        found = self.entry_at(event.position())
        if found is not None:
            name, i, j, value = found
            self.readout = f"{name}[{i}, {j}] = {short_number(value)}"
            self.setToolTip(self.readout)
            self.update()
        super().mouseMoveEvent(event)
