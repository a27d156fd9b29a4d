"""Nothing piles up: training runs leave no open files, closed windows leave no memory."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest

from .conftest import ready
from .controller_kit import start_training, training_ended


@pytest.mark.skipif(os.name != "posix", reason="counts file descriptors")
def test_training_runs_leave_no_open_files(open_window, qtbot) -> None:
    window = open_window("scalar")
    dock = window.training
    counts = []
    for seed in range(5):
        dock.seed.setValue(seed)  # new settings: a new network and a new process each time
        window.show_training_dock()
        start_training(qtbot, window.training_control, "xor", 3)
        training_ended(qtbot, window.training_control, lambda: ready(window))
        counts.append(psutil.Process().num_fds())
    assert counts[-1] <= counts[1], counts  # one file was left open per run


CLOSED_WINDOWS = """
import gc, os, weakref
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import tempfile
from pathlib import Path
from PySide6.QtCore import QSettings
from graphviz_nn.gui.app import application, new_window, wait_until
app = application()
refs = []
folder = tempfile.mkdtemp()
for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
    QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
os.environ["XDG_DATA_HOME"] = folder
if True:
    for _ in range(3):
        window = new_window("scalar")
        window.show()
        wait_until(lambda: window.view.presenter is not None and window.idle, 60)
        refs.append(weakref.ref(window))
        window.close()
        del window
        wait_until(lambda: False, 0.2)
gc.collect()
print(sum(r() is not None for r in refs))
"""


def test_closed_windows_are_freed() -> None:
    out = subprocess.run([sys.executable, "-c", CLOSED_WINDOWS], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "0", out.stdout
