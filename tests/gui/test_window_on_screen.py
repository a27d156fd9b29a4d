"""The window stays within a 1280 × 720 projector's screen, frame included: when it opens, after
every way out of presentation mode, and on every tab of its docks. Run in a child process whose
offscreen screen is that projector (the tests' own offscreen screen is 800 × 800)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from graphviz_nn.gui.app import application, scratch_settings, wait_until
    from graphviz_nn.gui.main_window import MainWindow

    application()
    problems = []

    def check(window, where):
        wait_until(lambda: False, 0.2)
        frame, free = window.frameGeometry(), window.screen().availableGeometry()
        if not free.contains(frame):
            problems.append(f"{where}: frame {frame.getRect()} outside {free.getRect()}")

    with scratch_settings() as settings:
        window = MainWindow("solve", settings=settings, autosave=False)
        window.show()
        assert wait_until(lambda: window.presenter is not None and window.idle, 60)
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
    screen = {"synchronousWindowSystemEvents": False, "windowFrameMargins": True,
              "screens": [{"name": "projector", "x": 0, "y": 0, "width": 1280, "height": 720,
                           "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(screen), encoding="utf-8")
    assert json.loads(config.read_text(encoding="utf-8"))["screens"][0]["width"] == 1280
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", XDG_DATA_HOME=str(tmp_path / "data"))
    result = subprocess.run([sys.executable, "-c", "import json\n" + SCRIPT], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    problems = json.loads(result.stdout.strip().splitlines()[-1])
    assert problems == []
