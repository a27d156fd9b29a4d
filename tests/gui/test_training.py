"""Training in the window: closing it while a network trains ends the training process at once.
What training does is tested on the training controller alone (test_training_controller.py)."""

from __future__ import annotations

import time

from tests.gui.controller_kit import start_training, training_threads


def test_closing_during_training_exits_cleanly(open_window, qtbot) -> None:
    window = open_window("scalar")
    window.show_training_dock()
    start_training(qtbot, window.training_control, "spiral", 1_000_000)
    qtbot.wait(300)
    assert training_threads()
    process = window.training_control.sequence.client.client.process
    assert process.poll() is None
    started = time.perf_counter()
    window.close()
    qtbot.waitUntil(lambda: not training_threads() and process.poll() is not None, timeout=2000)
    assert time.perf_counter() - started < 2.0
