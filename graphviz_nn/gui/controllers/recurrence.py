"""The Recurrence dock: the gradient at every time step of each recurrent layer on screen, its
gates over time, and the recurrent weights' scale, kept in step with the pass being played."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget

from ...session.playback import Cursor
from ...session.recurrence import (
    SavedWeights, Unrolling, find_unrollings, gate_values, gradient_strip,
)
from ...session.window_model import WindowModel
from ..docks.recurrence_view import RecurrenceView


class RecurrenceController(QObject):
    """Finds the unrolled layers of each graph shown and feeds the view from the model.

    Parameters
    ----------
    model : WindowModel
    dock : QDockWidget
        Holds the view; shown when a graph has recurrent layers, hidden when it has none.
    view : RecurrenceView
        Its ``scale_requested`` scales every recurrent weight from its value when the graph
        opened (never compounded), and the passes are recorded again.
    """

    def __init__(self, model: WindowModel, dock: QDockWidget, view: RecurrenceView, parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.dock, self.view = model, dock, view
        self.found: tuple[Unrolling, ...] = ()
        self.saved: SavedWeights | None = None
        self.factor = 1.0
        model.events.shown.connect(lambda _model: self._on_model_shown())
        view.scale_requested.connect(self._on_view_scale_requested)

    def _on_model_shown(self) -> None:
        model = self.model
        self.found = find_unrollings(model.graph) if model.graph is not None else ()
        self.saved, self.factor = None, 1.0
        self.view.set_scale(1.0)
        self.dock.toggleViewAction().setEnabled(bool(self.found))
        if not self.found:
            self.dock.hide()
            return
        player = model.player
        shown = model.while_shown(player)
        player.events.phase_changed.connect(shown(lambda *_: self.update()))
        player.events.moved.connect(shown(lambda *_: self.update()))
        self.dock.show()  # a tab beside the one in front, which stays in front
        self.view.show_gates([gate_values(u) for u in self.found])
        self.update()

    def update(self) -> None:
        """The strips at the model's cursor while the backward pass is on screen; the whole
        pass's otherwise (recorded once per graph and weights)."""
        if not self.found:
            return
        player = self.model.player
        recording = player.recording("backward")
        whole = [gradient_strip(u, Cursor(recording, len(recording) - 1)) for u in self.found]
        if self.model.phase == "backward":
            self.view.show_strips([gradient_strip(u, self.model.cursor) for u in self.found], extent=whole)
        else:
            self.view.show_strips(whole)

    def _on_view_scale_requested(self, factor: float) -> None:
        model = self.model
        if not self.found or model.graph is None:
            return
        if model.training_running:
            model.say("The recurrent weights are the training run's while it trains: stop it first")
            self.view.set_scale(self.factor)
            return
        if self.saved is None:
            self.saved = SavedWeights.of([u.weight_hh for u in find_unrollings(model.graph, every_layer=True)])
        self.saved.scale(factor)
        self.factor = factor
        model.graph.forward()
        model.player.weights_changed()
        model.document_changed()
        self.view.show_gates([gate_values(u) for u in self.found])
        self.update()
        model.say(f"Recurrent weights Wₕₕ × {factor:.3g}: the gradient through time "
                  + ("grows" if factor > 1 else "shrinks" if factor < 1 else "is as it was"))
