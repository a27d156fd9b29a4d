"""The exported numpy script and PyTorch module compute the network's own predictions to 1e-12."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from graphviz_nn.datasets import Standardisation, spiral
from graphviz_nn.io.model_code import dense_model, numpy_script, write_numpy_script
from graphviz_nn.io.model_code_torch import torch_module, write_torch_module
from graphviz_nn.nn import LayerNet, PerceptronNet
from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.nn.settings import TrainingSettings
from graphviz_nn.nn.training_setup import set_up

TOLERANCE = dict(rtol=1e-12, atol=1e-12)
HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def networks(draw, perceptrons: bool | None = None):
    """A LayerNet or PerceptronNet of drawn widths and activations, with trained-looking weights."""
    kind = draw(st.booleans()) if perceptrons is None else perceptrons
    sizes = [2] + draw(st.lists(st.integers(1, 6), min_size=0, max_size=3)) + [draw(st.integers(1, 3))]
    hidden = draw(st.sampled_from(HIDDEN))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if kind:
        out = draw(st.sampled_from(("sigmoid", "tanh", "identity")))
        net = PerceptronNet(sizes, hidden, out, "mse", bias=draw(st.booleans()), init="xavier", rng=rng)
    else:
        out = draw(st.sampled_from(("sigmoid", "softmax", "tanh", "identity")))
        bias = draw(st.lists(st.booleans(), min_size=len(sizes) - 1, max_size=len(sizes) - 1))
        net = LayerNet(sizes, hidden, out, "mse", bias=bias, normalise=draw(st.booleans()), rng=rng)
    # stand-ins for trained weights: every parameter moved, biases too
    net.load_parameter_values([v + rng.normal(0.0, 0.5, v.shape) for v in net.parameter_values()])
    return net


def _data(seed: int = 0) -> np.ndarray:
    X = spiral(60, seed=seed).X
    return X * 3.0 + 0.5  # off-centre and wide, so the normalisation matters


def _fit(net, X: np.ndarray):
    net.fit_normalisation(X)
    return net


def _import(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(script: Path, X: np.ndarray, cwd: Path) -> np.ndarray:
    """Run the script in a clean environment (isolated Python, only PATH) on X as a CSV file."""
    csv = cwd / "inputs.csv"
    csv.write_text("a,b\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in X) + "\n", encoding="utf-8")
    env = {key: os.environ[key] for key in ("PATH", "SYSTEMROOT") if key in os.environ}
    done = subprocess.run([sys.executable, "-I", str(script), str(csv)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return np.array([[float(v) for v in line.split(",")] for line in done.stdout.splitlines()])


@SETTINGS
@given(net=networks())
def test_numpy_predict_is_the_networks(net, tmp_path) -> None:
    X = _data()
    _fit(net, X)
    path = write_numpy_script(net, tmp_path / "model.py")
    module = _import(path, f"exported_{id(net)}")
    np.testing.assert_allclose(module.predict(X), net.predict(X), **TOLERANCE)


@settings(SETTINGS, max_examples=8)
@given(net=networks())
def test_numpy_script_run_as_a_program_prints_the_networks_predictions(net, tmp_path) -> None:
    X = _data(1)
    _fit(net, X)
    folder = tmp_path / "run"
    folder.mkdir(exist_ok=True)
    script = write_numpy_script(net, folder / "model.py")
    np.testing.assert_allclose(_run(script, X, folder), net.predict(X), **TOLERANCE)


@SETTINGS
@given(net=networks())
def test_torch_module_is_the_networks(net, tmp_path) -> None:
    torch = pytest.importorskip("torch")
    X = _data(2)
    _fit(net, X)
    module = _import(write_torch_module(net, tmp_path / "model_torch.py"), f"exported_torch_{id(net)}")
    model = module.load_model()
    assert all(p.dtype == torch.float64 for p in model.parameters())
    with torch.no_grad():
        got = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(got, net.predict(X), **TOLERANCE)
    np.testing.assert_allclose(module.predict(X), got, rtol=0, atol=0)


@pytest.mark.parametrize("kind", ["layer", "perceptron"])
def test_a_trained_runs_export_predicts_as_the_window_does(kind, tmp_path) -> None:
    """Trained as the window trains, normalised (a perceptron net's run scales its rows itself):
    the script, run on the dataset's raw rows, prints what the window computes for them."""
    data = spiral(200, seed=3)
    spec = NetworkSpec(kind, (6,), "tanh", "sigmoid", "mse", normalise=True)
    setup = set_up(TrainingSettings(dataset="spiral", spec=spec, lr=0.05), data)
    setup.trainer.fit(setup.train, setup.test, epochs=20)
    X = data.X * 2.0 + 1.0  # raw rows, off the statistics, as the window's plane is
    window = setup.network.predict(setup.scaling.apply(X) if setup.scaling is not None else X)
    assert (setup.scaling is not None) == (kind == "perceptron")
    script = write_numpy_script(setup.network, tmp_path / "model.py", data.feature_names, setup.scaling)
    np.testing.assert_allclose(_run(script, X, tmp_path), window, **TOLERANCE)
    if importlib.util.find_spec("torch") is not None:
        module = _import(write_torch_module(setup.network, tmp_path / "m_torch.py", scaling=setup.scaling),
                         f"exported_run_{kind}")
        np.testing.assert_allclose(module.predict(X), window, **TOLERANCE)


def test_scaling_and_normalisation_together_are_refused() -> None:
    net = LayerNet([2, 1], normalise=True)
    with pytest.raises(ValueError, match="normalises its own inputs"):
        dense_model(net, Standardisation(np.zeros(2), np.ones(2)))


def test_torch_state_dict_has_torch_names_and_layout() -> None:
    torch = pytest.importorskip("torch")
    net = _fit(LayerNet([2, 4, 3, 1], "tanh", bias=[True, False, True], normalise=True), _data())
    namespace: dict = {}
    exec(compile(torch_module(net), "model_torch.py", "exec"), namespace)  # the generated file, as import runs it
    state = namespace["load_model"]().state_dict()
    assert list(state) == ["mean", "std", "layer1.weight", "layer1.bias", "layer2.weight",
                           "output.weight", "output.bias"]
    W1 = net.layers[0][1][0].value
    assert torch.equal(state["layer1.weight"], torch.from_numpy(W1.T))  # (outputs, inputs), bit for bit
    assert torch.equal(state["mean"], torch.from_numpy(net.input_mean.value))


def test_weights_round_trip_exactly_including_inf_and_nan() -> None:
    net = PerceptronNet([2, 2, 1], "relu", "identity", "mse", init="xavier")
    values = net.parameter_values()
    values[0] = np.array(np.inf)
    values[1] = np.array(-0.0)
    values[2] = np.array(5e-324)  # the first perceptron's bias: its weights come first
    values[3] = np.array(np.nan)
    net.load_parameter_values(values)
    namespace: dict = {}
    exec(compile(numpy_script(net), "model.py", "exec"), namespace)
    W1, b1 = namespace["W1"], namespace["b1"]
    assert W1[0, 0] == np.inf and str(W1[1, 0]) == "-0.0" and b1[0] == 5e-324 and np.isnan(W1[0, 1])
    model = dense_model(net)
    assert np.array_equal(W1, model.weights[0], equal_nan=True) and np.array_equal(b1, model.biases[0])
    for k, (W, b) in enumerate(zip(model.weights, model.biases), 1):
        assert np.array_equal(namespace[f"W{k}"], W, equal_nan=True) and np.array_equal(namespace[f"b{k}"], b)


def test_perceptron_weights_are_laid_out_as_a_matrix() -> None:
    net = PerceptronNet([3, 2], "tanh", "sigmoid", "mse", bias=True, init="xavier")
    model = dense_model(net)
    for j in range(2):
        for i in range(3):
            w = next(p for p in net.parameters if p.name == f"w1.{i + 1}{j + 1}")
            assert model.weights[0][i, j] == float(w.value)
        b = next(p for p in net.parameters if p.name == f"b1.{j + 1}")
        assert model.biases[0][j] == float(b.value)


def test_importing_defines_only(tmp_path, capsys, monkeypatch) -> None:
    """Importing the script reads nothing and prints nothing: it only defines predict and friends."""
    net = _fit(LayerNet([2, 3, 1], normalise=True), _data())
    monkeypatch.setattr(sys, "stdin", None)  # reading stdin at import would fail
    module = _import(write_numpy_script(net, tmp_path / "model.py"), "exported_quiet")
    assert capsys.readouterr() == ("", "")
    assert callable(module.predict) and callable(module.main)


def test_input_names_are_string_literals_never_code(tmp_path) -> None:
    net = LayerNet([2, 1])
    names = ['x"); import os; os.remove("x', "sin x1\n# trailing"]
    namespace: dict = {}
    exec(compile(numpy_script(net, names), "model.py", "exec"), namespace)
    assert namespace["INPUTS"] == tuple(names)
    with pytest.raises(ValueError, match="3 input names"):
        numpy_script(net, ["a", "b", "c"])


def test_script_reports_rows_of_the_wrong_width(tmp_path) -> None:
    net = LayerNet([2, 1])
    script = write_numpy_script(net, tmp_path / "model.py")
    (tmp_path / "bad.csv").write_text("1,2\n3\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", str(script), str(tmp_path / "bad.csv")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "line 2: 1 values; the network takes 2" in done.stderr


def test_reads_stdin(tmp_path) -> None:
    net = _fit(LayerNet([2, 2], output_activation="softmax", normalise=True), _data())
    script = write_numpy_script(net, tmp_path / "model.py")
    done = subprocess.run([sys.executable, "-I", str(script)], cwd=tmp_path, input="0.5,-1\n2,3\n",
                          capture_output=True, text=True, timeout=120)
    got = np.array([[float(v) for v in line.split(",")] for line in done.stdout.splitlines()])
    np.testing.assert_allclose(got, net.predict(np.array([[0.5, -1], [2, 3]])), **TOLERANCE)


def test_writers_refuse_a_folder(tmp_path) -> None:
    net = LayerNet([2, 1])
    for write in (write_numpy_script, write_torch_module):
        with pytest.raises(OSError, match="folder"):
            write(net, tmp_path)


def test_a_model_that_is_not_dense_is_refused() -> None:
    class Other:
        layers = ()

    with pytest.raises(ValueError, match="not a dense network"):
        dense_model(Other())
