"""The training client in the window: its updates, which arrive on a reading thread, become
queued Qt signals handled on the window's thread (see :mod:`graphviz_nn.session.training_client`)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..session.training import TrainingRun
from ..session.training_client import EpochUpdate, TrainingClient

__all__ = ["EpochUpdate", "TrainingWorker", "make_training_client"]


class TrainingWorker(QObject):
    """Trains ``run`` in a child process; lives on the window's thread.

    Signals
    -------
    epoch_finished(EpochUpdate)
    training_finished(str)
        "done", "stopped", or the error message of a failed run; by then the run holds the
        trained state.
    """

    epoch_finished = Signal(object)
    training_finished = Signal(str)
    _ended = Signal(object)  # (reason, state, arrays) from the reading thread

    def __init__(self, run: TrainingRun, parent: QObject | None = None):
        super().__init__(parent)
        self.client = TrainingClient(run, self.epoch_finished.emit, self._ended.emit)
        self._ended.connect(self._on_ended)

    @property
    def run(self) -> TrainingRun:
        return self.client.run

    @property
    def running(self) -> bool:
        """From Train until the window has taken the trained state back."""
        return self.client.running

    @property
    def paused(self) -> bool:
        return self.client.paused

    @property
    def pid(self) -> int | None:
        return self.client.pid

    def start(self, epochs: int) -> None:
        self.client.start(epochs)

    def pause(self) -> None:
        self.client.pause()

    def resume(self) -> None:
        self.client.resume()

    def stop(self, wait: float = 0.0) -> None:
        self.client.stop(wait)

    def close(self) -> None:
        self.client.close()

    def _on_ended(self, ended) -> None:
        self.training_finished.emit(self.client.finish(ended))


def make_training_client(run: TrainingRun, updated, ended) -> TrainingWorker:
    """A client for a :class:`~graphviz_nn.session.training_sequence.TrainingSequence`: trains
    ``run`` in a child process, ``updated(update)`` after each report of epochs and
    ``ended(reason)`` when it ends, both on the window's thread."""
    worker = TrainingWorker(run)
    worker.epoch_finished.connect(updated)
    worker.training_finished.connect(ended)
    return worker
