"""The sessions controller built from a window model, a graph view and a plain frame, with no
window: sessions saved and reopened into the model (the loading controller beside it draws
them), bad and damaged files, unsaved work asked about before it goes, and the autosave
offered back after a crash. A dataset file a session names: test_sessions_controller_datasets.py."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QMenu, QMessageBox

import graphviz_nn.gui.controllers.sessions as sessions_module
from graphviz_nn.gui.autosave import Autosave
from graphviz_nn.io import load_session
from graphviz_nn.session import EXAMPLES

from .controller_kit import model, view  # noqa: F401 - fixtures the desk is made of
from .sessions_desk import desk, other_desk, same_values  # noqa: F401 - fixtures


# --- saving and reopening ------------------------------------------------------------------------

def test_a_saved_session_opens_with_its_graph_position_and_view(desk, qtbot, tmp_path) -> None:
    model, view, sessions = desk.model, desk.view, desk.sessions
    desk.open_example(qtbot, "layer_net")
    model.player.set_phase("backward", 5)
    view.zoom(1.6)
    view.centerOn(120.0, 80.0)
    before = sessions.session_state()
    path = sessions.save_session(tmp_path / "lecture.gnn")
    assert path.is_file() and sessions.session_path == path and "lecture.gnn" in desk.frame.windowTitle()
    original = model.graph

    desk.open_example(qtbot, "scalar")
    assert sessions.session_path is None
    desk.reopen(qtbot, path)

    same_values(original, model.graph)
    assert model.phase == "backward" and model.cursor.position == 5
    assert view.transform().m11() == pytest.approx(before.view.zoom)
    centre = view.mapToScene(view.viewport().rect().center())
    assert (centre.x(), centre.y()) == pytest.approx(before.view.centre, abs=2.0)
    assert sessions.session_path == path and sessions.recent.paths()[0] == path.resolve()
    menu = QMenu()
    sessions.fill_recent_menu(menu)
    assert [a.text() for a in menu.actions()][0] == "lecture.gnn"


def test_an_expression_reopens_in_the_editor(desk, other_desk, qtbot, tmp_path) -> None:
    desk.open_example(qtbot, "scalar")
    with qtbot.waitSignal(desk.expression.expression_changed, timeout=5000):
        desk.expression.set_expression("sigmoid(w1*x + b)", {"w1": 0.5, "x": [1.0, 2.0], "b": -1.0})
    qtbot.waitUntil(lambda: desk.ready() and desk.model.expression_text == "sigmoid(w1*x + b)", timeout=30_000)
    path = desk.sessions.save_session(tmp_path / "expr.gnn")

    other = other_desk()
    other.reopen(qtbot, path)
    assert other.expression.expression == "sigmoid(w1*x + b)"
    assert other.expression.values["x"] == [1.0, 2.0]
    assert other.model.expression_text == "sigmoid(w1*x + b)"
    same_values(desk.model.graph, other.model.graph)


def test_a_bad_file_gives_one_message_and_changes_nothing(desk, qtbot, tmp_path) -> None:
    desk.open_example(qtbot, "scalar")
    graph, title = desk.model.graph, desk.frame.windowTitle()
    bad = tmp_path / "broken.gnn"
    bad.write_bytes(b"not a session at all")
    with qtbot.waitSignal(desk.sessions.failed, timeout=10_000) as failed:
        desk.sessions.open_session(bad)
    message = failed.args[0]
    assert "broken.gnn" in message and "\n" not in message
    assert desk.model.graph is graph and desk.frame.windowTitle() == title and desk.ready()
    boxes = desk.boxes()
    assert len(boxes) == 1 and "broken.gnn" in boxes[0].text()
    assert bad.resolve() not in desk.sessions.recent.paths()


def test_damaged_files_never_half_load_the_model(desk, qtbot, tmp_path) -> None:
    model, sessions = desk.model, desk.sessions
    desk.open_example(qtbot, "layer_net")
    good = sessions.save_session(tmp_path / "good.gnn")
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
        before = model.graph
        failed, opened = [], []
        sessions.failed.connect(failed.append)
        sessions.opened.connect(opened.append)
        sessions.open_session(path)
        qtbot.waitUntil(lambda: bool(failed or opened), timeout=30_000)
        sessions.failed.disconnect(failed.append)
        sessions.opened.disconnect(opened.append)
        qtbot.waitUntil(desk.ready, timeout=30_000)
        if failed:
            outcomes["failed"] += 1
            assert model.graph is before and "\n" not in failed[0]
        else:
            outcomes["opened"] += 1
            assert model.graph is not before and desk.view.presenter.graph is model.graph
        for box in desk.boxes():
            box.close()
    assert outcomes["failed"] >= 12


# --- unsaved work --------------------------------------------------------------------------------

def test_an_edit_marks_the_title_and_saving_clears_it(desk, qtbot, tmp_path) -> None:
    desk.open_example(qtbot, "scalar")
    frame, workspace = desk.frame, desk.model.workspace
    assert not frame.isWindowModified() and not workspace.unsaved
    desk.edit(qtbot)
    assert workspace.unsaved and frame.isWindowModified()
    assert frame.windowTitle().startswith("your expression[*]")
    with qtbot.waitSignal(desk.sessions.saved, timeout=10_000):
        desk.sessions.save_to(tmp_path / "mine.gnn")
    assert not workspace.unsaved and not frame.isWindowModified()
    assert load_session(tmp_path / "mine.gnn").expression == "x1 * x2 + 3"


def test_cancel_or_a_save_not_made_keeps_the_work(desk, qtbot, monkeypatch) -> None:
    """Cancel, or Save with no file chosen, runs what was to happen instead (``cancelled``),
    never what would let the work go."""
    desk.open_example(qtbot, "scalar")
    desk.edit(qtbot)
    ran: list[str] = []
    monkeypatch.setattr(sessions_module.QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    for button in (QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save):
        desk.sessions.confirm_discard(lambda: ran.append("then"), lambda: ran.append("cancelled"))
        qtbot.waitUntil(lambda: desk.question() is not None, timeout=5000)
        desk.question().button(button).click()
        qtbot.waitUntil(lambda: desk.question() is None, timeout=5000)
    assert ran == ["cancelled", "cancelled"]
    assert desk.model.workspace.unsaved and desk.sessions.title == "your expression" and desk.sessions.session_path is None


def test_save_then_go_on(desk, qtbot, tmp_path) -> None:
    desk.open_example(qtbot, "scalar")
    path = desk.sessions.save_session(tmp_path / "kept.gnn")
    desk.edit(qtbot)
    desk.model.workspace.path = path  # the expression belongs to the opened file
    perceptron = EXAMPLES["perceptron"]
    desk.sessions.confirm_discard(lambda: desk.model.open(perceptron.build, perceptron.title))  # File > Examples
    qtbot.waitUntil(lambda: desk.question() is not None, timeout=5000)
    desk.question().button(QMessageBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: desk.ready() and desk.sessions.title != "your expression", timeout=20_000)
    assert load_session(path).expression == "x1 * x2 + 3"


def test_saving_runs_off_the_window_thread(desk, qtbot, tmp_path, monkeypatch) -> None:
    desk.open_example(qtbot, "scalar")
    threads = []
    real = sessions_module.save_session

    def spy(path, state):
        threads.append(threading.current_thread())
        return real(path, state)

    monkeypatch.setattr(sessions_module, "save_session", spy)
    desk.model.workspace.path = tmp_path / "seed.gnn"
    with qtbot.waitSignal(desk.sessions.saved, timeout=10_000):
        desk.sessions.save()
        assert desk.model.saving and desk.bar.progress.isVisible()
    assert threads and threads[0] is not threading.main_thread()
    assert not desk.model.saving and load_session(tmp_path / "seed.gnn").title == desk.sessions.title


def test_typing_on_in_an_expression_asks_nothing(desk, qtbot) -> None:
    desk.open_example(qtbot, "scalar")
    desk.type_expression(qtbot, "x1 * x2 + 3")
    qtbot.waitUntil(lambda: desk.ready() and desk.model.expression_text == "x1 * x2 + 3", timeout=30_000)
    assert desk.model.workspace.unsaved
    desk.type_expression(qtbot, "x1 * x2 + 5")
    qtbot.waitUntil(lambda: desk.ready() and desk.model.expression_text == "x1 * x2 + 5", timeout=30_000)
    assert desk.question() is None


def test_an_example_opened_after_discard_empties_the_expression_tab(desk, qtbot) -> None:
    model = desk.model
    desk.open_example(qtbot, "scalar")
    desk.type_expression(qtbot, "x1 * x2 + 3")
    qtbot.waitUntil(lambda: desk.ready() and model.expression_text == "x1 * x2 + 3", timeout=30_000)
    typed = model.graph
    perceptron = EXAMPLES["perceptron"]
    desk.sessions.confirm_discard(lambda: model.open(perceptron.build, perceptron.title))  # File > Examples
    qtbot.waitUntil(lambda: desk.question() is not None, timeout=5000)
    desk.question().button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: desk.ready() and model.graph is not typed, timeout=30_000)
    assert model.expression_text is None
    assert desk.expression.expression == "" and desk.expression.findChild(QLineEdit, "expression_text").text() == ""
    assert not desk.expression.undo_stack.canUndo()  # the old text does not come back by Ctrl+Z
    assert not model.workspace.unsaved


# --- the autosave --------------------------------------------------------------------------------

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


def test_the_autosave_is_offered_back_after_a_crash(other_desk, qtbot, tmp_path) -> None:
    folder = tmp_path / "autosave"
    _crash_a_window(folder)
    assert len(list(folder.glob("autosave-*.gnn"))) == 1 and list(folder.glob("*.lock"))
    if os.name == "posix":  # the user's work is the user's to read
        assert stat.S_IMODE(next(folder.glob("*.gnn")).stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    desk = other_desk(Autosave(folder))
    desk.sessions.start_autosave()  # as the window starts, before its example opens
    desk.model.open(EXAMPLES["scalar"].build, "scalar")
    qtbot.waitUntil(lambda: desk.question("recovery") is not None, timeout=5000)
    qtbot.waitUntil(desk.ready, timeout=30_000)
    with qtbot.waitSignal(desk.sessions.opened, timeout=30_000):
        desk.question("recovery").button(QMessageBox.StandardButton.Open).click()
    qtbot.waitUntil(desk.restored, timeout=30_000)

    same_values(EXAMPLES["perceptron"].build().graph, desk.model.graph)
    assert desk.model.phase == "backward" and desk.model.cursor.position == 3
    assert desk.sessions.session_path is None  # Save asks where: the autosave is not the user's file
    assert desk.model.workspace.unsaved  # and it is work no file holds
    assert not desk.sessions.autosave.recovered_path.exists()

    desk.model.workspace.discard()
    desk.sessions.stop_autosave()  # what the window's close does (test_sessions.py closes two)
    assert not desk.sessions.autosave.path.exists() and not list(folder.glob("*.gnn"))
    third = other_desk(Autosave(folder))
    third.sessions.start_autosave()
    qtbot.wait(50)
    assert third.question("recovery") is None
    third.sessions.stop_autosave()


def test_two_windows_keep_their_own_autosaves(other_desk, qtbot, tmp_path) -> None:
    folder = tmp_path / "autosave"
    first = other_desk(Autosave(folder))
    first.sessions.start_autosave()
    first.open_example(qtbot, "perceptron")
    assert first.sessions.autosave_now(wait=True) and first.sessions.autosave.path.is_file()
    assert not first.sessions.autosave_now(wait=True)  # nothing changed since

    second = other_desk(Autosave(folder))
    second.sessions.start_autosave()
    second.open_example(qtbot, "scalar")
    assert second.question("recovery") is None  # the first is alive
    assert first.sessions.autosave.path.is_file() and not second.sessions.autosave.recovered_path.exists()
    assert second.sessions.autosave_now(wait=True) and second.sessions.autosave.path != first.sessions.autosave.path

    first.sessions.stop_autosave()  # a proper end takes only its own autosave away
    assert not first.sessions.autosave.path.exists() and second.sessions.autosave.path.is_file()
    second.sessions.stop_autosave()
    assert not list(folder.glob("*.gnn"))
