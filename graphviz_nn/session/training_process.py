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
  epochs the window's snapshot store may keep. At most six a second.
- ``finished``: why it ended ("done", "stopped" or an error) and the state to take back.

Stop, Pause and Resume arrive on a control pipe of their own as lines (``stop 3``), read
without blocking before every batch: Stop takes effect within one batch.
"""

from __future__ import annotations

import os
import select
import sys
import time
from dataclasses import asdict
from typing import BinaryIO

import numpy as np

from ..engine import NonFiniteError
from ..io.messages import MessageError, read_message, write_message
from ..layout.process import child_command
from ..nn import EpochRecord
from ..nn.builder import NetworkSpec
from .training import Boundary, TrainingRun, TrainingSettings, boundary

UPDATE_INTERVAL = 1 / 6  # the window hears at most this often, however fast epochs go


# --- what crosses the pipe ---------------------------------------------------------------------
def settings_to_json(settings: TrainingSettings) -> dict:
    return asdict(settings)


def settings_from_json(data: dict) -> TrainingSettings:
    spec = dict(data["spec"])
    spec["hidden"] = tuple(int(h) for h in spec["hidden"])
    return TrainingSettings(**{**data, "spec": NetworkSpec(**spec)})


def record_to_json(record: EpochRecord) -> dict:
    return record._asdict()


def record_from_json(data: dict) -> EpochRecord:
    norms = tuple((str(name), float(value)) for name, value in data["gradient_norms"])
    return EpochRecord(**{**data, "gradient_norms": norms})


def run_state(run: TrainingRun) -> tuple[dict, dict[str, np.ndarray]]:
    """What a run carries from one stretch of training to the next, as a message."""
    arrays = {f"parameter/{i}": p.value for i, p in enumerate(run.network.parameters)}
    arrays.update({f"optimiser/{k}": v for k, v in run.trainer.optimiser.state().items()})
    header = {"epochs_done": run.trainer.epochs_done, "rng": run.trainer.rng.bit_generator.state}
    return header, arrays


def apply_state(run: TrainingRun, header: dict, arrays: dict[str, np.ndarray]) -> None:
    """Put a :func:`run_state` into ``run``; ValueError when it does not fit its network."""
    parameters = run.network.parameters
    values = [arrays.get(f"parameter/{i}") for i in range(len(parameters))]
    for p, value in zip(parameters, values):
        if value is None or value.shape != p.value.shape:
            raise ValueError(f"the state does not fit {run.network}: parameter {p.label} is missing or "
                             f"shaped {None if value is None else value.shape}, not {p.value.shape}")
    prefix = "optimiser/"
    try:
        run.resume(header["epochs_done"], header["rng"],
                   {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)})
    except KeyError as error:
        raise ValueError(f"the state has no {error}") from None
    run.network.load_parameter_values(values)  # checked above: it cannot fail now


def split_parameters(run: TrainingRun, flat: np.ndarray) -> tuple[np.ndarray, ...]:
    """A flat parameter vector cut back into arrays shaped like the network's parameters."""
    shapes = [p.value.shape for p in run.network.parameters]
    ends = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]
    return tuple(part.reshape(shape) for part, shape in zip(np.split(flat, ends), shapes))


def update_message(run: TrainingRun, run_id: int, records: list[EpochRecord],
                   kept: list[tuple[int, np.ndarray]]) -> tuple[dict, dict[str, np.ndarray]]:
    """The ``update`` message after some epochs: what the window shows, all copies."""
    net, graph = run.network, run.network.graph
    weights = [(p.label, p.value) for _, params in net.layers for p in params if p.value.ndim == 2]
    norms = {graph.id_of(n): float(np.sqrt(np.vdot(n.grad, n.grad))) for n in graph.nodes if n.grad is not None}
    arrays = {f"weight/{i}": value for i, (_, value) in enumerate(weights)}
    header = {"kind": "update", "run": run_id, "records": [record_to_json(r) for r in records],
              "weights": [label for label, _ in weights], "norms": norms,
              "kept": [epoch for epoch, _ in kept], "boundary": run.grid is not None}
    if kept:
        arrays["kept"] = np.stack([flat for _, flat in kept])
    if run.grid is not None:
        shown = boundary(net, *run.grid)
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
    kept = tuple((int(epoch), split_parameters(run, flat)) for epoch, flat in zip(header["kept"], arrays.get("kept", ())))
    return records, weights, norms, shown, kept


