"""The exports controller built from a window model, its job runner and a graph view, on a plain
frame: the pass as an animated GIF or numbered PNGs, the loss history as CSV (a long one written
while the event loop keeps running).

A playback controller is built beside it from the same model: it is what draws the player's
steps on the view, which the animation grabs."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMainWindow

from graphviz_nn.gui.animation_export import _rgb, frame_positions
from graphviz_nn.gui.canvas.graph_view import GraphView
from graphviz_nn.gui.controllers.exports import ExportsController
from graphviz_nn.gui.controllers.playback import PlaybackController
from graphviz_nn.gui.docks.find_bar import FindBar
from graphviz_nn.gui.docks.inspector import InspectorDock
from graphviz_nn.gui.docks.playback_dock import PlaybackDock
from graphviz_nn.gui.docks.status_bar import StatusBar
from graphviz_nn.gui.jobs import JobRunner
from graphviz_nn.nn import EpochRecord
from graphviz_nn.session.training import TrainingRun
from graphviz_nn.session.training_sequence import settings_for
from graphviz_nn.session.window_model import WindowModel
from tests.gui.controller_kit import actions_of_a_frame
from tests.gui.controller_kit import model, shown, view  # noqa: F401 - fixtures

EPOCHS = 12_000


@dataclass
class Stage:
    """A frame with the exports controller, its status bar and the view it grabs."""

    model: WindowModel
    frame: QMainWindow
    view: GraphView
    bar: StatusBar
    exports: ExportsController
    stepping: PlaybackController


@pytest.fixture
def stage(qtbot, model, view, layout_worker):  # noqa: F811 - fixtures
    """A function building the stage on an example, drawn."""

    def build(key: str = "scalar") -> Stage:
        frame, actions = actions_of_a_frame()
        qtbot.addWidget(frame)
        frame.setCentralWidget(view)
        bar = StatusBar()
        frame.setStatusBar(bar)
        model.events.said.connect(bar.status.setText)
        jobs = JobRunner(model, bar, frame)
        stepping = PlaybackController(model, view, PlaybackDock(actions, frame), FindBar(), InspectorDock(frame),
                                      actions["play"], frame)
        exports = ExportsController(model, jobs, view, frame, layout_worker, frame)
        frame.resize(1000, 700)
        frame.show()
        shown(qtbot, model, view, layout_worker, key)
        return Stage(model, frame, view, bar, exports, stepping)

    return build


def _screen(view: GraphView) -> np.ndarray:
    return _rgb(view.grab().toImage()).astype(int)


def _idle(s: Stage) -> bool:
    """Nothing built, laid out, opened or saved (what the window calls idle)."""
    return not s.model.busy and not s.model.saving and not s.view.building


def _trained(model: WindowModel, epochs: int) -> TrainingRun:
    """The model's training sequence takes a run on XOR trained ``epochs`` epochs, in this process."""
    run = TrainingRun.create(settings_for("xor"))
    run.history.extend(run.trainer.fit(run.train, run.test, epochs=epochs))
    model.training.adopt(run)
    return run


def test_frame_positions_cover_the_pass_and_sample_long_ones() -> None:
    assert frame_positions(3) == [-1, 0, 1, 2, 3]
    long = frame_positions(5000, limit=300)
    assert len(long) == 300 and long[0] == -1 and long[-1] == 5000 and long == sorted(set(long))


def test_the_forward_pass_as_an_animated_gif(stage, qtbot, tmp_path) -> None:
    s = stage("scalar")
    model, view, stepping = s.model, s.view, s.stepping
    stepping.seek(2)
    last = model.cursor.last
    stepping.seek(-1)
    first_screen = _screen(view)
    stepping.seek(last)
    last_screen = _screen(view)
    stepping.seek(2)

    export = s.exports.export_animation(tmp_path / "forward.gif", seconds_per_frame=0.25)
    with qtbot.waitSignal(export.finished, timeout=30000) as done:
        pass
    assert done.args[0] == [tmp_path / "forward.gif"]
    assert model.cursor.position == 2 and s.exports.animation_export is None  # put back as it was

    with Image.open(tmp_path / "forward.gif") as gif:
        assert gif.is_animated and gif.info.get("loop") == 0
        # Identical neighbouring frames may be merged; each step here changes the picture.
        assert gif.n_frames == last + 2
        gif.seek(0)
        first = np.asarray(gif.convert("RGB")).astype(int)
        assert gif.info["duration"] == 250
        gif.seek(gif.n_frames - 1)
        final = np.asarray(gif.convert("RGB")).astype(int)
    assert first.shape == first_screen.shape
    # The palette is adaptive: the frames are the screen up to a little quantisation.
    assert np.abs(first - first_screen).mean() < 3 and np.abs(final - last_screen).mean() < 3
    assert np.abs(first - final).mean() > 1  # and the pass changed what is drawn


