"""Training in a child process, and what passes between it and the window. Qt-free.

Why a process: training is a stream of small numpy calls, each of which lets go of the
interpreter lock and takes it straight back. A window thread waiting for that lock is passed
over again and again (measured: a 5 ms sleep in the window's thread came back after 100-500 ms
while xor trained in a thread), so a window that trains in a thread stutters however little
it draws. In a process of its own, training has its own interpreter and core.

The child rebuilds the run from its settings (a seeded build gives the same data, split and
graph, node ids included), takes the parent's state (weights, optimiser averages, the
shuffling generator, epochs done), trains, and answers with messages (see
:mod:`graphviz_nn.io.messages`):

- ``update``: the epochs since the last update, copies of the weight matrices, the gradient
  norm of every node, the decision boundary of 2-D sets, and flat parameter vectors of the
  epochs the window's snapshot store may keep. At most six a second. A spec model's (its run
  is a :class:`~graphviz_nn.session.model_training.ModelRun`) also say how far a long epoch
  has gone (:class:`BatchProgress`), and carry the gradient norms of the graph the window
  draws, at most every :data:`NORMS_INTERVAL`.
- ``finished``: why it ended ("done", "stopped" or an error) and the state to take back.

The parent writes ``train`` requests and its Stop, Pause and Resume to the child's stdin, all as
messages: a thread of the child's reads them as they come and sets a :class:`Control` that the
trainer asks before every batch (about 2 µs a batch), so Stop takes effect within one batch
of arriving. One ordinary stream works the same on Windows, macOS and Linux (no descriptors
passed, no polling of pipes), and its end tells the child that the parent is gone.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from typing import BinaryIO, NamedTuple

import numpy as np

from ..version import __version__
from ..engine import NonFiniteError
from ..io.messages import MessageError, read_message, write_message
from ..io.records import record_from_json, record_to_json, settings_from_json, settings_to_json
from ..layout.process import child_command
from ..nn import EpochRecord
from ..nn.model_setup import ModelSettings
from .magnitudes import gradient_norms
from .model_training import ModelRun, SpecNetwork, create_run
from .run_picture import weight_matrices
from .training import Boundary, TrainingRun, TrainingSettings, boundary

UPDATE_INTERVAL = 1 / 6  # the window hears at most this often, however fast epochs go
#: A spec model's gradient norms come at most this often: they take a pass of their own
#: through the drawn graph (10-60 ms for the presets).
NORMS_INTERVAL = 0.5


class BatchProgress(NamedTuple):
    """How far a long epoch has gone: the batches done of how many, and the mean loss of its
    samples so far (a spec model's updates carry it between epoch records)."""

    epoch: int
    batch: int
    batches: int
    loss: float


# --- what crosses the pipe ---------------------------------------------------------------------
def run_state(run: TrainingRun) -> tuple[dict, dict[str, np.ndarray]]:
    """What a run carries from one stretch of training to the next, as a message."""
    arrays = {f"parameter/{i}": value for i, value in enumerate(run.network.parameter_values())}
    arrays.update({f"optimiser/{k}": v for k, v in run.trainer.optimiser.state().items()})
    header = {"epochs_done": run.trainer.epochs_done, "rng": run.trainer.rng.bit_generator.state}
    return header, arrays


def apply_state(run: TrainingRun, header: dict, arrays: dict[str, np.ndarray]) -> None:
    """Put a :func:`run_state` into ``run``; ValueError when it does not fit its network."""
    held = run.network.parameter_values()
    values = [arrays.get(f"parameter/{i}") for i in range(len(held))]
    for i, (current, value) in enumerate(zip(held, values)):
        if value is None or value.shape != current.shape:
            raise ValueError(f"the state does not fit {run.network}: parameter {i} is missing or "
                             f"shaped {None if value is None else value.shape}, not {current.shape}")
    prefix = "optimiser/"
    try:
        run.resume(header["epochs_done"], header["rng"],
                   {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)})
    except KeyError as error:
        raise ValueError(f"the state has no {error}") from None
    run.network.load_parameter_values(values)  # checked above: it cannot fail now


