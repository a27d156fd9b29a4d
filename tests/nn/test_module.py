"""Module: torch's parameter names, state dicts both ways, modes, scopes and Sequential."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import nn
from graphviz_nn.engine import Constant, Graph, Variable

NESTED_KEYS = ["0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.2.weight", "3.weight", "3.bias"]
LSTM_KEYS = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
             "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"]


def nested(lib) -> object:
    """The same nested model from graphviz_nn.nn or torch.nn."""
    return lib.Sequential(lib.Linear(3, 4), lib.ReLU(),
                          lib.Sequential(lib.Linear(4, 4), lib.Tanh(), lib.Linear(4, 2, bias=False)),
                          lib.Linear(2, 1))


class Model(nn.Module):
    """A model written as a class, as seed 003 writes them."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(7, 2)
        self.lstm = nn.LSTM(2, 3, num_layers=2)
        self.head = nn.Sequential(nn.Linear(3, 3), nn.GELU(), nn.Linear(3, 1))

    def forward(self, tokens):
        output, _ = self.lstm(self.embed(tokens))
        return self.head(output[-1])


def test_named_parameters_are_torchs_keys() -> None:
    assert [k for k, _ in nested(nn).named_parameters()] == NESTED_KEYS
    assert [k for k, _ in nn.LSTM(3, 5, num_layers=2).named_parameters()] == LSTM_KEYS
    model = Model()
    assert [k for k, _ in model.named_parameters()] == (
        ["embed.weight"] + [f"lstm.{k}" for k in LSTM_KEYS]
        + ["head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias"])
    assert list(model.state_dict()) == [k for k, _ in model.named_parameters()]
    assert all(isinstance(p, Variable) for p in model.parameters())


def test_named_parameters_equal_torchs_when_torch_is_installed() -> None:
    torch = pytest.importorskip("torch")
    assert [k for k, _ in nested(torch.nn).named_parameters()] == NESTED_KEYS
    assert [k for k, _ in torch.nn.LSTM(3, 5, num_layers=2).named_parameters()] == LSTM_KEYS
    ours, theirs = nested(nn), nested(torch.nn)
    assert {k: v.shape for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}


def test_a_shared_layer_is_listed_once() -> None:
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    assert [k for k, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert list(model.state_dict()) == ["0.weight", "0.bias"]


@settings(max_examples=20, deadline=None)
@given(widths=st.lists(st.integers(1, 5), min_size=2, max_size=5), seed=st.integers(0, 2**31))
def test_state_round_trips_and_reproduces_outputs(widths, seed) -> None:
    rng = np.random.default_rng(seed)

    def build(rng):
        layers = []
        for a, b in zip(widths, widths[1:]):
            layers += [nn.Linear(a, b, rng=rng), nn.Tanh()]
        return nn.Sequential(*layers)

    first, second = build(rng), build(np.random.default_rng(seed + 1))
    state = first.state_dict()
    second.load_state_dict(state)
    for key, value in second.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    x = rng.standard_normal((3, widths[0]))
    np.testing.assert_array_equal(first(Constant(x)).value, second(Constant(x)).value)
    # Copies both ways: changing the arrays changes neither model.
    state[next(iter(state))][...] = 99.0
    assert not np.any(first.state_dict()[next(iter(state))] == 99.0)
    assert not np.any(second.state_dict()[next(iter(state))] == 99.0)


def test_loading_keeps_the_nodes_so_built_graphs_see_the_new_weights(rng) -> None:
    layer = nn.Linear(2, 1, rng=rng)
    weight = layer.weight
    y = layer(Constant(np.ones((1, 2))))
    layer.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])})
    Graph(y).forward()
    assert layer.weight is weight and y.item() == 3.5
    assert layer.weight.value.dtype == np.float64
    layer.load_state_dict({"weight": np.array([[1, 2]], dtype=np.float32), "bias": np.array([0])})
    assert layer.weight.value.dtype == np.float64


