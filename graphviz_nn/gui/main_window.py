"""The main window: the graph in the centre, playback and inspector docks, menus and keys."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QVBoxLayout, QWidget

from ..layout import LayoutWorker
from ..session import EXAMPLES
from ..session.training_sequence import TrainingSequence
from ..session.window_model import WindowModel
from .actions import build_actions, build_menus, connect_actions
from .autosave import Autosave
from .canvas.graph_view import GraphView
from .canvas.theme import PALETTES, palette_theme
from .controllers.debug import DebugController
from .controllers.exports import ExportsController
from .controllers.jacobian import JacobianController
from .controllers.loading import LoadingController
from .controllers.model_building import BuilderController
from .controllers.playback import PlaybackController
from .controllers.presentation import PresentationController
from .controllers.recurrence import RecurrenceController
from .controllers.sessions import SessionsController
from .controllers.training import TrainingController
from .docks.builder_dock import BuilderDock
from .docks.expression_dock import ExpressionDock
from .docks.find_bar import FindBar
from .docks.inspector import InspectorDock
from .docks.jacobian_panel import JacobianPanel
from .docks.playback_dock import PlaybackDock
from .docks.recurrence_view import RecurrenceView
from .docks.status_bar import StatusBar
from .docks.summary_dock import SummaryDock
from .docks.training_dock import TrainingDock
from .help import show_about, show_shortcuts
from .jobs import JobRunner
from .training_worker import make_training_client


STATE_VERSION = 5  # raise when docks are added, removed or regrouped
FIRST_SIZE = (1280, 800)


def _docked(title: str, name: str, widget: QWidget, parent: QWidget) -> QDockWidget:
    """A dock holding one view."""
    dock = QDockWidget(title, parent)
    dock.setObjectName(name)
    dock.setWidget(widget)
    return dock


def _release_frozen() -> None:
    """Let the cycle collector see what windows froze, free what closed windows left, and
    freeze again what the open ones hold."""
    gc.unfreeze()
    gc.collect()
    if any(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets()):
        gc.freeze()


class MainWindow(QMainWindow):
    """graphviz-nn's window: it creates the model, the widgets and the controllers, and wires
    them; the controllers share the model (:class:`~graphviz_nn.session.window_model.
    WindowModel`) and each drives its own widgets.

    Parameters
    ----------
    example : str or None
        The gallery example to open (see ``graphviz_nn.session.EXAMPLES``).
    settings : QSettings, optional
        Where geometry, dock state and recent files are remembered (tests pass a temporary
        one); the autosave is written next to its file.
    worker : LayoutWorker, optional
        The Graphviz process to lay graphs out with (one of the window's own by default).
    autosave : bool
        Save the session every half minute, and offer it back after a crash.

    Signals
    -------
    session_failed(str)
        A session file could not be opened (the message names the file and the problem).
    session_opened(str)
        A session file was opened and is being shown.
    session_saved(str)
        A session file was written.
    """

    session_failed = Signal(str)
    session_opened = Signal(str)
    session_saved = Signal(str)

    def __init__(self, example: str | None = "scalar", settings: QSettings | None = None,
                 worker: LayoutWorker | None = None, autosave: bool | Path = True):
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("graphviz-nn")
        self.settings = settings if settings is not None else QSettings("graphviz-nn", "graphviz-nn")
        self.worker = worker or LayoutWorker()
        self._own_worker = worker is None
        # The document, and every document the window's parts edit: set only through the
        # model, whose events say what changed.
        self.model = model = WindowModel(TrainingSequence(make_training_client))

        # --- the widgets ---
        self.view = GraphView()
        self.find_bar = FindBar()
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.find_bar)
        column.addWidget(self.view, 1)
        self.setCentralWidget(centre)
        palette = self.settings.value("view/palette", "standard")
        self.view.theme = palette_theme(palette if palette in PALETTES else "standard")
        self.view.setBackgroundBrush(self.view.theme.background)
        self.actions = build_actions(self)
        self.playback = PlaybackDock(self.actions, self)
        self.inspector = InspectorDock(self)
        self.jacobian = JacobianPanel(model.jacobian, self)
        self.expression = ExpressionDock(model.expression, self)
        self.training = TrainingDock(model.datasets, self)
        self.recurrence_view = RecurrenceView()
        self.recurrence = _docked("Recurrence", "recurrence", self.recurrence_view, self)
        self.builder = BuilderDock(model.builder, self, self.view.theme)
        self.summary = SummaryDock(self)
        for area, dock in ((Qt.DockWidgetArea.BottomDockWidgetArea, self.playback),
                           *((Qt.DockWidgetArea.RightDockWidgetArea, d)
                             for d in (self.inspector, self.jacobian, self.expression, self.training,
                                       self.recurrence, self.builder, self.summary))):
            self.addDockWidget(area, dock)
        # One tab group on the right, in this order (tabifying jacobian later would split it).
        # Training is a tab too: beside the inspector it left the graph a sliver of a small
        # screen, and the passes cannot be stepped through while it trains anyway.
        self.tabifyDockWidget(self.inspector, self.jacobian)
        self.tabifyDockWidget(self.jacobian, self.expression)
        self.tabifyDockWidget(self.expression, self.training)
        self.tabifyDockWidget(self.training, self.recurrence)
        self.tabifyDockWidget(self.recurrence, self.builder)
        self.tabifyDockWidget(self.builder, self.summary)
        for dock in (self.recurrence, self.builder, self.summary):
            dock.hide()  # the View menu shows them; Recurrence comes with recurrent layers
        self.training.hide()  # View > Training, or File > Train a network, shows it
        self.inspector.raise_()
        # The side columns run the full height; the playback controls sit under the graph.
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        bar = StatusBar()
        self.setStatusBar(bar)
        self.status, self.progress, self.cancel_button = bar.status, bar.progress, bar.cancel_button
        model.events.said.connect(self.status.setText)

        # --- the controllers, each with the model and the widgets it drives ---
        # Connected to the model's ``shown`` in this order: the picture is started first.
        self.jobs = JobRunner(model, bar, self)
        self.loading = LoadingController(model, self.jobs, self.view, self.worker, self)
        self.stepping = PlaybackController(model, self.view, self.playback, self.find_bar, self.inspector,
                                           self.actions["play"], self)
        self.debugging = DebugController(model, self.view, self.actions, self)
        self.forward_vs_reverse = JacobianController(self.jacobian, model, self.view, self)
        # True: the application's data folder; a path: that folder (tests); False: none.
        folder = autosave if isinstance(autosave, Path) else Autosave.default_folder()
        self.sessions = SessionsController(model, self.jobs, self.view, self, self.settings, self.worker,
                                           Autosave(folder) if autosave is not False else None, self)
        self.training_control = TrainingController(model, self.training, self.view, self.settings, self)
        self.exports = ExportsController(model, self.jobs, self.view, self, self.worker, self)
        self.through_time = RecurrenceController(model, self.recurrence, self.recurrence_view, self)
        self.building = BuilderController(model, self.builder, self.summary, self.training, self)
        panels = (self.playback, self.inspector, self.jacobian, bar, self.find_bar, self.menuBar())
        self.presentation = PresentationController(model, self, self.view, panels, self.actions, self.settings,
                                                   palette, STATE_VERSION, self)
        connect_actions(self.actions, {"stepping": self.stepping, "debugging": self.debugging,
                                       "sessions": self.sessions, "exports": self.exports,
                                       "presentation": self.presentation, "view": self.view,
                                       "find_bar": self.find_bar})
        self.actions[f"palette_{self.presentation.palette}"].setChecked(True)
        docks = (self.playback, self.inspector, self.jacobian, self.expression, self.training, self.recurrence,
                 self.builder, self.summary)
        build_menus(self, self.actions, docks)
        for dock in docks:  # View > a tab brings it to the front (showing it alone left it behind the others)
            dock.toggleViewAction().triggered.connect(lambda shown, dock=dock: dock.raise_() if shown else None)

        # --- what one part tells another, through the window that made both ---
        self.cancel_button.clicked.connect(self.cancel_work)
        self.expression.expression_changed.connect(
            lambda parsed: self.loading.draw_expression(parsed, self.sessions.confirm_discard))
        self.exports.animation_started.connect(self.stepping.stop)
        self.presentation.theme_changed.connect(lambda theme: self.training.set_dark(theme.dark))
        self.presentation.theme_changed.connect(lambda theme: self.recurrence_view.set_dark(theme.dark))
        self.sessions.failed.connect(self.session_failed)
        self.sessions.opened.connect(self.session_opened)
        self.sessions.saved.connect(self.session_saved)
        model.events.busy_changed.connect(lambda busy: None if busy else self.collect_again())
        self.view.picture_ready.connect(self.collect_again)
        self.training.set_dark(self.view.theme.dark)
        self.recurrence_view.set_dark(self.view.theme.dark)

        self.presentation.restore_geometry(self.settings, FIRST_SIZE, self.inspector, self.playback)
        # What exists when the window opens lives for the whole session: keeping it out of
        # the cycle collector's scans keeps its pauses short (a full scan of a big heap took
        # over 100 ms, a visible stall). Reference counting still frees what is dropped.
        gc.freeze()
        self.sessions.start_autosave()
        if example:
            self.load_example(example)

    # --- what the menus ask of the window -------------------------------------------------
    def open_example(self, key: str) -> None:
        """Open a gallery example, once unsaved work is saved or let go."""
        self.sessions.confirm_discard(lambda: self.load_example(key))

    def load_example(self, key: str) -> None:
        if key not in EXAMPLES:
            self.model.say(f"No example named {key!r}")
            return
        self.model.open(EXAMPLES[key].build, EXAMPLES[key].title)

    def show_training_dock(self) -> None:
        """The Training tab, raised, wide enough for its plots."""
        self.training.show()
        self.training.raise_()
        if self.dockWidgetArea(self.training) == Qt.DockWidgetArea.RightDockWidgetArea:
            # Room for the plots; the graph keeps the larger part of the width.
            wanted = min(max(460, self.width() * 2 // 5), 700)
            if self.training.width() < wanted:
                self.resizeDocks([self.training], [wanted], Qt.Orientation.Horizontal)

    def show_about(self) -> None:
        show_about(self)

    def show_shortcuts(self) -> None:
        show_shortcuts(self, self.actions)

    def cancel_work(self) -> None:
        if not self.exports.cancel_animation():
            self.loading.cancel()

    def collect_again(self) -> None:
        """Let the cycle collector run again once nothing is being built; what was built is
        long-lived, so it is frozen out of future scans first."""
        if not self.model.busy and not self.view.building and not self.model.training_running:
            gc.freeze()
            gc.enable()

    @property
    def idle(self) -> bool:
        """True when nothing is being built, laid out, opened or saved."""
        return not self.model.busy and not self.model.saving and not self.view.building

    def closeEvent(self, event: QCloseEvent) -> None:
        # The user's own close (the window manager's button) asks about unsaved work first;
        # the program's close() (scripts, the self-test) does not.
        if event.spontaneous() and not self.sessions.closing_confirmed and self.model.workspace.unsaved:
            event.ignore()
            self.sessions.request_close()
            return
        self.stepping.stop()
        self.sessions.stop_autosave()
        self.training_control.close()
        # The open job's own Cancel: it sets the job's stop event, so a session's dataset
        # read (up to 30 s on a drive that does not answer) ends with the window.
        self.loading.cancel()
        self.presentation.save_geometry(self.settings)
        if self._own_worker:
            self.worker.close()
        super().closeEvent(event)
        # What this window froze at its start must not outlive it (10 MB a closed window).
        QTimer.singleShot(0, _release_frozen)