def split_parameters(run: TrainingRun, flat: np.ndarray) -> tuple[np.ndarray, ...]:
    """A flat parameter vector cut back into arrays shaped like the network's parameters."""
    shapes = [value.shape for value in run.network.parameter_values()]
    ends = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]
    return tuple(part.reshape(shape) for part, shape in zip(np.split(flat, ends), shapes))


def update_message(run: TrainingRun, run_id: int, records: list[EpochRecord], kept: list[tuple[int, np.ndarray]],
                   progress: BatchProgress | None = None, norms: bool = True) -> tuple[dict, dict[str, np.ndarray]]:
    """The ``update`` message after some epochs (or batches of a long one, with ``progress``):
    what the window shows, all copies; the gradient norms of every node with ``norms``."""
    net = run.network
    weights = weight_matrices(net)
    if not norms:
        shown_norms = {}
    elif isinstance(net, SpecNetwork):
        shown_norms = net.gradient_norms()
    else:
        shown_norms = gradient_norms(net.graph)
    arrays = {f"weight/{i}": value for i, (_, value) in enumerate(weights)}
    header = {"kind": "update", "run": run_id, "records": [record_to_json(r) for r in records],
              "weights": [label for label, _ in weights], "norms": shown_norms,
              "kept": [epoch for epoch, _ in kept], "boundary": run.grid is not None,
              "progress": None if progress is None else list(progress)}
    if kept:
        arrays["kept"] = np.stack([flat for _, flat in kept])
    if run.grid is not None:
        shown = boundary(net, *run.grid, run.network_inputs)
        arrays["boundary/classes"], arrays["boundary/confidence"] = shown.classes, shown.confidence
    return header, arrays


def read_update(run: TrainingRun, header: dict, arrays: dict[str, np.ndarray]):
    """The parts of an ``update`` message: records, weights, norms, boundary and kept
    snapshots as (epoch, parameters)."""
    records = tuple(record_from_json(r) for r in header["records"])
    weights = tuple((str(label), arrays[f"weight/{i}"]) for i, label in enumerate(header["weights"]))
    norms = {str(k): float(v) for k, v in header["norms"].items()}
    shown = None
    if header["boundary"] and run.grid is not None:
        shown = Boundary(run.grid[0], run.grid[1], arrays["boundary/classes"], arrays["boundary/confidence"])
    flats = zip(header["kept"], arrays.get("kept", ()))
    kept = tuple((int(epoch), split_parameters(run, flat)) for epoch, flat in flats)
    return records, weights, norms, shown, kept


def read_progress(header: dict) -> BatchProgress | None:
    """How far a long epoch has gone, when an ``update`` says (None otherwise)."""
    raw = header.get("progress")
    if raw is None:
        return None
    epoch, batch, batches, loss = raw
    return BatchProgress(int(epoch), int(batch), int(batches), float(loss))


# --- the child's side --------------------------------------------------------------------------
COMMANDS = ("stop", "pause", "resume")


def request_message(run_id: int, settings: TrainingSettings | ModelSettings, epochs: int, state: dict, spacing: int = 1,
                    keep_early: int = 0) -> dict:
    """The header of a ``train`` request (its arrays are the state's, from :func:`run_state`)."""
    return {"kind": "train", "run": run_id, "settings": settings_to_json(settings), "epochs": int(epochs),
            "state": state, "spacing": int(spacing), "keep_early": int(keep_early)}


def command_message(word: str, run_id: int) -> dict:
    """The header of a Stop, Pause or Resume for run ``run_id`` (a message without arrays)."""
    if word not in COMMANDS:
        raise ValueError(f"{word!r} is not a training command: use one of {', '.join(COMMANDS)}")
    return {"kind": word, "run": run_id}


