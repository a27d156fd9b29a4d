"""What the desktop hands the window: files opened from Finder, the light or dark scheme,
sharp heatmaps on 2x screens, Help > About."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QMessageBox

from graphviz_nn.gui.app import FileOpener, application
from graphviz_nn.gui.canvas.heatmap import heatmap_pixmap
from graphviz_nn.gui.help import about_text

from .conftest import ready


def test_a_session_double_clicked_in_finder_opens_in_the_window(open_window, qtbot, tmp_path) -> None:
    window = open_window("scalar")
    path = window.sessions.save_session(tmp_path / "lecture.gnn")
    window.load_example("perceptron")
    qtbot.waitUntil(lambda: ready(window) and window.sessions.title != "lecture", timeout=30000)
    app = application()
    assert app.findChild(FileOpener) is not None
    with qtbot.waitSignal(window.session_opened, timeout=30000):
        QCoreApplication.sendEvent(app, QFileOpenEvent(str(path)))
    qtbot.waitUntil(lambda: ready(window) and window.sessions.session_path == path, timeout=30000)


def test_a_file_that_arrives_before_any_window_waits_for_the_first(qtbot, tmp_path) -> None:
    app = application()
    opener = app.findChild(FileOpener)
    shown = [w for w in app.topLevelWidgets() if w.isVisible()]
    for widget in shown:
        widget.hide()
    try:
        QCoreApplication.sendEvent(app, QFileOpenEvent(str(tmp_path / "later.gnn")))
        assert opener.pending[-1] == str(tmp_path / "later.gnn")
    finally:
        opener.pending.clear()
        for widget in shown:
            widget.show()


def test_the_window_follows_the_system_going_dark_while_it_runs(open_window, qtbot, monkeypatch) -> None:
    """The offscreen platform has no scheme to change: the system's answer is stood in for and
    its change signal sent, as a desktop sends it."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from graphviz_nn.gui.canvas import theme

    window = open_window("scalar")
    assert not window.view.theme.dark
    monkeypatch.setattr(theme, "system_theme", lambda: theme.DARK)
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: window.view.theme.dark, timeout=5000)
    assert window.training.curves.loss_plot.backgroundBrush().color().lightness() < 60
    monkeypatch.setattr(theme, "system_theme", lambda: theme.LIGHT)
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: not window.view.theme.dark, timeout=5000)
    assert window.training.curves.loss_plot.backgroundBrush().color().lightness() > 200


def test_heatmaps_are_drawn_for_the_screens_pixel_ratio(qapp) -> None:
    array = np.arange(12.0).reshape(3, 4)
    one, two = heatmap_pixmap(array, cell=10, ratio=1.0), heatmap_pixmap(array, cell=10, ratio=2.0)
    assert two.devicePixelRatio() == 2.0
    assert (two.width(), two.height()) == (2 * one.width(), 2 * one.height())  # device pixels
    assert two.deviceIndependentSize().toSize() == one.size()  # the same size on screen


def test_about_says_version_and_licence(open_window, qtbot, monkeypatch) -> None:
    from graphviz_nn import __version__

    text = about_text()
    assert __version__ in text and "MIT" in text and "Qt " in text
    window = open_window("scalar")
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, body: shown.append((title, body)))
    about = next(a for a in window.menuBar().findChildren(type(window.actions["play"])) if a.objectName() == "action_about")
    about.trigger()
    assert shown and shown[0][1] == text
