"""Training seen from the window: the dock's requests run as one sequence (a new network is
drawn before it trains), the graph is coloured by gradient magnitude as it learns, the passes
are recorded again when the weights change (the run ended, or an earlier epoch came back), and
stepping is locked meanwhile. The dock shows the run at the weights its network holds, and
empties when the window's document is no longer the run's."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ...nn.datasets import BUILTIN, DatasetError
from ...nn.model_setup import ModelSettings
from ...session.magnitudes import magnitude_scale
from ...session.player import Overlay
from ...session.training import TrainingSettings
from ...session.window_model import WindowModel
from ..canvas.graph_view import GraphView
from ..canvas.presenter import magnitude_colours
from ..docks.training_dock import TrainingDock
from .loading import TRAINING_MESSAGE

#: Whether the training settings are folded, remembered across sessions: they fold when a run
#: starts, giving a 720-line screen's height to the plots and the weight maps.
FOLDED_KEY = "training/settings_folded"


class TrainingController(QObject):
    """Runs training as one sequence for the window: build -> draw -> train.

    The Qt-free :class:`~graphviz_nn.session.training_sequence.TrainingSequence` (the model's
    ``training``) holds the rules and the one "training" flag; this controller hands it the
    dock's requests, asks the model to draw a new network, locks the player while the network
    trains, colours the graph by gradient magnitude as it learns and records the passes again
    when the weights change.

    Parameters
    ----------
    model : WindowModel
        Its ``training`` sequence is driven here.
    dock : TrainingDock
    view : GraphView
        Coloured as the network learns.
    settings : QSettings
        Where whether the dock's settings are folded is remembered.

    Signals
    -------
    started()
    stopped(str)
        "done", "stopped" or why it failed; the window has taken the trained state in.
    """

    started = Signal()
    stopped = Signal(str)

    def __init__(self, model: WindowModel, dock: TrainingDock, view: GraphView, settings,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.dock, self.view = model, dock, view
        self.sequence = sequence = model.training
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
        events.adopted.connect(self._on_adopted)
        events.shown.connect(dock.show_picture)
        events.left.connect(dock.clear_run)
        events.said.connect(dock.status.setText)
        model.events.picture_dropped.connect(sequence.drawing_abandoned)
        model.workspace.opened_event.connect(lambda _title: sequence.document_opened())
        model.events.shown.connect(self._on_model_shown)
        view.picture_ready.connect(self.picture_ready)
        self._settings = settings
        dock.set_settings_folded(settings.value(FOLDED_KEY, False, type=bool))
        dock.settings_toggle.toggled.connect(self._on_settings_toggle_toggled)

    def _on_settings_toggle_toggled(self, shown: bool) -> None:
        self._settings.setValue(FOLDED_KEY, not shown)

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
            # A spec model makes its data by name; a dense network's CSV file was read once already.
            data = None if isinstance(settings, ModelSettings) else self.model.datasets.get(str(settings.dataset),
                                                                                             settings.target)
            self.sequence.train(settings, epochs, data)
        except (ValueError, DatasetError) as error:
            dock.status.setText(f"Cannot build it: {error}")

    def toggle_pause(self) -> None:
        self.sequence.toggle_pause()
        self.dock.set_running(self.running, self.sequence.paused)

    def _on_adopted(self, run) -> None:
        """A run rebuilt from a session file: its data kept as read, its settings and history
        in the dock."""
        dataset = str(run.settings.dataset)
        if isinstance(run.settings, TrainingSettings) and dataset not in BUILTIN:
            if dataset not in self.model.datasets:
                self.model.datasets.put(dataset, run.data, run.settings.target)  # read once already
            self.dock.form.set_columns(dataset, (*run.data.feature_names, run.data.target_name))
        self.dock.adopt_settings(run)
        self.dock.show_run(run)

    def _on_model_shown(self, model: WindowModel) -> None:
        """A graph that says which spec model and data it is, or trains as (an example's
        ``Built.network`` or ``Built.training`` holding a ModelSettings), puts them in the
        dock: Train trains that model on that data."""
        built = model.built
        settings = built.training if built is not None and built.training is not None else getattr(built, "network", None)
        if isinstance(settings, ModelSettings) and not self.sequence.busy:
            self.dock.show_settings(settings)

    def picture_ready(self) -> None:
        """The view drew a new picture: training that waited for it starts, and a run that
        ended meanwhile is taken in now."""
        self.sequence.drawn(self.model.graph)
        if self._stopped_while_drawing is not None:
            reason, self._stopped_while_drawing = self._stopped_while_drawing, None
            self.after_weights_changed()
            if reason not in ("done", "stopped"):
                self.model.say(reason)

    # --- what the sequence says ----------------------------------------------------------------
    def _on_built(self, run) -> None:
        self.dock.show_run(run)
        self.model.open(run.built, f"{run.network} on {run.data.name}")

    def _on_started(self) -> None:
        self.dock.set_running(True)
        self.dock.set_settings_folded(True)  # the plots take the room while it trains
        self.dock.show_branch(self.run, self.sequence.aside is not None)
        player = self.model.player
        if player is not None:
            player.lock_navigation(self.sequence)  # what plays stops
            player.set_overlay(Overlay.MAGNITUDE)  # the epochs colour the nodes
        self.model.say(TRAINING_MESSAGE)
        self.started.emit()

    def _on_updated(self, update) -> None:
        self.dock.show_update(update)
        if self.view.presenter is None or self.model.busy:
            return
        # Only colours change while training: the live arrays belong to the training process.
        norms = {k: v for k, v in update.gradient_norms.items() if v > 0}
        if not norms:
            return
        tints = magnitude_colours(magnitude_scale(norms))
        for node_id, item in self.view.nodes.items():
            item.set_flags(tints.get(node_id), item.non_finite)

    def _on_ended(self, reason: str) -> None:
        self.dock.show_end(self.run, reason)
        if self.model.player is not None:
            self.model.player.release_navigation(self.sequence)
        self.model.document_changed()
        if self.view.building or self.model.busy:
            # A run can end before the picture of its network is drawn: the passes are
            # recorded again once it is (the old picture's items are not this graph's).
            self._stopped_while_drawing = reason
            self.model.say(reason if reason not in ("done", "stopped") else "Training stopped")
        else:
            self.after_weights_changed()
            if reason not in ("done", "stopped"):
                self.model.say(reason)
        self.stopped.emit(reason)

    def _on_restored(self, snapshot) -> None:
        self.dock.show_branch(self.run, self.sequence.aside is not None)
        self.dock.show_epoch(self.run, snapshot.epoch)
        self.model.document_changed()
        self.after_weights_changed()
        self.model.say(f"Weights of epoch {snapshot.epoch} are back in the graph: step through its passes")

    def after_weights_changed(self) -> None:
        """The network's weights changed under the recordings: record the passes again."""
        graph = self.model.graph
        if graph is None or self.run is None or graph is not self.run.network.graph:
            return
        self.model.player.weights_changed()
        self.model.say(f"Training stopped: step through the backward pass on 16 training {self.run.unit} (→), "
                       "or press Train to go on")

    def close(self) -> None:
        """Stop training and its process (the window is closing)."""
        self.sequence.close()
