"""The weights view: labelled heatmaps a class can read, an entry read out under the mouse."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint

from graphviz_nn.gui.docks.weight_maps import WeightMaps

from .conftest import ready


def test_each_map_is_named_with_its_shape_and_range_and_hover_reads_an_entry(qtbot) -> None:
    view = WeightMaps()
    qtbot.addWidget(view)
    view.resize(480, view.height())
    view.show()
    W1 = np.arange(12.0).reshape(4, 3) - 5.0
    W2 = np.array([[0.25], [-0.5], [0.125]])
    view.show_weights([("W1", W1), ("W2", W2)])
    assert view.captions == ["W1  4×3  ±6", "W2  3×1  ±0.5"]
    first, second = view.map_rect(0), view.map_rect(1)
    assert first.height() >= 3 * view.fontMetrics().height()  # not a 20-pixel sliver
    assert first.right() < second.left() and second.right() < view.width()
    cell = QPoint(first.left() + first.width() * 5 // 6, first.top() + first.height() * 3 // 8)  # row 1, column 2
    qtbot.mouseMove(view, cell)
    assert view.entry_at(cell.toPointF()) == ("W1", 1, 2, 0.0)
    assert view.readout == "W1[1, 2] = 0"
    qtbot.mouseMove(view, second.center())
    assert view.readout == "W2[1, 0] = -0.5"


def test_a_trained_network_shows_its_labelled_weights_in_the_training_dock(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    dock.dataset.setCurrentIndex(dock.dataset.findData("xor"))
    dock.hidden.setText("4")
    dock.epochs.setValue(3)
    with qtbot.waitSignal(window.training_control.stopped, timeout=30000):
        dock.train()
    qtbot.waitUntil(lambda: ready(window), timeout=20000)
    assert isinstance(dock.weights, WeightMaps)
    assert [c.split("  ")[:2] for c in dock.weights.captions] == [["W1", "2×4"], ["W2", "4×1"]]
