"""Session files from the window: save (in the background), open (off the window's thread),
the recent files, the autosave and its recovery, and asking before unsaved work is let go.

The open document is the model's (its Qt-free :class:`~graphviz_nn.session.workspace.
Workspace`); the controller writes and reads it, and keeps the frame's title in step.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ...io import SessionState, ViewState, save_session
from ...layout import LayoutWorker
from ...session.document import capture, left_behind
from ...session.window_model import WindowModel
from ..autosave import Autosave
from ..canvas.graph_view import GraphView
from ..docks.playback_dock import PHASE_TITLES
from ..jobs import JobRunner
from ..messages import tell
from ..recent_files import RecentFiles
from .session_opening import SessionOpening

AUTOSAVE_MS = 30_000
SESSION_FILTER = "graphviz-nn sessions (*.gnn)"


class SessionsController(QObject):
    """The window's session files.

    Parameters
    ----------
    model : WindowModel
        Its document is saved, and sessions open into it.
    jobs : JobRunner
        Where files are read and written.
    view : GraphView
        Its placement is saved and put back.
    frame : QWidget
        The top-level widget: its title names the document, dialogs open over it, and it is
        closed when the user agreed to let unsaved work go.
    settings : QSettings
        Where the recent files are remembered.
    worker : LayoutWorker
        Lays reopened graphs out.
    autosave : Autosave or None
        Where this window's autosave goes (None: no autosave).

    Signals
    -------
    failed(str), opened(str), saved(str)
        A session file could not be opened (why), was opened (its path), was saved (its path).
    """

    failed = Signal(str)
    opened = Signal(str)
    saved = Signal(str)

    def __init__(self, model: WindowModel, jobs: JobRunner, view: GraphView, frame: QWidget, settings,
                 worker: LayoutWorker, autosave: Autosave | None, parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.jobs, self.view, self.frame, self.worker = model, jobs, view, frame, worker
        self.workspace = model.workspace
        self.recent = RecentFiles(settings)
        self.opening = SessionOpening(self)
        self.autosave = autosave
        self.autosave_pending = False  # the document changed since the last autosave
        self.closing_confirmed = False  # the user agreed to close: do not ask again
        self._timer = QTimer(self)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.autosave_now)
        model.events.shown.connect(self._on_shown)
        model.events.document_changed.connect(self._on_document_changed)
        self.workspace.state_changed.connect(self.update_title)
        view.picture_ready.connect(self._on_view_picture_ready)

    def _on_shown(self, _model) -> None:
        self.autosave_pending = True
        self.update_title()

    def _on_document_changed(self) -> None:
        """The open document changed (new weights, an epoch put back): the next autosave
        takes it."""
        self.autosave_pending = True

    def _on_view_picture_ready(self) -> None:
        state = self.model.pending_restore
        if state is not None:
            self.model.pending_restore = None
            self.restore_position(state)

    def start_autosave(self) -> None:
        """Take this window's autosave lock, offer back a crashed window's autosave."""
        if self.autosave is None:
            return
        recovered = self.autosave.claim_crashed()
        self.autosave.started()
        self._timer.start()
        if recovered is not None:
            QTimer.singleShot(0, lambda: self._offer_recovery(recovered))

    def stop_autosave(self) -> None:
        """The window closes properly: its autosave goes."""
        self._timer.stop()
        if self.autosave is not None:
            self.autosave.finished()

    def session_state(self) -> SessionState:
        """What a session file of the window now would hold."""
        model = self.model
        if model.built is None:
            raise ValueError("there is no graph to save yet")
        return capture(model.built, self.workspace.title, expression=model.expression_text, run=model.training.run,
                       phase=model.phase, position=model.cursor.position if model.cursor else -1,
                       view=self._view_state())

    def _view_state(self) -> ViewState:
        zoom, centre = self.view.placement()
        return ViewState(zoom, centre, tuple(sorted(self.model.collapsed)))

    def save_session(self, path: str | Path) -> Path:
        """Save the session to ``path`` (atomically) and make it the window's file.

        Raises ValueError when there is nothing to save or training is running (its arrays
        are changing), OSError when the file cannot be written.
        """
        if self.model.training_running:
            raise ValueError("training is running: pause or stop it, then save")
        revision = self.workspace.revision
        written = save_session(path, self.session_state())
        self._saved(written, revision)
        return written

    def _saved(self, written: Path, revision: int) -> None:
        self.workspace.saved(written, revision)
        self.recent.add(written)
        run = self.model.training.run
        note = left_behind(run) if run is not None and run.network.graph is self.model.graph else None
        self.model.say(f"Saved {written}" + (f"; {note}" if note else ""))
        self.saved.emit(str(written))

    def save(self) -> None:
        if self.session_path is None:
            self.save_as_dialog()
        else:
            self.save_to(self.session_path)

    @property
    def session_path(self) -> Path | None:
        """The session file the window's document was opened from or saved to."""
        return self.workspace.path

    @property
    def title(self) -> str:
        return self.workspace.title

    def save_as_dialog(self, then=None, otherwise=None) -> None:
        """Ask where to save, then save there; ``then`` and ``otherwise`` as for :meth:`save_to`
        (``otherwise`` also when no file is chosen)."""
        if self.model.built is None:
            return
        start = str(self.session_path or Path.home() / "session.gnn")
        path, _ = QFileDialog.getSaveFileName(self.frame, "Save session", start, SESSION_FILTER)
        if path:
            self.save_to(Path(path) if Path(path).suffix else Path(path + ".gnn"), then, otherwise)
        elif otherwise is not None:
            otherwise()

    def save_to(self, path: Path, then=None, otherwise=None) -> None:
        """Save in the background (a long training history took seconds on the UI thread);
        ``then`` runs once the file is written, ``otherwise`` when it is not."""
        def failed(message: str) -> None:
            self._save_failed(message)
            if otherwise is not None:
                otherwise()

        try:
            if self.model.training_running:
                raise ValueError("training is running: pause or stop it, then save")
            state = self.session_state()
        except ValueError as error:
            failed(str(error))
            return
        revision = self.workspace.revision
        started = self.jobs.write(lambda: save_session(path, state), f"Saving {path.name}…",
                                  lambda written: self._on_save_finished(written, revision, then), failed)
        if not started and otherwise is not None:
            otherwise()

    def _on_save_finished(self, written: Path, revision: int, then) -> None:
        self._saved(written, revision)
        if then is not None:
            then()

    def _save_failed(self, message: str, title: str = "Could not save the session") -> None:
        self.model.say(f"Not saved: {message}")
        tell(self.frame, title, message)

    def confirm_discard(self, then, cancelled=None) -> None:
        """Run ``then`` (which discards the document) once the user agrees: with unsaved work,
        ask Save / Discard / Cancel first. The question does not block the window.
        ``cancelled`` runs when ``then`` will not: Cancel, or a save that was not made."""
        if not self.workspace.unsaved or self.model.built is None:
            then()
            return
        cancelled = cancelled or (lambda: None)
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        name = self.session_path.name if self.session_path else (self.title or "this graph")
        box = QMessageBox(QMessageBox.Icon.Question, "Save your work?",
                          f"{name} has changes that are not saved. Save them first?", buttons, self.frame)
        box.setObjectName("unsaved")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            chosen = box.standardButton(button)
            if chosen == QMessageBox.StandardButton.Discard:
                self.workspace.discard()
                then()
            elif chosen == QMessageBox.StandardButton.Save:
                if self.session_path is not None:
                    self.save_to(self.session_path, then, cancelled)
                else:
                    self.save_as_dialog(then, cancelled)
            else:
                cancelled()

        box.buttonClicked.connect(answered)
        box.open()

    def request_close(self) -> None:
        """Close the window as the user asked: unsaved work is asked about first."""
        self.confirm_discard(self._close_confirmed)

    def _close_confirmed(self) -> None:
        self.closing_confirmed = True
        self.frame.close()

    def open_dialog(self) -> None:
        self.confirm_discard(self._open_dialog)

    def _open_dialog(self) -> None:
        folder = str(self.session_path.parent if self.session_path else Path.home())
        path, _ = QFileDialog.getOpenFileName(self.frame, "Open session", folder, SESSION_FILTER + ";;All files (*)")
        if path:
            self.open_session(path)

    def open_session(self, path: str | Path, remember: bool = True) -> None:
        """Open a session file off the UI thread (see :class:`~.session_opening.SessionOpening`):
        the current graph stays until it is ready; a bad file leaves everything as it was and
        emits ``session_failed``; a dataset file it names is read only once the user agrees."""
        self.opening.open_session(path, remember)

    def restore_position(self, state: SessionState) -> None:
        """Once a reopened session is drawn: its pass, playback position and view."""
        if state.phase in PHASE_TITLES and state.phase != "tangent":
            player = self.model.player
            recording = player.recording(state.phase)
            player.set_phase(state.phase, max(-1, min(state.position, len(recording) - 1)))
        self.view.place(state.view.zoom, state.view.centre)

    def update_title(self) -> None:
        self.frame.setWindowTitle(self.workspace.window_title())
        self.frame.setWindowModified(self.workspace.unsaved)

    def fill_recent_menu(self, menu) -> None:
        """Fill the Open recent menu as it opens."""
        menu.clear()
        paths = self.recent.paths()
        for path in paths:
            action = menu.addAction(path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setEnabled(path.is_file())
            action.triggered.connect(lambda checked=False, p=path: self.confirm_discard(lambda: self.open_session(p)))
        if not paths:
            menu.addAction("No recent sessions").setEnabled(False)

    def autosave_now(self, wait: bool = False) -> bool:
        """Write the autosave if anything changed since the last one (in a thread unless
        ``wait``); skipped while training or opening. True when a save was started."""
        model = self.model
        if (self.autosave is None or not self.autosave_pending or model.built is None or model.training_running
                or model.busy or not self.autosave.writable()):
            return False
        try:
            state = self.session_state()
        except ValueError:
            return False
        self.autosave_pending = False
        autosave = self.autosave

        def write() -> None:
            try:
                autosave.write(state)
            except (ValueError, OSError):
                pass  # an autosave that cannot be written is retried after the next change

        if wait:
            write()
        else:
            threading.Thread(target=write, name="graphviz-nn autosave", daemon=True).start()
        return True

    def _offer_recovery(self, path: Path) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Restore the last session?",
                          "graphviz-nn did not close properly last time. Open the session it "
                          "saved automatically?", QMessageBox.StandardButton.Open
                          | QMessageBox.StandardButton.Discard, self.frame)
        box.setObjectName("recovery")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Open:
                self.open_session(path, remember=False)
            else:
                path.unlink(missing_ok=True)

        box.buttonClicked.connect(answered)
        box.open()
