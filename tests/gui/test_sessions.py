"""Session files in the window as a whole: Ctrl+S and File > Open recent reaching the sessions
controller, a trained network reopened with its training dock's settings, and each window's
close taking its own autosave away. The sessions controller alone: test_sessions_controller.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from graphviz_nn.gui.main_window import MainWindow
from graphviz_nn.io import load_session

from .conftest import ready


def _open(window, qtbot, path: Path) -> None:
    with qtbot.waitSignal(window.session_opened, timeout=30000):
        window.sessions.open_session(path)
    qtbot.waitUntil(lambda: ready(window) and not (window.model.pending_restore is not None), timeout=30000)


def _messages(window) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_ctrl_s_saves_again_to_the_same_file_and_open_recent_lists_it(open_window, qtbot, tmp_path) -> None:
    window = open_window("scalar")
    path = window.sessions.save_session(tmp_path / "seed.gnn")
    window.stepping.set_phase("backward", 2)
    with qtbot.waitSignal(window.session_saved, timeout=10000):
        window.actions["save"].trigger()  # no dialog: the session has its file
    assert load_session(path).position == 2 and load_session(path).phase == "backward"
    window.recent_menu.aboutToShow.emit()  # File > Open recent, filled by the sessions controller
    assert [a.text() for a in window.recent_menu.actions()][0] == "seed.gnn"


def test_a_trained_network_reopens_with_weights_history_and_settings(open_window, qtbot, settings,
                                                                      layout_worker, tmp_path) -> None:
    window = open_window("scalar")
    dock = window.training
    dock.dataset.setCurrentIndex(dock.dataset.findData("xor"))
    dock.lr.setValue(0.1)
    window.show_training_dock()
    with qtbot.waitSignal(window.training_control.stopped, timeout=30000):
        dock.train(3)
    qtbot.waitUntil(lambda: ready(window), timeout=30000)
    path = window.sessions.save_session(tmp_path / "xor.gnn")
    weights = window.training_control.run.network.parameter_values()
    history = [r.train_loss for r in window.training_control.run.history]
    saved_epoch = window.training_control.run.history[-1].epoch

    other = MainWindow(None, settings=settings, worker=layout_worker, autosave=False)
    qtbot.addWidget(other)
    other.show()
    _open(other, qtbot, path)
    run = other.training_control.run
    assert run is not None and other.model.graph is run.network.graph
    assert [r.train_loss for r in run.history] == history
    for a, b in zip(run.network.parameter_values(), weights):
        assert np.array_equal(a, b)
    assert other.training.lr.value() == pytest.approx(0.1)
    assert other.training.dataset.currentData() == "xor"
    # Training goes on from there, numbering its epochs after the saved ones.
    with qtbot.waitSignal(other.training_control.stopped, timeout=30000):
        other.training.train(1)
    assert run.history[-1].epoch == saved_epoch + 1 and len(run.history) == len(history) + 1


def test_closing_a_window_takes_only_its_own_autosave_away(qtbot, settings, layout_worker, tmp_path) -> None:
    folder = tmp_path / "autosave"
    first = MainWindow("perceptron", settings=settings, worker=layout_worker, autosave=folder)
    second = MainWindow("scalar", settings=settings, worker=layout_worker, autosave=folder)
    for window in (first, second):
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: ready(window), timeout=30000)
    assert not [b for b in _messages(second) if b.objectName() == "recovery"]  # the first is alive
    written = [w.sessions.autosave for w in (first, second) if w.sessions.autosave_now(wait=True)]
    assert len(written) == 2 and all(a.path.is_file() for a in written)

    first.close()  # a proper close takes only its own autosave away
    assert not written[0].path.exists() and written[1].path.is_file()
    second.close()
    assert not list(folder.glob("*.gnn"))
