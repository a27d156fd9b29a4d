"""Exports in the whole window: the status bar's Cancel stops an animation being recorded.
What the exports write is tested on the exports controller alone (test_exports_controller.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from .conftest import ready


def test_cancel_in_the_status_bar_stops_the_animation_and_writes_nothing(open_window, qtbot, tmp_path,
                                                                          monkeypatch) -> None:
    window = open_window("layer_net")
    window.actions["phase_backward"].trigger()
    assert window.model.phase == "backward"
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out / "never.gif"), "Animated GIF (*.gif)"))
    window.actions["export_animation"].trigger()  # File > Export animation
    export = window.exports.animation_export
    qtbot.waitUntil(lambda: len(export.frames) >= 2, timeout=10000)
    assert window.cancel_button.isVisible()
    with qtbot.waitSignal(export.finished, timeout=10000) as done:
        window.cancel_button.click()
    assert done.args[0] == "cancelled"
    assert not list(out.iterdir()) and ready(window)
    assert not window.progress.isVisible()
