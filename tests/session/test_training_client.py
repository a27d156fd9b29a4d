"""The parent's side of the training process, without Qt: a run trains in the child, its
updates and its end arrive through callbacks, Stop lands, and the state comes back."""

from __future__ import annotations

import dataclasses
import threading

from graphviz_nn.session.training import TrainingRun, defaults_for
from graphviz_nn.session.training_client import EpochUpdate, TrainingClient


class _Heard:
    def __init__(self) -> None:
        self.updates: list[EpochUpdate] = []
        self.ended: list = []
        self.done = threading.Event()

    def update(self, update: EpochUpdate) -> None:
        self.updates.append(update)

    def end(self, ended) -> None:
        self.ended.append(ended)
        self.done.set()


def test_a_run_trains_in_the_child_and_its_state_comes_back() -> None:
    run = TrainingRun.create(defaults_for("xor"))
    heard = _Heard()
    client = TrainingClient(run, heard.update, heard.end)
    try:
        client.start(5)
        assert client.running and heard.done.wait(60)
        assert client.finish(heard.ended[0]) == "done" and not client.running
        assert [r.epoch for u in heard.updates for r in u.records] == [1, 2, 3, 4, 5]
        assert run.trainer.epochs_done == 5  # the trained state was taken back
        assert client.pid is not None  # the child waits for the next run
    finally:
        client.close()
    assert client.pid is None


def test_stop_ends_a_long_run_within_a_batch() -> None:
    run = TrainingRun.create(dataclasses.replace(defaults_for("spiral"), batch_size=8))
    heard = _Heard()
    client = TrainingClient(run, heard.update, heard.end)
    try:
        client.start(1_000_000)
        while not heard.updates:
            assert not heard.done.wait(0.05)
        client.stop()
        assert heard.done.wait(30)
        assert client.finish(heard.ended[0]) == "stopped" and 1 <= run.trainer.epochs_done < 1_000_000
    finally:
        client.close()


def test_a_child_that_cannot_start_ends_the_run_with_why(monkeypatch) -> None:
    from graphviz_nn.session import training_client

    monkeypatch.setattr(training_client, "command", lambda version: ["/nonexistent/python"])
    heard = _Heard()
    client = TrainingClient(TrainingRun.create(defaults_for("xor")), heard.update, heard.end)
    client.start(3)
    assert heard.done.is_set() and "could not be started" in client.finish(heard.ended[0])
    assert not client.running
