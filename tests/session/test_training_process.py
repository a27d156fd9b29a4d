"""Training in a child process, without Qt: the state carries training on exactly, the child
trains as the headless Trainer does, Stop lands before the next batch, and a child whose
window has gone ends. Everything passes over the child's stdin and stdout, as on Windows."""

from __future__ import annotations

import dataclasses
import io
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from graphviz_nn import __version__
from graphviz_nn.io.messages import read_message, write_message
from graphviz_nn.layout.process import popen_options
from graphviz_nn.nn import make_optimiser
from graphviz_nn.session.training import TrainingRun, defaults_for
from graphviz_nn.session.training_process import (Control, apply_state, command, command_message, listen,
                                                  read_update, request_message, run_state, settings_from_json,
                                                  settings_to_json, split_parameters, train)

ROOT = Path(__file__).resolve().parents[2]


def _without_time(records):
    return [r._replace(seconds=0.0) for r in records]


def _through_a_pipe(header, arrays):
    stream = io.BytesIO()
    write_message(stream, header, arrays)
    stream.seek(0)
    return read_message(stream)


@pytest.mark.parametrize("optimiser", ["gd", "momentum", "adam", "adamw", "rmsprop"])
def test_a_state_carries_training_on_exactly(optimiser: str) -> None:
    settings = dataclasses.replace(defaults_for("moons"), optimiser=optimiser, batch_size=32)
    straight = TrainingRun.create(settings)
    expected = list(straight.trainer.fit(straight.train, straight.test, 10))
    first = TrainingRun.create(settings)
    before = list(first.trainer.fit(first.train, first.test, 4))
    second = TrainingRun.create(settings)  # a fresh build, as the child makes
    apply_state(second, *_through_a_pipe(*run_state(first)))
    after = list(second.trainer.fit(second.train, second.test, 6))
    assert _without_time(before + after) == _without_time(expected)
    for got, want in zip(second.network.parameters, straight.network.parameters):
        np.testing.assert_array_equal(got.value, want.value)


def test_optimiser_state_comes_back_and_a_wrong_one_is_refused() -> None:
    run = TrainingRun.create(defaults_for("xor"))
    list(run.trainer.fit(run.train, None, 3))
    state = run.trainer.optimiser.state()
    assert int(state["steps"]) == 3 and {"m/0", "v/0"} <= set(state)
    other = make_optimiser("adam", run.network.parameters, 0.1)
    other.load_state(state)
    assert other.steps == 3
    np.testing.assert_array_equal(other.m[1], run.trainer.optimiser.m[1])
    for broken in ({}, {**state, "m/0": np.zeros(5)}, {k: v for k, v in state.items() if k != "v/2"}):
        fresh = make_optimiser("adam", run.network.parameters, 0.1)
        with pytest.raises(ValueError):
            fresh.load_state(broken)
        assert fresh.steps == 0 and not np.any(fresh.m[0])  # nothing half-loaded


def test_a_state_that_does_not_fit_changes_nothing() -> None:
    xor = TrainingRun.create(defaults_for("xor"))
    spiral = TrainingRun.create(defaults_for("spiral"))
    before = [p.value.copy() for p in spiral.network.parameters]
    rng_before = spiral.trainer.rng.bit_generator.state
    header, arrays = run_state(xor)
    for bad_header, bad_arrays in ((header, arrays), ({**run_state(spiral)[0], "rng": {"nonsense": 1}},
                                                      run_state(spiral)[1])):
        with pytest.raises(ValueError):
            apply_state(spiral, bad_header, bad_arrays)
    for p, value in zip(spiral.network.parameters, before):
        np.testing.assert_array_equal(p.value, value)
    assert spiral.trainer.rng.bit_generator.state == rng_before and spiral.trainer.optimiser.steps == 0


def test_settings_and_flat_parameters_round_trip() -> None:
    settings = defaults_for("digits")
    assert settings_from_json(_through_a_pipe({"s": settings_to_json(settings)}, {})[0]["s"]) == settings
    run = TrainingRun.create(defaults_for("xor"))
    flat = np.concatenate([p.value.ravel() for p in run.network.parameters])
    for part, p in zip(split_parameters(run, flat), run.network.parameters):
        np.testing.assert_array_equal(part, p.value)


