"""The "Summary" dock: a model's layers, the shape each gives and the parameters each holds,
with the totals, as torchinfo prints them (seed 003's ``custom_summary``).

The dock shows a :class:`~graphviz_nn.nn.summary.Summary` it is handed (a frozen value, made
off the window's thread for a large model: the model is run once to make it) and holds
nothing else.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QDockWidget, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ...nn.summary import Summary
from ...session.box_detail import READABLE_PIXELS

COLUMNS = ("Layer (type)", "Output Shape", "Param #")
EMPTY = "No model to summarise yet: build one."


def readable_font(base: QFont, factor: float = 1.0) -> QFont:
    """``base`` scaled by ``factor``, and at least :data:`READABLE_PIXELS` high (the least
    text read from the back of a room at 1280 x 720)."""
    font = QFont(base)
    if factor != 1.0 and font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    if QFontInfo(font).pixelSize() < READABLE_PIXELS:
        font.setPixelSize(round(READABLE_PIXELS))
    return font


def totals_text(summary: Summary) -> str:
    """The three lines under the table, as torchinfo writes them."""
    return (f"Total params: {summary.total_params:,}\nTrainable params: {summary.trainable_params:,}\n"
            f"Non-trainable params: {summary.non_trainable_params:,}")


class SummaryDock(QDockWidget):
    """The summary table of a model at an input.

    Parameters
    ----------
    parent : QWidget, optional

    Attributes
    ----------
    summary : Summary or None
        The summary shown (None: none).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Summary", parent)
        self.setObjectName("summary")
        self.summary: Summary | None = None
        body = QWidget(self)
        body.setFont(readable_font(body.font()))
        self._caption = QLabel(EMPTY, body)
        self._caption.setObjectName("summary_caption")
        self._caption.setWordWrap(True)
        self._table = QTableWidget(0, len(COLUMNS), body)
        self._table.setObjectName("summary_table")
        self._table.setHorizontalHeaderLabels(COLUMNS)
        self._table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self._table.verticalHeader().hide()
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        bold = QFont(body.font())
        bold.setBold(True)
        header.setFont(bold)
        self._totals = QLabel("", body)
        self._totals.setObjectName("summary_totals")
        self._totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(body)
        for widget in (self._caption, self._table, self._totals):
            layout.addWidget(widget)
        self.setWidget(body)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        em = self.fontMetrics().horizontalAdvance("M")
        return QSize(28 * em, 18 * self.fontMetrics().height())

    def show_summary(self, summary: Summary | None, caption: str = "") -> None:
        """Show ``summary`` (None: clear the table), under ``caption`` ("SimpleMLP at (64, 128)")."""
        self.summary = summary
        rows = summary.rows if summary is not None else ()
        self._table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = (row.layer, str(list(row.output_shape)), f"{row.params:,}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self._table.setItem(r, c, item)
        self._caption.setText(caption if summary is not None else EMPTY)
        self._caption.setVisible(bool(self._caption.text()))
        self._totals.setText(totals_text(summary) if summary is not None else "")

    def cell_texts(self) -> list[list[str]]:
        """The table as shown, row by row."""
        return [[self._table.item(r, c).text() for c in range(self._table.columnCount())]
                for r in range(self._table.rowCount())]

    @property
    def totals(self) -> str:
        """The totals' lines as shown."""
        return self._totals.text()
