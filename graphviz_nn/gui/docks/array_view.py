"""One array of a chain rule: a table of its numbers when small, else a heatmap with axes.

An array up to 6 × 6 (:func:`~graphviz_nn.session.chain_rule.fits_table`) is a read-only
table with its row and column indices; the entries being explained are highlighted, and
clicking one emits ``entry_clicked``. A bigger array is a heatmap with its indices and
colour scale, and the entry under the mouse is read out in a tooltip (and in ``readout``).
Fonts come from the widget, so the app's text size scales both.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QHeaderView, QLabel, QSizePolicy,
                               QTableWidget, QTableWidgetItem, QToolTip, QVBoxLayout, QWidget)

from ...session.chain_rule import fits_table, table_shape
from ...session.number_text import cell, number
from ..canvas.heatmap import heatmap_with_axes
from .inspector_parts import only

__all__ = ["ArrayTable", "ArrayView", "HeatmapAxes"]


def _index(shape: tuple[int, ...], row: int, col: int) -> tuple[int, ...]:
    """The array index drawn at (row, col) of its table or heatmap."""
    rows, cols = table_shape(shape)
    return tuple(int(k) for k in np.unravel_index(row * cols + col, shape)) if shape else ()


def _cell_of(shape: tuple[int, ...], index: tuple[int, ...]) -> tuple[int, int]:
    rows, cols = table_shape(shape)
    flat = int(np.ravel_multi_index(index, shape)) if shape else 0
    return divmod(flat, cols)


class ArrayTable(QTableWidget):
    """A small array as a read-only table with its indices; highlighted entries are bold on
    the selection colour."""

    entry_clicked = Signal(tuple)

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setHighlightSections(False)
        self._shape: tuple[int, ...] = ()
        self._highlighted: frozenset[tuple[int, ...]] = frozenset()
        self.cellClicked.connect(self._on_cell_clicked)

    @property
    def highlighted(self) -> frozenset[tuple[int, ...]]:
        """The array indices shown highlighted."""
        return self._highlighted

    def text_at(self, index: tuple[int, ...]) -> str:
        """The text in the cell of this array index."""
        return self.item(*_cell_of(self._shape, index)).text()

    def set_array(self, array: np.ndarray, highlighted=()) -> None:
        """Show the array's entries (4 significant digits; a tooltip gives 6) and highlight
        the entries at the indices ``highlighted``."""
        a = np.asarray(array, dtype=float)
        self._shape = a.shape
        matrix = a.reshape(table_shape(a.shape))
        rows, cols = matrix.shape
        self.setRowCount(rows)
        self.setColumnCount(cols)
        if a.ndim <= 2:
            self.setVerticalHeaderLabels([str(i) for i in range(rows)])
        else:       # leading axes stacked as rows: each row says which slice it is, by the
            # axes longer than 1 (a (1, 1, 6, 6) map's rows are 0..5, not "0, 0, 5": that
            # header made a chain rule's table 437 px wide in a 426 px dock)
            kept = [k for k, n in enumerate(a.shape[:-1]) if n > 1] or [a.ndim - 2]
            self.setVerticalHeaderLabels([", ".join(str(np.unravel_index(i, a.shape[:-1])[k]) for k in kept)
                                          for i in range(rows)])
        self.setHorizontalHeaderLabels([str(j) for j in range(cols)])
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setVisible(a.ndim > 0)       # a single number has no indices to show
        for i in range(rows):
            for j in range(cols):
                item = QTableWidgetItem(cell(matrix[i, j]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(f"[{', '.join(map(str, _index(a.shape, i, j)))}] = {number(matrix[i, j])}")
                self.setItem(i, j, item)
        self.highlight(highlighted)

    def highlight(self, indices) -> None:
        """Highlight these array indices (and no others)."""
        self._highlighted = frozenset(tuple(k) for k in indices)
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        colour.setAlpha(110)
        for i in range(self.rowCount()):
            for j in range(self.columnCount()):
                item = self.item(i, j)
                on = _index(self._shape, i, j) in self._highlighted
                item.setBackground(QBrush(colour) if on else QBrush())
                # Bold only: the rest of the font (its size) comes from the table, so from the dock.
                item.setData(Qt.ItemDataRole.FontRole, only(bold=True) if on else None)
        self.resizeColumnsToContents()
        self.resizeRowsToContents()
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        # The headers' hints, not their sizes: those are 0 until the table is first shown.
        left = 0 if self.verticalHeader().isHidden() else self.verticalHeader().sizeHint().width()
        top = 0 if self.horizontalHeader().isHidden() else self.horizontalHeader().sizeHint().height()
        width = left + sum(self.columnWidth(j) for j in range(self.columnCount()))
        height = top + sum(self.rowHeight(i) for i in range(self.rowCount()))
        return QSize(width + 2 * self.frameWidth(), height + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _on_cell_clicked(self, row: int, col: int) -> None:
        self.entry_clicked.emit(_index(self._shape, row, col))


class HeatmapAxes(QLabel):
    """A heatmap with axes and a colour scale; the entry under the mouse is read out."""

    entry_clicked = Signal(tuple)

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self._array = np.zeros(0)
        self._cells = None
        self.readout = ""

    def set_array(self, array: np.ndarray, cell_side: int, max_size: int) -> None:
        """Draw the array with cells of ``cell_side`` pixels, its longer side at most
        ``max_size`` (see :func:`~graphviz_nn.gui.canvas.heatmap.heatmap_with_axes`)."""
        self._array = np.asarray(array, dtype=float)
        pixmap, self._cells = heatmap_with_axes(self._array, self.font(), cell_side, max_size)
        self.setPixmap(pixmap)

    def cell_centre(self, index: tuple[int, ...]) -> QPointF:
        """Where the entry at ``index`` is drawn, in the label's coordinates."""
        rows, cols = table_shape(self._array.shape)
        row, col = _cell_of(self._array.shape, index)
        return QPointF(self._cells.left() + (col + 0.5) * self._cells.width() / cols,
                       self._cells.top() + (row + 0.5) * self._cells.height() / rows)

    def entry_at(self, x: float, y: float) -> tuple[int, ...] | None:
        """The array index under the point, or None off the cells."""
        if self._cells is None or not self._cells.contains(QPointF(x, y)):
            return None
        rows, cols = table_shape(self._array.shape)
        row = min(rows - 1, int((y - self._cells.top()) * rows / self._cells.height()))
        col = min(cols - 1, int((x - self._cells.left()) * cols / self._cells.width()))
        return _index(self._array.shape, row, col)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self._array.size:
            index = self.entry_at(event.pos().x(), event.pos().y())
            if index is None:
                self.readout = ""
                QToolTip.hideText()
            else:
                self.readout = f"[{', '.join(map(str, index))}] = {number(self._array[index])}"
                QToolTip.showText(event.globalPos(), self.readout, self)
            return True
        return super().event(event)

    def mousePressEvent(self, event) -> None:
        index = self.entry_at(event.position().x(), event.position().y())
        if index is not None:
            self.entry_clicked.emit(index)
        super().mousePressEvent(event)


