"""A spec model trained as the window trains a dense network, without Qt: its state carries
training on exactly, the training process trains a CNN on the digits as the headless trainer
does and sends the window's updates (the gradient norms of the drawn graph's own nodes), Stop
lands mid-epoch, the sequence builds, draws and trains it through the real client, and a
session file brings back its spec, weights, history and where training stood, exactly."""

from __future__ import annotations

import dataclasses
import io
import queue

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn.io import load_session, save_session
from graphviz_nn.io.messages import read_message
from graphviz_nn.io.records import settings_from_json, settings_to_json
from graphviz_nn.nn.model_setup import ModelSettings, load_data
from graphviz_nn.nn.model_spec import SpecError, build
from graphviz_nn.nn.presets import PRESETS, preset_for
from graphviz_nn.session.document import capture, reopen
from graphviz_nn.session.model_run import model_session
from graphviz_nn.session.model_choice import model_defaults, takes_steps
from graphviz_nn.session.model_training import SHOWN_MAPS, ModelRun, SpecNetwork, create_run
from graphviz_nn.session.run_picture import picture
from graphviz_nn.session.training_client import TrainingClient
from graphviz_nn.session.training_process import Control, apply_state, read_progress, read_update, run_state, train
from graphviz_nn.session.training_sequence import Stage, TrainingSequence

from ..nn.spec_strategies import BUILT_HERE, fitting
from .test_training_process import Child, _through_a_pipe, _without_time


def _cnn(**options) -> ModelSettings:
    spec, _, batch_first = preset_for("cnn", "digits")
    return ModelSettings("digits", spec, None, batch_first, **{"batch_size": 64, "epochs": 1, **options})


CNN = _cnn()


def _same_weights(a: ModelRun, b: ModelRun) -> None:
    for got, want in zip(a.network.parameter_values(), b.network.parameter_values(), strict=True):
        np.testing.assert_array_equal(got, want)


def test_a_spec_models_state_carries_training_on_exactly() -> None:
    straight = ModelRun.create(CNN)
    expected = list(straight.trainer.fit(straight.train, straight.test, 2))
    first = ModelRun.create(CNN)
    before = list(first.trainer.fit(first.train, first.test, 1))
    second = create_run(CNN)  # a fresh build, as the training process makes
    apply_state(second, *_through_a_pipe(*run_state(first)))
    after = list(second.trainer.fit(second.train, second.test, 1))
    assert _without_time(before + after) == _without_time(expected)
    _same_weights(second, straight)


def test_the_run_draws_its_model_and_loss_on_a_few_training_samples() -> None:
    run = ModelRun.create(CNN)
    built = run.built()
    assert isinstance(run.network, SpecNetwork) and built.graph is run.network.graph
    assert built.output is run.network.loss and np.isfinite(run.network.loss.value)
    assert run.summary() == "cnn (10 layers, 6,058 parameters) on digits: 1258 training samples, 539 test samples"
    # The same build in another process gives the same node ids.
    again = ModelRun.create(CNN)
    assert [again.network.graph.id_of(n) for n in again.network.graph.nodes] == \
        [built.graph.id_of(n) for n in built.graph.nodes]
    assert [name for name, _ in picture(run).weights] == ["0.weight", "3.weight", "7.weight", "9.weight"]


def test_the_child_trains_a_cnn_on_the_digits_as_the_headless_trainer() -> None:
    headless = ModelRun.create(CNN)
    expected = list(headless.trainer.fit(headless.train, headless.test, 1))
    shown = ModelRun.create(CNN)
    ids = {shown.network.graph.id_of(n) for n in shown.network.graph.nodes}
    child = Child()
    try:
        child.train(shown, 1, 1)
        records, coloured = [], False
        for header, arrays in child.messages():
            if header["kind"] == "update":
                got, weights, norms, boundary, kept = read_update(shown, header, arrays)
                records += got
                assert boundary is None and set(norms) <= ids
                assert [name for name, _ in weights] == ["0.weight", "3.weight", "7.weight", "9.weight"]
                coloured = coloured or bool(got and norms)
                progress = read_progress(header)
                assert progress is None or (progress.epoch == 1 and 1 <= progress.batch < progress.batches == 20)
            else:
                assert header["reason"] == "done"
                apply_state(shown, header["state"], arrays)
        assert coloured  # an epoch's update colours the drawn graph's nodes
        assert _without_time(records) == _without_time(expected)
        _same_weights(shown, headless)
        assert shown.trainer.epochs_done == 1
    finally:
        assert child.close() == 0


