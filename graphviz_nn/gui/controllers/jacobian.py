"""The Forward vs reverse panel beside the graph: the model's Jacobian exercise is handed each
new graph once its picture is drawn, and only while the panel is shown (its plans take
passes a big graph need not spend)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer

from ...session.window_model import WindowModel
from ..canvas.graph_view import GraphView

JACOBIAN_DELAY_MS = 40  # after a new picture is ready, before the exercise's plans


class JacobianController(QObject):
    """Gives the exercise the model's graph, its output and inputs, at the right moment.

    Parameters
    ----------
    panel : JacobianPanel
        The exercise's view; whether it is shown decides when the plans are made.
    model : WindowModel
    view : GraphView
        Its ``picture_ready`` says when the plans may take their turn.
    """

    def __init__(self, panel, model: WindowModel, view: GraphView, parent: QObject | None = None):
        super().__init__(parent)
        self.panel, self.exercise = panel, model.jacobian
        self._problem = None
        self._in_view = False
        panel.visibilityChanged.connect(self._on_panel_visibility_changed)
        model.events.shown.connect(lambda m: self.new_graph(m.graph, m.built.output, m.built.inputs))
        view.picture_ready.connect(self.picture_ready)

    def new_graph(self, graph, output, inputs) -> None:
        """A new graph is being drawn: the exercise takes it once the picture is ready."""
        self._problem = (graph, output, list(inputs))
        if self._in_view:
            self.exercise.clear()

    def picture_ready(self) -> None:
        if self._problem is not None:
            # The plans take a while on a big graph: they wait until the picture has been
            # drawn, in a turn of their own.
            QTimer.singleShot(JACOBIAN_DELAY_MS, self._fill)

    def _on_panel_visibility_changed(self, visible: bool) -> None:
        """The exercise works its problem out only when the panel is shown: for a big graph
        that takes passes the window need not spend on opening it."""
        # Tracked here: isVisible() stays true for a tab behind another.
        self._in_view = visible
        problem, self._problem = self._problem, None
        if visible and problem is not None:
            with np.errstate(all="ignore"):  # a graph may hold nan on purpose; it is flagged
                self.exercise.set_problem(*problem)
        elif problem is not None:
            self._problem = problem

    def _fill(self) -> None:
        if self._problem is not None and self._in_view:
            self._on_panel_visibility_changed(True)
