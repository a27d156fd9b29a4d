"""Running a script in a child process whose offscreen screen is a 1280 x 720 projector (the
tests' own offscreen screen is 800 x 800), window frames included; it prints one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECTOR = {"synchronousWindowSystemEvents": False, "windowFrameMargins": True,
             "screens": [{"name": "projector", "x": 0, "y": 0, "width": 1280, "height": 720,
                          "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}


#: What scripts run on the projector start with: the application, and ``placed(window)`` (the
#: window's frame and its screen's free area, once the window has settled).
PRELUDE = """
import json
from graphviz_nn.gui.app import application, scratch_settings, wait_until
from graphviz_nn.gui.main_window import MainWindow

application()


def placed(window):
    wait_until(lambda: False, 0.2)
    return window.frameGeometry(), window.screen().availableGeometry()
"""


def run_on_projector(script: str, folder: Path, timeout: float = 240):
    """What ``script`` printed last, as JSON, run on the projector's screen in ``folder``
    (after :data:`PRELUDE`)."""
    config = folder / "screen.json"
    config.write_text(json.dumps(PROJECTOR), encoding="utf-8")
    assert json.loads(config.read_text(encoding="utf-8"))["screens"][0]["width"] == 1280
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", XDG_DATA_HOME=str(folder / "data"))
    result = subprocess.run([sys.executable, "-c", PRELUDE + script], env=env, cwd=folder,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