def _counting_batches(run: TrainingRun, at_batch=None, then=None) -> list[int]:
    batches: list[int] = []
    feed = run.network.feed

    def counted(X, targets):
        batches.append(1)
        if len(batches) == at_batch:
            then()
        return feed(X, targets)

    run.network.feed = counted
    return batches


class Stream:
    """The parent's end of the child's stdin, with the child's listener reading the other end
    in a thread of this process."""

    def __init__(self):
        read_end, write_end = os.pipe()
        self.out = os.fdopen(write_end, "wb")
        self.control = Control()
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        self.listener = threading.Thread(target=listen, args=(os.fdopen(read_end, "rb"), self.control, self.requests),
                                         daemon=True)
        self.listener.start()

    def send(self, word: str, run_id: int) -> None:
        write_message(self.out, command_message(word, run_id))

    def begin(self, run: TrainingRun, run_id: int) -> None:
        """A train request for ``run_id``; back once the listener has read everything before it."""
        write_message(self.out, request_message(run_id, run.settings, 1, run_state(run)[0]))
        header, _ = self.requests.get(timeout=10)
        assert header["run"] == run_id

    def wait_for(self, condition) -> None:
        """Until the listener has acted on what was sent (it reads in a thread of its own)."""
        deadline = time.monotonic() + 10
        while not condition(self.control):
            assert time.monotonic() < deadline, "the listener did not act on the message"
            time.sleep(0.001)

    def close(self) -> None:
        self.out.close()
        self.listener.join(10)


def test_stop_lands_before_the_next_batch() -> None:
    run = TrainingRun.create(dataclasses.replace(defaults_for("spiral"), batch_size=8))
    stream = Stream()
    try:
        stream.begin(run, 1)
        stream.begin(run, 2)
        stream.send("stop", 1)  # for a run that has ended: ignored
        stream.begin(run, 2)  # (read after the Stop above: the listener has seen it)
        assert not stream.control.stopped

        def stop_now():
            stream.send("stop", 2)
            stream.wait_for(lambda control: control.stopped)

        batches = _counting_batches(run, at_batch=5, then=stop_now)
        records = list(run.trainer.fit(run.train, run.test, 100, stop=stream.control))
    finally:
        stream.close()
    assert len(batches) == 5  # the batch under way when Stop came, and no other
    assert records == [] and stream.control.stopped


def test_pause_holds_training_until_resume() -> None:
    run = TrainingRun.create(defaults_for("xor"))
    stream = Stream()
    try:
        stream.begin(run, 1)
        resume = threading.Timer(0.4, lambda: stream.send("resume", 1))

        def pause_now():
            stream.send("pause", 1)
            stream.wait_for(lambda control: control.paused)
            resume.start()

        _counting_batches(run, at_batch=2, then=pause_now)
        started = time.perf_counter()
        records = list(run.trainer.fit(run.train, run.test, 5, stop=stream.control))
        took = time.perf_counter() - started
    finally:
        stream.close()
    assert took >= 0.35 and len(records) == 5


def test_a_stream_that_ends_stops_training_and_ends_a_pause() -> None:
    run = TrainingRun.create(defaults_for("xor"))
    stream = Stream()
    stream.begin(run, 1)
    stream.send("pause", 1)
    stream.wait_for(lambda control: control.paused)
    ended = threading.Timer(0.2, stream.out.close)  # the window's process is gone
    ended.start()
    assert list(run.trainer.fit(run.train, run.test, 5, stop=stream.control)) == []  # no longer held
    stream.listener.join(10)
    assert stream.control.orphaned and stream.requests.get(timeout=1) is None


def test_a_message_that_is_no_request_ends_the_stream() -> None:
    stream = Stream()
    write_message(stream.out, {"kind": "format the disk", "run": 1})
    problem = stream.requests.get(timeout=10)
    assert "not a training request" in str(problem)
    assert stream.requests.get(timeout=10) is None and stream.control.orphaned
    stream.close()
    with pytest.raises(ValueError, match="not a training command"):
        command_message("quit", 1)


