"""Training seen from the window: the dock's requests run as one sequence (a new network is
drawn before it trains), the graph is coloured by gradient magnitude as it learns, the passes
are recorded again when the weights change (the run ended, or an earlier epoch came back), and
stepping is locked meanwhile. The dock shows the run at the weights its network holds, and
empties when the window's document is no longer the run's."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from ...nn.datasets import DatasetError
from ...session.magnitudes import magnitude_scale
from ...session.player import Overlay
from ...session.training_sequence import TrainingSequence
from ..canvas.presenter import magnitude_colours
from ..training_worker import TrainingWorker

#: Whether the training settings are folded, remembered across sessions: they fold when a run
#: starts, giving a 720-line screen's height to the plots and the weight maps.
FOLDED_KEY = "training/settings_folded"

TRAINING_MESSAGE = ("Training: the graph is coloured by gradient magnitude as it learns "
                    "(the passes can be stepped through when it stops)")


class TrainingController(QObject):
    """Runs training as one sequence for the window: build -> draw -> train.

    The Qt-free :class:`~graphviz_nn.session.training_sequence.TrainingSequence` holds the rules
    and the one "training" flag; this controller hands it the dock's requests, has the window
    draw a new network, locks the player while the network trains, colours the graph by
    gradient magnitude as it learns and records the passes again when the weights change.

    Signals
    -------
    started()
    stopped(str)
        "done", "stopped" or why it failed; the window has taken the trained state in.
    """

    started = Signal()
    stopped = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dock = dock = window.training
        self.sequence = sequence = TrainingSequence(self._make_client)
        self._stopped_while_drawing: str | None = None
        dock.train_requested.connect(self.train)
        dock.pause_requested.connect(self.toggle_pause)
        dock.stop_requested.connect(sequence.stop)
        dock.undo_requested.connect(sequence.undo_branch)
        dock.epoch_requested.connect(sequence.restore_epoch)
        events = sequence.events
        events.built.connect(self._on_built)
        events.started.connect(self._on_started)
        events.updated.connect(self._on_updated)
        events.ended.connect(self._on_ended)
        events.confirm.connect(lambda run, _epochs: dock.ask_to_branch(run, sequence.confirmed))
        events.restored.connect(self._on_restored)
        events.shown.connect(dock.show_picture)
        events.left.connect(dock.clear_run)
        events.said.connect(dock.status.setText)
        window.loading.picture_dropped.connect(sequence.drawing_abandoned)
        window.sessions.workspace.opened_event.connect(lambda _title: sequence.document_opened())
        self._settings = window.settings
        dock.set_settings_folded(self._settings.value(FOLDED_KEY, False, type=bool))
        dock.settings_toggle.toggled.connect(self._on_settings_toggle_toggled)

    def _on_settings_toggle_toggled(self, shown: bool) -> None:
        self._settings.setValue(FOLDED_KEY, not shown)

    def _make_client(self, run, updated, ended) -> TrainingWorker:
        worker = TrainingWorker(run, self)
        worker.epoch_finished.connect(updated)
        worker.training_finished.connect(ended)
        return worker

    @property
    def running(self) -> bool:
        """True from the start of a run until the window has heard it ended."""
        return self.sequence.training

    @property
    def run(self):
        """The run the dock shows (None before the first network is built)."""
        return self.sequence.run

    # --- requests ------------------------------------------------------------------------------
    def train(self, epochs: int) -> None:
        """Train ``epochs`` with the dock's settings; a new network is drawn first."""
        dock = self.dock
        try:
            settings = dock.settings()
            self.sequence.train(settings, epochs, dock.dataset_read(str(settings.dataset)))
        except (ValueError, DatasetError) as error:
            dock.status.setText(f"Cannot build it: {error}")

    def toggle_pause(self) -> None:
        self.sequence.toggle_pause()
        self.dock.set_running(self.running, self.sequence.paused)

    def adopt(self, run) -> None:
        """Take over a run rebuilt from a session file; the window draws it itself."""
        settings = self.dock.adopt_settings(run)
        self.dock.show_run(run)
        self.sequence.adopt(run, settings)  # its boundary and weights follow

    def picture_ready(self) -> None:
        """The window drew a new picture: training that waited for it starts, and a run that
        ended meanwhile is taken in now."""
        self.sequence.drawn(self.window.graph)
        if self._stopped_while_drawing is not None:
            reason, self._stopped_while_drawing = self._stopped_while_drawing, None
            self.after_weights_changed()
            if reason not in ("done", "stopped"):
                self.window.say(reason)

    # --- what the sequence says ----------------------------------------------------------------
    def _on_built(self, run) -> None:
        self.dock.show_run(run)
        self.window.loading.load(run.built, f"{run.network} on {run.data.name}")

    def _on_started(self) -> None:
        self.dock.set_running(True)
        self.dock.set_settings_folded(True)  # the plots take the room while it trains
        self.dock.show_branch(self.run, self.sequence.aside is not None)
        self.window.stepping.stop()
        if self.window.player is not None:
            self.window.player.lock_navigation(self.sequence)
            self.window.player.set_overlay(Overlay.MAGNITUDE)  # the epochs colour the nodes
            self.window.actions["magnitude"].setChecked(True)
            self.window.actions["check"].setChecked(False)
        self.window.say(TRAINING_MESSAGE)
        self.started.emit()

    def _on_updated(self, update) -> None:
        self.dock.show_update(update)
        if self.window.presenter is None or self.window.loading.job is not None:
            return
        # Only colours change while training: the live arrays belong to the training process.
        norms = {k: v for k, v in update.gradient_norms.items() if v > 0}
        if not norms:
            return
        tints = magnitude_colours(magnitude_scale(norms))
        for node_id, item in self.window.view.nodes.items():
            item.set_flags(tints.get(node_id), item.non_finite)

    def _on_ended(self, reason: str) -> None:
        self.dock.show_end(self.run, reason)
        if self.window.player is not None:
            self.window.player.release_navigation(self.sequence)
        self.window.sessions.document_changed()
        if self.window.view.building or self.window.loading.job is not None:
            # A run can end before the picture of its network is drawn: the passes are
            # recorded again once it is (the old picture's items are not this graph's).
            self._stopped_while_drawing = reason
            self.window.say(reason if reason not in ("done", "stopped") else "Training stopped")
        else:
            self.after_weights_changed()
            if reason not in ("done", "stopped"):
                self.window.say(reason)
        self.stopped.emit(reason)

    def _on_restored(self, snapshot) -> None:
        self.dock.show_branch(self.run, self.sequence.aside is not None)
        self.dock.show_epoch(self.run, snapshot.epoch)
        self.window.sessions.document_changed()
        self.after_weights_changed()
        self.window.say(f"Weights of epoch {snapshot.epoch} are back in the graph: step through its passes")

    def after_weights_changed(self) -> None:
        """The network's weights changed under the recordings: record the passes again."""
        if self.window.graph is None or self.run is None or self.window.graph is not self.run.network.graph:
            return
        self.window.player.weights_changed()
        self.window.say("Training stopped: step through the backward pass on 16 training rows (→), "
                 "or press Train to go on")

    def close(self) -> None:
        """Stop training and its process (the window is closing)."""
        self.sequence.close()

    def blocked(self) -> bool:
        if self.running:
            self.window.say("Training is running: pause or stop it to step through the passes")
        return self.running

    def show_dock(self) -> None:
        """The Training tab, raised, wide enough for its plots."""
        self.window.training.show()
        self.window.training.raise_()
        if self.window.dockWidgetArea(self.window.training) == Qt.DockWidgetArea.RightDockWidgetArea:
            # Room for the plots; the graph keeps the larger part of the width.
            wanted = min(max(460, self.window.width() * 2 // 5), 700)
            if self.window.training.width() < wanted:
                self.window.resizeDocks([self.window.training], [wanted], Qt.Orientation.Horizontal)
