"""The training dock's settings: the model (the dense network or a spec model), the dataset,
the network's shape and how it is trained, folding to one line on a small screen."""

from __future__ import annotations

from pathlib import PurePath
from typing import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QToolButton, QWidget)

from ...nn import ACTIVATIONS, LOSSES, OPTIMISERS
from ...nn.builder import NetworkSpec
from ...nn.checks import MAX_WHOLE, SettingsError
from ...nn.datasets import BUILTIN
from ...nn.init import INITIALISERS
from ...nn.model_setup import ModelSettings
from ...session.model_choice import DENSE, MODELS, takes_steps
from ...session.model_training import MAX_DRAWN_STEPS
from ...session.training import TrainingSettings
from .model_fields import ModelFields
from .number_box import NumberBox

#: The form's widgets that the dock (and its tests) reach by name.
FORM_WIDGETS = ("model", "steps", "dataset", "open_csv", "kind", "hidden", "activation", "output_activation",
                "loss", "optimiser", "lr", "weight_decay", "batch", "epochs", "seed", "test_fraction", "train_rows",
                "init", "target", "normalise", "bias", "settings_toggle", "settings_summary", "settings_panel")

#: Each field of the settings records as the form labels it: a message the record gives about a
#: field begins with the label a person sees ("Weight decay must be 0 or more...").
LABELS = {"dataset": "Dataset", "kind": "Network", "hidden": "Hidden", "activation": "Activation",
          "output_activation": "Output", "loss": "Loss", "optimiser": "Optimiser", "lr": "Learning rate",
          "weight_decay": "Weight decay", "batch_size": "Batch", "epochs": "Epochs", "seed": "Seed",
          "test_fraction": "Test fraction", "train_rows": "Training rows", "init": "Initialiser",
          "target": "Target column", "normalise": "Normalise inputs", "bias": "Bias", "model": "Model",
          "length": "Steps"}


def labelled(error: SettingsError) -> SettingsError:
    """The record's message with the form's label in place of the field it begins with."""
    message, label = str(error), LABELS.get(error.field)
    if label and message.startswith(error.field):
        message = label + message[len(error.field):]
    return SettingsError(error.field, message)


def is_csv(dataset: str | None) -> bool:
    """True for a CSV file's path: a dataset that is not built in (only these have a target column)."""
    return dataset is not None and dataset not in BUILTIN