# --- the child's side --------------------------------------------------------------------------
class Control:
    """Stop, Pause and Resume from the parent, read before every batch without blocking.

    ``is_set()`` is what :meth:`Trainer.fit` asks before each batch: it returns True once
    Stop came (or the parent went away), and while paused it waits for Resume or Stop.
    """

    def __init__(self, fd: int):
        self.fd = fd
        os.set_blocking(fd, False)
        self.run_id = 0
        self.stopped = self.paused = self.orphaned = False
        self._partial = b""

    def begin(self, run_id: int) -> None:
        self.run_id = run_id
        self.stopped = self.paused = False

    def _read(self, timeout: float | None) -> None:
        if timeout is not None and not select.select([self.fd], [], [], timeout)[0]:
            return
        try:
            data = os.read(self.fd, 4096)
        except BlockingIOError:
            return
        if not data:  # the parent closed its end: it is gone
            self.orphaned = self.stopped = True
            return
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            command, _, run = line.decode("ascii", "replace").partition(" ")
            if run.strip() != str(self.run_id):
                continue  # meant for a run that has ended
            if command == "stop":
                self.stopped = True
            elif command == "pause":
                self.paused = True
            elif command == "resume":
                self.paused = False

    def is_set(self) -> bool:
        self._read(None)
        while self.paused and not self.stopped:
            self._read(0.5)
        return self.stopped


def train(run: TrainingRun, run_id: int, epochs: int, control: Control, answers: BinaryIO,
          spacing: int = 1, keep_early: int = 0) -> None:
    """Train ``run`` for ``epochs``, sending updates and then ``finished`` to ``answers``.

    Flat parameter vectors go with the updates for every epoch up to ``keep_early`` and every
    ``spacing``-th after (the window's snapshot store keeps no others).
    """
    control.begin(run_id)
    pending: list[EpochRecord] = []
    kept: list[tuple[int, np.ndarray]] = []
    parameters = run.network.parameters
    last = 0.0
    reason = "done"
    try:
        with np.errstate(all="ignore"):  # non-finite losses raise NonFiniteError instead
            for record in run.trainer.fit(run.train, run.test, epochs, stop=control):
                pending.append(record)
                if record.epoch <= keep_early or record.epoch % spacing == 0:
                    kept.append((record.epoch, np.concatenate([p.value.ravel() for p in parameters])))
                if time.perf_counter() - last >= UPDATE_INTERVAL:
                    write_message(answers, *update_message(run, run_id, pending, kept))
                    pending, kept, last = [], [], time.perf_counter()
        if control.stopped:
            reason = "stopped"
    except NonFiniteError as error:
        reason = f"training stopped: {error} (try a smaller learning rate)"
    except (BrokenPipeError, ConnectionError):
        raise
    except Exception as error:  # reported in the window, never a dead process
        reason = f"training failed: {type(error).__name__}: {error}"
    if pending:  # every epoch done reaches the window, also those before a failure
        write_message(answers, *update_message(run, run_id, pending, kept))
    header, arrays = run_state(run)
    write_message(answers, {"kind": "finished", "run": run_id, "reason": reason, "state": header}, arrays)


def serve(commands: BinaryIO, answers: BinaryIO, control: Control) -> None:
    """The child's loop: a ``train`` message at a time, until the parent closes the pipe.

    A ``train`` header holds ``run`` (its id), ``settings``, ``epochs``, ``state``,
    ``spacing`` and ``keep_early``; its arrays are the state's.
    """
    run: TrainingRun | None = None
    built_for = None
    while not control.orphaned:
        try:
            message = read_message(commands)
        except MessageError as error:
            write_message(answers, {"kind": "finished", "run": -1, "reason": f"training failed: {error}"})
            return
        if message is None:
            return
        header, arrays = message
        run_id = int(header.get("run", -1))
        try:
            if run is None or header["settings"] != built_for:
                run = TrainingRun.create(settings_from_json(header["settings"]))
                built_for = header["settings"]
            apply_state(run, header["state"], arrays)
        except Exception as error:  # a dataset gone, a state that does not fit...
            reason = f"training failed: {type(error).__name__}: {error}"
            write_message(answers, {"kind": "finished", "run": run_id, "reason": reason})
            run = built_for = None
            continue
        train(run, run_id, int(header["epochs"]), control, answers,
              int(header.get("spacing", 1)), int(header.get("keep_early", 0)))


def command(control_fd: int) -> list[str]:
    """How to start the child with the control pipe's reading end."""
    return child_command("graphviz_nn.session.training_process", "--training-worker", str(control_fd))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    control = Control(int(args[0]))
    # Messages go out on the original stdout; anything else printed lands on stderr.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        serve(sys.stdin.buffer, answers, control)
    except (BrokenPipeError, ConnectionError):  # the parent went away mid-message
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
