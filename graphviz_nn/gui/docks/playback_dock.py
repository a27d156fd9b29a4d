"""Playback controls: phase, play and step buttons, a timeline to scrub, speed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDockWidget, QHBoxLayout, QLabel, QSlider, QSpinBox,
                               QToolButton, QVBoxLayout, QWidget)

PHASE_TITLES = {
    "forward": "Forward pass (values)",
    "backward": "Backward pass (gradients)",
    "tangent": "Forward mode (tangents)",
}


class PlaybackDock(QDockWidget):
    """Controls bound to the window's actions, so buttons, menus and keys do the same.

    Signals
    -------
    phase_chosen(str), seek_requested(int), speed_changed(float), tangent_input_chosen(str)
    """

    phase_chosen = Signal(str)
    seek_requested = Signal(int)
    speed_changed = Signal(float)
    tangent_input_chosen = Signal(str)

    def __init__(self, actions: dict[str, QAction], parent=None):
        super().__init__("Playback", parent)
        self.setObjectName("playback")
        body = QWidget()
        rows = QVBoxLayout(body)
        top = QHBoxLayout()
        self.phase = QComboBox()
        self.phase.setObjectName("phase")
        for key, title in PHASE_TITLES.items():
            self.phase.addItem(title, key)
        self.phase.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.phase.currentIndexChanged.connect(lambda _: self.phase_chosen.emit(self.phase.currentData()))
        top.addWidget(self.phase)
        self.tangent_input = QComboBox()
        self.tangent_input.setObjectName("tangent_input")
        self.tangent_input.setToolTip("The input whose tangent is seeded with 1")
        self.tangent_input.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tangent_input.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.tangent_input.currentIndexChanged.connect(
            lambda _: self.tangent_input_chosen.emit(self.tangent_input.currentData() or ""))
        top.addWidget(self.tangent_input)
        top.addStretch(1)
        rows.addLayout(top)
        buttons = QHBoxLayout()
        for key in ("restart", "back", "play", "step", "end"):
            button = QToolButton()
            button.setDefaultAction(actions[key])
            button.setObjectName(f"button_{key}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(QLabel("Speed"))
        self.speed = QSpinBox()
        self.speed.setObjectName("speed")
        self.speed.setRange(1, 60)
        self.speed.setValue(3)
        self.speed.setSuffix(" steps/s")
        self.speed.valueChanged.connect(lambda v: self.speed_changed.emit(float(v)))
        buttons.addWidget(self.speed)
        buttons.addStretch(1)
        rows.addLayout(buttons)
        timeline = QHBoxLayout()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timeline")
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        timeline.addWidget(self.slider, 1)
        self.position = QLabel()
        self.position.setObjectName("position")
        self.position.setMinimumWidth(150)
        timeline.addWidget(self.position)
        rows.addLayout(timeline)
        self.setWidget(body)
        self._quiet = False

    def _on_slider_value_changed(self, value: int) -> None:
        if not self._quiet:
            self.seek_requested.emit(value - 1)

    def show_position(self, position: int, length: int, label: str) -> None:
        """Reflect the cursor without echoing a seek back."""
        self._quiet = True
        self.slider.setRange(0, length)
        self.slider.setValue(position + 1)
        self._quiet = False
        self.position.setText(f"step {position + 1} / {length}  {label}")

    def set_phase(self, phase: str) -> None:
        index = self.phase.findData(phase)
        if index != self.phase.currentIndex():
            self.phase.blockSignals(True)
            self.phase.setCurrentIndex(index)
            self.phase.blockSignals(False)

    def set_tangent_inputs(self, names: list[tuple[str, str]]) -> None:
        """(node id, label) of the leaves a tangent pass can start from."""
        self.tangent_input.blockSignals(True)
        self.tangent_input.clear()
        for node_id, label in names:
            self.tangent_input.addItem(f"seed ẋ = 1 at {label}", node_id)
        self.tangent_input.blockSignals(False)
