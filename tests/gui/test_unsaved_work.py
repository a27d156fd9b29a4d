"""Unsaved work is never discarded without asking, through the window: File > Examples and
Quit reach the sessions controller's question, and the window closes only once it is answered
(or when there is nothing to ask). The question itself: test_sessions_controller.py."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

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


def test_nothing_is_asked_when_nothing_changed(open_window, qtbot) -> None:
    window = open_window("scalar")
    window.actions["quit"].trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert _question(window) is None