class Child:
    """The training process as the window starts it."""

    def __init__(self, version: str = __version__):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(command(version), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=env, **popen_options())

    def train(self, run: TrainingRun, run_id: int, epochs: int, settings=None) -> None:
        header, arrays = run_state(run)
        request = request_message(run_id, settings or run.settings, epochs, header, run.snapshots.spacing,
                                  run.snapshots.keep_early)
        write_message(self.process.stdin, request, arrays)

    def send(self, word: str, run_id: int) -> None:
        write_message(self.process.stdin, command_message(word, run_id))

    def messages(self):
        while True:
            message = read_message(self.process.stdout)
            assert message is not None, self.process.stderr.read().decode()
            yield message
            if message[0]["kind"] == "finished":
                return

    def close(self) -> int:
        self.process.stdin.close()
        code = self.process.wait(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()
        return code


@pytest.mark.parametrize("features", [None, ("x1", "x1_times_x2", "sin_x1", "sin_x2")])
def test_the_child_trains_exactly_as_the_headless_trainer(features) -> None:
    """With feature columns too: the child rebuilds them from the settings it is sent."""
    settings = dataclasses.replace(defaults_for("moons"), batch_size=16, features=features)
    headless = TrainingRun.create(settings)
    expected = list(headless.trainer.fit(headless.train, headless.test, 30))
    shown = TrainingRun.create(settings)
    child = Child()
    try:
        child.train(shown, 1, 30)
        records, kept = [], []
        for header, arrays in child.messages():
            assert header["run"] == 1
            if header["kind"] == "update":
                got, weights, norms, drawn, snapshots = read_update(shown, header, arrays)
                records += got
                kept += snapshots
                assert drawn is not None and drawn.classes.shape == (len(shown.grid[1]), len(shown.grid[0]))
                assert set(norms) <= {shown.network.graph.id_of(n) for n in shown.network.graph.nodes}
                assert [name for name, _ in weights] == [p.label for p in shown.network.parameters if p.value.ndim == 2]
            else:
                assert header["reason"] == "done"
                apply_state(shown, header["state"], arrays)
        assert _without_time(records) == _without_time(expected)
        for got, want in zip(shown.network.parameters, headless.network.parameters):
            np.testing.assert_array_equal(got.value, want.value)
        assert shown.trainer.epochs_done == 30
        assert [epoch for epoch, _ in kept] == list(range(1, 31))  # the store still keeps every epoch
        # It goes on from the state it is given: ten more epochs match ten more headless.
        more = list(headless.trainer.fit(headless.train, headless.test, 10))
        child.train(shown, 2, 10)
        later = [r for h, a in child.messages() if h["kind"] == "update" for r in read_update(shown, h, a)[0]]
        assert _without_time(later) == _without_time(more)
    finally:
        assert child.close() == 0  # closing its input ends it


def test_a_request_it_cannot_build_is_answered_and_the_child_goes_on() -> None:
    run = TrainingRun.create(defaults_for("xor"))
    child = Child()
    try:
        child.train(run, 1, 5, settings=dataclasses.replace(run.settings, dataset="/nowhere/missing.csv"))
        (header, _), = list(child.messages())
        assert header["kind"] == "finished" and "training failed" in header["reason"]
        assert "state" not in header
        child.train(run, 2, 5)
        finished = [h for h, _ in child.messages()][-1]
        assert finished["reason"] == "done" and finished["state"]["epochs_done"] == 5
    finally:
        assert child.close() == 0


def test_stop_on_the_childs_stdin_ends_a_long_run() -> None:
    run = TrainingRun.create(dataclasses.replace(defaults_for("spiral"), batch_size=4))
    child = Child()
    try:
        child.train(run, 1, 1_000_000)
        messages = child.messages()
        next(messages)  # training is under way
        child.send("stop", 1)
        asked = time.perf_counter()
        finished = [h for h, _ in messages][-1]
        assert time.perf_counter() - asked < 1.0
        assert finished["reason"] == "stopped" and 1 <= finished["state"]["epochs_done"] < 1_000_000
    finally:
        assert child.close() == 0


def test_the_child_runs_the_module_without_the_working_folder_on_its_path() -> None:
    assert command()[-2:] == ["graphviz_nn.session.training_process", __version__]
    assert command()[0] == sys.executable and "-m" not in command()


def test_a_child_of_another_version_says_so_instead_of_training() -> None:
    run = TrainingRun.create(defaults_for("xor"))
    child = Child(version="0.0.1")
    try:
        child.train(run, 7, 5)
        (header, _), = list(child.messages())
        assert header["run"] == 7 and "state" not in header
        assert f"is graphviz-nn {__version__} but the window is 0.0.1" in header["reason"]
        assert "start it again" in header["reason"]
    finally:
        assert child.close() == 0


def test_a_child_whose_window_has_gone_ends_mid_run(tmp_path) -> None:
    """The window's process ends without a word (killed, crashed): its end of the child's stdin
    closes with it, and the child stops training and exits."""
    psutil = pytest.importorskip("psutil")
    window = (
        "import os, subprocess, sys\n"
        "from graphviz_nn import __version__\n"
        "from graphviz_nn.io.messages import read_message, write_message\n"
        "from graphviz_nn.layout.process import popen_options\n"
        "from graphviz_nn.session.training import TrainingRun, defaults_for\n"
        "from graphviz_nn.session.training_process import command, request_message, run_state\n"
        "run = TrainingRun.create(defaults_for('spiral'))\n"
        "child = subprocess.Popen(command(__version__), stdin=subprocess.PIPE, stdout=subprocess.PIPE,\n"
        "                         **popen_options())\n"
        "header, arrays = run_state(run)\n"
        "write_message(child.stdin, request_message(1, run.settings, 1_000_000, header), arrays)\n"
        "assert read_message(child.stdout)[0]['kind'] == 'update'\n"
        "print(child.pid, flush=True)\n"
        "os._exit(0)\n"  # no clean-up of any kind
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", window], capture_output=True, text=True, env=env, timeout=60,
                          cwd=tmp_path, **popen_options())
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout)
    deadline = time.monotonic() + 20
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                break  # it has exited; nobody has collected it yet
        except psutil.NoSuchProcess:
            break
        if time.monotonic() > deadline:
            psutil.Process(pid).kill()
            pytest.fail("the training process went on after its window had gone")
        time.sleep(0.05)


