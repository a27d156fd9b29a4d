"""Closing the window while a session is being opened in the background stops the open job:
its dataset read (up to 30 s on a drive that does not answer) must not run on after the
window is gone."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QMessageBox, QPushButton

from graphviz_nn.nn.datasets import DatasetError
from graphviz_nn.session import named_dataset

from ..session.test_named_dataset import session_naming


def _question(window) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox, "dataset_question") if b.isVisible()]
    return boxes[-1] if boxes else None


def _jobs() -> int:
    return sum(t.name == "graphviz-nn job" for t in threading.enumerate())


def test_closing_the_window_stops_a_session_still_being_read(open_window, qtbot, tmp_path, monkeypatch) -> None:
    path, _ = session_naming(tmp_path / "lecture")
    release, entered = threading.Event(), threading.Event()
    stops: list[threading.Event] = []

    def never_ending(path, **kwargs):
        stops.append(kwargs["cancel"])
        entered.set()
        release.wait(60)
        raise DatasetError(f"{path}: released")

    monkeypatch.setattr(named_dataset, "read_csv", never_ending)
    window = open_window("scalar")
    window.sessions.open_session(path)
    qtbot.waitUntil(lambda: _question(window) is not None, timeout=30000)
    qtbot.waitUntil(lambda: _jobs() == 0, timeout=5000)
    _question(window).findChild(QPushButton, "read_dataset").click()
    qtbot.waitUntil(entered.is_set, timeout=5000)
    assert not window.idle and len(stops) == 1 and not stops[0].is_set()
    try:
        window.close()
        assert stops[0].is_set()  # the read's own stop, not only the job's result dropped
        qtbot.waitUntil(lambda: _jobs() == 0, timeout=2000)  # the open job has ended
        assert window.jobs.job is None
    finally:
        release.set()
