"""Training in a worker thread; the window gets copies through queued signals."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..engine import NonFiniteError
from ..nn import EpochRecord
from ..session.training import Boundary, TrainingRun, boundary

UPDATE_INTERVAL = 1 / 6  # the window redraws at most this often, however fast epochs go
SWITCH_INTERVAL = 0.0005
HAND_OVER_TIMEOUT = 0.5


@dataclass(frozen=True, eq=False)
class EpochUpdate:
    """What the window learns after one or more epochs: copies, never the live arrays.

    Attributes
    ----------
    records : tuple of EpochRecord
        Every epoch since the last update, in order.
    weights : tuple of (str, ndarray)
        Each weight matrix's name and a copy of its value.
    gradient_norms : dict of str to float
        ‖dL/d·‖ of every node at the last batch, by node id (for colouring the graph).
    boundary : Boundary or None
        The decision boundary of a 2-D classifier, recomputed at most once per update.
    """

    records: tuple[EpochRecord, ...]
    weights: tuple[tuple[str, np.ndarray], ...]
    gradient_norms: dict[str, float]
    boundary: Boundary | None


class TrainingWorker(QObject):
    """Runs ``run.trainer.fit`` in a Python thread.

    Signals
    -------
    epoch_finished(EpochUpdate)
    training_finished(str)
        "done", "stopped", or the error message of a failed run.
    """

    epoch_finished = Signal(object)
    training_finished = Signal(str)

    def __init__(self, run: TrainingRun, parent: QObject | None = None):
        super().__init__(parent)
        self.run = run
        self._resume = threading.Event()
        self._resume.set()
        self._ui_done = threading.Event()
        self._ui_done.set()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    def start(self, epochs: int) -> None:
        if self.running:
            return
        self.run.stop.clear()
        self._resume.set()
        self._thread = threading.Thread(target=self._train, args=(epochs,), name="graphviz-nn training",
                                        daemon=True)
        self._thread.start()

    def update_shown(self) -> None:
        """Called by the window once an update is drawn: the worker may go on."""
        self._ui_done.set()

    def _hand_over(self, update: EpochUpdate) -> None:
        # While the window draws an update the worker waits: both threads share one
        # interpreter lock, and a drawing that has to win it back at every call into Qt
        # would stall the window for a tenth of a second or more.
        self._ui_done.clear()
        self.epoch_finished.emit(update)
        self._ui_done.wait(HAND_OVER_TIMEOUT)

    def pause(self) -> None:
        self._resume.clear()

    def resume(self) -> None:
        self._resume.set()

    def stop(self, wait: float = 0.0) -> None:
        """Ask training to end within one batch; optionally wait for the thread."""
        self.run.stop.set()
        self._resume.set()
        self._ui_done.set()
        if wait and self._thread is not None:
            self._thread.join(wait)

    def _update(self, records: list[EpochRecord], with_boundary: bool) -> EpochUpdate:
        run, net = self.run, self.run.network
        weights = tuple((p.label, p.value.copy()) for _, params in net.layers for p in params if p.value.ndim == 2)
        graph = net.graph
        norms = {graph.id_of(n): float(np.sqrt(np.vdot(n.grad, n.grad))) for n in graph.nodes if n.grad is not None}
        shown = boundary(net, *run.grid) if with_boundary and run.grid is not None else None
        return EpochUpdate(tuple(records), weights, norms, shown)

    def _train(self, epochs: int) -> None:
        run = self.run
        pending: list[EpochRecord] = []
        last = 0.0
        reason = "done"
        # Training holds the interpreter lock nearly all the time. With the default 5 ms
        # switch interval, the UI thread waits up to 5 ms each time it gives the lock away
        # (at every call into Qt), and a redraw of hundreds of calls stalls for seconds.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            with np.errstate(all="ignore"):  # non-finite losses raise NonFiniteError instead
                for record in run.trainer.fit(run.train, run.test, epochs, stop=run.stop):
                    run.snapshots.offer(record.epoch, [p.value for p in run.network.parameters], record)
                    pending.append(record)
                    now = time.perf_counter()
                    if now - last >= UPDATE_INTERVAL:
                        self._hand_over(self._update(pending, True))
                        pending, last = [], time.perf_counter()
                    while not self._resume.wait(0.05):
                        if run.stop.is_set():
                            break
                if pending:
                    self._hand_over(self._update(pending, True))
            if run.stop.is_set():
                reason = "stopped"
        except NonFiniteError as error:
            reason = f"training stopped: {error} (try a smaller learning rate)"
        except Exception as error:  # reported in the window, never a dead thread
            reason = f"training failed: {type(error).__name__}: {error}"
        finally:
            sys.setswitchinterval(interval)
        self.training_finished.emit(reason)