def test_the_backward_pass_as_numbered_pngs(stage, qtbot, tmp_path, monkeypatch) -> None:
    s = stage("perceptron")
    model, view = s.model, s.view
    s.stepping.set_phase("backward")
    started: list = []
    s.exports.animation_started.connect(lambda: started.append(True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "slides"), "PNG sequence, numbered (*.png)"))
    s.exports.export_animation_dialog()
    export = s.exports.animation_export
    assert started == [True]
    with qtbot.waitSignal(export.finished, timeout=30000) as done:
        pass
    written = done.args[0]
    assert len(written) == model.cursor.last + 2
    assert [p.name for p in written[:2]] == ["slides-001.png", "slides-002.png"]
    images = [QImage(str(p)) for p in (written[0], written[-1])]
    assert all(not image.isNull() and image.size() == view.size() for image in images)
    assert _rgb(images[0]).tolist() != _rgb(images[1]).tolist()
    assert "Saved" in s.bar.status.text()


def test_the_loss_history_as_csv(stage, qtbot, tmp_path, monkeypatch) -> None:
    s = stage("scalar")
    model = s.model
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "loss.csv"), "CSV (*.csv)"))
    s.exports.export_history_dialog()
    assert "No training history" in s.bar.status.text() and not (tmp_path / "loss.csv").exists()

    run = _trained(model, 5)
    assert len(run.history) == 5
    with qtbot.waitSignal(s.exports.history_exported, timeout=10000):
        s.exports.export_history_dialog()
    with open(tmp_path / "loss.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["train_loss"]) for r in rows] == [r.train_loss for r in run.history]
    assert [int(r["epoch"]) for r in rows] == [r.epoch for r in run.history]
    model.training.close()


class Gaps:
    """The longest wait between two ticks of a 10 ms timer."""

    def __init__(self) -> None:
        self.longest, self._last = 0.0, time.monotonic()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        self.longest, self._last = max(self.longest, now - self._last), now


def test_a_long_history_exports_while_the_event_loop_keeps_running(stage, qtbot, tmp_path, monkeypatch) -> None:
    """Exporting a long loss history runs off the window's thread: the window keeps drawing."""
    s = stage("scalar")
    run = _trained(s.model, 1)
    layers = [name for name, _ in run.network.layers]
    # Each record also names a layer of its own (a damaged file's history): it once made a
    # column each, 12,000 epochs took 7 s on the window's thread and wrote 137 MB.
    run.history.extend(EpochRecord(i, 1.0 / i, None, None, None,
                                   tuple((name, 0.5) for name in layers) + ((f"odd {i}", 1.0),), 0.01 * i)
                       for i in range(2, EPOCHS + 1))
    target = tmp_path / "loss.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV (*.csv)"))
    seen: list[int] = []
    s.exports.history_progressed.connect(lambda done, total: seen.append(done))
    gaps = Gaps()
    qtbot.wait(50)
    with qtbot.waitSignal(s.exports.history_exported, timeout=60000):
        s.exports.export_history_dialog()
        assert s.bar.progress.isVisible() and not _idle(s)
    gaps.timer.stop()
    assert gaps.longest < 1.0, gaps.longest
    qtbot.waitUntil(lambda: _idle(s) and not s.bar.progress.isVisible(), timeout=5000)
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(run.history) == EPOCHS
    assert list(rows[0])[6:] == [f"grad_norm:{name}" for name in layers]
    assert [int(r["epoch"]) for r in rows[-3:]] == [EPOCHS - 2, EPOCHS - 1, EPOCHS]
    assert f"{EPOCHS} epochs" in s.bar.status.text()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == EPOCHS, timeout=5000)
    s.model.training.close()
