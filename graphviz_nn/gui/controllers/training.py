"""Training seen from the window: the network drawn before a run starts, the graph coloured by
gradient magnitude as it learns, the passes recorded again when the weights change (the run
ended, or an earlier epoch came back), and stepping locked meanwhile."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from ...session.magnitudes import magnitude_scale
from ...session.player import Overlay
from ..presenter import magnitude_colours

TRAINING_MESSAGE = ("Training: the graph is coloured by gradient magnitude as it learns "
                    "(the passes can be stepped through when it stops)")


class TrainingController(QObject):
    """Connects the training dock's run to the window's graph and player.

    Attributes
    ----------
    running : bool
        True from the start of a run until the window has heard it ended.
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.running = False
        self._stopped_while_drawing: str | None = None
        dock = window.training
        dock.network_built.connect(self.on_network_built)
        dock.training_started.connect(self.on_training_started)
        dock.epoch_updated.connect(self.on_epoch_updated)
        dock.training_stopped.connect(self.on_training_stopped)
        dock.epoch_restored.connect(self.on_epoch_restored)

    def picture_ready(self) -> None:
        """The window drew a new picture: a run that ended meanwhile is taken in now."""
        if self._stopped_while_drawing is not None:
            reason, self._stopped_while_drawing = self._stopped_while_drawing, None
            self.after_weights_changed()
            if reason not in ("done", "stopped"):
                self.window.say(reason)

    def on_network_built(self, run) -> None:
        self.window.loading.load(run.built, f"{run.network} on {run.data.name}")

    def on_training_started(self) -> None:
        self.window.stepping.stop()
        self.running = True
        if self.window.player is not None:
            self.window.player.training = True
            self.window.player.overlay = Overlay.MAGNITUDE  # the epochs colour the nodes
            self.window.actions["magnitude"].setChecked(True)
            self.window.actions["check"].setChecked(False)
        self.window.say(TRAINING_MESSAGE)

    def on_epoch_updated(self, update) -> None:
        if self.window.presenter is None or self.window.loading.job is not None:
            return
        # Only colours change while training: the live arrays belong to the worker.
        norms = {k: v for k, v in update.gradient_norms.items() if v > 0}
        if not norms:
            return
        tints = magnitude_colours(magnitude_scale(norms))
        for node_id, item in self.window.view.nodes.items():
            item.set_flags(tints.get(node_id), item.non_finite)

    def on_training_stopped(self, reason: str) -> None:
        self.running = False
        if self.window.player is not None:
            self.window.player.training = False
        self.window.sessions.autosave_pending = True
        self.window.sessions.workspace.changed()
        self.window.sessions._update_title()
        if self.window.view.building or self.window.loading.job is not None:
            # A run can end before the picture of its network is drawn: the passes are
            # recorded again once it is (the old picture's items are not this graph's).
            self._stopped_while_drawing = reason
            self.window.say(reason if reason not in ("done", "stopped") else "Training stopped")
            return
        self.after_weights_changed()
        if reason not in ("done", "stopped"):
            self.window.say(reason)

    def on_epoch_restored(self, snapshot) -> None:
        self.window.sessions.autosave_pending = True
        self.window.sessions.workspace.changed()
        self.window.sessions._update_title()
        self.after_weights_changed()
        self.window.say(f"Weights of epoch {snapshot.epoch} are back in the graph: step through its passes")

    def after_weights_changed(self) -> None:
        """The network's weights changed under the recordings: record the passes again."""
        if self.window.graph is None or self.window.training.run is None or self.window.graph is not self.window.training.run.network.graph:
            return
        self.window.player.weights_changed()
        self.window.say("Training stopped: step through the backward pass on 16 training rows (→), "
                 "or press Train to go on")

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