class ArrayView(QWidget):
    """A caption over one array: a table (small) or a heatmap with axes (big)."""

    entry_clicked = Signal(tuple)

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.caption = QLabel()
        self.caption.setObjectName(f"{name}_caption")
        self.caption.setWordWrap(False)      # the view is as wide as its caption or its array
        self.table = ArrayTable(f"{name}_table")
        self.heatmap = HeatmapAxes(f"{name}_heatmap")
        for widget in (self.caption, self.table, self.heatmap):
            layout.addWidget(widget)
        self.table.entry_clicked.connect(self.entry_clicked)
        self.heatmap.entry_clicked.connect(self.entry_clicked)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

    def set_array(self, caption: str, array, highlighted=(), cell_side: int = 14,
                  max_size: int = 240) -> None:
        """Show the array under ``caption``: a table if it fits in 6 × 6, else a heatmap."""
        a = np.asarray(array, dtype=float)
        self._shown = (a, cell_side, max_size)
        small = fits_table(a.shape)
        self.caption.setText(caption)
        self.table.setVisible(small)
        self.heatmap.setVisible(not small)
        if small:
            self.table.set_array(a, highlighted)
        else:
            self.heatmap.set_array(a, cell_side, max_size)

    def fit(self, width: int) -> None:
        """A table wider than ``width`` pixels is drawn as a heatmap instead (six columns of
        five-digit numbers took 520 px of a 420 px dock and were cut at the right)."""
        self._room = width
        shown = getattr(self, "_shown", None)
        if shown is None or not self.table.isVisibleTo(self) or self.table.sizeHint().width() <= width:
            return
        a, cell_side, max_size = shown
        self.table.setVisible(False)
        self.heatmap.setVisible(True)
        self.heatmap.set_array(a, cell_side, min(max_size, width))

    def highlight(self, indices) -> None:
        """Highlight these indices of a table (a heatmap has no highlight)."""
        if self.table.isVisibleTo(self):
            self.table.highlight(indices)
            if getattr(self, "_room", None) is not None:
                self.fit(self._room)  # bold entries widen their columns

