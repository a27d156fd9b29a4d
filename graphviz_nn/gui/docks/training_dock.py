"""The training dock: pick a dataset, shape a network, train it and watch it learn.

At a projector's 720 lines it holds, without scrolling once the settings fold (as they do when
a run starts): the dataset, the folded settings, the buttons, the run's state, the data and the
curves side by side, their readout and the weight maps."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QDockWidget, QFileDialog, QFrame, QHBoxLayout, QMessageBox,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ...nn.datasets import BUILTIN, Dataset, DatasetError, load, read_csv
from ...nn.model_setup import load_data
from ...nn.shaped_data import ShapedData
from ...session.datasets_read import DatasetsRead
from ...session.model_choice import DENSE, SPEC, data_summary, misfit, progress_text
from ...session.run_picture import RunPicture
from ...nn.model_setup import ModelSettings
from ...session.training import TrainingRun, TrainingSettings
from ...session.training_client import EpochUpdate
from ...session.training_sequence import settings_for
from ..jobs import Job
from ..wheel_guard import WheelGuard
from .dataset_preview import DatasetPreview
from .fitting_labels import WrappedLabel
from .training_plots import CurvesView
from .training_settings import FORM_WIDGETS, TrainingSettingsForm
from .weight_maps import WeightMaps


STATUS_HINT = "Pick a dataset and press Train"


class _Column(QVBoxLayout):
    """A column whose height does not follow its width.

    A scroll area sizes a widget whose layout has height-for-width (word-wrapped labels)
    to its preferred height, not to the viewport: the plots grew to a screen and a half.
    """

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return False


class TrainingDock(QDockWidget):
    """Dataset, network settings, Train / Pause / Stop / One epoch, and the live plots: a view.
    What the buttons ask for goes to the training controller, which shows the run here.

    Signals
    -------
    train_requested(int)
        Train this many epochs (Train, One epoch).
    pause_requested(), stop_requested(), undo_requested()
    epoch_requested(int)
        Put back the weights of this epoch (a click on the curves).
    csv_read(str)
        A CSV file was read (off the window's thread) and is the chosen dataset.
    """

    train_requested = Signal(int)
    pause_requested = Signal()
    stop_requested = Signal()
    undo_requested = Signal()
    epoch_requested = Signal(int)
    csv_read = Signal(str)

    def __init__(self, datasets: DatasetsRead, parent=None):
        super().__init__("Training", parent)
        self.setObjectName("training")
        self._updates = 0
        self.datasets = datasets  # dataset files read, each once: the preview and the network share them
        self._reading: Job | None = None
        body = QWidget()
        column = _Column(body)
        self.form = TrainingSettingsForm()
        column.addWidget(self.form)
        for name in FORM_WIDGETS:  # the form's widgets, as the dock's own
            setattr(self, name, getattr(self.form, name))
        self.form.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.form.open_csv.clicked.connect(self._on_open_csv_clicked)
        column.addLayout(self._buttons())
        # Whole, however narrow the dock: two lines at least, so the text that changes many
        # times a second while training (a new height re-lays the plots out) keeps its height.
        self.status = WrappedLabel(STATUS_HINT, lines=2)
        self.status.setObjectName("training_status")
        column.addWidget(self.status)
        self.preview = DatasetPreview()
        self.boundary = self.preview.boundary
        self.curves = CurvesView(footer=False)
        self.curves.epoch_clicked.connect(self.epoch_requested)
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
        # The curves' readout under the data and the curves both: in the curves' half of a
        # 1280 x 720 dock it took four lines, and two were cut.
        column.addWidget(self.curves.footer)
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
        for name, button, slot in (("train", self.train_button, self.train), ("pause", self.pause_button, self.pause_requested),
                                   ("stop", self.stop_button, self.stop_requested), ("one_epoch", self.epoch_button, self.one_epoch)):
            button.setObjectName(f"training_{name}")
            button.clicked.connect(slot)
            row.addWidget(button)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("training_undo")
        self.undo_button.setToolTip("Put back the epochs set aside by training on from an earlier one")
        self.undo_button.clicked.connect(self.undo_requested)
        self.undo_button.hide()
        row.addWidget(self.undo_button)
        self.set_running(False)
        return row

    def settings(self) -> TrainingSettings | ModelSettings:
        """The settings as the widgets show them; ValueError for bad hidden widths, or a preset
        that does not take the dataset."""
        return self.form.settings()

    def show_settings(self, settings: TrainingSettings | ModelSettings) -> None:
        self.form.show_settings(settings)

    def _on_dataset_changed(self) -> None:
        name = self.dataset.currentData()
        if name is None:
            return
        self.curves.set_position(None)
        if self.form.model_key == DENSE:
            self.show_settings(settings_for(name, self.kind.currentData() or "layer"))
        self._preview_chosen()

    def _preview_chosen(self) -> None:
        name = self.dataset.currentData()
        try:
            if self.form.model_key != DENSE:
                self._preview_model_data(name)
                return
            read = self.datasets.any(name)
            self.show_preview(read if read is not None else load(name))
        except (DatasetError, ValueError) as error:
            self.status.setText(str(error))

    def _preview_model_data(self, name: str, data: ShapedData | None = None) -> None:
        """A spec model's dataset: a table's rows or images as the dense network's, a set of
        sequences in words; a spec that does not take it says so (Train would refuse it)."""
        if name in BUILTIN:
            self.show_preview(load(name))
        else:
            self.preview.show_text(data_summary(data if data is not None else load_data(name)))
        # A preset is sized for the data it lists; a spec of another making may not fit.
        if data is None and self.form.model_key == SPEC:
            problem = misfit(self.settings())
            self.status.setText(f"Cannot train it: {problem}" if problem else STATUS_HINT)

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
        self.datasets.put(path, data)
        self.form.set_columns(path, (*data.feature_names, data.target_name))
        if self.dataset.findData(path) < 0:
            self.dataset.addItem(data.name, path)
        self.dataset.setCurrentIndex(self.dataset.findData(path))
        self.status.setText(f"{data!r} from {path}" + "".join(f"; {n}" for n in data.notes))
        self.csv_read.emit(path)

    def show_preview(self, data: Dataset) -> None:
        self.preview.show_data(data)

    def set_settings_folded(self, folded: bool) -> None:
        """Fold the settings to their one-line summary, or unfold them."""
        self.settings_toggle.setChecked(not folded)

    @property
    def settings_folded(self) -> bool:
        return not self.settings_toggle.isChecked()

    def set_dark(self, dark: bool) -> None:
        """Plots in the window's light or dark scheme."""
        self.curves.set_dark(dark)
        self.boundary.set_dark(dark)

    # --- what the training controller shows ---------------------------------------------------
    def set_running(self, running: bool, paused: bool = False) -> None:
        self.undo_button.setEnabled(not running)
        self.train_button.setEnabled(not running)
        self.epoch_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")

    def show_run(self, run: TrainingRun) -> None:
        """A new network (or one reopened): its history in the curves, its data in the preview
        (its boundary and weights follow in :meth:`show_picture`)."""
        self._updates = 0
        self.undo_button.hide()
        self.curves.set_records(run.history)
        if isinstance(run.data, ShapedData):
            self._preview_model_data(str(run.settings.dataset), run.data)
        else:
            self.show_preview(run.data)
        self.status.setText(run.summary() + (f", {run.history[-1].epoch} epochs trained" if run.history else ""))

    def adopt_settings(self, run: TrainingRun) -> TrainingSettings:
        """A reopened run's dataset and settings in the widgets; the settings to compare the
        next Train's with (the run's own when the widgets cannot hold them)."""
        dataset = str(run.settings.dataset)
        if isinstance(run.settings, TrainingSettings):
            self.form.choose_model(DENSE)
            if self.dataset.findData(dataset) < 0:
                self.dataset.addItem(run.data.name, dataset)
            self.dataset.setCurrentIndex(self.dataset.findData(dataset))
        self.show_settings(run.settings)
        try:
            return self.settings()
        except ValueError:
            return run.settings

    def show_update(self, update: EpochUpdate) -> None:
        """Epochs arrived. Curves and the boundary take turns, halving the work of each redraw
        (each still refreshes several times a second), so no single redraw holds the window up;
        the last update is drawn whole when training ends."""
        self._updates += 1
        if update.records:
            self.curves.add(update.records, redraw=self._updates % 2 == 0)
        if update.boundary is not None and self._updates % 2 == 1:
            self.boundary.show_boundary(update.boundary)
        if self._updates % 4 == 1:
            self.weights.show_weights(update.weights)
        if update.progress is not None:  # a long epoch under way
            self.status.setText(progress_text(update.progress))
        elif update.records:
            self.status.setText(self.curves.describe(update.records[-1].epoch))

    def show_picture(self, picture: RunPicture) -> None:
        """The run at the weights its network holds: its boundary and its weight maps."""
        if picture.boundary is not None:
            self.boundary.show_boundary(picture.boundary)
        self.weights.show_weights(picture.weights)

    def clear_run(self) -> None:
        """No run: the window opened another document. The chosen dataset shows bare."""
        self._updates = 0
        self.set_running(False)
        self.undo_button.hide()
        self.curves.set_records([])
        self.weights.show_weights([])
        self.status.setText(STATUS_HINT)
        self._preview_chosen()

    def show_end(self, run: TrainingRun, reason: str) -> None:
        """The run ended: the curves drawn whole, and why it ended (the trained network's
        boundary and weights follow in :meth:`show_picture`)."""
        self.set_running(False)
        self.curves.redraw()
        if reason in ("done", "stopped"):
            last = run.history[-1] if run.history else None
            text = self.curves.describe(last.epoch) if last else ""
            self.status.setText(("Stopped at " if reason == "stopped" else "Finished: ") + text)
        else:
            self.status.setText(reason)

    def show_branch(self, run: TrainingRun, aside: bool) -> None:
        """The curves after setting epochs aside (Undo offered) or putting them back."""
        self.curves.set_records(run.history)
        self.undo_button.setVisible(aside)

    def show_epoch(self, run: TrainingRun, epoch: int) -> None:
        """The weights of ``epoch`` are in the network."""
        self.curves.set_position(run.at_epoch)
        if run.rewound:
            self.status.setText(f"Back at epoch {epoch}: {self.curves.figures(epoch)} · Train goes on from here")
        else:
            self.status.setText("The latest weights: " + self.curves.describe(epoch))

    def ask_to_branch(self, run: TrainingRun, answer) -> None:
        """Training on from an earlier epoch replaces the epochs after it: ask first;
        ``answer(yes)`` is called with the choice."""
        later = run.history[-1].epoch
        box = QMessageBox(QMessageBox.Icon.Question, "Train on from here?",
                          f"The weights are those of epoch {run.at_epoch}. Training on from there sets "
                          f"epochs {run.at_epoch + 1}–{later} aside (Undo puts them back).",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("branch")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: answer(box.standardButton(box.clickedButton())
                                                    == QMessageBox.StandardButton.Yes))
        box.open()

    # --- requests -------------------------------------------------------------------------------
    def train(self, epochs: int | None = None) -> None:
        """Ask for ``epochs`` of training (the Epochs box by default), as Train does."""
        self.train_requested.emit(epochs or self.epochs.value())

    def one_epoch(self) -> None:
        self.train(1)
