"""Opening a session file in the window: read and rebuilt off the window's thread, and a
dataset file it names read only once the user agreed (Read it / Open without the data /
Cancel), relative to the session file's folder, with a deadline and a Cancel that stops it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from ...io import SessionState, load_session
from ...nn.datasets import DatasetError
from ...session.document import reopen
from ...session.named_dataset import ReadStopped, dataset_path, read_named
from ...session.preparing import prepare
from ..messages import tell


@dataclass(frozen=True, eq=False)
class DatasetQuestion:
    """A session read that names a dataset file: what to ask before reading ``wanted``."""

    state: SessionState
    wanted: Path
    path: Path
    remember: bool


class SessionOpening(QObject):
    """The sessions controller's opening of files (it owns this, and lends it its model, its
    jobs and its frame).

    Parameters
    ----------
    sessions : SessionsController
    """

    def __init__(self, sessions):
        super().__init__(sessions)
        self.sessions = sessions
        self.model = sessions.model

    def open_session(self, path: str | Path, remember: bool = True) -> None:
        """Open a session file off the UI thread; the current graph stays until it is ready.
        A bad file leaves everything as it was and emits ``session_failed``. A session that
        names a dataset file (and carries no copy of its rows) asks before the file is read."""
        path = Path(path)
        if self.model.training_running:
            self.model.training.stop(wait=1.5)

        def work(stop: threading.Event):
            state = load_session(path)
            wanted = dataset_path(state, path.parent)
            if wanted is not None:
                return DatasetQuestion(state, wanted, path, remember)
            return self._reopened(state, path, remember, stop)

        self._start_opening(path, work)

    def _start_opening(self, path: Path, work) -> None:
        stop = threading.Event()  # set by Cancel: the dataset's read and the layout stop
        self.sessions.jobs.start(lambda: work(stop), self._on_job_reopened, f"Opening {path.name}…",
                                 self._on_job_open_failed, stop)

    def _reopened(self, state: SessionState, path: Path, remember: bool, stop: threading.Event,
                  data=None, unread: str | None = None):
        """Off the window's thread: the session rebuilt and laid out."""
        worker = self.sessions.worker
        with np.errstate(all="ignore"):
            reopened = reopen(state, data, path.parent, unread)
        if stop.is_set():
            raise ReadStopped(f"opening {path.name} was cancelled")
        graph = reopened.built.graph
        scopes = {n.scope[:k] for n in graph.nodes for k in range(1, len(n.scope) + 1)}
        collapsed = frozenset(s for s in state.view.collapsed if s in scopes)
        prepared = prepare(reopened.built, collapsed, worker, state.title or path.stem, state.expression)
        return prepared, reopened, (path if remember else None), path

    def _ask_to_read(self, question: DatasetQuestion) -> QMessageBox:
        """Ask before a path the session file names is read: Read it / Open without the data /
        Cancel. The question does not block the window."""
        box = QMessageBox(QMessageBox.Icon.Question, "Read the dataset file?",
                          f"{question.path.name} trains its network on a dataset it does not hold: "
                          f"it names the file\n\n{question.wanted}\n\nRead that file?",
                          QMessageBox.StandardButton.NoButton, self.sessions.frame)
        box.setObjectName("dataset_question")
        box.setInformativeText("Without the data, the network's graph opens as saved, but it cannot be trained.")
        read = box.addButton("Read it", QMessageBox.ButtonRole.AcceptRole)
        read.setObjectName("read_dataset")
        without = box.addButton("Open without the data", QMessageBox.ButtonRole.DestructiveRole)
        without.setObjectName("open_without_data")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # reading is what must be chosen, never what Enter does
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            if button is read:
                self._start_opening(question.path, lambda stop: self._read_then_reopen(question, stop))
            elif button is without:
                self._start_opening(question.path, lambda stop: self._reopened(
                    question.state, question.path, question.remember, stop,
                    unread=f"you chose not to read {question.wanted}"))
            else:
                self.model.say(f"Not opened: {question.path.name}")

        box.buttonClicked.connect(answered)
        box.open()
        return box

    def _read_then_reopen(self, question: DatasetQuestion, stop: threading.Event):
        """Off the window's thread: the named file read (a deadline and Cancel stop it), then
        the session rebuilt; a file that cannot be read opens the session without its data."""
        try:
            data, unread = read_named(question.wanted, stop), None
        except ReadStopped:
            raise
        except DatasetError as error:
            data, unread = None, str(error)
        return self._reopened(question.state, question.path, question.remember, stop, data, unread)

    def _on_job_reopened(self, result) -> None:
        if isinstance(result, DatasetQuestion):
            self._ask_to_read(result)
            return
        model = self.model
        prepared, reopened, path, reopened_path = result
        if reopened.run is not None:
            model.training.adopt(reopened.run)
        # Parsed off the window's thread; the graph shown is the session's own.
        model.expression.replace(reopened.expression or "", reopened.values if reopened.expression else None)
        model.pending_restore = reopened.state
        model.show(prepared)
        model.workspace.opened(prepared.title, path, typed=reopened.expression is not None)
        if path is None:  # recovered from an autosave: work no file holds
            model.workspace.changed()
        if path is not None:
            self.sessions.recent.add(path)
        elif self.sessions.autosave is not None and self.sessions.autosave.recovered_path == reopened_path:
            reopened_path.unlink(missing_ok=True)  # recovered: the window's autosave takes over
        if reopened.problem:
            model.say(f"Opened with a problem: {reopened.problem}")
            tell(self.sessions.frame, "Part of the session could not be restored", reopened.problem)
        self.sessions.opened.emit(str(path or ""))

    def _on_job_open_failed(self, message: str) -> None:
        self.model.say(f"Could not open: {message}")
        tell(self.sessions.frame, "Could not open the session", message)
        self.sessions.failed.emit(message)
