"""Labels that never widen their column: one wraps and grows to its last line, one elides.

A plain label asks for its whole text's width: a network's long description in the status bar
made a 1280-pixel window 1,601 pixels wide (a 12-point font), and fixed-height readouts cut
their third line in half in a projector's narrow dock.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class WrappedLabel(QLabel):
    """Word-wrapped text as tall as its lines (never cut), as wide as its column allows.

    Parameters
    ----------
    text : str
    lines : int
        The least height, in lines: a readout that changes many times a second while training
        keeps its height (and so the plots below it keep theirs) unless its text needs more.
    """

    def __init__(self, text: str = "", lines: int = 1, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._lines = lines
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._fit()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance("epoch 0000"), self.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.minimumSizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        margins = self.contentsMargins()
        least = self._lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom() + 2
        height = max(least, self.heightForWidth(max(self.width(), 1)))
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)


class ElidedLabel(QLabel):
    """One line that ends in … where its room ends; ``text()`` and the tooltip hold it whole."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setToolTip(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.minimumSizeHint().width(), super().sizeHint().height())

    def shown_text(self) -> str:
        """The text as drawn: whole when it fits, else cut with an ellipsis."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.shown_text())
        painter.end()
