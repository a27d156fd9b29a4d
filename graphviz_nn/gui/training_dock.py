"""The training dock: pick a dataset, shape a network, train it and watch it learn."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QDockWidget, QFileDialog, QFrame, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ..nn.datasets import BUILTIN, Dataset, DatasetError, load, read_csv
from ..session.training import Snapshot, TrainingRun, TrainingSettings, defaults_for
from .dataset_preview import DatasetPreview
from .jobs import Job
from .training_plots import CurvesView
from .training_settings import FORM_WIDGETS, TrainingSettingsForm
from .training_worker import EpochUpdate, TrainingWorker
from .weight_maps import WeightMaps
from .wheel_guard import WheelGuard


class _Column(QVBoxLayout):
    """A column whose height does not follow its width.

    A scroll area sizes a widget whose layout has height-for-width (word-wrapped labels)
    to its preferred height, not to the viewport: the plots grew to a screen and a half.
    """

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return False


class TrainingDock(QDockWidget):
    """Dataset, network settings, Train / Pause / Stop / One epoch, and the live plots.

    Signals
    -------
    network_built(TrainingRun)
        A new network exists: the window draws its graph.
    training_started(), training_stopped(str)
    epoch_updated(EpochUpdate)
    epoch_restored(Snapshot)
        An epoch's weights were put back (time travel).
    csv_read(str)
        A CSV file was read (off the window's thread) and is the chosen dataset.
    """

    network_built = Signal(object)
    training_started = Signal()
    training_stopped = Signal(str)
    epoch_updated = Signal(object)
    epoch_restored = Signal(object)
    csv_read = Signal(str)

    def __init__(self, parent=None):
        super().__init__("Training", parent)
        self.setObjectName("training")
        self.run: TrainingRun | None = None
        self.worker: TrainingWorker | None = None
        self.wait_for_window = False  # the window sets it: it draws a new network first
        self._updates = 0
        self._latest: EpochUpdate | None = None
        self._pending_epochs = 0
        self._aside = None  # the epochs set aside by training on from an earlier one
        self._read: dict[str, Dataset] = {}  # CSV files read, by path
        self._reading: Job | None = None
        self._built_settings: TrainingSettings | None = None
        body = QWidget()
        column = _Column(body)
        self.form = TrainingSettingsForm()
        column.addWidget(self.form)
        for name in FORM_WIDGETS:  # the form's widgets, as the dock's own
            setattr(self, name, getattr(self.form, name))
        self.form.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.form.open_csv.clicked.connect(self._on_open_csv_clicked)
        column.addLayout(self._buttons())
        self.status = QLabel("Pick a dataset and press Train")
        self.status.setObjectName("training_status")
        self.status.setWordWrap(True)
        # Fixed heights: a label that changes size re-lays the dock out and redraws the
        # plots whole, many times a second while training.
        self.status.setFixedHeight(2 * self.status.fontMetrics().lineSpacing() + 6)
        column.addWidget(self.status)
        self.preview = DatasetPreview()
        self.boundary = self.preview.boundary
        self.curves = CurvesView()
        self.curves.epoch_clicked.connect(self._on_curves_epoch_clicked)
        # The data and the curves stack in a tall column and sit side by side in a wide,
        # short one (a projector's 720 lines), each then keeping a readable height.
        self.plots = QWidget()
        self.plots.setObjectName("training_plots")
        self._plots_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.plots)
        self._plots_layout.setContentsMargins(0, 0, 0, 0)
        self._plots_layout.addWidget(self.preview, 2)
        self._plots_layout.addWidget(self.curves, 4)
        self.plots.installEventFilter(self)
        column.addWidget(self.plots, 1)
        self.weights = WeightMaps()
        column.addWidget(self.weights)
        # On a small screen or a projector the dock scrolls rather than making the window
        # taller than the screen; with room to spare the plots take it.
        scroll = QScrollArea()
        scroll.setObjectName("training_scroll")
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.setWidget(scroll)
        # Never narrower than the settings (nothing scrolls sideways).
        scroll.setMinimumWidth(body.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        WheelGuard(scroll).guard_children(body)
        self.dataset.setCurrentIndex(self.dataset.findData("xor"))
        self._on_dataset_changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.plots and event.type() == QEvent.Type.Resize:
            self._arrange_plots(event.size().width(), event.size().height())
        return super().eventFilter(watched, event)

    def _arrange_plots(self, width: int, height: int) -> None:
        """Side by side once the plots' room is wider than tall, stacked again below 0.8 of
        that (the gap keeps a resize from flipping back and forth)."""
        side_by_side = self._plots_layout.direction() == QBoxLayout.Direction.LeftToRight
        wanted = width > (0.8 if side_by_side else 1.0) * height and width >= 480
        if wanted == side_by_side:
            return
        if wanted:
            self._plots_layout.setDirection(QBoxLayout.Direction.LeftToRight)
            self._plots_layout.setStretch(0, 1)
            self._plots_layout.setStretch(1, 1)
        else:
            self._plots_layout.setDirection(QBoxLayout.Direction.TopToBottom)
            self._plots_layout.setStretch(0, 2)
            self._plots_layout.setStretch(1, 4)

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.train_button = QPushButton("Train")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.epoch_button = QPushButton("One epoch")
        for name, button, slot in (("train", self.train_button, self.train), ("pause", self.pause_button, self.toggle_pause),
                                   ("stop", self.stop_button, self.stop), ("one_epoch", self.epoch_button, self.one_epoch)):
            button.setObjectName(f"training_{name}")
            button.clicked.connect(slot)
            row.addWidget(button)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("training_undo")
        self.undo_button.setToolTip("Put back the epochs set aside by training on from an earlier one")
        self.undo_button.clicked.connect(self.undo_branch)
        self.undo_button.hide()
        row.addWidget(self.undo_button)
        self._set_running(False)
        return row

    def settings(self) -> TrainingSettings:
        """The settings as the widgets show them; ValueError for bad hidden widths."""
        return self.form.settings()

    def show_settings(self, settings: TrainingSettings) -> None:
        self.form.show_settings(settings)

    def _on_dataset_changed(self) -> None:
        name = self.dataset.currentData()
        if name is None:
            return
        self.curves.set_position(None)
        self.show_settings(defaults_for(name))
        try:
            self.show_preview(self._read[name] if name in self._read else load(name))
        except (DatasetError, ValueError) as error:
            self.status.setText(str(error))

    def _on_open_csv_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a CSV dataset", "", "CSV (*.csv)")
        if path:
            self.add_csv(path)

    def add_csv(self, path: str) -> None:
        """Read a CSV dataset off the window's thread (a million rows take a second), once:
        the preview and the network both use what was read."""
        self.status.setText(f"Reading {Path(path).name}…")
        job = Job(lambda: read_csv(path), self)
        job.finished.connect(lambda data: self._on_csv_read(path, data))
        job.failed.connect(lambda message: self.status.setText(f"Could not open it: {message}"))
        self._reading = job  # kept until it reports
        job.start()

    def _on_csv_read(self, path: str, data: Dataset) -> None:
        self._reading = None
        self._read[path] = data
        if self.dataset.findData(path) < 0:
            self.dataset.addItem(data.name, path)
        self.dataset.setCurrentIndex(self.dataset.findData(path))
        self.status.setText(f"{data!r} from {path}" + "".join(f"; {n}" for n in data.notes))
        self.csv_read.emit(path)

    def show_preview(self, data: Dataset) -> None:
        self.preview.show_data(data)

    def set_dark(self, dark: bool) -> None:
        """Plots in the window's light or dark scheme."""
        self.curves.set_dark(dark)
        self.boundary.set_dark(dark)

    # --- training ------------------------------------------------------------------------------
    def _set_running(self, running: bool) -> None:
        self.undo_button.setEnabled(not running)
        self.train_button.setEnabled(not running)
        self.epoch_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.pause_button.setText("Pause")

    def build(self) -> TrainingRun | None:
        """A fresh network for the current settings (when they changed since the last one)."""
        try:
            settings = self.settings()
            if self.run is not None and settings == self._built_settings:
                return self.run
            run = TrainingRun.create(settings, self._read.get(str(settings.dataset)))
        except (ValueError, DatasetError) as error:
            self.status.setText(f"Cannot build it: {error}")
            return None
        self._attach(run, settings)
        self.network_built.emit(run)
        return run

    def _attach(self, run: TrainingRun, settings: TrainingSettings) -> None:
        if self.worker is not None:
            self.worker.close()
        self.run, self._built_settings = run, settings
        self._aside = None
        self.undo_button.hide()
        self.worker = TrainingWorker(run, self)
        self.worker.epoch_finished.connect(self._on_worker_epoch_finished)
        self.worker.training_finished.connect(self._on_worker_training_finished)
        self.curves.set_records(run.history)
        self.show_preview(run.data)
        self.status.setText(f"{run.network} on {run.data.name}: {len(run.train)} training rows, "
                            f"{len(run.test)} test rows"
                            + (f", {run.history[-1].epoch} epochs trained" if run.history else ""))

    def adopt(self, run: TrainingRun) -> None:
        """Take over a run rebuilt from a session file: its settings in the widgets, its
        history in the curves; Train goes on from its weights."""
        self.stop(wait=1.5)
        dataset = str(run.settings.dataset)
        if dataset not in BUILTIN:
            self._read[dataset] = run.data  # read once already
        if self.dataset.findData(dataset) < 0:
            self.dataset.addItem(run.data.name, dataset)
        self.dataset.setCurrentIndex(self.dataset.findData(dataset))
        self.show_settings(run.settings)
        self._attach(run, self.settings() if self._valid_settings() else run.settings)

    def train(self, epochs: int | None = None) -> None:
        """Train for ``epochs`` (the Epochs box by default). A new network is first shown
        by the window, which records its passes; training starts once that is done, so the
        two never touch the network at the same time."""
        fresh = self.run is None or self.settings() != self._built_settings if self._valid_settings() else False
        run = self.build()
        if run is None or self.worker.running:
            return
        count = epochs or self.epochs.value()
        if run.rewound:
            self._ask_to_branch(run, count)
            return
        if fresh and self.wait_for_window:
            self._pending_epochs = count
            self.status.setText("Drawing the network's graph…")
            return
        self._begin(count)

    def _ask_to_branch(self, run: TrainingRun, epochs: int) -> None:
        """Training on from an earlier epoch replaces the epochs after it: ask first."""
        later = run.history[-1].epoch
        box = QMessageBox(QMessageBox.Icon.Question, "Train on from here?",
                          f"The weights are those of epoch {run.at_epoch}. Training on from there sets "
                          f"epochs {run.at_epoch + 1}–{later} aside (Undo puts them back).",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("branch")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes and run is self.run and run.rewound:
                self.branch_from_here()
                self._begin(epochs)

        box.buttonClicked.connect(answered)
        box.open()

    def branch_from_here(self) -> None:
        """Set the epochs after the one gone back to aside, so training goes on from it."""
        self._aside = self.run.branch()
        self.curves.set_records(self.run.history)
        self.undo_button.show()

    def undo_branch(self) -> None:
        """Put back the epochs set aside by training on from an earlier one (not while training)."""
        if self._aside is None or self.training or self.run is None:
            return
        aside, self._aside = self._aside, None
        self.run.undo_branch(aside)
        self.undo_button.hide()
        self.curves.set_records(self.run.history)
        last = self.run.history[-1]
        self.status.setText(f"Epochs {aside.epoch + 1}–{last.epoch} are back: " + self.curves.describe(last.epoch))
        self.epoch_restored.emit(Snapshot(last.epoch, tuple(self.run.network.parameter_values()), last))

    def _valid_settings(self) -> bool:
        try:
            self.settings()
        except ValueError:
            return False
        return True

    def _begin(self, epochs: int) -> None:
        self._set_running(True)
        self.training_started.emit()
        self.worker.start(epochs)

    def graph_shown(self, graph) -> None:
        """The window finished drawing ``graph``: start the training that waited for it."""
        if self._pending_epochs and self.run is not None and graph is self.run.network.graph:
            epochs, self._pending_epochs = self._pending_epochs, 0
            self._begin(epochs)

    def one_epoch(self) -> None:
        self.train(1)

    def toggle_pause(self) -> None:
        if self.worker is None or not self.worker.running:
            return
        if self.worker.paused:
            self.worker.resume()
            self.pause_button.setText("Pause")
        else:
            self.worker.pause()
            self.pause_button.setText("Resume")

    def stop(self, wait: float = 0.0) -> None:
        if self.worker is not None:
            self.worker.stop(wait)

    def close_worker(self) -> None:
        """Stop training and its process (the window is closing)."""
        if self.worker is not None:
            self.worker.stop(wait=1.5)
            self.worker.close()

    @property
    def training(self) -> bool:
        return self.worker is not None and self.worker.running

    def _on_worker_epoch_finished(self, update: EpochUpdate) -> None:
        run = self.run
        if run is None or self.worker is None or self.sender() is not self.worker:
            return  # from a run this dock has left
        run.history.extend(update.records)
        records = {r.epoch: r for r in update.records}
        for epoch, parameters in update.kept:
            run.snapshots.offer(epoch, parameters, records[epoch])
        self._updates += 1
        # Curves and the boundary take turns, halving the work of each redraw (each still
        # refreshes several times a second), so no single redraw holds the window up; the
        # last update is drawn whole when training ends.
        self.curves.add(update.records, redraw=self._updates % 2 == 0)
        if update.boundary is not None and self._updates % 2 == 1:
            self.boundary.show_boundary(update.boundary)
        if self._updates % 4 == 1:
            self.weights.show_weights(update.weights)
        self.status.setText(self.curves.describe(update.records[-1].epoch))
        self._latest = update
        self.epoch_updated.emit(update)

    def _on_worker_training_finished(self, reason: str) -> None:
        if self.sender() is not self.worker:
            return
        self._set_running(False)
        self.curves.redraw()
        latest, self._latest = self._latest, None
        if latest is not None:  # the last update's boundary and weights, whichever turn it was
            if latest.boundary is not None:
                self.boundary.show_boundary(latest.boundary)
            self.weights.show_weights(latest.weights)
        run = self.run
        if reason in ("done", "stopped"):
            last = run.history[-1] if run.history else None
            text = self.curves.describe(last.epoch) if last else ""
            self.status.setText(("Stopped at " if reason == "stopped" else "Finished: ") + text)
        else:
            self.status.setText(reason)
        run.show_rows()
        self.training_stopped.emit(reason)

    def _on_curves_epoch_clicked(self, epoch: int) -> None:
        self.restore_epoch(epoch)

    def restore_epoch(self, epoch: int) -> Snapshot | None:
        """Put back the weights of the kept snapshot nearest ``epoch`` (not while training)."""
        if self.run is None or self.training:
            return None
        snapshot = self.run.snapshots.nearest(epoch)
        if snapshot is None:
            return None
        self.run.restore(snapshot)
        self.curves.set_position(self.run.at_epoch)
        if self.run.rewound:
            self.status.setText(f"Back at epoch {snapshot.epoch}: " + self.curves.describe(snapshot.epoch)
                                + " · Train goes on from here")
        else:
            self.status.setText("The latest weights: " + self.curves.describe(snapshot.epoch))
        self.epoch_restored.emit(snapshot)
        return snapshot
