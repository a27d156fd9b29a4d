"""Errors nobody caught, in the window's program: logged and shown, and the window goes on.

A windowed program has no terminal (the desktop app, ``graphviz-nn-window`` under pythonw):
an exception raised in a slot or a thread was printed to nowhere and lost. :class:`ErrorHook`
takes over ``sys.excepthook`` and ``threading.excepthook`` while the window runs: each error
is appended to the error log in the application's data folder (the autosave's folder's
parent; written by the Qt-free :mod:`graphviz_nn.io.crash_log`) with the app's, Python's and
Qt's versions and the platform, and shown in a dialog that says where the log is and can copy
the details for a bug report.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import PySide6
from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from .. import __version__
from ..io.crash_log import LOG_NAME, append_report, error_report

#: Reports written to the log in one run: an error raised at every frame is logged this
#: often, then only counted (the log is bounded anyway; this bounds the disk's work).
MAX_LOGGED = 100


def default_log_path() -> Path:
    """The error log in the application's data folder, beside the autosave's folder."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(folder) / LOG_NAME


def versions() -> dict[str, str]:
    return {"graphviz-nn": __version__, "Qt": qVersion(), "PySide6": PySide6.__version__}


class ErrorDialog(QDialog):
    """What went wrong, where the log is, and the details to copy; it does not block.

    Child widgets with objectNames: ``error_message``, ``error_log`` (where the log is),
    ``error_details`` (the report) and ``copy_details`` (copies the report to the clipboard).
    """

    def __init__(self, message: str, log: str, details: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("error_dialog")
        self.setWindowTitle("graphviz-nn: something went wrong")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._text = message
        self.message = QLabel(message)
        self.message.setObjectName("error_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log = QLabel(log)
        self.log.setObjectName("error_log")
        self.log.setWordWrap(True)
        self.log.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(details)
        self.details.setObjectName("error_details")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setObjectName("copy_details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_clicked)  # the dialog stays open
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.message, self.log, self.details, buttons):
            layout.addWidget(widget)
        self.resize(640, 420)
        self.more = 0

    def count_another(self) -> None:
        """Another error came while this one is shown: it is in the log, not in a new dialog."""
        self.more += 1
        self.message.setText(f"{self._text}\n({self.more} more error{'s' if self.more > 1 else ''} since: see the log)")

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")


class ErrorHook(QObject):
    """The program's handler of uncaught errors while installed (see :meth:`install`).

    Parameters
    ----------
    log_path : Path, optional
        Where the error log goes (default: :func:`default_log_path`).

    Signals
    -------
    reported(str, str, str)
        An error was logged: its one-line message, where the log is (or why it could not be
        written), and the report. Queued to the window's thread, where the dialog shows.
    """

    reported = Signal(str, str, str)

    def __init__(self, log_path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.log_path = Path(log_path) if log_path is not None else default_log_path()
        self.dialog: ErrorDialog | None = None
        self.logged = 0
        self.shows_nothing = False  # True once a dialog failed to show
        self._inside = threading.local()  # set while this thread is handling an error
        self._lock = threading.Lock()     # one report written at a time
        self._previous: tuple | None = None
        self.reported.connect(self._on_reported, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        """Handle the uncaught errors of every thread from now on."""
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self.handle
            threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        """Give the errors back to the handlers there were before."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def handle(self, kind, error, trace, thread: str | None = None) -> None:
        """Log an error and have it shown (the ``sys.excepthook`` signature)."""
        fallback = self._previous[0] if self._previous else sys.__excepthook__
        if not issubclass(kind, Exception) or getattr(self._inside, "active", False):
            # Ctrl+C and exits are not errors; an error inside this handler is printed by
            # the handler from before, never handled again (it would loop).
            fallback(kind, error, trace)
            return
        self._inside.active = True
        try:
            report = error_report(kind, error, trace, versions(), thread)
            where = self._write(report)
            message = (f"{kind.__name__}: {error}" if str(error) else kind.__name__).splitlines()[0][:300]
            self.reported.emit(message, where, report)
        except Exception:  # the hook itself failed: say it the plain way, once
            fallback(kind, error, trace)
        finally:
            self._inside.active = False

    def _handle_thread(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else None
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, name)

    def _write(self, report: str) -> str:
        with self._lock:
            if self.logged >= MAX_LOGGED:
                return f"The log holds the first {MAX_LOGGED} errors of this run: {self.log_path}"
            try:
                append_report(self.log_path, report)
            except OSError as error:
                return f"The error log could not be written ({error.strerror or error}): {self.log_path}"
            self.logged += 1
            return f"The details are in the error log: {self.log_path}"

    def _on_reported(self, message: str, where: str, report: str) -> None:
        if self.shows_nothing:
            return
        try:
            if self.dialog is not None:
                self.dialog.count_another()
                return
            app = QApplication.instance()
            parent = app.activeWindow() if app is not None else None
            dialog = ErrorDialog(f"An error happened; the window goes on, but what it was doing may not "
                                 f"have finished.\n{message}", where, report, parent)
            dialog.finished.connect(self._on_dialog_finished)
            dialog.destroyed.connect(self._on_dialog_finished)
            self.dialog = dialog
            dialog.open()
        except Exception:
            # Showing failed: its error would come back here and fail again, for ever; the
            # errors are still logged, and no dialog is tried again.
            self.shows_nothing = True
            raise

    def _on_dialog_finished(self, *_args) -> None:
        self.dialog = None


@contextmanager
def errors_logged(log_path: Path | None = None) -> Iterator[ErrorHook]:
    """While inside, uncaught errors are logged and shown (needs the QApplication)."""
    hook = ErrorHook(log_path, QApplication.instance())
    hook.install()
    try:
        yield hook
    finally:
        hook.uninstall()