class Control:
    """Stop, Pause and Resume for the run under way, set by :func:`listen` as they arrive.

    ``is_set()`` is what :meth:`Trainer.fit` asks before each batch: it returns True once
    Stop came (or the parent went away), and while paused it waits for Resume or Stop.
    Commands carry their run's id: one meant for a run that has ended is ignored.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.run_id = 0
        self.stopped = self.paused = self.orphaned = False

    def begin(self, run_id: int) -> None:
        """Run ``run_id`` starts: neither stopped nor paused (nothing changes if it already began)."""
        with self._changed:
            if run_id != self.run_id:
                self.run_id = run_id
                self.stopped = self.paused = False
                self._changed.notify_all()

    def command(self, word: str, run_id: int) -> None:
        with self._changed:
            if run_id != self.run_id:
                return  # meant for a run that has ended
            if word == "stop":
                self.stopped = True
            elif word in ("pause", "resume"):
                self.paused = word == "pause"
            self._changed.notify_all()

    def orphan(self) -> None:
        """The parent is gone (its stream ended): stop, and take no more work."""
        with self._changed:
            self.orphaned = self.stopped = True
            self._changed.notify_all()

    def is_set(self) -> bool:
        with self._changed:
            self._changed.wait_for(lambda: self.stopped or not self.paused)
            return self.stopped


def listen(commands: BinaryIO, control: Control, requests: queue.SimpleQueue) -> None:
    """Read the parent's stream until it ends: commands take effect at once, ``train`` requests
    queue up for :func:`serve`.

    Commands and requests share one stream, a message at a time, so no platform's notion of
    a pipe matters beyond reading it. A stream that ends, or breaks, means the parent is gone.
    The queue gets ``None`` at the end, after a :class:`MessageError` if one came.
    """
    try:
        while (message := read_message(commands)) is not None:
            header = message[0]
            kind, run_id = header.get("kind"), header.get("run")
            if kind == "train" and isinstance(run_id, int):
                control.begin(run_id)  # before a Stop for it can arrive
                requests.put(message)
            elif kind in COMMANDS and isinstance(run_id, int):
                control.command(kind, run_id)
            else:
                raise MessageError(f"a message of kind {kind!r} for run {run_id!r} is not a training request")
    except MessageError as error:
        requests.put(error)
    except (OSError, ValueError):  # the stream broke or was closed under us: the parent is gone
        pass
    finally:
        control.orphan()
        requests.put(None)


class _Reports:
    """What the child has yet to tell the window about a run: the epochs and snapshots not
    sent, sent at most every :data:`UPDATE_INTERVAL`; between the epochs of a spec model, how
    far the epoch has gone."""

    def __init__(self, run: TrainingRun, run_id: int, answers: BinaryIO, spacing: int, keep_early: int):
        self.run, self.run_id, self.answers = run, run_id, answers
        self.spacing, self.keep_early = spacing, keep_early
        self.pending: list[EpochRecord] = []
        self.kept: list[tuple[int, np.ndarray]] = []
        self.last = self.norms_last = -float("inf")
        self.spec = isinstance(run.network, SpecNetwork)

    def epoch(self, record: EpochRecord) -> None:
        self.pending.append(record)
        if record.epoch <= self.keep_early or record.epoch % self.spacing == 0:
            flat = np.concatenate([value.ravel() for value in self.run.network.parameter_values()])
            self.kept.append((record.epoch, flat))
        if time.perf_counter() - self.last >= UPDATE_INTERVAL:
            self.send()

    def batch(self, batch: int, batches: int, loss: float) -> None:
        """A batch of a spec model's epoch is done (its trainer's ``progress``)."""
        if batch < batches and time.perf_counter() - self.last >= UPDATE_INTERVAL:
            self.send(BatchProgress(self.run.trainer.epochs_done + 1, batch, batches, loss))

    def send(self, progress: BatchProgress | None = None) -> None:
        """An update with what is pending. A spec model's norms take a pass through the drawn
        graph, which sets the parameters' gradients: never mid-epoch (``progress``), whose
        record reads them, and at most every :data:`NORMS_INTERVAL`."""
        now = time.perf_counter()
        norms = not self.spec or (progress is None and now - self.norms_last >= NORMS_INTERVAL)
        write_message(self.answers, *update_message(self.run, self.run_id, self.pending, self.kept, progress, norms))
        if self.spec and norms:
            self.norms_last = now
        self.pending, self.kept, self.last = [], [], time.perf_counter()


def train(run: TrainingRun, run_id: int, epochs: int, control: Control, answers: BinaryIO,
          spacing: int = 1, keep_early: int = 0) -> None:
    """Train ``run`` for ``epochs``, sending updates and then ``finished`` to ``answers``.

    Flat parameter vectors go with the updates for every epoch up to ``keep_early`` and every
    ``spacing``-th after (the window's snapshot store keeps no others).
    """
    control.begin(run_id)
    reports = _Reports(run, run_id, answers, spacing, keep_early)
    # A spec model's epoch can take seconds (an unrolled sequence): its batches are news too.
    batches = {"progress": reports.batch} if isinstance(run, ModelRun) else {}
    reason = "done"
    try:
        with np.errstate(all="ignore"):  # non-finite losses raise NonFiniteError instead
            for record in run.trainer.fit(run.train, run.test, epochs, stop=control, **batches):
                reports.epoch(record)
        if control.stopped:
            reason = "stopped"
    except NonFiniteError as error:
        reason = f"training stopped: {error} (try a smaller learning rate)"
    except (BrokenPipeError, ConnectionError):
        raise
    except Exception as error:  # reported in the window, never a dead process
        reason = f"training failed: {type(error).__name__}: {error}"
    if reports.pending:  # every epoch done reaches the window, also those before a failure
        with np.errstate(all="ignore"):
            reports.send()
    header, arrays = run_state(run)
    write_message(answers, {"kind": "finished", "run": run_id, "reason": reason, "state": header}, arrays)


def serve(requests: queue.SimpleQueue, answers: BinaryIO, control: Control, refusal: str | None = None) -> None:
    """The child's loop: a ``train`` request at a time, as :func:`listen` queues them, until the
    parent's stream ends.

    A request's header is a :func:`request_message`; its arrays are the state's. ``refusal``,
    when given, is the answer to every request instead of training.
    """
    run: TrainingRun | None = None
    built_for = None
    while True:
        message = requests.get()
        if isinstance(message, MessageError):
            write_message(answers, {"kind": "finished", "run": -1, "reason": f"training failed: {message}"})
            return
        if message is None or control.orphaned:
            return
        header, arrays = message
        run_id = int(header["run"])
        if refusal is not None:
            write_message(answers, {"kind": "finished", "run": run_id, "reason": refusal})
            continue
        try:
            if run is None or header["settings"] != built_for:
                run = create_run(settings_from_json(header["settings"]))
                built_for = header["settings"]
            apply_state(run, header["state"], arrays)
        except Exception as error:  # a dataset gone, a state that does not fit...
            reason = f"training failed: {type(error).__name__}: {error}"
            write_message(answers, {"kind": "finished", "run": run_id, "reason": reason})
            run = built_for = None
            continue
        train(run, run_id, int(header["epochs"]), control, answers,
              int(header.get("spacing", 1)), int(header.get("keep_early", 0)))


def command(version: str = __version__) -> list[str]:
    """How to start the child; ``version`` is the starting program's, which the child checks
    against its own (a window open while graphviz-nn was updated starts the new code)."""
    return child_command("graphviz_nn.session.training_process", "--training-worker", str(version))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    parent = args[0] if args else "unknown"
    refusal = None if parent == __version__ else (
        f"training failed: the training process is graphviz-nn {__version__} but the window is {parent} "
        "(graphviz-nn was updated while the window was open): close the window and start it again")
    control, requests = Control(), queue.SimpleQueue()
    # Messages go out on the original stdout; anything else printed lands on stderr.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    # The parent's stream is read through a reader of its own, not sys.stdin: a listener still
    # waiting on it when the process ends holds no lock that shutting Python down needs.
    commands = os.fdopen(os.dup(0), "rb")
    threading.Thread(target=listen, args=(commands, control, requests), name="commands", daemon=True).start()
    try:
        serve(requests, answers, control, refusal)
    except (BrokenPipeError, ConnectionError):  # the parent went away mid-message
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
