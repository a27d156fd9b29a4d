"""The Forward vs reverse panel beside the graph: handed each new graph once its picture is
drawn and only while it is shown (its plans take passes a big graph need not spend)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer

JACOBIAN_DELAY_MS = 40  # after a new picture is ready, before the panel's plans


class JacobianController(QObject):
    """Gives the panel the window's graph, its output and inputs, at the right moment."""

    def __init__(self, panel, parent=None):
        super().__init__(parent)
        self.panel = panel
        self._problem = None
        self._in_view = False
        panel.visibilityChanged.connect(self._on_panel_visibility_changed)

    def new_graph(self, graph, output, inputs) -> None:
        """A new graph is being drawn: the panel takes it once the picture is ready."""
        self._problem = (graph, output, list(inputs))
        if self._in_view:
            self.panel.clear()

    def picture_ready(self) -> None:
        if self._problem is not None:
            # The panel's plans take a while on a big graph: they wait until the picture
            # has been drawn, in a turn of their own.
            QTimer.singleShot(JACOBIAN_DELAY_MS, self._fill)

    def _on_panel_visibility_changed(self, visible: bool) -> None:
        """The Jacobian panel works its problem out only when it is shown: for a big graph
        that takes passes the window need not spend on opening it."""
        # Tracked here: isVisible() stays true for a tab behind another.
        self._in_view = visible
        problem, self._problem = self._problem, None
        if visible and problem is not None:
            with np.errstate(all="ignore"):  # a graph may hold nan on purpose; it is flagged
                self.panel.set_problem(*problem)
        elif problem is not None:
            self._problem = problem

    def _fill(self) -> None:
        if self._problem is not None and self._in_view:
            self._on_panel_visibility_changed(True)
