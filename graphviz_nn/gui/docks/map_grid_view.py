"""An array of more than two axes as a grid of heatmaps, or a labelled one as one map with its
tokens along the axes, with a spin box or a combo box per chosen axis (the sample, the head,
the input channel).

What is drawn is a :class:`~graphviz_nn.session.map_grid.MapGrid` (Qt-free: which maps, their
captions, their shared colour scale); where, :func:`~graphviz_nn.session.map_grid.arrange_grid`.
The widget keeps no choice of its own: it shows the indices it is given and says which one
the user chose (``choice_changed``). Text is in the widget's font, so the app's text size
scales the captions, labels and key alike.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSizePolicy, QSpinBox, QToolTip, QVBoxLayout,
                               QWidget)

from ...engine.values import short_number
from ...session.colour_map import colour_scale
from ...session.map_grid import ALL, Chooser, GridPlace, MapGrid, MapPlan, arrange_grid, map_grid
from ...session.number_text import number
from ..canvas.heatmap import draw_colour_key, heatmap_image, key_width, tick_step

__all__ = ["MapCanvas", "MapGridView"]

MOST_HEIGHT_LINES = 20  # text lines: a grid taller than this gets smaller cells, where it can
CELL_LINES = 2.0        # a map's cells are at most this many text lines: a 3 × 3 filter reads from the back
LABELLED_CELL_LINES = 2.6  # ... a labelled map's: room for a weight written in each cell ("0.23")


class MapCanvas(QWidget):
    """The maps of a grid: a caption over each, the tokens along a labelled map's axes, one
    colour key under them all; the entry under the mouse is read out (``readout``)."""

    entry_clicked = Signal(tuple)  # the array index of the cell clicked

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setMouseTracking(True)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._grid: MapGrid | None = None
        self._width = -1
        self._place: GridPlace | None = None
        self._margin = (0.0, 0.0)       # room for the row labels (left) and the column labels (top)
        self._vertical = False          # column labels written upwards
        self._images: list[QImage] = []
        self._drawn = None              # the cell size the grid's pictures are drawn at
        self.readout = ""

    # --- content -----------------------------------------------------------------------------
    @property
    def grid(self) -> MapGrid | None:
        """The maps drawn, or None."""
        return self._grid

    def set_grid(self, grid: MapGrid | None) -> None:
        """Draw these maps (None: nothing)."""
        self._grid = grid
        self._width = -1
        self._drawn = None
        self.readout = ""
        self._arrange(self.width())
        self.updateGeometry()
        self.update()

    # --- geometry ----------------------------------------------------------------------------
    def _line(self) -> float:
        return QFontMetricsF(self.font()).height()

    @property
    def labelled(self) -> bool:
        """Whether the rows and columns are labelled (a single map whose plan has labels)."""
        return self._grid is not None and self._grid.plan.labels is not None and len(self._grid.tiles) == 1

    def _arrange(self, width: int) -> None:
        """Lay the maps out for this width (the pictures are drawn when first painted)."""
        if width == self._width or self._grid is None or width <= 0:
            return
        self._width = width
        grid, metrics, line = self._grid, QFontMetricsF(self.font()), self._line()
        rows, cols = grid.tiles[0].matrix.shape
        left = top = 0.0
        most_cell = (LABELLED_CELL_LINES if self.labelled else CELL_LINES) * line
        if self.labelled:
            row_labels, column_labels = grid.plan.labels
            left = max(metrics.horizontalAdvance(t) for t in row_labels) + 0.5 * line
        place = arrange_grid(len(grid.tiles), rows, cols, width - left - 2, MOST_HEIGHT_LINES * line, most_cell,
                             1.15 * line, round(0.6 * line))
        if self.labelled:
            widest = max(metrics.horizontalAdvance(t) for t in column_labels)
            self._vertical = widest + 0.3 * line > place.cell
            top = widest + 0.4 * line if self._vertical else 1.2 * line
        self._place, self._margin = place, (left, top)

    def _pictures(self) -> list[QImage]:
        """The maps' pictures at the cells' size, drawn once per grid and size: the layout asks
        for heights at several widths before the maps are painted at one."""
        self._arrange(self.width())
        if self._place.cell != self._drawn:
            grid, place = self._grid, self._place
            self._images = [heatmap_image(t.matrix, place.cell, max(place.map_size) + 1, grid.scale)
                            for t in grid.tiles]
            self._drawn = place.cell
        return self._images

    def _key_rect(self) -> QRectF:
        left, top = self._margin
        line = self._line()
        width = max(self._place.size[0], key_width(QFontMetricsF(self.font()), self._grid.scale))
        return QRectF(left, top + self._place.size[1] + 0.6 * line, min(width, max(1.0, self._width - left - 2)),
                      0.8 * line)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        if self._grid is None:
            return 0
        self._arrange(width)
        return round(self._key_rect().bottom() + 1.3 * self._line())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = self.width() if self.width() > 0 else 320
        return QSize(width, self.heightForWidth(width))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._arrange(self.width())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._width = -1
            self._arrange(self.width())
            self.updateGeometry()

    def map_image(self, k: int) -> QImage:
        """The ``k``-th map's picture as drawn: cells of the grid's size, on the grid's scale."""
        return QImage(self._pictures()[k])

    def map_rect(self, k: int) -> QRectF:
        """Where the cells of the ``k``-th map are drawn, in the widget's coordinates."""
        image = self._pictures()[k]
        x, y = self._place.origin(k)
        return QRectF(self._margin[0] + x, self._margin[1] + y, image.width(), image.height())

    def cell_centre(self, k: int, i: int, j: int) -> QPointF:
        """The centre of the cell drawing row ``i``, column ``j`` of the ``k``-th map."""
        box = self.map_rect(k)
        rows, cols = self._grid.tiles[k].matrix.shape
        return QPointF(box.left() + (j + 0.5) * box.width() / cols, box.top() + (i + 0.5) * box.height() / rows)

    def entry_at(self, point: QPointF) -> tuple[int, tuple[int, ...]] | None:
        """The map and the array index under a point of the widget, or None."""
        if self._grid is None or self.width() <= 0:
            return None
        for k, tile in enumerate(self._grid.tiles):
            box = self.map_rect(k)
            if box.contains(point):
                rows, cols = tile.matrix.shape
                i = min(rows - 1, int((point.y() - box.top()) * rows / box.height()))
                j = min(cols - 1, int((point.x() - box.left()) * cols / box.width()))
                return k, tile.index_of(i, j)
        return None

    # --- drawing -------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._grid is None or self.width() <= 0:
            return
        images = self._pictures()
        painter = QPainter(self)
        try:
            ink = self.palette().color(QPalette.ColorRole.WindowText)
            painter.setPen(ink)
            line = self._line()
            for k, tile in enumerate(self._grid.tiles):
                box = self.map_rect(k)
                if tile.caption:
                    painter.drawText(QRectF(box.left(), box.top() - 1.15 * line, self._place.map_size[0] + 0.5 * line,
                                            line), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                                     tile.caption)
                painter.drawImage(box.topLeft(), images[k])
                if tile.parts > 1:
                    self._draw_part_edges(painter, box, tile.parts)
            if self.labelled:
                self._draw_labels(painter, self.map_rect(0), line)
                self._draw_numbers(painter, self.map_rect(0))
            draw_colour_key(painter, self._key_rect(), self._grid.scale, line, ink)
        finally:
            painter.end()

    def _draw_part_edges(self, painter: QPainter, box: QRectF, parts: int) -> None:
        """Between the input channels of a filter laid side by side, a line in the window's colour."""
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Window), 2))
        for p in range(1, parts):
            x = box.left() + p * box.width() / parts
            painter.drawLine(QPointF(x, box.top()), QPointF(x, box.bottom()))
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))

    def _draw_labels(self, painter: QPainter, box: QRectF, line: float) -> None:
        """The row labels (queries) down the left, the column labels (keys) along the top;
        every k-th where cells are smaller than a line of text."""
        row_labels, column_labels = self._grid.plan.labels
        cell = self._place.cell
        for i in range(0, len(row_labels), tick_step(len(row_labels), cell, line)):
            painter.drawText(QRectF(0, box.top() + i * cell + (cell - line) / 2, box.left() - 0.3 * line, line),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), row_labels[i])
        for j in range(0, len(column_labels), tick_step(len(column_labels), cell, line)):
            x = box.left() + j * cell + (cell - line) / 2
            if self._vertical:      # written upwards, ending just above the map
                painter.save()
                painter.translate(x, box.top() - 0.2 * line)
                painter.rotate(-90)
                painter.drawText(QRectF(0, 0, self._margin[1], line),
                                 int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), column_labels[j])
                painter.restore()
            else:
                painter.drawText(QRectF(box.left() + j * cell, 0, cell, box.top() - 0.1 * line),
                                 int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), column_labels[j])

    def _draw_numbers(self, painter: QPainter, box: QRectF) -> None:
        """Each entry written in its cell, where every one of them fits: a class reads the
        weights off the map as well as their colours."""
        matrix = self._grid.tiles[0].matrix
        texts = [[short_number(v, 2) for v in row] for row in matrix]
        metrics = QFontMetricsF(self.font())
        cell = self._place.cell
        if cell < metrics.height() or max(metrics.horizontalAdvance(t) for r in texts for t in r) > cell - 4:
            return
        strong = np.abs(matrix) > 0.6 * self._grid.scale  # dark cells: white text
        for i, row in enumerate(texts):
            for j, text in enumerate(row):
                painter.setPen(QColor("#FFFFFF") if strong[i, j] else QColor("#111111"))
                painter.drawText(QRectF(box.left() + j * cell, box.top() + i * cell, cell, cell),
                                 int(Qt.AlignmentFlag.AlignCenter), text)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))

    # --- hover ---------------------------------------------------------------------------------
    def _read(self, point: QPointF) -> str:
        """"[n, c, i, j] = value" of the entry under the point; a labelled map adds its tokens."""
        found = self.entry_at(point)
        if found is None:
            return ""
        k, index = found
        tile = self._grid.tiles[k]
        i, j = index[-2], index[-1] + (index[tile.part_axis] * tile.width if tile.part_axis is not None else 0)
        text = f"[{', '.join(map(str, index))}] = {number(tile.matrix[i, j])}"
        if self.labelled:
            row_labels, column_labels = self._grid.plan.labels
            text += f"   {row_labels[i]} → {column_labels[j]}"
        return text

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.readout = self._read(event.position())
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        found = self.entry_at(event.position()) if event.button() == Qt.MouseButton.LeftButton else None
        if found is not None:
            self.entry_clicked.emit(tuple(int(i) for i in found[1]))
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            self.readout = self._read(QPointF(event.pos()))
            if self.readout:
                QToolTip.showText(event.globalPos(), self.readout, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class MapGridView(QWidget):
    """A heading saying what is shown, a spin box (or, where "all" may be chosen, a combo box)
    per chooser axis, and the maps (:class:`MapCanvas`, ``canvas``).

    Children are named from ``name``: ``<name>_heading``, ``<name>_canvas`` and one
    ``<name>_<chooser>`` per chooser ("inspector_value_maps_sample", ``..._input_channel``).
    """

    choice_changed = Signal(str, int)   # the chooser's name and the index chosen (ALL: every one)
    entry_clicked = Signal(tuple)       # the array index of a cell clicked

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.heading = QLabel()
        self.heading.setObjectName(f"{name}_heading")
        self.heading.setWordWrap(True)
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self.canvas = MapCanvas(f"{name}_canvas")
        self.canvas.entry_clicked.connect(self.entry_clicked)
        layout.addWidget(self.heading)
        layout.addLayout(self._row)
        layout.addWidget(self.canvas)
        self._choosers: tuple[Chooser, ...] | None = None
        self._widgets: dict[str, QSpinBox | QComboBox] = {}
        self._plan: MapPlan | None = None
        self._array: np.ndarray | None = None
        self._scale = 0.0

    @property
    def grid(self) -> MapGrid | None:
        """The maps shown, or None."""
        return self.canvas.grid

    def chooser(self, name: str) -> QSpinBox | QComboBox:
        """The spin box (or combo box) choosing the index of the axis ``name``."""
        return self._widgets[name]

    def show_array(self, array, plan: MapPlan, chosen: Mapping[str, int] | None = None) -> None:
        """Draw ``array`` as ``plan`` says, at the chooser indices ``chosen`` (by name)."""
        self._plan, self._array = plan, np.asarray(array)
        self._scale = colour_scale(self._array)    # once: choosing again keeps it
        if plan.choosers != self._choosers:
            self._make_choosers(plan.choosers)
        self.choose(chosen or {})

    def choose(self, chosen: Mapping[str, int]) -> None:
        """Show the indices ``chosen`` (by chooser name; others as they are)."""
        if self._plan is None:
            return
        shown = self.canvas.grid
        if shown is not None and shown.plan == self._plan:    # unnamed axes keep their index
            chosen = {**{c.name: k for c, k in zip(shown.plan.choosers, shown.chosen)}, **chosen}
        grid = map_grid(self._plan, self._array, chosen, self._scale)
        for c, k in zip(grid.plan.choosers, grid.chosen):
            widget = self._widgets[c.name]
            widget.blockSignals(True)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(widget.findData(k))
            else:
                widget.setValue(k)
            widget.blockSignals(False)
        self.heading.setText(f"{self._plan.title}: {grid.heading}")
        self.canvas.set_grid(grid)

    def _make_choosers(self, choosers: tuple[Chooser, ...]) -> None:
        while self._row.count():
            item = self._row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._widgets = {}
        for c in choosers:
            caption = QLabel(c.name)
            if c.every:
                widget = QComboBox()
                for k in range(c.count):
                    widget.addItem(str(k), k)
                widget.addItem("all, side by side", ALL)
                widget.currentIndexChanged.connect(lambda _i, c=c, w=widget: self._on_chosen(c.name, w.currentData()))
            else:
                widget = QSpinBox()
                widget.setRange(0, c.count - 1)
                widget.setSuffix(f"  of {c.count}")
                widget.valueChanged.connect(lambda k, c=c: self._on_chosen(c.name, k))
            widget.setObjectName(f"{self.objectName()}_{c.name.replace(' ', '_')}")
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it; the wheel only once focused
            caption.setBuddy(widget)
            self._row.addWidget(caption)
            self._row.addWidget(widget)
            for part in (caption, widget):      # one sample, one head: nothing to choose
                part.setVisible(c.count > 1)
            self._widgets[c.name] = widget
        self._row.addStretch(1)
        self._choosers = choosers

    def _on_chosen(self, name: str, index: int) -> None:
        self.choose({name: index})
        self.choice_changed.emit(name, int(index))
