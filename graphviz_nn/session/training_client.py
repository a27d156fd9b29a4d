"""Training in a child process, seen from the parent: starting the child, sending it a run and
Stop, Pause and Resume, reading its updates on a thread of its own, taking the trained state
back. Qt-free; the window wraps it in a QObject (``gui/training_worker.py``) whose signals carry
the updates to its thread.

The child is :mod:`graphviz_nn.session.training_process` (see there why a process and not a
thread). It is started at the first Train and reused for every later stretch of the same run;
the run's state goes to it with each Train and comes back when training ends.

Train requests and Stop, Pause and Resume go to the child's stdin as messages, one writer at a
time; its stdout brings updates back. Nothing but two ordinary pipes: the same on every system.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import tempfile
import threading
import weakref
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..version import __version__
from ..io.messages import MessageError, read_message, write_message
from ..layout.process import end_process, popen_options
from ..nn import EpochRecord
from .training import Boundary, TrainingRun
from .training_process import (BatchProgress, apply_state, command, command_message, read_progress, read_update,
                               request_message, run_state)

THREAD_NAME = "graphviz-nn training"


@dataclass(frozen=True, eq=False)
class EpochUpdate:
    """What the window learns after one or more epochs: copies, never the live arrays.

    Attributes
    ----------
    records : tuple of EpochRecord
        Every epoch since the last update, in order.
    weights : tuple of (str, ndarray)
        Each weight matrix's name and value.
    gradient_norms : dict of str to float
        ‖dL/d·‖ of every node at the last batch, by node id (for colouring the graph).
    boundary : Boundary or None
        The decision boundary of a 2-D classifier after the last epoch.
    kept : tuple of (int, tuple of ndarray)
        Parameters after the epochs the snapshot store may keep, for time travel.
    progress : BatchProgress or None
        How far the epoch under way has gone (a spec model's long epochs); ``records`` may
        then be empty.
    """

    records: tuple[EpochRecord, ...]
    weights: tuple[tuple[str, np.ndarray], ...]
    gradient_norms: dict[str, float]
    boundary: Boundary | None
    kept: tuple[tuple[int, tuple[np.ndarray, ...]], ...] = ()
    progress: BatchProgress | None = None


_LIVE: weakref.WeakSet = weakref.WeakSet()


class TrainingClient:
    """Trains ``run`` in a child process, the parent's side: Qt-free.

    Parameters
    ----------
    run : TrainingRun
    updated : callable
        ``updated(EpochUpdate)``, called on the reading thread after one or more epochs.
    ended : callable
        ``ended((reason, state, arrays))``, called on the reading thread (or at once, when the
        child cannot be started); the owner hands it back to :meth:`finish` on its own thread.
    """

    def __init__(self, run: TrainingRun, updated: Callable, ended: Callable):
        self.run = run
        self._updated, self._ended = updated, ended
        self._process: subprocess.Popen | None = None
        self._writing = threading.Lock()  # one message at a time on the child's stdin
        self._errors = None  # the child's stderr, for when it dies
        self._thread: threading.Thread | None = None
        self._run_id = 0
        self._active = False
        self._paused = False
        self._closing = False
        _LIVE.add(self)

    @property
    def running(self) -> bool:
        """From Train until the window has taken the trained state back."""
        return self._active

    @property
    def paused(self) -> bool:
        return self._active and self._paused

    @property
    def process(self) -> subprocess.Popen | None:
        """The child process, once started (and until it is closed)."""
        return self._process

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def _start_process(self) -> subprocess.Popen:
        env = dict(os.environ)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only cost time
        self._close_errors()
        self._errors = tempfile.TemporaryFile()
        process = subprocess.Popen(command(__version__), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=self._errors, env=env, **popen_options())
        self._process = process
        return process

    def start(self, epochs: int) -> None:
        if self._active:
            return
        self._closing = False
        self._run_id += 1
        self._paused = False
        self._active = True
        try:
            process = self._process if self.pid is not None else self._start_process()
        except Exception as error:  # no Python to run, a system that refuses: never left "running"
            self._ended((f"training failed: the training process could not be started ({error})", None, {}))
            return
        header, arrays = run_state(self.run)
        snapshots = self.run.snapshots
        request = request_message(self._run_id, self.run.settings, epochs, header, snapshots.spacing,
                                  snapshots.keep_early)
        self._thread = threading.Thread(target=self._read, args=(process, self._run_id), name=THREAD_NAME,
                                        daemon=True)
        try:
            with self._writing:
                write_message(process.stdin, request, arrays)
        except (OSError, ValueError):  # a child that died at once, or a closed stream
            self._thread = None
            self._ended(("training failed: the training process could not be started", None, {}))
            return
        self._thread.start()

    def _send(self, word: str) -> None:
        process = self._process
        if process is None:
            return
        try:
            with self._writing:
                write_message(process.stdin, command_message(word, self._run_id))
        except (OSError, ValueError):
            pass  # the child is gone (or its stream closed); its reader reports it

    def pause(self) -> None:
        if self._active:
            self._paused = True
            self._send("pause")

    def resume(self) -> None:
        if self._active:
            self._paused = False
            self._send("resume")

    def stop(self, wait: float = 0.0) -> None:
        """Ask training to end within one batch; optionally wait for the last message."""
        if not self._active:
            return
        self._send("stop")
        if wait and self._thread is not None:
            self._thread.join(wait)

    def close(self) -> None:
        """Stop the child process (the reading thread ends with it)."""
        self._closing = True
        process, self._process = self._process, None
        end_process(process)  # a write under way fails at once, and is ignored
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self._close_errors()

    def _close_errors(self) -> None:
        """Close the file that caught the last child's stderr (one leaked per run before)."""
        errors, self._errors = self._errors, None
        if errors is not None:
            errors.close()

    def _read(self, process: subprocess.Popen, run_id: int) -> None:
        """The reading thread: updates on, until this run's ``finished``."""
        try:
            while True:
                message = read_message(process.stdout)
                if message is None:
                    break
                header, arrays = message
                if header.get("run") != run_id:
                    continue
                if header.get("kind") == "update":
                    self._updated(EpochUpdate(*read_update(self.run, header, arrays), progress=read_progress(header)))
                elif header.get("kind") == "finished":
                    self._ended((str(header.get("reason")), header.get("state"), arrays))
                    return
        except (MessageError, OSError, ValueError, KeyError) as error:
            problem = f"the training process sent a bad message ({error})"
        else:
            problem = None
        if self._closing:
            self._ended(("stopped", None, {}))
            return
        try:  # a message cut short is most likely a process that died mid-sentence
            died = process.wait(timeout=1.0) is not None
        except subprocess.TimeoutExpired:
            died = False
            process.kill()  # out of step with its messages: the next Train starts another
            process.wait(timeout=5)
        if died or problem is None:
            problem = f"the training process stopped unexpectedly{self._last_words()}"
        self._ended((f"training failed: {problem}", None, {}))

    def _last_words(self) -> str:
        errors = self._errors
        if errors is None:
            return ""
        try:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        return f" ({lines[-1]})" if lines else ""

    def finish(self, ended) -> str:
        """Take an ended run's state back (on the owner's thread); the reason it ended:
        "done", "stopped", or the error message of a failed run."""
        reason, state, arrays = ended
        if state is not None:
            try:
                apply_state(self.run, state, arrays)
            except (ValueError, KeyError, TypeError) as error:
                reason = f"training failed: the trained state could not be taken back ({error})"
        if self._process is not None and self._process.poll() is not None:
            self.close()  # it died: the next Train starts a new one
        self._active = self._paused = False
        return reason


@atexit.register
def _close_all() -> None:
    for client in list(_LIVE):
        try:
            client.close()
        except Exception:
            pass
