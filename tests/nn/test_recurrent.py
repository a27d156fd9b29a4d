"""RNN, LSTM and GRU without torch: against a numpy step loop, central differences in both
modes, one scope per step, and sequences refused before anything is built."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Graph, Variable
from graphviz_nn.nn import recurrent
from graphviz_nn.nn.module import nodes_in
from tests.nn.central_differences import both_modes_agree_with_central_differences


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


def reference(kind: str, state: dict, x: np.ndarray, layers: int, h0: np.ndarray, c0: np.ndarray):
    """The layer written as a plain loop over steps from its state dict, gates as torch orders them."""
    inputs, hs, cs = x, [], []
    for k in range(layers):
        w_ih, w_hh = state[f"weight_ih_l{k}"], state[f"weight_hh_l{k}"]
        b_ih = state.get(f"bias_ih_l{k}", 0.0)
        b_hh = state.get(f"bias_hh_l{k}", 0.0)
        h, c, outputs = h0[k], c0[k], []
        for x_t in inputs:
            gi, gh = x_t @ w_ih.T + b_ih, h @ w_hh.T + b_hh
            if kind == "RNN":
                h = np.tanh(gi + gh)
            elif kind == "LSTM":
                i, f, g, o = np.split(gi + gh, 4, axis=1)
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
                h = _sigmoid(o) * np.tanh(c)
            else:
                (xr, xz, xn), (hr, hz, hn) = np.split(gi, 3, axis=1), np.split(gh, 3, axis=1)
                r, z = _sigmoid(xr + hr), _sigmoid(xz + hz)
                h = (1 - z) * np.tanh(xn + r * hn) + z * h
            outputs.append(h)
        hs.append(h)
        cs.append(c)
        inputs = outputs
    return np.stack(inputs), np.stack(hs), np.stack(cs)


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(["RNN", "LSTM", "GRU"]), T=st.integers(1, 5), N=st.integers(1, 3),
       I=st.integers(1, 4), H=st.integers(1, 4), layers=st.integers(1, 3), bias=st.booleans(),
       with_state=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_equals_a_numpy_step_loop(kind, T, N, I, H, layers, bias, with_state, seed) -> None:
    rng = np.random.default_rng(seed)
    layer = getattr(nn, kind)(I, H, layers, bias=bias, rng=rng)
    x = rng.standard_normal((T, N, I))
    h0, c0 = rng.standard_normal((2, layers, N, H)) if with_state else np.zeros((2, layers, N, H))
    hx = None
    if with_state:
        hx = (Constant(h0), Constant(c0)) if kind == "LSTM" else Constant(h0)
    output, state = layer(Constant(x), hx)
    want_out, want_h, want_c = reference(kind, layer.state_dict(), x, layers, h0, c0)
    assert output.shape == (T, N, H)
    np.testing.assert_allclose(output.value, want_out, rtol=1e-12, atol=1e-14)
    if kind == "LSTM":
        np.testing.assert_allclose(state[0].value, want_h, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(state[1].value, want_c, rtol=1e-12, atol=1e-14)
    else:
        assert state.shape == (layers, N, H)
        np.testing.assert_allclose(state.value, want_h, rtol=1e-12, atol=1e-14)


def _scalar_of(outputs, rng) -> gn.Node:
    """sum(C ⊙ output) over every output node, with random C."""
    return sum(gn.sum(Constant(rng.standard_normal(o.shape)) * o) for o in nodes_in(outputs))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("layers", [1, 2])
def test_gradients_and_tangents_agree_with_central_differences(kind, layers, rng) -> None:
    layer = getattr(nn, kind)(2, 3, layers, rng=rng)
    x = Variable(rng.standard_normal((3, 2, 2)), "x")
    states = [Variable(0.5 * rng.standard_normal((layers, 2, 3)), name) for name in ("h0", "c0")]
    hx = tuple(states) if kind == "LSTM" else states[0]
    both_modes_agree_with_central_differences(_scalar_of(layer(x, hx), rng), rng)


def test_each_step_is_a_scope_inside_the_layers_and_weights_sit_in_the_layer() -> None:
    model = nn.Sequential(nn.LSTM(2, 3, num_layers=2))
    x = Constant(np.zeros((4, 1, 2)), "x")
    output, (h_n, c_n) = model(x)
    graph = Graph(output, h_n, c_n)
    layer = ("Sequential", "0: LSTM")
    steps = {node.scope for node in graph.nodes if len(node.scope) > 2}
    assert steps == {layer + (f"layer {k}",) for k in range(2)} | \
        {layer + (f"layer {k}", f"t {t}") for k in range(2) for t in range(4)}
    assert x.scope == () and output.scope == layer
    for k in range(2):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            assert getattr(model[0], f"{name}_l{k}").scope == layer + (f"layer {k}",)
    named = {node.name: node.scope for node in graph.nodes if node.scope[2:] == ("layer 1", "t 3")}
    assert {"i", "f", "g", "o", "c", "h"} <= set(named)
    one = nn.GRU(2, 3)
    out, _ = one(Constant(np.zeros((2, 1, 2))))
    assert {node.scope for node in Graph(out).nodes if node.name == "h"} == {("GRU", "t 0"), ("GRU", "t 1")}


def _nothing_may_be_built(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a node was built before the input was checked")
    for name in ("matmul", "transpose", "stack"):
        monkeypatch.setattr(recurrent, name, refuse)


@pytest.mark.parametrize("shape, message", [
    ((0, 2, 3), "holds no steps"),
    ((4, 0, 3), "holds no steps or no sequences"),
    ((4, 3), r"must have shape \(T, N, 3\)"),
    ((4, 2, 5), r"must have shape \(T, N, 3\) \(time, batch, features\), got \(4, 2, 5\)"),
])
def test_a_bad_sequence_is_refused_in_one_line_before_anything_is_built(shape, message, monkeypatch) -> None:
    layer = nn.LSTM(3, 4)
    _nothing_may_be_built(monkeypatch)
    with pytest.raises(ValueError, match=message) as caught:
        layer(Constant(np.zeros(shape)))
    assert "\n" not in str(caught.value) and "LSTM(3, 4" in str(caught.value)


def test_a_bad_initial_state_is_refused_before_anything_is_built(monkeypatch) -> None:
    x = Constant(np.zeros((2, 3, 1)))
    _nothing_may_be_built(monkeypatch)
    with pytest.raises(ValueError, match=r"initial h must have shape \(2, 3, 4\).*got \(1, 3, 4\)"):
        nn.GRU(1, 4, num_layers=2)(x, np.zeros((1, 3, 4)))
    with pytest.raises(ValueError, match=r"initial state is \(h, c\), 2 nodes; got 1"):
        nn.LSTM(1, 4)(x, [np.zeros((1, 3, 4))])
    with pytest.raises(ValueError, match=r"initial c must have shape \(1, 3, 4\)"):
        nn.LSTM(1, 4)(x, (np.zeros((1, 3, 4)), np.zeros((1, 3, 5))))


@pytest.mark.parametrize("make, message", [
    (lambda: nn.LSTM(0, 4), "input_size must be a whole number >= 1, got 0"),
    (lambda: nn.GRU(2, 4, num_layers=0), "num_layers must be"),
    (lambda: nn.RNN(2, 2.5), "hidden_size must be"),
    (lambda: nn.RNN(2, 2, nonlinearity="sigmoid"), "nonlinearity must be 'tanh' or 'relu'"),
])
def test_bad_sizes_are_refused(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_the_graph_is_built_once_and_fed_again(rng) -> None:
    layer = nn.RNN(2, 3, rng=rng)
    x = Constant(rng.standard_normal((5, 2, 2)))
    output, _ = layer(x)
    graph = Graph(output)
    x.value = rng.standard_normal((5, 2, 2))
    graph.forward()
    fresh, _ = layer(Constant(x.value))
    np.testing.assert_array_equal(output.value, fresh.value)


def test_repr_is_torchs() -> None:
    assert repr(nn.LSTM(2, 16)) == "LSTM(2, 16)"
    assert repr(nn.GRU(2, 16, num_layers=2, bias=False)) == "GRU(2, 16, num_layers=2, bias=False)"
    assert repr(nn.RNN(2, 16, nonlinearity="relu")) == "RNN(2, 16, nonlinearity='relu')"


def _held(T: int, N: int = 4, H: int = 8, monkeypatch=None) -> tuple[int, int]:
    """Elements held by an LSTM's unrolled graph, and the elements of the zero arrays its
    backward pass makes (where each step's gradient would be put back into a whole-sequence
    array, T² N 4H)."""
    x = Constant(np.zeros((T, N, 2)), "x")
    output, _ = nn.LSTM(2, H)(x)
    graph = Graph(output)
    graph.forward()
    made = [0]
    zeros = np.zeros

    def counted(shape, *args, **kwargs):
        array = zeros(shape, *args, **kwargs)
        made[0] += array.size
        return array

    monkeypatch.setattr(np, "zeros", counted)
    graph.backward(output, np.ones(output.shape))
    monkeypatch.undo()
    return sum(n.value.size for n in graph.nodes), made[0]


def test_an_unrolled_graph_grows_with_the_length_not_its_square(monkeypatch) -> None:
    """The outputs are stacked without T copies of the whole sequence, and every step's
    gradient goes into one array of the sequence's gates, not into one array each."""
    short, longer = _held(16, monkeypatch=monkeypatch), _held(256, monkeypatch=monkeypatch)
    assert longer[0] < 32 * short[0]  # T log T at most: 16 x longer; T² would be 256 x
    assert longer[1] < 32 * short[1]