def test_a_wrong_shape_is_refused_naming_the_key_and_both_shapes_and_nothing_is_loaded() -> None:
    model = nested(nn)
    before = model.state_dict()
    state = {k: np.zeros_like(v) for k, v in before.items()}
    state["2.2.weight"] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"'2\.2\.weight' has shape \(3, 4\) in the given state but "
                                         r"\(2, 4\) in the model") as caught:
        model.load_state_dict(state)
    assert "\n" not in str(caught.value)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_unknown_and_missing_keys_are_named() -> None:
    model = nn.LSTM(2, 3)
    state = model.state_dict()
    del state["bias_hh_l0"]
    state["weight_ih_l1"] = np.zeros((12, 3))
    with pytest.raises(ValueError, match=r"unknown keys 'weight_ih_l1'; missing keys 'bias_hh_l0'"):
        model.load_state_dict(state)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["bias_hh_l0"] and result.unexpected_keys == ["weight_ih_l1"]


def test_frozen_parameters_and_buffers_are_saved_and_counted_apart() -> None:
    layer = nn.Linear(3, 2)
    layer.register_parameter("scale", Constant(np.ones(2)))
    layer.register_buffer("running_mean", np.zeros(2))
    layer.register_buffer("count", np.zeros((), dtype=np.int64))
    assert list(layer.state_dict()) == ["weight", "bias", "scale", "running_mean", "count"]
    layer.load_state_dict({**layer.state_dict(), "running_mean": np.array([1.0, 2.0]), "count": np.array(5)})
    np.testing.assert_array_equal(layer.running_mean, [1.0, 2.0])
    assert layer.count.dtype == np.int64 and int(layer.count) == 5
    table = nn.summary(layer, (4, 3))
    assert (table.total_params, table.trainable_params, table.non_trainable_params) == (10, 8, 2)
    with pytest.raises(TypeError, match="a parameter is a Variable or a Constant"):
        layer.register_parameter("w", np.ones(2))


def test_train_and_eval_reach_every_layer() -> None:
    model = Model()
    assert model.training and all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.head.train()
    assert model.head[1].training and not model.lstm.training


def test_calls_put_each_layers_nodes_in_its_scope() -> None:
    model = Model()
    tokens = np.array([[1, 2], [3, 3], [6, 0]])
    y = model(tokens)
    scopes = {node.scope[:2] for node in Graph(y).nodes}
    assert scopes == {("Model", "embed: Embedding"), ("Model", "lstm: LSTM"), ("Model", "head: Sequential"),
                      ("Model",)}
    assert model.head[2].weight.scope == ("Model", "head: Sequential", "2: Linear")
    assert y.scope == ("Model", "head: Sequential", "2: Linear")


def test_a_layer_reused_in_two_graphs_keeps_its_scope(rng) -> None:
    model = nn.Sequential(nn.Linear(2, 2, rng=rng), nn.ReLU())
    first, second = model(Constant(np.ones((1, 2)))), model(Constant(np.zeros((1, 2))))
    for y in (first, second):
        assert {n.scope for n in Graph(y).nodes if n.scope} == {("Sequential", "0: Linear"), ("Sequential", "1: ReLU")}


def test_sequential_indexing() -> None:
    model = nested(nn)
    assert len(model) == 4 and isinstance(model[-1], nn.Linear) and isinstance(model[2][1], nn.Tanh)
    assert len(model[1:]) == 3 and [type(m).__name__ for m in model] == ["Linear", "ReLU", "Sequential", "Linear"]
    with pytest.raises(IndexError, match="Sequential has 4 layers; there is no layer 4"):
        model[4]
    with pytest.raises(TypeError, match="layer 1 is a int, not a layer"):
        nn.Sequential(nn.ReLU(), 3)
    assert [k for k, _ in nn.Sequential(nn.ReLU()).append(nn.Linear(1, 1)).named_parameters()] == \
        ["1.weight", "1.bias"]


def test_assigning_before_init_is_refused_with_the_fix() -> None:
    class Forgetful(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) before assigning 'fc'"):
        Forgetful()


def test_repr_is_torchs() -> None:
    assert repr(nested(nn)) == """Sequential(
  (0): Linear(in_features=3, out_features=4, bias=True)
  (1): ReLU()
  (2): Sequential(
    (0): Linear(in_features=4, out_features=4, bias=True)
    (1): Tanh()
    (2): Linear(in_features=4, out_features=2, bias=False)
  )
  (3): Linear(in_features=2, out_features=1, bias=True)
)"""