class TrainingSettingsForm(ModelFields, QWidget):
    """Model, dataset (with Open CSV…) and every field of a :class:`TrainingSettings` record:
    network, hidden widths, activation, output, loss, optimiser, learning rate, weight decay,
    batch, epochs, test fraction or training rows, seed, initialiser, the CSV's target column,
    normalising and bias. A Settings arrow folds all but the model and the dataset to a
    summary line.

    The Model box chooses the dense network these fields shape, or a spec model: a preset
    (MLP, CNN, LSTM, GRU, RNN, Transformer) sized for the datasets it takes, which the Dataset
    box then lists, or a spec of another making that a session or an example brought; the
    dense network's fields are hidden then, and Steps sets a sequence set's length. Its
    settings are a :class:`~graphviz_nn.nn.model_setup.ModelSettings`.

    ``show_settings(s)`` then ``settings()`` gives ``s`` back, so a session reopened, or a run
    from ``graphviz-nn train``, trains again as it was trained.
    """

    def _combo(self, name: str, items) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        # As wide as the column allows, not as wide as the longest item demands.
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(6)
        for item in items:
            box.addItem(str(item), item)
        return box

    def _number(self, name: str, kind: type, least, most, step, tip: str, special: str = "",
                sample: str = "") -> NumberBox:
        box = NumberBox(kind, least, most, step, special, sample)
        box.setObjectName(name)
        box.setToolTip(tip)
        return box

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._columns: dict[str, tuple[str, ...]] = {}  # the CSV files' columns, when known
        self._spec: ModelSettings | None = None  # the spec of another making, as it came
        self._listed = DENSE  # the model whose datasets the Dataset box lists
        self._dense_items: list[tuple[str, str]] = []  # the Dataset box's entries, while a spec model is chosen
        self._dense_index = 0
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.model = self._combo("model", [])
        for key, text in MODELS.items():
            self.model.addItem(text, key)
        self.model.setToolTip("The dense network the settings shape, or a model of layers sized for its data")
        form.addRow("&Model", self.model)  # Alt+M
        row = QHBoxLayout()
        self.dataset = self._combo("dataset", list(BUILTIN))
        row.addWidget(self.dataset, 1)
        self.open_csv = QPushButton("Open CSV…")
        self.open_csv.setObjectName("open_csv")
        row.addWidget(self.open_csv)
        form.addRow("Dataset", row)
        self._make_fields()
        # The settings fold away to a line, giving a small screen's height to the plots.
        self.settings_toggle = QToolButton()
        self.settings_toggle.setObjectName("settings_toggle")
        self.settings_toggle.setText("Settings")
        self.settings_toggle.setCheckable(True)
        self.settings_toggle.setChecked(True)
        self.settings_toggle.setAutoRaise(True)
        self.settings_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.settings_toggle.setToolTip("Show or fold away the network's settings")
        self.settings_toggle.toggled.connect(self._on_settings_toggle_toggled)
        self.settings_summary = QLabel()
        self.settings_summary.setObjectName("settings_summary")
        self.settings_summary.setWordWrap(True)  # never wider than the column
        self.settings_summary.hide()
        heading = QHBoxLayout()
        heading.addWidget(self.settings_toggle)
        heading.addWidget(self.settings_summary, 1)
        form.addRow(heading)
        self.settings_panel = QWidget()
        self.settings_panel.setObjectName("settings_panel")
        self.settings_panel.setLayout(self._grid())
        form.addRow(self.settings_panel)
        # The folded summary follows every change, so it always says what Train would train.
        for box in (self.kind, self.activation, self.output_activation, self.loss, self.optimiser, self.init):
            box.currentIndexChanged.connect(self._refresh_summary)
        for number in (self.lr, self.weight_decay, self.batch, self.epochs, self.seed, self.test_fraction,
                       self.train_rows):
            number.valueChanged.connect(self._refresh_summary)
        for check in (self.normalise, self.bias):
            check.toggled.connect(self._refresh_summary)
        self.hidden.textChanged.connect(self._refresh_summary)
        self.steps.valueChanged.connect(self._refresh_summary)
        self.model.currentIndexChanged.connect(self._on_model_chosen)
        self.target.editTextChanged.connect(self._refresh_summary)
        self.train_rows.valueChanged.connect(self._on_train_rows_changed)
        # Connected before the dock's slot: the target box is ready when the dock shows the
        # new dataset's settings.
        self.dataset.currentIndexChanged.connect(self._on_dataset_chosen)
        self._on_dataset_chosen()
        self._show_fields(True)

    _labelled = staticmethod(labelled)

    def _make_fields(self) -> None:
        self.kind = self._combo("net_kind", ["layer", "perceptron"])
        self.hidden = QLineEdit()
        self.hidden.setObjectName("hidden")
        self.hidden.setToolTip("Hidden layer widths, e.g. 8 8 (empty: no hidden layer)")
        self.activation = self._combo("activation", [a for a in ACTIVATIONS if a != "softmax"])
        self.output_activation = self._combo("output_activation", ["sigmoid", "softmax", "identity", "tanh"])
        self.loss = self._combo("loss", LOSSES)
        self.optimiser = self._combo("optimiser", list(OPTIMISERS))
        self.lr = self._number("lr", float, 0.0001, 10.0, 0.005, "The learning rate: how far each step goes",
                               sample="0.0001")
        self.weight_decay = self._number("weight_decay", float, 0.0, 1.0, 0.0001,
                                         "L2 penalty on the weights, as torch.optim's weight_decay (0: none)",
                                         sample="0.0001")
        self.batch = self._number("batch_size", int, 0, MAX_WHOLE, 1, "Rows per step", special="full batch",
                                  sample="100000")
        self.epochs = self._number("epochs", int, 1, MAX_WHOLE, 1, "Passes over the training rows",
                                   sample="1000000")
        self.seed = self._number("seed", int, 0, MAX_WHOLE, 1, "Seeds the split, the initial weights and the "
                                 "batches", sample="1000000")
        self.test_fraction = self._number("test_fraction", float, 0.0, 0.95, 0.05,
                                          "The shuffled fraction of rows tested on (0: none)", sample="0.35")
        self.train_rows = self._number("train_rows", int, 0, MAX_WHOLE, 10,
                                       "Train on the first rows in file order and test on the rest "
                                       "(usual split: by the test fraction)", special="usual split",
                                       sample="100000")
        self.init = self._combo("init", [])
        self.init.addItem("default", "")
        for name in INITIALISERS:
            self.init.addItem(name, name)
        self.init.setToolTip("How the initial weights are drawn (default: the network's own)")
        self.target = QComboBox()
        self.target.setObjectName("target")
        self.target.setEditable(True)
        self.target.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # Enter keeps the list the file's
        self.target.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.target.setMinimumContentsLength(6)
        self.target.lineEdit().setPlaceholderText("last column")
        self.target.setToolTip("The CSV file's column to predict (empty: the last column)")
        self.normalise = QCheckBox("Normalise inputs")
        self.normalise.setObjectName("normalise")
        self.normalise.setToolTip("Standardise the inputs with statistics from the training rows")
        self.bias = QCheckBox("Bias")
        self.bias.setObjectName("bias")
        self.bias.setToolTip("Each layer adds a learnt bias, as torch.nn.Linear's bias")
        self.steps = self._number("length", int, 0, MAX_DRAWN_STEPS, 1, "Steps of each sequence (the dataset's "
                                  "own: its usual length)", special="dataset's own", sample="500")

    def _grid(self) -> QGridLayout:
        # The long labels share the first column (as wide as "Learning rate" was already), the
        # short ones the third: the form keeps the width of the dock's column at 1280 x 720.
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self._labels: dict[str, QLabel] = {}
        pairs = [("kind", self.kind), ("hidden", self.hidden), ("activation", self.activation),
                 ("output_activation", self.output_activation), ("loss", self.loss), ("optimiser", self.optimiser),
                 ("lr", self.lr), ("batch_size", self.batch), ("weight_decay", self.weight_decay),
                 ("epochs", self.epochs), ("test_fraction", self.test_fraction), ("seed", self.seed),
                 ("train_rows", self.train_rows), ("init", self.init)]
        for i, (field, widget) in enumerate(pairs):
            self._labels[field] = QLabel(LABELS[field])
            grid.addWidget(self._labels[field], i // 2, (i % 2) * 2)
            grid.addWidget(widget, i // 2, (i % 2) * 2 + 1)
        # Steps share the loss's place: one shows for a spec model, the other for the dense network.
        self._labels["length"] = QLabel(LABELS["length"])
        grid.addWidget(self._labels["length"], 2, 0)
        grid.addWidget(self.steps, 2, 1)
        row = len(pairs) // 2
        # A row of its own across the grid: "Target column" in the first column widened it by 5 px.
        target = QHBoxLayout()
        self._labels["target"] = QLabel(LABELS["target"])
        target.addWidget(self._labels["target"])
        target.addWidget(self.target, 1)
        grid.addLayout(target, row, 0, 1, 4)
        grid.addWidget(self.normalise, row + 1, 0, 1, 2)
        grid.addWidget(self.bias, row + 1, 2, 1, 2)
        return grid

    def _on_settings_toggle_toggled(self, shown: bool) -> None:
        self.settings_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.settings_panel.setVisible(shown)
        self._refresh_summary()
        self.settings_summary.setVisible(not shown)

    def _on_train_rows_changed(self, rows: int) -> None:
        self.test_fraction.setEnabled(not rows)  # the first rows split instead

    def _on_dataset_chosen(self, *_) -> None:
        """The target column applies to a CSV file only; its known columns are listed."""
        dataset = self.dataset.currentData()
        self.target.setEnabled(is_csv(dataset) and self.model_key == DENSE)
        self.steps.setEnabled(takes_steps(dataset))
        self._list_columns(self._columns.get(dataset, ()))

    def _list_columns(self, columns: Iterable[str]) -> None:
        text = self.target.currentText()
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItems(list(columns))
        self.target.setCurrentIndex(-1)  # listing the columns chooses none of them
        self.target.blockSignals(False)
        self.target.setEditText(text)

    def set_columns(self, dataset: str, columns: Iterable[str]) -> None:
        """The columns of the CSV file ``dataset`` (its key in the Dataset box), listed in the
        Target column box when it is chosen; otherwise the box takes the column's name typed."""
        self._columns[dataset] = tuple(str(c) for c in columns)
        if self.dataset.currentData() == dataset:
            self._list_columns(self._columns[dataset])

    def _refresh_summary(self, *_) -> None:
        """The folded settings as one line: what a class sees the network was trained with."""
        if self.model_key != DENSE:
            self.settings_summary.setText(self._model_summary())
            return
        hidden = " ".join(self.hidden.text().replace(",", " ").split()) or "none"
        batch = self.batch.value() or "full"
        extras = []
        if self.weight_decay.value():
            extras.append(f"weight decay {self.weight_decay.value():g}")
        if self.train_rows.value():
            extras.append(f"first {self.train_rows.value()} rows trained")
        elif self.test_fraction.value() != TrainingSettings.test_fraction:
            extras.append(f"test fraction {self.test_fraction.value():g}")
        if self.target.isEnabled() and self.target.currentText():
            extras.append(f"target {self.target.currentText()}")
        if self.init.currentData():
            extras.append(f"{self.init.currentText()} init")
        extras += ["normalised"] * self.normalise.isChecked() + ["no bias"] * (not self.bias.isChecked())
        self.settings_summary.setText(
            f"{self.kind.currentText()}, hidden {hidden}, {self.activation.currentText()} → "
            f"{self.output_activation.currentText()}, {self.loss.currentText()}, "
            f"{self.optimiser.currentText()} lr {self.lr.value():g}, batch {batch}, "
            f"{self.epochs.value()} epochs, seed {self.seed.value()}" + "".join(f", {e}" for e in extras))

    def settings(self) -> TrainingSettings | ModelSettings:
        """The settings as the widgets show them: a whole record, built here so that it checks
        itself. SettingsError (a ValueError) naming the field by its label when it refuses one;
        for a preset that does not take the dataset, ValueError or DatasetError."""
        if self.model_key != DENSE:
            return self._model_settings()
        try:
            hidden = tuple(int(t) for t in self.hidden.text().replace(",", " ").split())
        except ValueError:
            raise SettingsError("hidden", f"Hidden widths must be whole numbers, got {self.hidden.text()!r}") from None
        dataset, rows = self.dataset.currentData(), self.train_rows.value()
        try:
            spec = NetworkSpec(self.kind.currentData(), hidden, self.activation.currentData(),
                               self.output_activation.currentData(), self.loss.currentData(),
                               bias=self.bias.isChecked(), normalise=self.normalise.isChecked(),
                               init=self.init.currentData() or None)
            return TrainingSettings(dataset, spec, self.optimiser.currentData(), self.lr.value(),
                                    self.batch.value() or None, self.epochs.value(), self.seed.value(),
                                    test_fraction=None if rows else self.test_fraction.value(),
                                    weight_decay=self.weight_decay.value(), train_rows=rows or None,
                                    target=(self.target.currentText() or None) if is_csv(dataset) else None)
        except SettingsError as error:
            raise labelled(error) from None

    def show_settings(self, settings: TrainingSettings | ModelSettings) -> None:
        """Every field of ``settings`` in the widgets (a dataset or a choice the boxes do not
        list yet, as a session file may hold, is added to them); a spec model's choose the
        preset that made its spec, or keep the spec as it came."""
        if isinstance(settings, ModelSettings):
            self._show_model_settings(settings)
            return
        self.choose_model(DENSE)
        dataset = str(settings.dataset)
        if self.dataset.findData(dataset) < 0:
            self.dataset.addItem(PurePath(dataset).stem or dataset, dataset)
        self.dataset.setCurrentIndex(self.dataset.findData(dataset))  # first: the dock shows its defaults
        spec = settings.spec
        for box, value in ((self.kind, spec.kind), (self.activation, spec.activation),
                           (self.output_activation, spec.output_activation), (self.loss, spec.loss),
                           (self.optimiser, settings.optimiser), (self.init, spec.init or "")):
            if box.findData(value) < 0:
                box.addItem(str(value), value)
            box.setCurrentIndex(box.findData(value))
        self.hidden.setText(" ".join(str(h) for h in spec.hidden))
        self.normalise.setChecked(spec.normalise)
        self.bias.setChecked(spec.bias)
        self.lr.setValue(settings.lr)
        self.weight_decay.setValue(settings.weight_decay)
        self.batch.setValue(settings.batch_size or 0)
        self.epochs.setValue(settings.epochs)
        self.seed.setValue(settings.seed)
        if settings.test_fraction is not None:
            self.test_fraction.setValue(settings.test_fraction)
        self.train_rows.setValue(settings.train_rows or 0)
        self.target.setEditText(settings.target or "")
        self._refresh_summary()
