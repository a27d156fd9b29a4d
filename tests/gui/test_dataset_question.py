"""A session that names a dataset file asks before the file is read, reads it beside the
session (never in the working folder), off the window's thread, and Cancel stops the read."""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtWidgets import QMessageBox, QPushButton

from graphviz_nn.nn.datasets import DatasetError
from graphviz_nn.session import named_dataset

from ..session.test_named_dataset import session_naming, write_rows
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


def _spy_reads(monkeypatch) -> list:
    reads = []
    real = named_dataset.read_csv
    monkeypatch.setattr(named_dataset, "read_csv", lambda path, **k: reads.append(path) or real(path, **k))
    return reads


def test_read_it_reads_the_file_beside_the_session(open_window, qtbot, tmp_path, monkeypatch) -> None:
    path, run = session_naming(tmp_path / "lecture")
    write_rows(tmp_path / "elsewhere" / "measurements.csv", seed=2, features=5)  # not this one
    monkeypatch.chdir(tmp_path / "elsewhere")
    reads = _spy_reads(monkeypatch)
    window = open_window("scalar")
    box = _asked(window, qtbot, path)
    wanted = tmp_path / "lecture" / "measurements.csv"
    assert str(wanted) in box.text() and reads == []  # asked, nothing read yet
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    with qtbot.waitSignal(window.session_opened, timeout=30000):
        _answer(box, "read_dataset")
    qtbot.waitUntil(lambda: ready(window) and not (window.model.pending_restore is not None), timeout=30000)
    reopened = window.training_control.run
    assert reads == [wanted] and reopened is not None and window.model.graph is reopened.network.graph
    np.testing.assert_array_equal(reopened.data.X, run.data.X)
    assert not [b for b in window.findChildren(QMessageBox, "message") if b.isVisible()]


def test_open_without_the_data_reads_nothing(open_window, qtbot, tmp_path, monkeypatch) -> None:
    path, run = session_naming(tmp_path / "lecture")
    monkeypatch.chdir(path.parent)
    reads = _spy_reads(monkeypatch)
    window = open_window("scalar")
    with qtbot.waitSignal(window.session_opened, timeout=30000):
        _answer(_asked(window, qtbot, path), "open_without_data")
    qtbot.waitUntil(lambda: ready(window) and not (window.model.pending_restore is not None), timeout=30000)
    assert reads == [] and window.training_control.run is None
    assert len(window.model.graph) == len(run.network.graph) and "chose not to read" in window.status.text()
    for box in window.findChildren(QMessageBox, "message"):
        box.close()


def test_cancel_opens_nothing(open_window, qtbot, tmp_path, monkeypatch) -> None:
    path, _ = session_naming(tmp_path / "lecture")
    reads = _spy_reads(monkeypatch)
    window = open_window("scalar")
    graph = window.model.graph
    _asked(window, qtbot, path).button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(200)
    assert window.model.graph is graph and reads == [] and ready(window) and window.sessions.session_path is None
    assert "Not opened" in window.status.text()


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


def test_a_read_past_its_deadline_opens_without_the_data(open_window, qtbot, tmp_path, monkeypatch) -> None:
    path, _ = session_naming(tmp_path / "lecture")
    release = threading.Event()
    monkeypatch.setattr(named_dataset, "read_csv", lambda path, **k: release.wait(60))
    monkeypatch.setattr(named_dataset, "READ_SECONDS", 0.3)
    window = open_window("scalar")
    try:
        with qtbot.waitSignal(window.session_opened, timeout=30000):
            _answer(_asked(window, qtbot, path), "read_dataset")
        qtbot.waitUntil(lambda: ready(window) and not (window.model.pending_restore is not None), timeout=30000)
        assert window.training_control.run is None and "took more than 0.3 s" in window.status.text()
    finally:
        release.set()
    for box in window.findChildren(QMessageBox, "message"):
        box.close()
