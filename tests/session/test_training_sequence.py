"""Training as one sequence, without Qt: build -> draw -> train, the question before training on
from an earlier epoch, stop, and updates from a run the sequence has left."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from graphviz_nn.session.training import defaults_for
from graphviz_nn.session.training_client import EpochUpdate
from graphviz_nn.session.training_sequence import Stage, TrainingSequence

XOR = defaults_for("xor")


class InProcessClient:
    """Trains in this process when told, reporting as the training process does; ``end`` plays
    the moment the trained state is back."""

    def __init__(self, run, updated, ended):
        self.run, self.updated, self.ended = run, updated, ended
        self.started: list[int] = []
        self.paused = False
        self.stops = 0
        self.closed = False

    def start(self, epochs: int) -> None:
        self.started.append(epochs)
        run = self.run
        for record in run.trainer.fit(run.train, run.test, epochs):
            kept = ((record.epoch, tuple(np.array(p) for p in run.network.parameter_values())),)
            self.updated(EpochUpdate((record,), (), {}, None, kept))

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def stop(self, wait: float = 0.0) -> None:
        self.stops += 1

    def close(self) -> None:
        self.closed = True

    def end(self, reason: str = "done") -> None:
        self.ended(reason)


class Heard:
    """Every event of a sequence, in order."""

    def __init__(self, sequence: TrainingSequence):
        self.events: list[tuple] = []
        for name in ("built", "started", "updated", "ended", "confirm", "restored", "said"):
            getattr(sequence.events, name).connect(lambda *args, name=name: self.events.append((name, *args)))

    def names(self) -> list[str]:
        return [e[0] for e in self.events]


@pytest.fixture
def sequence() -> TrainingSequence:
    return TrainingSequence(InProcessClient)


def _trained(sequence: TrainingSequence, epochs: int) -> None:
    sequence.train(XOR, epochs)
    if sequence.stage is Stage.DRAWING:
        sequence.drawn(sequence.run.network.graph)
    sequence.client.end()


def test_new_settings_build_a_network_and_train_only_once_it_is_drawn(sequence) -> None:
    heard = Heard(sequence)
    assert sequence.train(XOR, 5)
    run = sequence.run
    assert heard.names() == ["built", "said"] and heard.events[0][1] is run
    assert sequence.stage is Stage.DRAWING and not sequence.training and sequence.client.started == []
    sequence.drawn(object())  # another picture finished first: still waiting
    assert sequence.stage is Stage.DRAWING and sequence.client.started == []
    sequence.drawn(run.network.graph)
    assert sequence.client.started == [5] and sequence.training
    assert [r.epoch for r in run.history] == [1, 2, 3, 4, 5]  # the updates went into the run
    assert heard.names()[2:] == ["started"] + ["updated"] * 5
    assert not sequence.train(XOR, 3)  # one run at a time
    sequence.client.end("done")
    assert sequence.stage is Stage.IDLE and heard.names()[-1] == "ended"


def test_the_same_settings_train_on_at_once_and_other_settings_build_again(sequence) -> None:
    _trained(sequence, 3)
    run, client = sequence.run, sequence.client
    heard = Heard(sequence)
    sequence.train(XOR, 2)
    assert heard.names()[0] == "started" and client.started == [3, 2] and run.history[-1].epoch == 5
    client.end()
    sequence.train(replace(XOR, lr=0.2), 2)
    assert sequence.run is not run and client.closed and sequence.stage is Stage.DRAWING


def test_training_on_from_an_earlier_epoch_asks_first(sequence) -> None:
    _trained(sequence, 6)
    run = sequence.run
    heard = Heard(sequence)
    assert sequence.restore_epoch(2).epoch == 2 and run.rewound
    sequence.train(XOR, 3)
    assert heard.names() == ["restored", "confirm"] and sequence.stage is Stage.CONFIRMING
    assert not sequence.train(XOR, 3) and sequence.restore_epoch(4) is None  # waiting for the answer
    sequence.confirmed(False)
    assert sequence.stage is Stage.IDLE and [r.epoch for r in run.history] == [1, 2, 3, 4, 5, 6]
    sequence.train(XOR, 3)
    sequence.confirmed(True)
    assert [r.epoch for r in run.history] == [1, 2, 3, 4, 5] and sequence.aside is not None
    sequence.client.end()
    assert sequence.undo_branch() is not None and [r.epoch for r in run.history] == [1, 2, 3, 4, 5, 6]
    assert run.trainer.epochs_done == 6 and sequence.aside is None and heard.names()[-1] == "restored"


def test_nothing_goes_back_in_time_while_training(sequence) -> None:
    _trained(sequence, 4)
    sequence.client.start = lambda epochs: None  # a run under way
    sequence.train(XOR, 10)
    assert sequence.training and sequence.restore_epoch(1) is None and sequence.undo_branch() is None
    sequence.toggle_pause()
    assert sequence.paused
    sequence.toggle_pause()
    assert not sequence.paused
    sequence.stop()
    assert sequence.client.stops == 1


def test_a_run_left_behind_is_not_heard(sequence) -> None:
    sequence.train(XOR, 2)
    old = sequence.client
    sequence.adopt(sequence.run.__class__.create(replace(XOR, seed=1)))
    heard = Heard(sequence)
    old.updated(EpochUpdate((), (), {}, None))
    old.end("done")
    assert heard.events == [] and sequence.stage is Stage.IDLE and old.closed


def test_a_picture_that_never_comes_lets_the_run_go_and_train_draws_again(sequence) -> None:
    sequence.train(XOR, 4)
    heard = Heard(sequence)
    sequence.drawing_abandoned()
    assert sequence.stage is Stage.IDLE and heard.names() == ["said"]
    sequence.train(XOR, 4)  # the same settings: the network was never drawn, so it is drawn now
    assert sequence.stage is Stage.DRAWING and heard.names()[1] == "built"
    sequence.train(XOR, 7)  # asked again while waiting (another picture overtook it): drawn again
    assert heard.names().count("built") == 2
    sequence.drawn(sequence.run.network.graph)
    assert sequence.client.started == [7]


def test_stop_lets_a_waiting_run_go(sequence) -> None:
    sequence.train(XOR, 4)
    sequence.stop()
    assert sequence.stage is Stage.IDLE
    sequence.drawn(sequence.run.network.graph)
    assert sequence.client.started == []
