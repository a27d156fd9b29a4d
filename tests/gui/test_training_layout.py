"""Training on a small screen or a projector: the window fits, the graph keeps its width, the
plots re-arrange, and the status bar says what is going on. The settings folding to a line is
tested on the dock alone (test_training_controller.py)."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from .conftest import ready


def _top_left(widget, ancestor) -> QPoint:
    return widget.mapTo(ancestor, QPoint(0, 0))


def test_training_fits_a_1280_by_720_screen_and_leaves_the_graph_most_of_it(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    qtbot.waitUntil(dock.isVisible)
    for settings_shown in (True, False):
        dock.settings_toggle.setChecked(settings_shown)
        qtbot.wait(50)
        hint = window.minimumSizeHint()
        assert hint.height() <= 720 and hint.width() <= 1024, (settings_shown, hint)
    assert window.height() <= 720
    assert not dock.visibleRegion().isEmpty()  # the raised tab, not one behind the inspector
    assert window.view.width() >= window.width() // 2


def test_the_plots_sit_side_by_side_when_short_and_stack_when_tall(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    dock.settings_toggle.setChecked(False)

    def arrangement() -> str:
        preview, curves = _top_left(dock.preview, dock.plots), _top_left(dock.curves, dock.plots)
        if curves.x() > preview.x() + 50 and curves.y() == preview.y():
            return "side by side"
        if curves.y() > preview.y() + 50 and curves.x() == preview.x():
            return "stacked"
        return "neither"

    qtbot.waitUntil(lambda: arrangement() == "side by side", timeout=5000)
    assert dock.curves.height() >= 200  # each curve gets a readable height
    window.resize(1000, 1600)
    qtbot.waitUntil(lambda: arrangement() == "stacked", timeout=5000)
    assert dock.preview.width() == dock.curves.width()


def test_the_status_bar_says_training_while_the_new_network_is_drawn(open_window, qtbot) -> None:
    from graphviz_nn.gui.controllers.loading import TRAINING_MESSAGE

    window = open_window("scalar")
    dock = window.training
    dock.dataset.setCurrentIndex(dock.dataset.findData("xor"))
    dock.epochs.setValue(1_000_000)
    window.show_training_dock()
    dock.train()  # a new network: the window draws it, then training starts
    qtbot.waitUntil(lambda: window.training_control.running and ready(window), timeout=20000)
    qtbot.wait(200)
    assert window.status.text() == TRAINING_MESSAGE
    with qtbot.waitSignal(window.training_control.stopped, timeout=5000):
        dock.stop_button.click()
    qtbot.waitUntil(lambda: not window.model.training_running, timeout=5000)
    assert "Training stopped" in window.status.text()


def test_choosing_the_digits_keeps_the_dock_its_width_and_nothing_runs_off_its_side(open_window, qtbot) -> None:
    window = open_window("scalar", size=(1280, 720))
    dock = window.training
    window.show_training_dock()
    dock.settings_toggle.setChecked(False)
    qtbot.waitUntil(dock.isVisible)
    from PySide6.QtCore import Qt

    window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)  # as narrow as the user may drag it
    qtbot.wait(100)  # the dock settles at its width
    scroll, body = dock.widget(), dock.widget().widget()
    width, graph, least = dock.width(), window.view.width(), body.minimumSizeHint().width()
    dock.dataset.setCurrentIndex(dock.dataset.findData("digits"))
    qtbot.wait(100)
    assert dock.preview.currentWidget() is dock.preview.images
    assert body.minimumSizeHint().width() == least  # the images ask for no width of their own
    assert dock.width() == width and window.view.width() == graph
    assert body.width() <= scroll.viewport().width()
    # The images are drawn as large as their share of the dock allows, proportions kept.
    drawn = dock.preview.images.drawn_rect()
    assert drawn.width() >= 0.9 * dock.preview.width() or drawn.height() >= 0.9 * dock.preview.height()
