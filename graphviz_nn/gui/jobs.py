"""Work off the UI thread: building graphs, recording passes and waiting for layouts."""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal


# While a job runs Python, the window's thread needs the interpreter lock for every call
# Qt makes into Python (a slot, an event of a widget made in Python) and waits until the
# job has held it this long: a millisecond, not Python's default five, keeps its turns short.
SWITCH_INTERVAL_S = 0.001


class Job(QObject):
    """Runs a function in a Python thread and reports back through queued signals.

    The function must not touch widgets; what it returns is handed to ``finished`` in the
    UI thread. Graphviz itself runs in the layout worker process, so waiting for it here
    releases the interpreter lock and the window keeps drawing. Starting a job shortens
    the interpreter's switch interval (see ``SWITCH_INTERVAL_S``) for the rest of the run:
    it costs nothing while only one thread runs Python.
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self.cancelled = False

    def start(self) -> None:
        if sys.getswitchinterval() > SWITCH_INTERVAL_S:
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        threading.Thread(target=self._run, name="graphviz-nn job", daemon=True).start()

    def _run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # reported to the user in the status bar, never lost
            if not self.cancelled:
                self.failed.emit(f"{type(error).__name__}: {error}" if not str(error) else str(error))
            return
        if not self.cancelled:
            self.finished.emit(result)
