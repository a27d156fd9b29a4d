"""Scrolling a form never changes its values: the wheel over a spin box or a combo box that
does not have the keyboard focus scrolls the form instead (a seed went from 0 to 9). Over a
plot the wheel scrolls the form too unless Ctrl is held: it zoomed the decision boundary's
points into a dot while the lecturer only meant to scroll the dock."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QGraphicsView, QWidget

ZOOM_MODIFIER = Qt.KeyboardModifier.ControlModifier


class WheelGuard(QObject):
    """Watches the value widgets and plots inside ``area`` and hands their wheel turns to
    ``area``: an unfocused value widget's always, a plot's unless Ctrl is held (then it zooms)."""

    def __init__(self, area: QAbstractScrollArea):
        super().__init__(area)
        self.area = area
        self._plots: set[QWidget] = set()

    def guard_children(self, root: QWidget) -> None:
        for widget in root.findChildren(QWidget):
            if isinstance(widget, (QAbstractSpinBox, QComboBox)):
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no focus from the wheel
                widget.installEventFilter(self)
            elif isinstance(widget, QGraphicsView):  # a pyqtgraph plot: its viewport gets the wheel
                self._plots.add(widget.viewport())
                widget.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget):
            if watched in self._plots:
                handed = not event.modifiers() & ZOOM_MODIFIER
            else:
                handed = not watched.hasFocus()
            if handed:
                QCoreApplication.sendEvent(self.area.verticalScrollBar(), event)
                return True
        return super().eventFilter(watched, event)
