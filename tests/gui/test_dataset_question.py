"""The status bar's Cancel, through the window, stops the read of a dataset file a session
names (the question, the read beside the session and its deadline: test_sessions_controller.py)."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QMessageBox, QPushButton

from graphviz_nn.nn.datasets import DatasetError
from graphviz_nn.session import named_dataset

from ..session.test_named_dataset import session_naming
from .conftest import ready


def _question(window) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox, "dataset_question") if b.isVisible()]
    return boxes[-1] if boxes else None


def _asked(window, qtbot, path) -> QMessageBox:
    window.sessions.open_session(path)
    qtbot.waitUntil(lambda: _question(window) is not None, timeout=30000)
    return _question(window)


def _answer(box: QMessageBox, name: str) -> None:
    box.findChild(QPushButton, name).click()


def _jobs() -> int:
    return sum(t.name == "graphviz-nn job" for t in threading.enumerate())


def test_the_cancel_button_stops_a_read_that_never_ends(open_window, qtbot, tmp_path, monkeypatch) -> None:
    path, _ = session_naming(tmp_path / "lecture")
    release = threading.Event()
    entered = threading.Event()

    def never_ending(path, **kwargs):
        entered.set()
        release.wait(60)
        raise DatasetError(f"{path}: released")

    monkeypatch.setattr(named_dataset, "read_csv", never_ending)
    window = open_window("scalar")
    graph = window.model.graph
    box = _asked(window, qtbot, path)
    qtbot.waitUntil(lambda: _jobs() == 0, timeout=5000)
    _answer(box, "read_dataset")
    qtbot.waitUntil(entered.is_set, timeout=5000)
    assert window.cancel_button.isVisible() and not window.idle
    try:
        window.cancel_button.click()
        qtbot.waitUntil(lambda: _jobs() == 0, timeout=2000)  # the open job has ended, not just been hidden
        qtbot.wait(200)
        assert ready(window) and window.model.graph is graph and window.sessions.session_path is None
    finally:
        release.set()
