"""The Jacobian as a table, as wide as a narrow dock allows: a wider matrix scrolls.

The table asked for its whole matrix's width (1,555 pixels for the LayerNet example's gradient),
and a dock beside the graph that asks for more than a projector has made a 1280-pixel window
wider than its screen. Long row and column names are elided, whole in their tooltips.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractScrollArea, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem, QWidget,
)

from ...engine.values import short_number
from ...session.jacobian import JacobianPlan

TABLE_WIDTH = 340   # the most width the table asks for: the dock beside the graph is ~360 wide
HEADER_WIDTH = 120  # row names past this are elided (a row's name is its output component's)
COLUMN_WIDTH = 160  # as are column names, and a column is never wider


def format_entry(value: float) -> str:
    """A Jacobian entry as the graph's nodes show numbers: four significant digits."""
    return short_number(value)


class MatrixTable(QTableWidget):
    """The Jacobian's entries, those known so far, with the column or row being built tinted.

    Parameters
    ----------
    font : QFont
        The numbers' font (the headers use it too).
    parent : QWidget, optional
    """

    def __init__(self, font: QFont, parent: QWidget | None = None):
        super().__init__(0, 0, parent)
        self.setObjectName("jacobian_table")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        self.setFont(font)
        self._header_font = QFont(font)
        metrics = self.fontMetrics()
        across, down = self.horizontalHeader(), self.verticalHeader()
        for header in (across, down):
            header.setFont(font)
            header.setHighlightSections(False)
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
            header.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # x…[3] keeps the index
        across.setMinimumSectionSize(metrics.horizontalAdvance("−0.0000") + 24)
        across.setMaximumSectionSize(max(COLUMN_WIDTH, across.minimumSectionSize()))
        down.setMinimumSectionSize(metrics.height() + 14)
        down.setMinimumWidth(metrics.horizontalAdvance("f[0]") + 24)
        down.setMaximumWidth(max(HEADER_WIDTH, down.minimumWidth()))
        # As tall and wide as the matrix (scrolling when it is large), not a sea of white.
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        # Wider than it asks when the dock has room, up to the whole matrix (see _fit).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """No room reserved for scroll bars, which the size hint counts only when shown."""
        return QSize(min(super().minimumSizeHint().width(), TABLE_WIDTH), 0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The matrix's size, at most :data:`TABLE_WIDTH` wide: a wider matrix scrolls."""
        hint = super().sizeHint()
        return QSize(min(hint.width(), TABLE_WIDTH), hint.height())

    def set_labels(self, rows: Sequence[str], columns: Sequence[str]) -> None:
        """Empty cells under these row and column names (each whole in its tooltip)."""
        self.setRowCount(len(rows))
        self.setColumnCount(len(columns))
        for index, names, put in ((range(len(columns)), columns, self.setHorizontalHeaderItem),
                                  (range(len(rows)), rows, self.setVerticalHeaderItem)):
            for i in index:
                item = QTableWidgetItem(names[i])
                item.setToolTip(names[i])
                put(i, item)
        for r in range(len(rows)):
            for c in range(len(columns)):
                item = QTableWidgetItem("")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)

    def show_known(self, plan: JacobianPlan, known: np.ndarray, building: int | None,
                   highlight: QColor) -> None:
        """The entries known so far (NaN: not yet), and column or row ``building`` tinted."""
        rows, columns = self.rowCount(), self.columnCount()
        self.setUpdatesEnabled(False)
        for r in range(rows):
            for c in range(columns):
                item = self.item(r, c)
                value = known[r, c]
                filled = not np.isnan(value)
                item.setText(format_entry(value) if filled else "")
                item.setToolTip(
                    f"∂{plan.row_labels[r]}/∂{plan.column_labels[c]} = {value:.10g}" if filled else ""
                )
                on = building is not None and (c if plan.mode == "forward" else r) == building
                item.setBackground(highlight if on else QColor(0, 0, 0, 0))
        for count, header, across in ((columns, self.horizontalHeaderItem, plan.mode == "forward"),
                                      (rows, self.verticalHeaderItem, plan.mode != "forward")):
            for i in range(count):
                font = QFont(self._header_font)
                font.setBold(across and i == building)
                header(i).setFont(font)
        self.setUpdatesEnabled(True)
        self._fit()
        if building is not None and rows and columns and building < (columns if plan.mode == "forward" else rows):
            at = (0, building) if plan.mode == "forward" else (building, 0)
            self.scrollToItem(self.item(*at))

    def _fit(self) -> None:
        """No wider than the matrix; as short as it, and at least six rows tall when it has them."""
        self.setMaximumWidth(super().sizeHint().width())
        most = self.horizontalHeader().sizeHint().height() + 6 * self.verticalHeader().minimumSectionSize()
        self.setMinimumHeight(min(self.sizeHint().height(), most))
