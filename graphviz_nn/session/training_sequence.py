"""Training as one sequence: build the network, let the window draw it, then train. Qt-free.

A :class:`TrainingSequence` is the one place that knows whether training runs. Train with new
settings builds a network and waits until its picture is drawn (the window records the passes
of the network it draws, and the two never touch the weights at the same time); Train after
going back to an earlier epoch asks first, since it sets the later epochs aside. The epochs
that arrive go into the run's history and snapshots before the views hear of them. Whenever the
network's weights change outside training (a new network, the trained state back, an epoch gone
back to, a branch undone) the views are handed the run's picture at those weights. A document
the window opens that is not the run's own lets the run go. Views subscribe to
:class:`SequenceEvents` and call the methods; they never decide.
"""

from __future__ import annotations

import enum
from typing import Callable

from dataclasses import replace

from ..nn.datasets import Dataset
from ..nn.model_setup import ModelSettings
from .events import Event
from .model_training import create_run
from .run_picture import RunPicture, picture
from .training import Branch, Snapshot, TrainingRun, TrainingSettings, defaults_for


class Stage(enum.Enum):
    """Where the sequence stands."""

    IDLE = "idle"  # nothing under way: the passes can be stepped through
    DRAWING = "drawing"  # a new network is being drawn; training starts once it is
    CONFIRMING = "confirming"  # asked whether to train on from an earlier epoch
    TRAINING = "training"  # the training process has the network, until its state is back


class SequenceEvents:
    """``built(run)``: a new network exists, the window draws it; ``started()``; ``updated(update)``:
    epochs arrived (already in the run's history); ``ended(reason)``: "done", "stopped" or an
    error, the trained state is back in the run; ``confirm(run, epochs)``: ask whether to train
    on from the epoch gone back to (answer with :meth:`TrainingSequence.confirmed`);
    ``restored(snapshot)``: other weights are in the network; ``shown(picture)``: the views show
    the run as this :class:`~graphviz_nn.session.run_picture.RunPicture` (after ``built``,
    ``ended``, ``restored`` and adopting a run); ``left()``: the window opened another document,
    the run is let go and the views empty; ``said(text)``; ``adopted(run)``: a run rebuilt
    from a session file is the sequence's (its settings and history go in the views)."""

    def __init__(self) -> None:
        self.built = Event()
        self.started = Event()
        self.updated = Event()
        self.ended = Event()
        self.confirm = Event()
        self.restored = Event()
        self.shown = Event()
        self.left = Event()
        self.said = Event()
        self.adopted = Event()


def settings_for(dataset: str, kind: str = "layer") -> TrainingSettings:
    """The settings a dataset starts with, for the network kind already chosen: picking a
    dataset keeps the kind. A perceptron net has one perceptron per output, so a softmax output
    with cross-entropy becomes sigmoid outputs with binary cross-entropy (one per class)."""
    settings = defaults_for(dataset)
    spec = settings.spec
    if kind == spec.kind:
        return settings
    if kind == "perceptron" and (spec.output_activation == "softmax" or spec.loss == "cce"):
        spec = replace(spec, output_activation="sigmoid", loss="bce")
    return replace(settings, spec=replace(spec, kind=kind))


ClientFactory = Callable[[TrainingRun, Callable, Callable], object]


