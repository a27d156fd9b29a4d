"""Unsaved work is never discarded without asking, and saving never holds the window."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

import graphviz_nn.gui.controllers.sessions as sessions_module
from graphviz_nn.io import load_session

from .conftest import ready


def _question(window) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox, "unsaved") if b.isVisible()]
    return boxes[-1] if boxes else None


def _answer(window, qtbot, button: QMessageBox.StandardButton) -> None:
    qtbot.waitUntil(lambda: _question(window) is not None, timeout=5000)
    box = _question(window)
    box.button(button).click()


def _example(window) -> QAction:
    return window.findChild(QAction, "example_perceptron")


def _edit(window, qtbot) -> None:
    """Type an expression: the user's own work."""
    window.expression.set_expression("x1 * x2 + 3")
    qtbot.waitUntil(lambda: ready(window) and window.sessions.title == "your expression", timeout=20000)


def test_an_edit_marks_the_title_and_saving_clears_it(open_window, qtbot, tmp_path) -> None:
    window = open_window("scalar")
    assert not window.isWindowModified() and not window.model.workspace.unsaved
    _edit(window, qtbot)
    assert window.model.workspace.unsaved and window.isWindowModified()
    assert window.windowTitle().startswith("your expression[*]")
    with qtbot.waitSignal(window.session_saved, timeout=10000):
        window.sessions.save_to(tmp_path / "mine.gnn")
    assert not window.model.workspace.unsaved and not window.isWindowModified()
    assert load_session(tmp_path / "mine.gnn").expression == "x1 * x2 + 3"


@pytest.mark.parametrize("how", ["example", "quit"])
def test_cancel_keeps_the_work_and_discard_lets_it_go(open_window, qtbot, how) -> None:
    window = open_window("scalar")
    _edit(window, qtbot)
    act = (lambda: _example(window).trigger()) if how == "example" \
        else window.actions["quit"].trigger
    act()
    _answer(window, qtbot, QMessageBox.StandardButton.Cancel)
    qtbot.wait(200)
    assert window.isVisible() and window.sessions.title == "your expression" and window.model.workspace.unsaved
    act()
    _answer(window, qtbot, QMessageBox.StandardButton.Discard)
    if how == "quit":
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    else:
        qtbot.waitUntil(lambda: ready(window) and window.sessions.title != "your expression", timeout=20000)
        assert not window.model.workspace.unsaved


def test_save_then_go_on(open_window, qtbot, tmp_path) -> None:
    window = open_window("scalar")
    path = window.sessions.save_session(tmp_path / "kept.gnn")
    _edit(window, qtbot)
    window.model.workspace.path = path  # the expression belongs to the opened file
    _example(window).trigger()
    _answer(window, qtbot, QMessageBox.StandardButton.Save)
    qtbot.waitUntil(lambda: ready(window) and window.sessions.title != "your expression", timeout=20000)
    assert load_session(path).expression == "x1 * x2 + 3"


def test_nothing_is_asked_when_nothing_changed(open_window, qtbot) -> None:
    window = open_window("scalar")
    window.actions["quit"].trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert _question(window) is None


def test_saving_runs_off_the_window_thread(open_window, qtbot, tmp_path, monkeypatch) -> None:
    window = open_window("scalar")
    threads = []
    real = sessions_module.save_session

    def spy(path, state):
        threads.append(threading.current_thread())
        return real(path, state)

    monkeypatch.setattr(sessions_module, "save_session", spy)
    window.model.workspace.path = tmp_path / "seed.gnn"
    with qtbot.waitSignal(window.session_saved, timeout=10000):
        window.actions["save"].trigger()
        assert window.model.saving and window.progress.isVisible()
    assert threads and threads[0] is not threading.main_thread()
    assert not window.model.saving and load_session(tmp_path / "seed.gnn").title == window.sessions.title
