"""Scrolling a form never changes its values: the wheel over a spin box or a combo box that
does not have the keyboard focus scrolls the form instead (a seed went from 0 to 9)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QWidget


class WheelGuard(QObject):
    """Watches the value widgets inside ``area`` and hands unfocused wheel turns to ``area``."""

    def __init__(self, area: QAbstractScrollArea):
        super().__init__(area)
        self.area = area

    def guard_children(self, root: QWidget) -> None:
        for widget in root.findChildren(QWidget):
            if isinstance(widget, (QAbstractSpinBox, QComboBox)):
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no focus from the wheel
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            QCoreApplication.sendEvent(self.area.verticalScrollBar(), event)
            return True
        return super().eventFilter(watched, event)