class TrainingSequence:
    """Build -> draw -> train, with pause, stop, going back to an epoch and undoing a branch.

    Parameters
    ----------
    make_client : callable
        ``make_client(run, updated, ended)`` returns a client for the run with ``start(epochs)``,
        ``pause()``, ``resume()``, ``stop(wait)``, ``close()`` and ``paused``; it calls
        ``updated(EpochUpdate)`` after epochs and ``ended(reason)`` once the trained state is
        back in the run, both on the caller's thread (the window's adapter queues them).
    """

    def __init__(self, make_client: ClientFactory):
        self._make_client = make_client
        self.events = SequenceEvents()
        self.run: TrainingRun | None = None
        self.client = None
        self.stage = Stage.IDLE
        self.aside: Branch | None = None  # the epochs set aside by training on from an earlier one
        self._settings: TrainingSettings | None = None
        self._pending = 0  # epochs to train once the new network is drawn
        self._drawn = False  # whether the window has drawn the run's network
        self._awaited = False  # the next document the window opens is the run's network
        self._token: object | None = None  # the client whose reports are heard

    @property
    def training(self) -> bool:
        """True from the start of a run until its trained state is back (the training lock)."""
        return self.stage is Stage.TRAINING

    @property
    def busy(self) -> bool:
        """True while a run is drawn, asked about or trained: the settings cannot change under it."""
        return self.stage is not Stage.IDLE

    @property
    def paused(self) -> bool:
        return self.training and bool(self.client.paused)

    # --- building -------------------------------------------------------------------------------
    def build(self, settings: TrainingSettings | ModelSettings, data: Dataset | None = None) -> TrainingRun:
        """The run for ``settings``: the current one when they have not changed since it was
        built, else a new network (``built`` is emitted and the window draws it). ``data`` is the
        dataset when it was read already. ValueError or DatasetError when it cannot be built."""
        if self.run is not None and settings == self._settings:
            return self.run
        run = create_run(settings, data)
        self._attach(run, settings)
        self._drawn = False
        # Pictured before the window takes the graph: drawing it records its passes off the
        # window's thread, and the boundary feeds the grid through the same nodes.
        shown = picture(run)
        self._hand_over(run)
        self.events.shown.emit(shown)
        return run

    def _hand_over(self, run: TrainingRun) -> None:
        self._awaited = True
        self.events.built.emit(run)

    def adopt(self, run: TrainingRun, settings: TrainingSettings | None = None) -> None:
        """Take over a run rebuilt from a session file (the window draws it itself); Train goes
        on from its weights."""
        self.stop(wait=1.5)
        self._attach(run, settings or run.settings)
        self._drawn = True  # the window draws it as the file opens
        self._awaited = True
        self.events.adopted.emit(run)
        self.events.shown.emit(picture(run))

    def document_opened(self) -> None:
        """The window opened a document. The network it was handed (``built``) or took over
        (:meth:`adopt`) is the run's own; any other leaves the run behind: it is let go and
        ``left`` is emitted. A run under way trains on, its network drawn again before the
        next Train."""
        if self._awaited:
            self._awaited = False
            return
        if self.run is None:
            return
        if self.training:
            self._drawn = False
            return
        if self.client is not None:
            self.client.close()
        self.run, self.client, self._settings, self.aside = None, None, None, None
        self.stage, self._pending, self._drawn = Stage.IDLE, 0, False
        self._token = object()  # nothing more is heard from the client let go
        self.events.left.emit()

    def _attach(self, run: TrainingRun, settings: TrainingSettings) -> None:
        if self.client is not None:
            self.client.close()
        self.run, self._settings, self.aside = run, settings, None
        self.stage, self._pending = Stage.IDLE, 0
        token = object()  # a client left behind is not heard from again
        self._token = token
        self.client = self._make_client(run, lambda update: self._updated(token, update),
                                        lambda reason: self._ended(token, reason))

    # --- training -------------------------------------------------------------------------------
    def train(self, settings: TrainingSettings | ModelSettings, epochs: int, data: Dataset | None = None) -> bool:
        """Train ``epochs`` with ``settings``: a new network is drawn first; weights of an earlier
        epoch ask first. False when a run is under way; ValueError or DatasetError when the
        network cannot be built."""
        if self.stage is Stage.DRAWING:  # asked again while waiting: another picture may have overtaken it
            self.stage = Stage.IDLE
        if self.busy:
            return False
        fresh = self.run is None or settings != self._settings
        run = self.build(settings, data)
        if not self._drawn:
            if not fresh:  # never drawn (a picture failed or overtook it): drawn now
                self._hand_over(run)
            self.stage, self._pending = Stage.DRAWING, epochs
            self.events.said.emit("Drawing the network's graph…")
        elif run.rewound:
            self.stage, self._pending = Stage.CONFIRMING, epochs
            self.events.confirm.emit(run, epochs)
        else:
            self._begin(epochs)
        return True

    def drawn(self, graph) -> None:
        """The window finished drawing ``graph``: a run that waited for it starts."""
        if self.run is None or graph is not self.run.network.graph:
            return
        self._drawn = True
        if self.stage is Stage.DRAWING:
            self._begin(self._pending)

    def drawing_abandoned(self) -> None:
        """The picture of a new network failed or was cancelled: the run waiting for it is let go."""
        if self.stage is Stage.DRAWING:
            self.stage, self._pending = Stage.IDLE, 0
            self.events.said.emit("The network was not drawn: press Train to draw it and train")

    def confirmed(self, yes: bool) -> None:
        """The answer to ``confirm``: yes sets the later epochs aside and trains on."""
        if self.stage is not Stage.CONFIRMING:
            return
        if yes and self.run.rewound:
            self.aside = self.run.branch()
            self._begin(self._pending)
        else:
            self.stage, self._pending = Stage.IDLE, 0

    def _begin(self, epochs: int) -> None:
        self.stage, self._pending = Stage.TRAINING, 0
        self.events.started.emit()
        self.client.start(epochs)

    def toggle_pause(self) -> None:
        if not self.training:
            return
        self.client.resume() if self.client.paused else self.client.pause()

    def stop(self, wait: float = 0.0) -> None:
        """Stop a run (a network waiting to be drawn or a question pending is let go too)."""
        if self.stage in (Stage.DRAWING, Stage.CONFIRMING):
            self.stage, self._pending = Stage.IDLE, 0
        if self.client is not None:
            self.client.stop(wait)

    def close(self) -> None:
        """Stop training and let the process go (the window is closing)."""
        if self.client is not None:
            self.client.stop(wait=1.5)
            self.client.close()

    def _updated(self, token, update) -> None:
        if token is not self._token or self.run is None:
            return  # from a run this sequence has left
        self.run.history.extend(update.records)
        records = {r.epoch: r for r in update.records}
        for epoch, parameters in update.kept:
            self.run.snapshots.offer(epoch, parameters, records[epoch])
        self.events.updated.emit(update)

    def _ended(self, token, reason: str) -> None:
        if token is not self._token:
            return
        self.stage = Stage.IDLE
        self.run.show_rows()
        shown = picture(self.run)
        self.events.ended.emit(reason)
        self.events.shown.emit(shown)

    # --- time travel ----------------------------------------------------------------------------
    def restore_epoch(self, epoch: float) -> Snapshot | None:
        """Put back the weights of the kept snapshot nearest ``epoch`` (not while training)."""
        if self.run is None or self.busy:
            return None
        snapshot = self.run.snapshots.nearest(epoch)
        if snapshot is None:
            return None
        self.run.restore(snapshot)
        shown = picture(self.run)
        self.events.restored.emit(snapshot)
        self.events.shown.emit(shown)
        return snapshot

    def undo_branch(self) -> Branch | None:
        """Put back the epochs set aside by training on from an earlier one (not while training);
        the branch that was undone, or None."""
        if self.aside is None or self.busy or self.run is None:
            return None
        aside, self.aside = self.aside, None
        self.run.undo_branch(aside)
        last = self.run.history[-1]
        shown = picture(self.run)
        self.events.restored.emit(Snapshot(last.epoch, tuple(self.run.network.parameter_values()), last))
        self.events.shown.emit(shown)
        return aside

    def picture(self) -> RunPicture | None:
        """The run at the weights its network holds now (None without a run)."""
        return None if self.run is None else picture(self.run)
