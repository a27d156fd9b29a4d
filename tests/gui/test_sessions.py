"""Session files from the window: save, open, recent files, bad files, the crash autosave."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

import graphviz_nn as gn
from graphviz_nn.gui.main_window import MainWindow
from graphviz_nn.io import load_session

from .conftest import ready


def _leaves(graph: gn.Graph) -> dict[str, np.ndarray]:
    return {graph.id_of(n): n.value for n in graph.nodes if not isinstance(n, gn.Function)}


def _same_values(a: gn.Graph, b: gn.Graph) -> None:
    assert len(a) == len(b)
    left, right = _leaves(a), _leaves(b)
    assert left.keys() == right.keys()
    for key in left:
        assert np.array_equal(left[key], right[key]), key


def _open(window, qtbot, path: Path) -> None:
    with qtbot.waitSignal(window.session_opened, timeout=30000):
        window.sessions.open_session(path)
    qtbot.waitUntil(lambda: ready(window) and not (window.model.pending_restore is not None), timeout=30000)


def _messages(window) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_a_saved_session_opens_with_its_graph_position_and_view(open_window, qtbot, tmp_path) -> None:
    window = open_window("layer_net")
    window.stepping.set_phase("backward", 5)
    window.presentation.zoom(1.6)
    window.view.centerOn(120.0, 80.0)
    before = window.sessions.session_state()
    path = window.sessions.save_session(tmp_path / "lecture.gnn")
    assert path.is_file() and window.sessions.session_path == path and "lecture.gnn" in window.windowTitle()
    original = window.model.graph

    window.load_example("scalar")
    qtbot.waitUntil(lambda: ready(window) and window.model.graph is not original, timeout=30000)
    assert window.sessions.session_path is None
    _open(window, qtbot, path)

    _same_values(original, window.model.graph)
    assert window.model.phase == "backward" and window.model.cursor.position == 5
    assert window.view.transform().m11() == pytest.approx(before.view.zoom)
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert (centre.x(), centre.y()) == pytest.approx(before.view.centre, abs=2.0)
    assert window.sessions.session_path == path and window.sessions.recent.paths()[0] == path.resolve()
    window.recent_menu.aboutToShow.emit()
    assert [a.text() for a in window.recent_menu.actions()][0] == "lecture.gnn"


def test_ctrl_s_saves_again_to_the_same_file(open_window, qtbot, tmp_path) -> None:
    window = open_window("scalar")
    path = window.sessions.save_session(tmp_path / "seed.gnn")
    window.stepping.set_phase("backward", 2)
    with qtbot.waitSignal(window.session_saved, timeout=10000):
        window.actions["save"].trigger()  # no dialog: the session has its file
    assert load_session(path).position == 2 and load_session(path).phase == "backward"


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


def test_an_expression_reopens_in_the_editor(open_window, qtbot, settings, layout_worker, tmp_path) -> None:
    window = open_window("scalar")
    with qtbot.waitSignal(window.expression.expression_changed, timeout=5000):
        window.expression.set_expression("sigmoid(w1*x + b)", {"w1": 0.5, "x": [1.0, 2.0], "b": -1.0})
    qtbot.waitUntil(lambda: ready(window) and window.model.expression_text == "sigmoid(w1*x + b)", timeout=30000)
    path = window.sessions.save_session(tmp_path / "expr.gnn")
    original = window.model.graph

    other = MainWindow(None, settings=settings, worker=layout_worker, autosave=False)
    qtbot.addWidget(other)
    other.show()
    _open(other, qtbot, path)
    assert other.expression.expression == "sigmoid(w1*x + b)"
    assert other.expression.values["x"] == [1.0, 2.0]
    assert other.model.expression_text == "sigmoid(w1*x + b)"
    _same_values(original, other.model.graph)


def test_a_bad_file_gives_one_message_and_changes_nothing(open_window, qtbot, tmp_path) -> None:
    window = open_window("scalar")
    graph, title = window.model.graph, window.windowTitle()
    bad = tmp_path / "broken.gnn"
    bad.write_bytes(b"not a session at all")
    with qtbot.waitSignal(window.session_failed, timeout=10000) as failed:
        window.sessions.open_session(bad)
    message = failed.args[0]
    assert "broken.gnn" in message and "\n" not in message
    assert window.model.graph is graph and window.windowTitle() == title and ready(window)
    boxes = _messages(window)
    assert len(boxes) == 1 and "broken.gnn" in boxes[0].text()
    assert bad.resolve() not in window.sessions.recent.paths()


def test_damaged_files_never_half_load_the_window(open_window, qtbot, tmp_path) -> None:
    window = open_window("layer_net")
    good = window.sessions.save_session(tmp_path / "good.gnn")
    data = good.read_bytes()
    with zipfile.ZipFile(good) as archive:
        text = archive.read("session.json").decode()
        arrays = archive.read("arrays.npz")
    rng = random.Random(7)
    outcomes = {"failed": 0, "opened": 0}
    for i in range(24):
        path = tmp_path / f"damaged{i}.gnn"
        if i % 3 == 0:
            path.write_bytes(data[: rng.randrange(len(data))])
        elif i % 3 == 1:
            cut = rng.randrange(len(text))
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("session.json", text[:cut] + rng.choice(['"', "}", "9", "null", "[", "-1"])
                                 + text[cut + 1:])
                archive.writestr("arrays.npz", arrays)
        else:
            mangled = bytearray(data)
            for _ in range(8):
                mangled[rng.randrange(len(mangled))] = rng.randrange(256)
            path.write_bytes(bytes(mangled))
        before = window.model.graph
        failed, opened = [], []
        window.session_failed.connect(failed.append)
        window.session_opened.connect(opened.append)
        window.sessions.open_session(path)
        qtbot.waitUntil(lambda: bool(failed or opened), timeout=30000)
        window.session_failed.disconnect(failed.append)
        window.session_opened.disconnect(opened.append)
        qtbot.waitUntil(lambda: ready(window), timeout=30000)
        if failed:
            outcomes["failed"] += 1
            assert window.model.graph is before and "\n" not in failed[0]
        else:
            outcomes["opened"] += 1
            assert window.model.graph is not before and window.view.presenter.graph is window.model.graph
        for box in _messages(window):
            box.close()
    assert outcomes["failed"] >= 12


CRASH = """
import os, sys
from pathlib import Path
from graphviz_nn.gui.autosave import Autosave
from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.document import capture
autosave = Autosave(Path(sys.argv[1]))
autosave.started()
built = EXAMPLES["perceptron"].build()
autosave.write(capture(built, "perceptron", phase="backward", position=3))
os._exit(1)  # dies without closing: its lock stays behind, its process is gone
"""


def _crash_a_window(folder: Path) -> None:
    out = subprocess.run([sys.executable, "-c", CRASH, str(folder)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stderr[-2000:]


def test_the_autosave_is_offered_back_after_a_crash(qtbot, settings, layout_worker, tmp_path) -> None:
    folder = tmp_path / "autosave"
    _crash_a_window(folder)
    assert len(list(folder.glob("autosave-*.gnn"))) == 1 and list(folder.glob("*.lock"))
    if os.name == "posix":  # the user's work is the user's to read
        assert stat.S_IMODE(next(folder.glob("*.gnn")).stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    window = MainWindow("scalar", settings=settings, worker=layout_worker, autosave=folder)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: any(b.objectName() == "recovery" for b in _messages(window)), timeout=5000)
    qtbot.waitUntil(lambda: ready(window), timeout=30000)
    box = next(b for b in _messages(window) if b.objectName() == "recovery")
    with qtbot.waitSignal(window.session_opened, timeout=30000):
        box.button(QMessageBox.StandardButton.Open).click()
    qtbot.waitUntil(lambda: ready(window) and not (window.model.pending_restore is not None), timeout=30000)
    from graphviz_nn.session import EXAMPLES

    _same_values(EXAMPLES["perceptron"].build().graph, window.model.graph)
    assert window.model.phase == "backward" and window.model.cursor.position == 3
    assert window.sessions.session_path is None  # Save asks where: the autosave is not the user's file
    assert window.model.workspace.unsaved  # and it is work no file holds
    assert not window.sessions.autosave.recovered_path.exists()

    window.model.workspace.discard()
    window.close()
    assert not window.sessions.autosave.path.exists() and not list(folder.glob("*.gnn"))
    third = MainWindow(None, settings=settings, worker=layout_worker, autosave=folder)
    qtbot.addWidget(third)
    qtbot.wait(50)
    assert not [b for b in _messages(third) if b.objectName() == "recovery"]


def test_two_windows_keep_their_own_autosaves(qtbot, settings, layout_worker, tmp_path) -> None:
    folder = tmp_path / "autosave"
    first = MainWindow("perceptron", settings=settings, worker=layout_worker, autosave=folder)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(lambda: ready(first), timeout=30000)
    assert first.sessions.autosave_now(wait=True) and first.sessions.autosave.path.is_file()
    assert not first.sessions.autosave_now(wait=True)  # nothing changed since

    second = MainWindow("scalar", settings=settings, worker=layout_worker, autosave=folder)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(lambda: ready(second), timeout=30000)
    assert not [b for b in _messages(second) if b.objectName() == "recovery"]  # the first is alive
    assert first.sessions.autosave.path.is_file() and not second.sessions.autosave.recovered_path.exists()
    assert second.sessions.autosave_now(wait=True) and second.sessions.autosave.path != first.sessions.autosave.path

    first.close()  # a proper close takes only its own autosave away
    assert not first.sessions.autosave.path.exists() and second.sessions.autosave.path.is_file()
    second.close()
    assert not list(folder.glob("*.gnn"))