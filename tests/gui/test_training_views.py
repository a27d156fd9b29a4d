"""The training dock's views of a run in the window: at 1280 x 720 they are readable and fit, they
never widen the window, and they forget a run the window has left. What they show of a run is
tested on the training controller alone (test_training_controller.py)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QAction, QImage, QPainter
from PySide6.QtWidgets import QMessageBox

from graphviz_nn.gui.docks.training_plots import READOUT_HINT
from tests.gui.controller_kit import click_loss_curve, train

from .conftest import ready


def _train(window, qtbot, dataset: str, epochs: int, kind: str | None = None, hidden: str | None = None) -> None:
    window.show_training_dock()
    train(qtbot, window.training_control, lambda: ready(window), dataset, epochs, kind, hidden)


def _drawn_ticks(axis) -> int:
    """How many tick labels the axis draws as it is now."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return len(texts)


def _whole(label) -> bool:
    """The label shows all its lines: as tall as its text needs at its width."""
    return label.height() >= label.heightForWidth(label.width()) and label.width() > 0


def _back_at_epoch_12_folded(open_window, qtbot):
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    if not dock.settings_folded:
        dock.settings_toggle.click()
    _train(window, qtbot, "circles", 40)
    click_loss_curve(qtbot, dock, 12)
    qtbot.waitUntil(lambda: "Back at epoch" in dock.status.text())
    qtbot.wait(100)
    return window, dock


def test_at_720_lines_the_readouts_are_whole_and_the_plots_have_their_room(open_window, qtbot) -> None:
    window, dock = _back_at_epoch_12_folded(open_window, qtbot)
    scroll = dock.widget()
    viewport = scroll.viewport()
    # Folded, everything down to the weight maps is in view without scrolling.
    maps = dock.weights.geometry().translated(dock.weights.parentWidget().mapTo(viewport, QPoint(0, 0)))
    assert scroll.verticalScrollBar().value() == 0 and viewport.rect().contains(maps), (viewport.rect(), maps)
    assert "accuracy train" in dock.status.text() and "accuracy train" in dock.curves.readout.text()
    assert _whole(dock.status) and _whole(dock.curves.readout)
    # Unfolded too, the plots keep their room (the dock scrolls instead).
    for folded in (False, True):
        dock.set_settings_folded(folded)
        qtbot.wait(100)
        for title, plot in (("loss", dock.curves.loss_plot), ("accuracy", dock.curves.accuracy_plot)):
            assert plot.height() >= 120, (folded, title, plot.size())
            assert _drawn_ticks(plot.getAxis("left")) >= 2, (folded, title)
            box = plot.getPlotItem().vb.sceneBoundingRect()
            key = dock.curves.keys[title]
            assert not key.sceneBoundingRect().intersects(box), title  # the key is not over the curves
            assert box.left() - 1 <= key.item.sceneBoundingRect().left(), title
        assert _whole(dock.status) and _whole(dock.curves.readout)


def test_no_dock_widens_the_window_past_a_1280_pixel_screen(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    font = window.font()
    font.setPointSizeF(12)  # a projector's readable size
    window.setFont(font)
    margin = window.frameGeometry().width() - window.width()
    window.resize(1280 - margin, 720 - margin)
    qtbot.waitUntil(lambda: window.frameGeometry().width() <= 1280)
    widths: list[int] = []
    probe = QTimer()
    probe.timeout.connect(lambda: widths.append(window.frameGeometry().width()))
    probe.start(20)
    _train(window, qtbot, "breast_cancer", 5, kind="perceptron", hidden="20 20")
    assert window.training_control.run.network.sizes == (30, 20, 20, 1)
    click_loss_curve(qtbot, window.training, 2)
    qtbot.wait(300)
    probe.stop()
    widths.append(window.frameGeometry().width())
    assert max(widths) <= 1280, max(widths)
    assert window.minimumSizeHint().width() <= 1280
    assert [c.split("  ")[:2] for c in window.training.weights.captions] == [["W1", "30×20"], ["W2", "20×20"],
                                                                            ["W3", "20×1"]]


def test_another_document_empties_the_training_views(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    _train(window, qtbot, "xor", 20)
    click_loss_curve(qtbot, dock, 12)
    qtbot.waitUntil(lambda: "Back at epoch" in dock.status.text())
    trained = window.model.graph
    window.findChild(QAction, "example_vector").trigger()  # File > Examples > vector
    box = next(b for b in window.findChildren(QMessageBox, "unsaved") if b.isVisible())
    box.button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: ready(window) and window.model.graph is not trained, timeout=30000)
    assert dock.curves.records == [] and dock.boundary.last_rgb is None and dock.weights.captions == []
    assert "Back at epoch" not in dock.status.text() and dock.curves.readout.text() == READOUT_HINT
    assert not dock.undo_button.isVisible() and dock.curves.position is None
    # Train draws a new network again (it does not train one that is no longer on screen).
    _train(window, qtbot, "xor", 3)
    assert window.model.graph is window.training_control.run.network.graph
