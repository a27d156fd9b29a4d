"""The chain-rule panel drawn on the graph itself, for a projector: the current step's
equation with its numbers, in large type, in a corner of the view kept clear of the graph."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QHBoxLayout, QLabel, QVBoxLayout

from ...session.chain_rule import fits_table
from ...session.chain_text import compact_chain_text
from ...session.inspect import NodeInfo
from ...session.number_text import cell, shape_text
from .heatmap import heatmap_colours, heatmap_with_axes, matrix_view

MARGIN = 12          # px between the panel and the view's edge
MOST_WIDTH = 0.62    # of the view: the graph keeps the rest
MOST_HEIGHT = 0.5

def step_array(info: NodeInfo):
    """The numbers of the step too many to write in a line: its gradient or tangent (its value
    in the forward pass) when it is an array of more than 4 entries; None otherwise."""
    numbers = info.chain.total if info.chain is not None else info.value
    if numbers is None or np.size(numbers) <= 4:
        return None
    return np.asarray(numbers, dtype=float)


def step_text(info: NodeInfo) -> str:
    """What the panel says about the node of the current step: its equation with the numbers
    at a backward or tangent step, the value at a forward one. An array drawn beside the text
    is announced by its shape ("= 3 × 3 array:") instead of standing for its numbers.

    The one place the panel's text comes from.
    """
    text = compact_chain_text(info) or info.label
    array = step_array(info)
    if array is not None:
        text = text.replace(f"[{shape_text(array.shape)} array]", f"{shape_text(array.shape)} array:")
    return text


def _ink(r: int, g: int, b: int) -> str:
    """White on the deep ends of the scale, near-black elsewhere: whichever contrasts more."""
    lightness = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255  # Rec. 709 luma
    return "#FFFFFF" if lightness < 0.5 else "#111111"


def table_html(array: np.ndarray, dark: bool) -> str:
    """An array of at most 6 × 6 as a table of its numbers on their heatmap colours (blue
    negative, red positive, as the inspector's), rows and columns numbered."""
    matrix, _ = matrix_view(array)
    colours = heatmap_colours(matrix)
    index_ink = "#BBBBBB" if dark else "#555555"
    head = "".join(f'<th style="color:{index_ink}; font-weight:normal">{j}</th>' for j in range(matrix.shape[1]))
    rows = [f"<tr><th></th>{head}</tr>"]
    for i, row in enumerate(matrix):
        cells = "".join(f'<td align="right" style="background-color:#{r:02x}{g:02x}{b:02x}; color:{_ink(r, g, b)}">'
                        f"&nbsp;{cell(x)}&nbsp;</td>" for x, (r, g, b) in zip(row, colours[i]))
        rows.append(f'<tr><th style="color:{index_ink}; font-weight:normal">{i}&nbsp;</th>{cells}</tr>')
    return f'<table cellspacing="2" cellpadding="2">{"".join(rows)}</table>'

class ChainOverlay(QFrame):
    """A translucent box over a graph view's viewport with a heading (the pass and step) and
    the step's text; it lets the mouse through, so the graph still pans and zooms under it.

    Parameters
    ----------
    view : QAbstractScrollArea
        The graph view: the panel is its child, over its viewport, and follows the viewport's
        size. (Not the viewport's child: scrolling the graph would move the panel with it.)
    """

    def __init__(self, view: QAbstractScrollArea):
        super().__init__(view)
        self._viewport = view.viewport()
        self.setObjectName("chain_overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.heading = QLabel()
        self.heading.setObjectName("chain_overlay_heading")
        self.body = QLabel()
        self.body.setObjectName("chain_overlay_text")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout(self)  # the text, and beside it the heatmap of an array
        row.setContentsMargins(14, 10, 14, 12)
        row.setSpacing(18)
        column = QVBoxLayout()
        column.setSpacing(6)
        # An array's numbers as the inspector draws them: a heatmap with its indices and scale.
        self.picture = QLabel()
        self.picture.setObjectName("chain_overlay_picture")
        self.picture.hide()
        self._array = None
        column.addWidget(self.heading)
        column.addWidget(self.body)
        column.addStretch(1)
        row.addLayout(column, 1)
        row.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        self._room: QRect | None = None
        self.set_dark(False)
        self.set_point_size(QFont().pointSizeF() * 1.5)
        self._viewport.installEventFilter(self)
        self.hide()

    def set_dark(self, dark: bool) -> None:
        """Light text on a dark box on a dark theme, dark on light otherwise."""
        self.dark = dark
        if getattr(self, "_array", None) is not None:
            self._draw_picture()  # a table's index colours follow the theme
        box, ink, line = ("rgba(24, 24, 24, 225)", "#F2F2F2", "#777777") if dark else \
            ("rgba(255, 255, 255, 232)", "#111111", "#8C8C8C")
        self.setStyleSheet(f"#chain_overlay {{ background: {box}; border: 2px solid {line}; border-radius: 8px; }}"
                           f" QLabel {{ color: {ink}; background: transparent; }}")

    def set_point_size(self, size: float) -> None:
        """The text's size; the heading is bold and a little smaller."""
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, size))
        self.body.setFont(font)
        heading = QFont(font)
        heading.setPointSizeF(max(6.0, 0.8 * size))
        heading.setBold(True)
        self.heading.setFont(heading)
        if self._array is not None:
            self._draw_picture()  # a table's numbers take the new size too
        self.place()

    def show_step(self, heading: str, info: NodeInfo | None) -> None:
        """Show the current step.

        Parameters
        ----------
        heading : str
            The pass and the step, in bold above the text.
        info : NodeInfo or None
            What :func:`graphviz_nn.session.inspect.describe` says about the step's node;
            None before the first step (or while reveal hides it): the heading alone.
        """
        self.heading.setText(heading)
        self.body.setText(step_text(info) if info is not None else "")
        self.body.setVisible(info is not None)
        self._array = step_array(info) if info is not None else None
        self._draw_picture()
        self.place()

    @property
    def picture_shown(self) -> bool:
        """Whether the panel draws the step's array: a table of its numbers or a heatmap."""
        return self._array is not None and (self.table_shown or not self.picture.pixmap().isNull())

    @property
    def table_shown(self) -> bool:
        """Whether the step's array is written out as a table of numbers (at most 6 × 6)."""
        return self._array is not None and self.picture.textFormat() == Qt.TextFormat.RichText \
            and bool(self.picture.text())

    def _draw_picture(self) -> None:
        self.picture.clear()
        if self._array is None:
            self.picture.hide()
            return
        room = self._room if self._room is not None else self._viewport.rect()
        if fits_table(self._array.shape):  # the numbers themselves, in the text's own size
            self.picture.setTextFormat(Qt.TextFormat.RichText)
            self.picture.setFont(self.body.font())
            self.picture.setText(table_html(self._array, self.dark))
            if self.picture.sizeHint().width() <= 0.6 * room.width():
                self.picture.show()
                return
            self.picture.clear()  # too wide for its room at this size: the heatmap instead
        self.picture.setTextFormat(Qt.TextFormat.PlainText)
        most = max(60.0, min(room.height() - 60.0, room.width() * 0.45))
        font = QFont(self.body.font())
        font.setPointSizeF(max(6.0, 0.6 * font.pointSizeF()))
        pixmap, _ = heatmap_with_axes(self._array, font, cell=max(18.0, QFontInfo(font).pixelSize() * 1.6),
                                      max_size=most)
        self.picture.setPixmap(pixmap)
        self.picture.setVisible(not pixmap.isNull())

    @property
    def text(self) -> str:
        """Everything the panel says, heading first."""
        return "\n".join(t for t in (self.heading.text(), self.body.text()) if t)

    def set_room(self, room: QRect | None) -> None:
        """Keep the panel inside ``room`` (the viewport's coordinates), in its lower left
        corner; None: the lower left corner of the whole view, over at most part of it."""
        self._room = room
        self._draw_picture()
        self.place()

    def place(self) -> None:
        """As wide as its longest line (no wider than its room), as tall as its text."""
        whole = self._viewport.rect()
        room = self._room if self._room is not None else QRect(
            whole.left() + MARGIN, whole.top() + MARGIN, int(whole.width() * MOST_WIDTH),
            whole.height() - 2 * MARGIN)
        lines = self.body.text().splitlines() if self.body.isVisibleTo(self) else []
        natural = max([self.body.fontMetrics().horizontalAdvance(line) for line in lines]
                      + [self.heading.fontMetrics().horizontalAdvance(self.heading.text())])
        if self.picture.isVisibleTo(self):
            natural += self.layout().spacing() + self.picture.sizeHint().width()
        margins = self.layout().contentsMargins()
        width = max(1, min(natural + margins.left() + margins.right() + 8, room.width()))
        height = min(self.layout().totalHeightForWidth(width), room.height())
        if self._room is None:
            height = min(height, int(whole.height() * MOST_HEIGHT))
        corner = self._viewport.geometry().topLeft()
        self.setGeometry(corner.x() + room.left(), corner.y() + room.bottom() + 1 - height, width, height)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._viewport and event.type() == QEvent.Type.Resize and self.isVisible():
            self.place()
        return super().eventFilter(watched, event)
