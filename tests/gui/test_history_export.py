"""Exporting a long loss history runs off the window's thread: the window keeps drawing."""

from __future__ import annotations

import csv
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog

from graphviz_nn.nn import EpochRecord

from .conftest import ready

EPOCHS = 12_000


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


def test_a_long_history_exports_while_the_window_stays_responsive(open_window, qtbot, tmp_path, monkeypatch) -> None:
    window = open_window("scalar")
    dock = window.training
    dock.dataset.setCurrentIndex(dock.dataset.findData("xor"))
    window.show_training_dock()
    with qtbot.waitSignal(window.training_control.stopped, timeout=30000):
        dock.train(1)
    qtbot.waitUntil(lambda: ready(window), timeout=30000)
    run = window.training_control.run
    layers = [name for name, _ in run.network.layers]
    # Each record also names a layer of its own (a damaged file's history): it once made a
    # column each, 12,000 epochs took 7 s on the window's thread and wrote 137 MB.
    run.history.extend(EpochRecord(i, 1.0 / i, None, None, None,
                                   tuple((name, 0.5) for name in layers) + ((f"odd {i}", 1.0),), 0.01 * i)
                       for i in range(2, EPOCHS + 1))
    target = tmp_path / "loss.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV (*.csv)"))
    seen: list[int] = []
    window.exports.history_progressed.connect(lambda done, total: seen.append(done))
    gaps = Gaps()
    qtbot.wait(50)
    with qtbot.waitSignal(window.exports.history_exported, timeout=60000):
        window.actions["export_history"].trigger()
        assert window.progress.isVisible() and not window.idle
    gaps.timer.stop()
    assert gaps.longest < 1.0, gaps.longest
    qtbot.waitUntil(lambda: window.idle and not window.progress.isVisible(), timeout=5000)
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(run.history) == EPOCHS
    assert list(rows[0])[6:] == [f"grad_norm:{name}" for name in layers]
    assert [int(r["epoch"]) for r in rows[-3:]] == [EPOCHS - 2, EPOCHS - 1, EPOCHS]
    assert f"{EPOCHS} epochs" in window.status.text()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == EPOCHS, timeout=5000)