def test_stop_lands_mid_epoch_in_the_child() -> None:
    run = ModelRun.create(_cnn(batch_size=1))  # 1,258 batches an epoch
    child = Child()
    try:
        child.train(run, 1, 5)
        messages = child.messages()
        while read_progress((header := next(messages)[0])) is None:
            assert header["kind"] == "update"
        child.send("stop", 1)
        last = list(messages)
        finished, arrays = last[-1]
        assert finished["reason"] == "stopped" and finished["state"]["epochs_done"] == 0
        assert not [r for h, _ in last if h["kind"] == "update" for r in h["records"]]
        apply_state(run, finished["state"], arrays)
        assert 1 <= run.trainer.optimiser.steps < len(run.train)
    finally:
        assert child.close() == 0


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_trains_reports_and_reopens(tmp_path, name: str) -> None:
    """Each architecture on the first dataset it takes (96 samples, sequences of 6 steps): its
    drawn graph, an epoch's updates as the window reads them, and its session file."""
    made = model_defaults(name)
    settings = dataclasses.replace(made, length=6 if takes_steps(made.dataset) else None, batch_size=32)
    data = load_data(settings.dataset, settings.length, 0, settings.batch_first).take(slice(0, 96))
    run = ModelRun.create(settings, data)
    ids = {run.network.graph.id_of(n) for n in run.network.graph.nodes}
    answers = io.BytesIO()
    train(run, 1, 1, Control(), answers)
    answers.seek(0)
    shown = ModelRun.create(settings, data)
    updates = [m for m in iter(lambda: read_message(answers), None) if m[0]["kind"] == "update"]
    records, weights, norms, _, kept = read_update(shown, *updates[-1])
    assert [r.epoch for r in records] == [1] and [e for e, _ in kept] == [1]
    assert norms and set(norms) <= ids and 1 <= len(weights) <= SHOWN_MAPS
    run.history.extend(records)
    path = save_session(tmp_path / f"{name}.gnn", capture(run.built(), name, run=run))
    again = reopen(load_session(path)).run
    assert again.settings == settings and again.history == run.history
    _same_weights(again, run)


def _sequence_with_a_real_client():
    """A training sequence whose client trains in the child; what the client says from its
    reading thread is handed to the sequence on this one by :func:`pump`, as the window does."""
    heard: queue.SimpleQueue = queue.SimpleQueue()

    def make_client(run, updated, ended):
        client = TrainingClient(run, lambda update: heard.put((updated, update)),
                                lambda end: heard.put((lambda e: ended(client.finish(e)), end)))
        return client

    def pump(sequence) -> list:
        updates = []
        while sequence.training:
            call, value = heard.get(timeout=60)
            call(value)
            updates.append(value)
        return updates

    return TrainingSequence(make_client), pump


def test_the_sequence_draws_then_trains_a_spec_model_and_a_session_brings_it_all_back(tmp_path) -> None:
    sequence, pump = _sequence_with_a_real_client()
    try:
        built = []
        sequence.events.built.connect(built.append)
        assert sequence.train(CNN, 1) and sequence.stage is Stage.DRAWING
        run = built[0]
        sequence.drawn(run.network.graph)  # the window drew it: training starts
        updates = pump(sequence)
        assert [r.epoch for u in updates[:-1] for r in u.records] == [1] and run.history[-1].epoch == 1
        state = capture(run.built(), "cnn", run=run)
        assert state.training is None and state.model.settings == CNN
        path = save_session(tmp_path / "cnn.gnn", state)
    finally:
        sequence.close()

    loaded = load_session(path)
    assert loaded.history == tuple(run.history) and loaded.trainer.epochs_done == 1
    reopened = reopen(loaded)
    again = reopened.run
    assert reopened.problem is None and again.settings == CNN and again.history == run.history
    assert reopened.built.graph is again.network.graph and again.network.loss.value == run.network.loss.value
    _same_weights(again, run)
    # Training goes on from the file as it would have gone on: two epochs straight, exactly.
    straight = ModelRun.create(CNN)
    expected = list(straight.trainer.fit(straight.train, straight.test, 2))
    more = list(again.trainer.fit(again.train, again.test, 1))
    assert _without_time(list(again.history) + more) == _without_time(expected)
    _same_weights(again, straight)


def test_a_session_asking_for_more_steps_than_it_holds_nodes_is_not_rebuilt(tmp_path) -> None:
    spec, data, _ = preset_for("lstm", "adding", 3)
    settings = ModelSettings("adding", spec, 5000)  # fits, but 5,000 unrolled steps
    model = build(spec)
    path = save_session(tmp_path / "long.gnn", model_session(settings, model, data.x[:, :2]))
    reopened = reopen(load_session(path))
    assert reopened.run is None and "5000 steps" in reopened.problem


def test_a_spec_model_that_does_not_take_its_data_is_refused_naming_the_layer_and_shapes() -> None:
    spec, _, _ = preset_for("cnn", "digits")
    with pytest.raises(SpecError) as refused:
        create_run(ModelSettings("adding", spec))
    assert str(refused.value) == "layer 0 Conv2d expects (N, 1, H, W), gets (T, N, 2)"


def test_absurd_sizes_in_a_message_are_refused_before_anything_is_allocated() -> None:
    doc = settings_to_json(CNN)
    doc["model"]["spec"]["layers"][7]["in_features"] = 65536
    doc["model"]["spec"]["layers"][7]["out_features"] = 65536
    with pytest.raises(ValueError, match="more than the limit of 16,777,216"):
        settings_from_json(doc)
    doc = settings_to_json(dataclasses.replace(CNN, dataset="adding", spec=preset_for("lstm", "adding")[0]))
    doc["model"]["length"] = 10**9
    with pytest.raises(ValueError, match="length must be at most 10000 steps"):
        settings_from_json(doc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fitting(BUILT_HERE), st.one_of(st.none(), st.integers(1, 500)), st.booleans(),
       st.sampled_from(["adam", "gd", "rmsprop"]), st.one_of(st.none(), st.integers(1, 512)))
def test_any_spec_models_settings_cross_to_the_training_process_unchanged(case, length, batch_first, optimiser,
                                                                           batch) -> None:
    spec = case[0]
    sent = ModelSettings("text", spec, length, batch_first, optimiser=optimiser, batch_size=batch)
    assert settings_from_json(_through_a_pipe({"s": settings_to_json(sent)}, {})[0]["s"]) == sent
