"""The window stays within a 1280 × 720 projector's screen, frame included: when it opens, after
every way out of presentation mode, and on every tab of its docks. Run in a child process whose
offscreen screen is that projector (the tests' own offscreen screen is 800 × 800)."""

from __future__ import annotations

import textwrap

from .projector_screen import run_on_projector

SCRIPT = textwrap.dedent("""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    problems = []

    def check(window, where):
        frame, free = placed(window)
        if not free.contains(frame):
            problems.append(f"{where}: frame {frame.getRect()} outside {free.getRect()}")

    with scratch_settings() as settings:
        window = MainWindow("solve", settings=settings, autosave=False)
        window.show()
        assert wait_until(lambda: window.view.presenter is not None and window.idle, 60)
        check(window, "opened")
        window.stepping.set_phase("backward", 4)
        for leave in (Qt.Key.Key_Escape, Qt.Key.Key_Escape, Qt.Key.Key_F5):
            QTest.keyClick(window, Qt.Key.Key_F5)
            wait_until(lambda: False, 0.2)
            QTest.keyClick(window.view, leave)
            check(window, f"left presentation mode by {leave.name}")
        for dock in (window.jacobian, window.inspector):
            dock.show()
            dock.raise_()
            check(window, f"{dock.windowTitle()} shown")
        window.close()
    print(json.dumps(problems))
""")


def test_the_window_stays_within_a_1280x720_screen_on_every_path(tmp_path) -> None:
    problems = run_on_projector(SCRIPT, tmp_path)
    assert problems == []
