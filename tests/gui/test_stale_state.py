"""Typing an expression in the window never drops a trained network unasked: the Expression
tab, the loading and training controllers and the sessions controller's question together
(typing on in an expression, and an example emptying the Expression tab:
test_sessions_controller.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from .conftest import ready


def _question(window) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox, "unsaved") if b.isVisible()]
    return boxes[-1] if boxes else None


def _type(window, qtbot, text: str) -> None:
    """Type into the Expression tab's editor as a person does, and press Enter."""
    window.expression.show()
    window.expression.raise_()
    edit = window.expression.findChild(QLineEdit, "expression_text")
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def _trained(open_window, qtbot):
    window = open_window("scalar")
    dock = window.training
    dock.dataset.setCurrentIndex(dock.dataset.findData("xor"))
    window.show_training_dock()
    with qtbot.waitSignal(window.training_control.stopped, timeout=30000):
        dock.train(2)
    qtbot.waitUntil(lambda: ready(window), timeout=30000)
    assert window.model.workspace.unsaved and window.model.graph is window.training_control.run.network.graph
    return window


def test_typing_an_expression_asks_before_replacing_a_trained_network(open_window, qtbot) -> None:
    window = _trained(open_window, qtbot)
    network = window.model.graph
    _type(window, qtbot, "x1 * x2 + 3")
    qtbot.waitUntil(lambda: _question(window) is not None, timeout=10000)
    _type(window, qtbot, "x1 * x2 + 4")  # typing on while asked: one question, the newest text
    qtbot.wait(600)
    assert len([b for b in window.findChildren(QMessageBox, "unsaved") if b.isVisible()]) == 1
    _question(window).button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(300)
    assert window.model.graph is network and window.model.workspace.unsaved and ready(window)

    qtbot.keyClick(window.expression.findChild(QLineEdit, "expression_text"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _question(window) is not None, timeout=10000)  # Enter asks again
    _question(window).button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: ready(window) and window.model.graph is not network, timeout=30000)
    assert window.model.expression_text == "x1 * x2 + 4" and window.sessions.title == "your expression"
    assert window.model.workspace.unsaved  # the expression is work of its own
