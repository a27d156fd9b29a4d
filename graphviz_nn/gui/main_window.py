"""The main window: the graph in the centre, playback and inspector docks, menus and keys."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QVBoxLayout, QWidget

from ..engine import Graph
from ..io import SessionState
from ..layout import LayoutWorker
from ..session import EXAMPLES, Built, Cursor
from ..session.player import Overlay, Player
from ..session.window_model import WindowModel
from .actions import build_actions, build_menus
from .autosave import Autosave
from .canvas.graph_view import GraphView
from .canvas.presenter import Presenter
from .canvas.theme import palette_theme
from .controllers.debug import DebugController
from .controllers.exports import ExportsController
from .controllers.jacobian import JacobianController
from .controllers.loading import LoadingController
from .controllers.playback import PlaybackController
from .controllers.presentation import PresentationController
from .controllers.sessions import SessionsController
from .controllers.training import TRAINING_MESSAGE, TrainingController
from .docks.expression_dock import ExpressionDock
from .docks.find_bar import FindBar
from .docks.inspector import InspectorDock
from .docks.jacobian_panel import JacobianPanel
from .docks.playback_dock import PlaybackDock
from .docks.status_bar import StatusBar
from .docks.training_dock import TrainingDock
from .help import show_about, show_shortcuts
from .preparing import Prepared


STATE_VERSION = 4  # raise when docks are added, removed or regrouped
FIRST_SIZE = (1280, 800)


def _release_frozen() -> None:
    """Let the cycle collector see what windows froze, free what closed windows left, and
    freeze again what the open ones hold."""
    gc.unfreeze()
    gc.collect()
    if any(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets()):
        gc.freeze()


class MainWindow(QMainWindow):
    """graphviz-nn's window.

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
        # The document (graph, player, collapsed scopes, expression, pending restore, busy):
        # set only through the model, whose events say what changed.
        self.model = WindowModel()
        self.presenter: Presenter | None = None
        # True: the application's data folder; a path: that folder (tests); False: none.
        folder = autosave if isinstance(autosave, Path) else Autosave.default_folder()
        self.loading = LoadingController(self)
        self.exports = ExportsController(self)
        self.sessions = SessionsController(self, Autosave(folder) if autosave is not False else None)

        self.view = GraphView()
        self.find_bar = FindBar()
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.find_bar)
        column.addWidget(self.view, 1)
        self.setCentralWidget(centre)

        self.presentation = PresentationController(self, self.settings.value("view/palette", "standard"),
                                                   STATE_VERSION)
        self.view.theme = palette_theme(self.presentation.palette)
        self.view.setBackgroundBrush(self.view.theme.background)
        self.actions = build_actions(self)
        self.actions[f"palette_{self.presentation.palette}"].setChecked(True)
        self.playback = PlaybackDock(self.actions, self)
        self.inspector = InspectorDock(self)
        self.jacobian = JacobianPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.playback)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspector)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.jacobian)
        self.expression = ExpressionDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.expression)
        self.training = TrainingDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.training)
        # One tab group on the right, in this order (tabifying jacobian later would split it).
        # Training is a tab too: beside the inspector it left the graph a sliver of a small
        # screen, and the passes cannot be stepped through while it trains anyway.
        self.tabifyDockWidget(self.inspector, self.jacobian)
        self.tabifyDockWidget(self.jacobian, self.expression)
        self.tabifyDockWidget(self.expression, self.training)
        self.training.hide()  # View > Training, or File > Train a network, shows it
        self.inspector.raise_()
        # The side columns run the full height; the playback controls sit under the graph.
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        build_menus(self, self.actions, (self.playback, self.inspector, self.jacobian, self.expression, self.training))
        bar = StatusBar()
        self.setStatusBar(bar)
        self.status, self.progress, self.cancel_button = bar.status, bar.progress, bar.cancel_button
        self.cancel_button.clicked.connect(self.cancel_work)
        self.stepping = PlaybackController(self)
        self.debugging = DebugController(self)
        self.view.scope_toggled.connect(self.loading.toggle_scope)
        self.view.picture_ready.connect(self._on_view_picture_ready)
        self.forward_vs_reverse = JacobianController(self.jacobian, self)
        self.training_control = TrainingController(self)
        self.expression.expression_changed.connect(self.loading.draw_expression)
        self.training.set_dark(self.view.theme.dark)

        self.presentation.restore_geometry(self.settings, FIRST_SIZE)
        # What exists when the window opens lives for the whole session: keeping it out of
        # the cycle collector's scans keeps its pauses short (a full scan of a big heap took
        # over 100 ms, a visible stall). Reference counting still frees what is dropped.
        gc.freeze()
        self.sessions.start_autosave()
        if example:
            self.load_example(example)

    # --- actions, menus, status bar ---------------------------------------------------
    def fit_graph(self) -> None:
        self.view.fit()

    def open_find_bar(self) -> None:
        self.find_bar.open()

    def open_example(self, key: str) -> None:
        """Open a gallery example, once unsaved work is saved or let go."""
        self.sessions.confirm_discard(lambda: self.load_example(key))

    def say(self, text: str) -> None:
        self.status.setText(text)

    # --- loading graphs -------------------------------------------------------------------
    def load_example(self, key: str) -> None:
        if key not in EXAMPLES:
            self.say(f"No example named {key!r}")
            return
        self.loading.load(EXAMPLES[key].build, EXAMPLES[key].title)

    # --- the document: the model's, read here by the name the controllers know ------------------
    @property
    def built(self) -> Built | None:
        return self.model.built

    @property
    def graph(self) -> Graph | None:
        return self.model.graph

    @property
    def player(self) -> Player | None:
        return self.model.player

    @property
    def collapsed(self) -> frozenset:
        return self.model.collapsed

    @property
    def expression_text(self) -> str | None:
        return self.model.expression_text

    def show_prepared(self, prepared: Prepared) -> None:
        self.stepping.stop()
        # A network drawn for a run under way stays locked by the run and coloured as it learns.
        locked_by = self.training_control.sequence if self.training_control.running else None
        player = self.model.show(prepared.built, prepared.recording, prepared.collapsed, prepared.title,
                                 prepared.expression, locked_by)
        self.sessions.autosave_pending = True
        self.sessions.update_title()
        self.stepping.attach(player)
        self.debugging.attach(player)
        self.actions["check"].setChecked(False)
        self.actions["magnitude"].setChecked(player.overlay is Overlay.MAGNITUDE)
        self.actions["reveal"].setChecked(False)
        self.presenter = Presenter(self.view, self.graph, player, prepared.short_names)
        self.find_bar.set_graph(self.graph)
        leaves = [(self.graph.id_of(v), v.label) for v in self.built.inputs]
        self.playback.set_tangent_inputs(leaves)
        self.playback.set_phase("forward")
        self.forward_vs_reverse.new_graph(self.graph, self.built.output, self.built.inputs)
        self.view.show_layout(prepared.layout, self.prepare_item)
        note = self.built.note + (f" · {len(self.graph)} nodes, scopes collapsed (double-click to open)"
                                  if self.collapsed else "")
        # A network drawn for a run that has started already: the training message stays.
        self.say(TRAINING_MESSAGE if self.training_control.running else note + " · Space plays the forward pass")

    def prepare_item(self, item) -> None:
        if self.presenter is not None:
            self.presenter.refresh_item(item, self.cursor)

    def collect_again(self) -> None:
        """Let the cycle collector run again once nothing is being built; what was built is
        long-lived, so it is frozen out of future scans first."""
        if not self.model.busy and not self.view.building and not self.training_control.running:
            gc.freeze()
            gc.enable()

    def _on_view_picture_ready(self) -> None:
        self.collect_again()
        if self.presenter is not None:  # items were prepared as they were built
            self.presenter.light_current(self.cursor)
            self.stepping.update_position()
        self.forward_vs_reverse.picture_ready()
        state = self.model.pending_restore
        if state is not None:
            self.model.pending_restore = None
            self.sessions.restore_position(state)
        self.training_control.picture_ready()

    def cancel_work(self) -> None:
        if self.exports.animation_export is not None:
            self.exports.animation_export.cancel()
        else:
            self.loading.cancel()

    # --- training: the training controller's ---------------------------------------------------
    # --- playback: the playback controller's ------------------------------------------------
    @property
    def cursor(self) -> Cursor | None:
        return self.player.cursor if self.player is not None else None

    @property
    def phase(self) -> str | None:
        return self.player.phase if self.player is not None else None

    # --- session files: the sessions controller's, reached from here too -------------------
    @property
    def is_training(self) -> bool:
        """True from the start of a training run until the window has heard it ended."""
        return self.training_control.running

    @property
    def restoring(self) -> bool:
        """True until a reopened session's pass, step and view are back on screen."""
        return self.model.pending_restore is not None

    def restore_after_drawing(self, state: SessionState | None) -> None:
        """Once the next picture is drawn, put back a reopened session's pass, step and view."""
        self.model.pending_restore = state

    @property
    def idle(self) -> bool:
        """True when nothing is being built, laid out, opened or saved."""
        return not self.model.busy and not self.sessions.saving and not self.view.building
    # --- view: the presentation controller's --------------------------------------------------
    def show_about(self) -> None:
        show_about(self)

    def show_shortcuts(self) -> None:
        show_shortcuts(self, self.actions)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The user's own close (the window manager's button) asks about unsaved work first;
        # the program's close() (scripts, the self-test) does not.
        if event.spontaneous() and not self.sessions.closing_confirmed and self.sessions.workspace.unsaved:
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
