"""A black screen over the whole window, as a presentation clicker's "black screen" key gives:
the class looks at the lecturer, not the slide; any key or click brings the picture back."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget


class BlackCover(QWidget):
    """A black widget covering its parent window; it takes every key while shown, so a key
    only lifts it (a clicker's next does not also step behind the black).

    Signals
    -------
    lifted()
        A key or a click took the cover away.
    """

    lifted = Signal()

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setObjectName("black_cover")
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#000000"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._focus_before: QWidget | None = None
        window.installEventFilter(self)
        self.hide()

    def cover(self) -> None:
        """Black out the window until a key or a click."""
        window = self.parentWidget()
        self._focus_before = window.focusWidget()
        self.setGeometry(window.rect())
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def lift(self) -> None:
        """Show the window again, with the keyboard focus where it was."""
        if self.isHidden():
            return
        self.hide()
        if self._focus_before is not None:
            self._focus_before.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus_before = None
        self.lifted.emit()

    def event(self, event: QEvent) -> bool:
        # Every key is the cover's while it is shown: no action's shortcut runs behind it.
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.lift()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.lift()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return super().eventFilter(watched, event)
