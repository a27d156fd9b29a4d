"""The training dock's settings: the dataset, the network's shape and how it is trained,
folding to one line on a small screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QToolButton, QWidget)

from ...nn import ACTIVATIONS, LOSSES, OPTIMISERS
from ...nn.builder import NetworkSpec
from ...nn.datasets import BUILTIN
from ...session.training import TrainingSettings, defaults_for

#: The form's widgets that the dock (and its tests) reach by name.
FORM_WIDGETS = ("dataset", "open_csv", "kind", "hidden", "activation", "output_activation", "loss", "optimiser",
                "lr", "batch", "epochs", "seed", "settings_toggle", "settings_summary", "settings_panel")


class TrainingSettingsForm(QWidget):
    """Dataset (with Open CSV…), network, activation, output, loss, optimiser, learning rate,
    batch, epochs and seed; a Settings arrow folds all but the dataset to a summary line."""

    def _combo(self, name: str, items) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        # As wide as the column allows, not as wide as the longest item demands.
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(6)
        for item in items:
            box.addItem(str(item), item)
        return box

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.dataset = self._combo("dataset", list(BUILTIN))
        row.addWidget(self.dataset, 1)
        self.open_csv = QPushButton("Open CSV…")
        self.open_csv.setObjectName("open_csv")
        row.addWidget(self.open_csv)
        form.addRow("Dataset", row)
        self.kind = self._combo("net_kind", ["layer", "perceptron"])
        self.hidden = QLineEdit()
        self.hidden.setObjectName("hidden")
        self.hidden.setToolTip("Hidden layer widths, e.g. 8 8 (empty: no hidden layer)")
        self.activation = self._combo("activation", [a for a in ACTIVATIONS if a != "softmax"])
        self.output_activation = self._combo("output_activation", ["sigmoid", "softmax", "identity", "tanh"])
        self.loss = self._combo("loss", LOSSES)
        self.optimiser = self._combo("optimiser", list(OPTIMISERS))
        self.lr = QDoubleSpinBox()
        self.lr.setObjectName("lr")
        self.lr.setDecimals(4)
        self.lr.setRange(0.0001, 10.0)
        self.lr.setSingleStep(0.005)
        self.batch = QSpinBox()
        self.batch.setObjectName("batch_size")
        self.batch.setRange(0, 100000)
        self.batch.setSpecialValueText("full batch")
        self.epochs = QSpinBox()
        self.epochs.setObjectName("epochs")
        self.epochs.setRange(1, 1_000_000)
        self.seed = QSpinBox()
        self.seed.setObjectName("seed")
        self.seed.setRange(0, 1_000_000)
        grid = QGridLayout()
        pairs = [("Network", self.kind), ("Hidden", self.hidden), ("Activation", self.activation),
                 ("Output", self.output_activation), ("Loss", self.loss), ("Optimiser", self.optimiser),
                 ("Learning rate", self.lr), ("Batch", self.batch), ("Epochs", self.epochs), ("Seed", self.seed)]
        for i, (label, widget) in enumerate(pairs):
            grid.addWidget(QLabel(label), i // 2, (i % 2) * 2)
            grid.addWidget(widget, i // 2, (i % 2) * 2 + 1)
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
        grid.setContentsMargins(0, 0, 0, 0)
        self.settings_panel.setLayout(grid)
        form.addRow(self.settings_panel)
        # The folded summary follows every change, so it always says what Train would train.
        for box in (self.kind, self.activation, self.output_activation, self.loss, self.optimiser):
            box.currentIndexChanged.connect(self._refresh_summary)
        for spin in (self.lr, self.batch, self.epochs, self.seed):
            spin.valueChanged.connect(self._refresh_summary)
        self.hidden.textChanged.connect(self._refresh_summary)

    def _on_settings_toggle_toggled(self, shown: bool) -> None:
        self.settings_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.settings_panel.setVisible(shown)
        self._refresh_summary()
        self.settings_summary.setVisible(not shown)

    def _refresh_summary(self, *_) -> None:
        """The folded settings as one line: what a class sees the network was trained with."""
        hidden = " ".join(self.hidden.text().replace(",", " ").split()) or "none"
        batch = self.batch.value() or "full"
        self.settings_summary.setText(
            f"{self.kind.currentText()}, hidden {hidden}, {self.activation.currentText()} → "
            f"{self.output_activation.currentText()}, {self.loss.currentText()}, "
            f"{self.optimiser.currentText()} lr {self.lr.value():g}, batch {batch}, "
            f"{self.epochs.value()} epochs, seed {self.seed.value()}")

    def settings(self) -> TrainingSettings:
        """The settings as the widgets show them; ValueError for bad hidden widths."""
        try:
            hidden = tuple(int(t) for t in self.hidden.text().replace(",", " ").split())
        except ValueError:
            raise ValueError(f"hidden widths must be whole numbers, got {self.hidden.text()!r}") from None
        if any(h < 1 for h in hidden):
            raise ValueError("hidden widths must be at least 1")
        base = defaults_for(self.dataset.currentData())
        spec = NetworkSpec(self.kind.currentData(), hidden, self.activation.currentData(),
                           self.output_activation.currentData(), self.loss.currentData(),
                           normalise=base.spec.normalise)
        return TrainingSettings(self.dataset.currentData(), spec, self.optimiser.currentData(), self.lr.value(),
                                self.batch.value() or None, self.epochs.value(), self.seed.value())

    def show_settings(self, settings: TrainingSettings) -> None:
        spec = settings.spec
        for box, value in ((self.kind, spec.kind), (self.activation, spec.activation),
                           (self.output_activation, spec.output_activation), (self.loss, spec.loss),
                           (self.optimiser, settings.optimiser)):
            box.setCurrentIndex(max(0, box.findData(value)))
        self.hidden.setText(" ".join(str(h) for h in spec.hidden))
        self.lr.setValue(settings.lr)
        self.batch.setValue(settings.batch_size or 0)
        self.epochs.setValue(settings.epochs)
        self.seed.setValue(settings.seed)
        self._refresh_summary()

