"""The sessions controller opening a session that names a dataset file, with no window: it asks
before the file is read, reads it beside the session (never in the working folder) off the
window's thread, opens without the data when asked to or when the read passes its deadline,
and Cancel opens nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QMessageBox, QPushButton

from graphviz_nn.session import named_dataset

from ..session.test_named_dataset import session_naming, write_rows
from .controller_kit import model, view  # noqa: F401 - fixtures the desk is made of
from .sessions_desk import Desk, desk  # noqa: F401 - a fixture


def _asked(desk: Desk, qtbot, path: Path) -> QMessageBox:
    desk.sessions.open_session(path)
    qtbot.waitUntil(lambda: desk.question("dataset_question") is not None, timeout=30_000)
    return desk.question("dataset_question")


def _answer(box: QMessageBox, name: str) -> None:
    box.findChild(QPushButton, name).click()


def _spy_reads(monkeypatch) -> list:
    reads = []
    real = named_dataset.read_csv
    monkeypatch.setattr(named_dataset, "read_csv", lambda path, **k: reads.append(path) or real(path, **k))
    return reads


def test_read_it_reads_the_file_beside_the_session(desk, qtbot, tmp_path, monkeypatch) -> None:
    path, run = session_naming(tmp_path / "lecture")
    write_rows(tmp_path / "elsewhere" / "measurements.csv", seed=2, features=5)  # not this one
    monkeypatch.chdir(tmp_path / "elsewhere")
    reads = _spy_reads(monkeypatch)
    desk.open_example(qtbot, "scalar")
    box = _asked(desk, qtbot, path)
    wanted = tmp_path / "lecture" / "measurements.csv"
    assert str(wanted) in box.text() and reads == []  # asked, nothing read yet
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    with qtbot.waitSignal(desk.sessions.opened, timeout=30_000):
        _answer(box, "read_dataset")
    qtbot.waitUntil(desk.restored, timeout=30_000)
    reopened = desk.model.training.run
    assert reads == [wanted] and reopened is not None and desk.model.graph is reopened.network.graph
    np.testing.assert_array_equal(reopened.data.X, run.data.X)
    assert not desk.boxes("message")


def test_open_without_the_data_reads_nothing(desk, qtbot, tmp_path, monkeypatch) -> None:
    path, run = session_naming(tmp_path / "lecture")
    monkeypatch.chdir(path.parent)
    reads = _spy_reads(monkeypatch)
    desk.open_example(qtbot, "scalar")
    with qtbot.waitSignal(desk.sessions.opened, timeout=30_000):
        _answer(_asked(desk, qtbot, path), "open_without_data")
    qtbot.waitUntil(desk.restored, timeout=30_000)
    assert reads == [] and desk.model.training.run is None
    assert len(desk.model.graph) == len(run.network.graph) and "chose not to read" in desk.said[-1]


def test_cancel_opens_nothing(desk, qtbot, tmp_path, monkeypatch) -> None:
    path, _ = session_naming(tmp_path / "lecture")
    reads = _spy_reads(monkeypatch)
    desk.open_example(qtbot, "scalar")
    graph = desk.model.graph
    _asked(desk, qtbot, path).button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(200)
    assert desk.model.graph is graph and reads == [] and desk.ready() and desk.sessions.session_path is None
    assert "Not opened" in desk.said[-1]


def test_a_read_past_its_deadline_opens_without_the_data(desk, qtbot, tmp_path, monkeypatch) -> None:
    path, _ = session_naming(tmp_path / "lecture")
    release = threading.Event()
    monkeypatch.setattr(named_dataset, "read_csv", lambda path, **k: release.wait(60))
    monkeypatch.setattr(named_dataset, "READ_SECONDS", 0.3)
    desk.open_example(qtbot, "scalar")
    try:
        with qtbot.waitSignal(desk.sessions.opened, timeout=30_000):
            _answer(_asked(desk, qtbot, path), "read_dataset")
        qtbot.waitUntil(desk.restored, timeout=30_000)
        assert desk.model.training.run is None and "took more than 0.3 s" in desk.said[-1]
    finally:
        release.set()
