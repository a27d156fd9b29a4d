"""GUI tests run offscreen, with their own settings file and one shared layout worker."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402

from graphviz_nn.layout import LayoutWorker  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def private_settings(tmp_path_factory):
    """Windows made with the default QSettings (graphviz_nn.show) write here, not to the
    settings of whoever runs the tests."""
    folder = str(tmp_path_factory.mktemp("settings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    # The autosave goes to the application's data folder: a temporary one here.
    if sys.platform.startswith("linux"):
        os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data"))
    else:
        QStandardPaths.setTestModeEnabled(True)
    yield folder


@pytest.fixture(scope="session")
def layout_worker():
    worker = LayoutWorker()
    yield worker
    worker.close()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot, settings, layout_worker):
    """A function opening the window on an example and waiting until it is drawn."""
    from graphviz_nn.gui.main_window import MainWindow

    def opener(example: str = "scalar", size=(1280, 800)):
        window = MainWindow(example, settings=settings, worker=layout_worker,
                            autosave=Path(settings.fileName()).parent / "autosave")
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitUntil(lambda: ready(window), timeout=30000)
        return window

    return opener


def ready(window) -> bool:
    return window.view.presenter is not None and window.idle


@pytest.fixture
def inspector_dock(qtbot):
    """An inspector dock on screen, the size of the window's right-hand column (420 x 720)."""
    from graphviz_nn.gui.docks.inspector import InspectorDock

    widget = InspectorDock()
    qtbot.addWidget(widget)
    widget.resize(420, 720)
    widget.show()
    return widget
