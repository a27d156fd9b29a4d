"""Starting the window: the QApplication, the system scheme, and offscreen screenshots."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QFileOpenEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from ..io import write_atomic
from .canvas.screen_report import screen_report, write_report
from .icons import app_icon
from .image_bytes import image_bytes
from .main_window import MainWindow

SHOT_FLOW_TICKS = 10  # a shot's lit edges show their dashes as after a third of a second of flow


def application() -> QApplication:
    """The running QApplication, or a new one named for QSettings."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("graphviz-nn")
        app.setOrganizationName("graphviz-nn")
        app.setWindowIcon(app_icon())
        # Wayland finds the icon through the .desktop entry of this name.
        app.setDesktopFileName("io.github.graphviz_nn.GraphvizNN")
        font = app.font()
        if font.pointSizeF() < 11:  # readable at 1280 x 720 on a projector
            font.setPointSizeF(11)
            app.setFont(font)
    if app.findChild(FileOpener) is None:
        app.installEventFilter(FileOpener(app))
    return app


class FileOpener(QObject):
    """Opens the session files the system hands the application (a ``.gnn`` double-clicked in
    Finder arrives as a QFileOpenEvent, not on the command line) in the open window, asking
    first about unsaved work; one that arrives before any window is kept for the first."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.pending: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file()
            windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
            if windows:
                window = windows[-1]
                window.sessions.confirm_discard(lambda: window.sessions.open_session(path))
                window.raise_()
                window.activateWindow()
            else:
                self.pending.append(path)
            return True
        return super().eventFilter(watched, event)


@contextmanager
def scratch_settings() -> Iterator[QSettings]:
    """Settings that do not persist: an INI file in a temporary folder, removed afterwards.

    Never point QSettings at the null device: Qt saves an INI file by renaming a temporary
    file over its target, which (run as root) replaces the device with a regular file.
    """
    with tempfile.TemporaryDirectory(prefix="graphviz-nn-settings-") as folder:
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        try:
            yield settings
        finally:
            settings.sync()
            del settings


def new_window(example: str | None = None) -> MainWindow:
    """A window for a person (not a script that inspects it afterwards): it frees itself,
    and all it holds, when it is closed (a notebook that shows graphs again and again)."""
    window = MainWindow(example)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return window


def run(example: str | None = "scalar", session: str | None = None) -> int:
    """Open the window on an example, or on a session file, and run until it is closed."""
    app = application()
    opener = app.findChild(FileOpener)
    session = session or (opener.pending.pop() if opener is not None and opener.pending else None)
    window = new_window(None if session else example)
    window.show()
    if session:
        window.sessions.open_session(session)
    return app.exec()


def wait_until(condition, timeout: float = 30.0) -> bool:
    """Process events until ``condition()`` holds or ``timeout`` seconds pass."""
    app = application()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.005)
    return False


def shot(example: str, path: str, phase: str | None = None, step: int | None = None,
         size: tuple[int, int] = (1600, 1000), settings_path: str | None = None,
         select: str | None = None, debug: str | None = None, zoom: float | None = None,
         report: str | None = None, frame: bool = False) -> str:
    """Render the window offscreen at a point of the animation and save it as a PNG.

    ``step`` counts from 1 (the state after that many steps); None shows the end of the pass.
    ``select`` names a node to show in the inspector; ``debug`` is "check" (gradient check),
    "magnitude" (gradient magnitudes) or "nan" (run to the first non-finite value). ``zoom``
    is the view's scale, centred on the current step's node (None fits the whole graph).
    ``report`` names a JSON file to write what is on screen to (see
    :func:`~graphviz_nn.gui.canvas.screen_report.screen_report`).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    application()
    options = dict(phase=phase, step=step, size=size, select=select, debug=debug, zoom=zoom, report=report,
                   frame=frame)
    if settings_path:
        return _shot(QSettings(settings_path, QSettings.Format.IniFormat), example, path, **options)
    with scratch_settings() as settings:
        return _shot(settings, example, path, **options)


def _shot(settings: QSettings, example: str, path: str, phase: str | None, step: int | None,
          size: tuple[int, int], select: str | None, debug: str | None, zoom: float | None,
          report: str | None, frame: bool) -> str:
    window = MainWindow(example, settings=settings, autosave=False)
    window.view.camera.smooth = False  # the picture shows where the camera ends, not half-way
    window.resize(*size)
    window.show()
    if frame:  # the frame too within the screen, as a lecturer's window opens
        wait_until(lambda: False, 0.2)
        window.presentation.keep_on_screen()
    window.resizeDocks([window.inspector], [min(460, size[0] // 3)], Qt.Orientation.Horizontal)
    if not wait_until(lambda: window.view.presenter is not None and window.idle, 60):
        raise RuntimeError(f"the example {example!r} did not finish opening")
    if phase:
        window.stepping.set_phase(phase)
    if phase or step is not None:
        window.stepping.seek((step - 1) if step is not None else window.model.cursor.last)
    if debug == "check":
        window.actions["check"].trigger()
    elif debug == "magnitude":
        window.actions["magnitude"].trigger()
    elif debug == "nan":
        window.debugging.run_to_nan()
    if select:
        from .docks.find_bar import find_node

        node_id = find_node(window.model.graph, select)
        if node_id is None:
            raise ValueError(f"no node matches {select!r}")
        window.view.scene().clearSelection()
        window.view.nodes[node_id].setSelected(True)
    if zoom is None:
        window.view.fit()
    else:
        look_at(window, zoom)
    wait_until(lambda: False, 0.3)  # let the transition settle
    window.view.hold_flow(SHOT_FLOW_TICKS)
    kind = Path(path).suffix.lstrip(".") or "png"
    picture = framed_grab(window) if frame else window.grab()
    write_atomic(path, image_bytes(picture, kind))  # never renamed over a device, never half a file
    if report:
        write_report(report, screen_report(window))
    window.close()
    return path


def framed_grab(window: QWidget):
    """The window as the screen shows it, its frame and title bar included, where a window
    manager draws them (on a platform without one, such as offscreen, the window alone)."""
    screen = window.screen()
    if screen is None or QGuiApplication.platformName() in ("offscreen", "minimal"):
        return window.grab()
    area = window.frameGeometry().intersected(screen.geometry())
    return screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())


def look_at(window: MainWindow, zoom: float) -> None:
    """Show the window's graph at ``zoom``, centred on the current step's node (or, before
    the first step, on the graph's first node)."""
    view, cursor = window.view, window.model.cursor
    step = cursor.current if cursor is not None else None
    item = view.item_for(step.node_id) if step is not None else None
    item = item or next(iter(view.nodes.values()), None)
    if item is None:
        return
    centre = item.sceneBoundingRect().center()
    view.place(zoom, (centre.x(), centre.y()))
