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


class JobRunner(QObject):
    """The window's background work, shown in its status bar.

    One job at a time (building, recording, laying out, opening, exporting the graph): a newer
    one overtakes the one running, whose result is then dropped. And, beside it, one file
    written at a time (a session, a history), refused while another is being written. The
    model's ``busy`` and ``saving`` say which runs; the progress bar shows while either does,
    and Cancel while a job does.

    Parameters
    ----------
    model : WindowModel
        Told ``busy`` and ``saving``, and the messages for the status bar.
    status_bar : StatusBar
        Its ``progress`` bar and ``cancel_button``.
    """

    def __init__(self, model, status_bar, parent: QObject | None = None):
        super().__init__(parent)
        self.model = model
        self.progress, self.cancel_button = status_bar.progress, status_bar.cancel_button
        self.job: Job | None = None
        self._stop: threading.Event | None = None  # the running job's, if it looks at one
        self._writing: Job | None = None
        self._counting = False

    def start(self, work: Callable[[], Any], done: Callable[[Any], None], message: str,
              failed: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> Job:
        """Run ``work`` as the window's one job: once it ends the job is finished and
        ``done(result)`` or ``failed(message)`` runs in the window's thread, unless a newer
        job overtook it. ``stop`` is set when the job is cancelled or overtaken, for work
        that looks at it."""
        if self.job is not None:
            self.job.cancelled = True
        self._stop_work()
        self._stop = stop
        job = Job(work, self)
        job.finished.connect(lambda result: self._ended(job, done, result))
        job.failed.connect(lambda text: self._ended(job, failed or self.model.say, text))
        self.job = job
        self.model.busy = True
        self._show()
        self.model.say(message)
        job.start()
        return job

    def _ended(self, job: Job, then, result) -> None:
        if job is not self.job:
            return  # overtaken or cancelled: its result is dropped
        self.finish()
        then(result)

    def _stop_work(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def finish(self) -> None:
        """The job running ended (or is dropped)."""
        self.job = None
        self._stop = None
        self.model.busy = False
        self._show()

    def cancel(self) -> bool:
        """Cancel the job running; False when there is none."""
        if self.job is None:
            return False
        self.job.cancelled = True
        self._stop_work()
        self.finish()
        return True

    def write(self, work: Callable[[], Any], message: str, done: Callable[[Any], None],
              failed: Callable[[str], None]) -> bool:
        """Write a file off the window's thread, one at a time: ``work()`` runs in a thread,
        then ``done(its result)`` or ``failed(message)`` in the window's. False, and nothing
        started, while another write is under way."""
        if self._writing is not None:
            self.model.say("A save is under way; try again when it has finished")
            return False
        job = Job(work, self)
        job.finished.connect(lambda result: self._written(done, result))
        job.failed.connect(lambda text: self._written(failed, text))
        self._writing = job
        self.model.saving = True
        self._show()
        self.model.say(message)
        job.start()
        return True

    def _written(self, then, result) -> None:
        self._writing = None
        self.model.saving = False
        self._show()
        then(result)

    def count(self, done: int, total: int, cancellable: bool = False) -> None:
        """Show ``done`` of ``total`` on the progress bar (frames recorded, rows written), with
        Cancel when the counted work can be cancelled (its owner hears the button)."""
        self._counting = "cancellable" if cancellable else True
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self._show()

    def counted(self) -> None:
        """The counting is over: the bar goes back to a busy bar, or away."""
        self._counting = False
        self.progress.setRange(0, 0)
        self._show()

    def _show(self) -> None:
        self.progress.setVisible(self.job is not None or self._writing is not None or bool(self._counting))
        self.cancel_button.setVisible(self.job is not None or self._counting == "cancellable")