def test_only_the_epochs_the_store_may_keep_are_sent() -> None:
    run = TrainingRun.create(defaults_for("xor"))
    answers = io.BytesIO()
    train(run, 1, 40, Control(), answers, spacing=4, keep_early=10)
    answers.seek(0)
    kept, finished = [], None
    while (message := read_message(answers)) is not None:
        if message[0]["kind"] == "update":
            kept += message[0]["kept"]
        else:
            finished = message[0]
    assert kept == list(range(1, 11)) + list(range(12, 41, 4))
    assert finished["reason"] == "done" and finished["state"]["epochs_done"] == 40


def test_epochs_done_before_a_non_finite_loss_all_reach_the_window(monkeypatch) -> None:
    """The records waiting for the next update were dropped when the loss became nan."""
    from graphviz_nn.engine import NonFiniteError

    run = TrainingRun.create(defaults_for("xor"))
    fit = run.trainer.fit

    def three_then_nan(train_set, test_set, epochs, stop=None):
        yield from fit(train_set, test_set, 3, stop=stop)
        raise NonFiniteError("epoch 4: the loss is not finite", run.network.loss, None, "forward")

    monkeypatch.setattr(run.trainer, "fit", three_then_nan)
    answers = io.BytesIO()
    train(run, 1, 10, Control(), answers)
    answers.seek(0)
    epochs, finished = [], None
    while (message := read_message(answers)) is not None:
        if message[0]["kind"] == "update":
            epochs += [r["epoch"] for r in message[0]["records"]]
        else:
            finished = message[0]
    assert epochs == [1, 2, 3]
    assert "not finite" in finished["reason"] and finished["state"]["epochs_done"] == 3
