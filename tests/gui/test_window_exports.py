"""Exports from the window: the pass as an animated GIF or PNG sequence, the loss history as CSV."""

from __future__ import annotations

import csv

import numpy as np
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from graphviz_nn.gui.animation_export import _rgb, frame_positions

from .conftest import ready


def _screen(window) -> np.ndarray:
    return _rgb(window.view.grab().toImage()).astype(int)


def test_frame_positions_cover_the_pass_and_sample_long_ones() -> None:
    assert frame_positions(3) == [-1, 0, 1, 2, 3]
    long = frame_positions(5000, limit=300)
    assert len(long) == 300 and long[0] == -1 and long[-1] == 5000 and long == sorted(set(long))


def test_the_forward_pass_as_an_animated_gif(open_window, qtbot, tmp_path) -> None:
    window = open_window("scalar")
    window.stepping.seek(2)
    last = window.model.cursor.last
    window.stepping.seek(-1)
    first_screen = _screen(window)
    window.stepping.seek(last)
    last_screen = _screen(window)
    window.stepping.seek(2)

    export = window.exports.export_animation(tmp_path / "forward.gif", seconds_per_frame=0.25)
    with qtbot.waitSignal(export.finished, timeout=30000) as done:
        pass
    assert done.args[0] == [tmp_path / "forward.gif"]
    assert window.model.cursor.position == 2 and window.exports.animation_export is None  # put back as it was

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


def test_the_backward_pass_as_numbered_pngs(open_window, qtbot, tmp_path, monkeypatch) -> None:
    window = open_window("perceptron")
    window.stepping.set_phase("backward")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "slides"), "PNG sequence, numbered (*.png)"))
    window.actions["export_animation"].trigger()
    export = window.exports.animation_export
    with qtbot.waitSignal(export.finished, timeout=30000) as done:
        pass
    written = done.args[0]
    assert len(written) == window.model.cursor.last + 2
    assert [p.name for p in written[:2]] == ["slides-001.png", "slides-002.png"]
    images = [QImage(str(p)) for p in (written[0], written[-1])]
    assert all(not image.isNull() and image.size() == window.view.size() for image in images)
    assert _rgb(images[0]).tolist() != _rgb(images[1]).tolist()
    assert "Saved" in window.status.text()


def test_a_cancelled_export_writes_nothing(open_window, qtbot, tmp_path) -> None:
    window = open_window("layer_net")
    window.stepping.set_phase("backward")
    out = tmp_path / "out"
    out.mkdir()
    export = window.exports.export_animation(out / "never.gif")
    qtbot.waitUntil(lambda: len(export.frames) >= 2, timeout=10000)
    with qtbot.waitSignal(export.finished, timeout=10000) as done:
        window.cancel_button.click()
    assert done.args[0] == "cancelled"
    assert not list(out.iterdir()) and ready(window)
    assert not window.progress.isVisible()


def test_the_loss_history_as_csv(open_window, qtbot, tmp_path, monkeypatch) -> None:
    window = open_window("scalar")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "loss.csv"), "CSV (*.csv)"))
    window.actions["export_history"].trigger()
    assert "No training history" in window.status.text() and not (tmp_path / "loss.csv").exists()

    dock = window.training
    dock.dataset.setCurrentIndex(dock.dataset.findData("xor"))
    window.show_training_dock()
    with qtbot.waitSignal(window.training_control.stopped, timeout=30000):
        dock.train(5)
    with qtbot.waitSignal(window.exports.history_exported, timeout=10000):
        window.actions["export_history"].trigger()
    with open(tmp_path / "loss.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["train_loss"]) for r in rows] == [r.train_loss for r in window.training_control.run.history]
    assert [int(r["epoch"]) for r in rows] == [r.epoch for r in window.training_control.run.history]
