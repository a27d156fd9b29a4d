"""The training dock's views of a run, driven through the window: each shows the epoch the run is
at, they fit a 1280 x 720 projector, they never widen the window, and they forget a run the
window has left."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QAction, QImage, QPainter, QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from graphviz_nn.gui.docks.training_plots import READOUT_HINT, BoundaryView
from graphviz_nn.gui.docks.weight_maps import WeightMaps
from graphviz_nn.session.run_picture import weight_matrices
from graphviz_nn.session.training import TrainingRun, boundary

from .conftest import ready


def _train(window, qtbot, dataset: str, epochs: int, kind: str | None = None, hidden: str | None = None) -> None:
    dock = window.training
    window.show_training_dock()
    dock.dataset.setCurrentIndex(dock.dataset.findData(dataset))
    if kind is not None:
        dock.kind.setCurrentIndex(dock.kind.findData(kind))
    if hidden is not None:
        dock.hidden.setText(hidden)
    dock.epochs.setValue(epochs)
    with qtbot.waitSignal(window.training_control.stopped, timeout=60000):
        qtbot.mouseClick(dock.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ready(window) and window.model.graph is window.training_control.run.network.graph, timeout=60000)


def _click_loss_curve(qtbot, dock, epoch: float) -> None:
    """A real click on the loss plot, over ``epoch``."""
    plot = dock.curves.loss_plot
    box = plot.getPlotItem().vb
    y = sum(box.viewRange()[1]) / 2
    at = plot.mapFromScene(box.mapViewToScene(QPointF(epoch, y)))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=at)


def _expected_views(qtbot, settings, parameters) -> tuple[np.ndarray, list[str], list]:
    """The boundary image, the captions and the matrices the dock's own widgets draw for a
    fresh network of ``settings`` holding ``parameters``."""
    run = TrainingRun.create(settings)
    run.network.load_parameter_values(parameters)
    view, maps = BoundaryView(), WeightMaps()
    qtbot.addWidget(view)
    qtbot.addWidget(maps)
    view.show_boundary(boundary(run.network, *run.grid))
    maps.show_weights(weight_matrices(run.network))
    return view.last_rgb, maps.captions, maps.matrices


@pytest.mark.parametrize("kind", ["layer", "perceptron"])
def test_going_back_to_an_epoch_shows_that_epochs_boundary_and_weights(open_window, qtbot, kind) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    _train(window, qtbot, "circles", 40, kind=kind)
    run = window.training_control.run
    latest_rgb = dock.boundary.last_rgb.copy()
    _click_loss_curve(qtbot, dock, 12)
    qtbot.waitUntil(lambda: run.at_epoch is not None)
    epoch = run.at_epoch
    assert abs(epoch - 12) <= 1 and f"Back at epoch {epoch}" in dock.status.text()
    snapshot = run.snapshots.nearest(epoch)
    for p, saved in zip(run.network.parameters, snapshot.parameters):
        np.testing.assert_array_equal(p.value, saved)
    rgb, captions, matrices = _expected_views(qtbot, run.settings, snapshot.parameters)
    assert not np.array_equal(rgb, latest_rgb)  # epoch 12 looks unlike epoch 40
    np.testing.assert_array_equal(dock.boundary.last_rgb, rgb)
    assert dock.weights.captions == captions and len(captions) == 2
    for (name, shown), (expected_name, expected) in zip(dock.weights.matrices, matrices):
        assert name == expected_name
        np.testing.assert_array_equal(shown, expected)
    # And back to the latest weights: the views follow again.
    _click_loss_curve(qtbot, dock, 40)
    qtbot.waitUntil(lambda: run.at_epoch is None)
    np.testing.assert_array_equal(dock.boundary.last_rgb, latest_rgb)


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


def _wheel(widget, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, widget.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_settings_fold_when_a_run_starts_and_the_choice_is_remembered(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    assert not dock.settings_folded and dock.settings_panel.isVisible()  # the first time, they show
    _train(window, qtbot, "xor", 3)
    assert dock.settings_folded and dock.settings_panel.isHidden()  # folded once the run started
    window.close()
    again = open_window("scalar", size=(1280, 720))
    assert again.training.settings_folded  # and so the next window opens
    again.training.settings_toggle.click()
    again.close()
    assert not open_window("scalar", size=(1280, 720)).training.settings_folded


def _back_at_epoch_12_folded(open_window, qtbot):
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    if not dock.settings_folded:
        dock.settings_toggle.click()
    _train(window, qtbot, "circles", 40)
    _click_loss_curve(qtbot, dock, 12)
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


def test_the_wheel_over_a_plot_scrolls_the_dock_unless_ctrl_zooms_it(open_window, qtbot) -> None:
    window, dock = _back_at_epoch_12_folded(open_window, qtbot)
    scroll = dock.widget()
    dock.settings_toggle.click()  # unfolded, the dock has something to scroll
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    bar = scroll.verticalScrollBar()
    for target in (dock.boundary, dock.curves.loss_plot):
        bar.setValue(0)
        shown = [list(r) for r in target.getPlotItem().vb.viewRange()]
        _wheel(target.viewport())
        assert bar.value() > 0 and [list(r) for r in target.getPlotItem().vb.viewRange()] == shown
        value = bar.value()
        _wheel(target.viewport(), Qt.KeyboardModifier.ControlModifier)
        assert bar.value() == value and [list(r) for r in target.getPlotItem().vb.viewRange()] != shown


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
    _click_loss_curve(qtbot, window.training, 2)
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
    _click_loss_curve(qtbot, dock, 12)
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


def test_picking_a_dataset_keeps_the_network_kind(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    dock.kind.setCurrentIndex(dock.kind.findData("perceptron"))
    for dataset in ("moons", "iris"):
        dock.dataset.setCurrentIndex(dock.dataset.findData(dataset))
        assert dock.kind.currentData() == "perceptron", dataset
    _train(window, qtbot, "iris", 2)
    assert type(window.training_control.run.network).__name__ == "PerceptronNet"
    assert "Cannot build" not in dock.status.text()


def test_the_folded_summary_says_what_train_would_train(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    dock.set_settings_folded(True)
    dock.dataset.setCurrentIndex(dock.dataset.findData("breast_cancer"))
    dock.kind.setCurrentIndex(dock.kind.findData("perceptron"))
    dock.hidden.setText("20 20")
    dock.epochs.setValue(7)
    summary = dock.settings_summary.text()
    assert summary.startswith("perceptron, hidden 20 20,") and "7 epochs" in summary, summary
