"""A spec model's run saved in a session file reopens exactly: the same spec, settings,
history and weights under torch's keys, so the rebuilt model gives the same outputs to the last
bit. The window reopens one saved from Python as a run it trains on."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn.io.session_file import JSON_MEMBER, load_session, save_session
from graphviz_nn.nn.model_setup import ModelSettings, load_data, set_up_model
from graphviz_nn.nn.model_spec import ModelSpec, build
from graphviz_nn.nn.model_trainer import run
from graphviz_nn.nn.presets import preset
from graphviz_nn.nn.shaped_data import ShapedData
from graphviz_nn.session.document import reopen
from graphviz_nn.session.model_run import model_session, rebuild

from ..io.session_files import trained
from ..nn.spec_strategies import BUILT_HERE, fitting


def _sequences(n: int = 40, steps: int = 6, seed: int = 0) -> ShapedData:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (steps, n, 2))
    return ShapedData("sums", x, x.sum(axis=(0, 2))[:, None] / steps, "regression", x_axis=1, y_axis=0)


def _tokens(n: int = 30, steps: int = 5, seed: int = 0) -> ShapedData:
    x = np.random.default_rng(seed).integers(0, 6, (steps, n))
    return ShapedData("echo", x, x.copy(), "classes", x_axis=1, y_axis=1, classes=6, tokens=True, vocab=6)


CASES = {
    "mlp on iris": lambda: (preset("mlp", load_data("iris"))[0], load_data("iris")),
    "lstm on sums": lambda: (preset("lstm", _sequences())[0], _sequences()),
    "gru on tokens": lambda: (preset("gru", _tokens())[0], _tokens()),
    "stacked rnn": lambda: (ModelSpec.of({"type": "RNN", "input_size": 2, "hidden_size": 3, "num_layers": 2,
                                          "nonlinearity": "relu"},
                                         {"type": "LastStep"}, {"type": "Linear", "in_features": 3, "out_features": 1}),
                            _sequences()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_spec_models_run_reopens_exactly(tmp_path, case):
    spec, data = CASES[case]()
    settings = ModelSettings(data.name, spec, epochs=2, seed=4, optimiser="adamw", lr=0.02, batch_size=8)
    setup = set_up_model(settings, data)
    history = list(setup.trainer.fit(setup.train, setup.test, settings.epochs))
    sample = setup.test.take(slice(0, 3)).x
    path = save_session(tmp_path / "run.gnn", model_session(settings, setup.model, sample, history, "a run"))

    state = load_session(path)
    assert state.model.settings == settings and state.history == tuple(history)
    saved = setup.model.state_dict()
    assert list(state.model.weights) == list(saved)  # torch's keys, in torch's order
    for key, value in saved.items():
        assert state.model.weights[key].dtype == value.dtype
        np.testing.assert_array_equal(state.model.weights[key], value)
    model = rebuild(state)
    assert np.array_equal(run(model.eval(), setup.test.x), run(setup.model.eval(), setup.test.x))
    assert np.array_equal(state.graph.outputs[0].value, run(setup.model, sample))


def test_the_window_reopens_a_spec_models_run_saved_from_python_as_a_run(tmp_path):
    spec, data = CASES["mlp on iris"]()
    settings = ModelSettings("iris", spec, epochs=1)
    setup = set_up_model(settings, data)
    history = list(setup.trainer.fit(setup.train, setup.test, 1))
    path = save_session(tmp_path / "run.gnn", model_session(settings, setup.model, data.x[:2], history))
    reopened = reopen(load_session(path))
    run = reopened.run
    assert reopened.problem is None and run.settings == settings and run.history == history
    for key, value in setup.model.state_dict().items():
        np.testing.assert_array_equal(run.network.model.state_dict()[key], value)
    # Its graph is the output on two samples; the run draws its model and loss on its own.
    assert reopened.built.graph is run.network.graph and reopened.state.position == -1


def test_a_dense_networks_session_has_no_model_and_reads_as_before(tmp_path):
    path = save_session(tmp_path / "dense.gnn", trained("xor", epochs=2))
    with zipfile.ZipFile(path) as archive:
        assert "model" not in json.loads(archive.read(JSON_MEMBER))
    state = load_session(path)
    assert state.model is None and reopen(state).run is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                                  HealthCheck.function_scoped_fixture])
@given(fitting(BUILT_HERE), st.integers(0, 2**32 - 1))
def test_any_spec_model_reopens_with_the_same_outputs(tmp_path, case, seed):
    spec, shape, tokens = case
    model = build(spec, np.random.default_rng(seed)).eval()
    rng = np.random.default_rng(seed)
    x = rng.integers(0, spec.layers[0]["num_embeddings"], shape) if tokens else rng.standard_normal(shape)
    path = save_session(tmp_path / "any.gnn", model_session(ModelSettings("rows", spec), model, x))
    assert np.array_equal(run(rebuild(load_session(path)).eval(), x), run(model, x))
