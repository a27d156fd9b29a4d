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
        self._whole: tuple[object, list] | None = None  # the backward recording, and its strips
        model.events.shown.connect(lambda _model: self._on_model_shown())
        view.scale_requested.connect(self._on_view_scale_requested)
        # A tab behind another draws nothing: it catches up when it is brought to the front.
        # Tracked here: isVisible() stays true for a tab behind another.
        self._in_view = False
        dock.visibilityChanged.connect(self._on_dock_visibility_changed)

    def _on_model_shown(self) -> None:
        model = self.model
        self.found = find_unrollings(model.graph) if model.graph is not None else ()
        self.saved, self.factor, self._whole = None, 1.0, None
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

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        self._in_view = visible
        self.update()

    def update(self) -> None:
        """The strips at the model's cursor while the backward pass is on screen; the whole
        pass's otherwise, drawn again only when the pass was recorded again (new weights).
        Nothing while the tab is hidden: the backward pass is not recorded for it."""
        if not self.found or not self._in_view:
            return
        recording = self.model.player.recording("backward")
        fresh = self._whole is None or self._whole[0] is not recording
        if fresh:
            last = Cursor(recording, len(recording) - 1)
            self._whole = (recording, [gradient_strip(u, last) for u in self.found])
        whole = self._whole[1]
        if self.model.phase == "backward":
            self.view.show_strips([gradient_strip(u, self.model.cursor) for u in self.found], extent=whole)
        elif fresh or any(shown is not strip for shown, strip in zip(self.view.strips, whole)):
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
