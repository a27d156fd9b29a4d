"""The simple layers without torch: values, central differences in both modes, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Graph, Variable, check_gradients


def _check_both_modes(output: gn.Node, rng: np.random.Generator) -> None:
    """Reverse gradients and the forward tangent of sum(C ⊙ output) against central differences."""
    cotangent = rng.standard_normal(output.shape)
    for result in check_gradients(output, cotangent=cotangent).values():
        assert result.ok(1e-7), (result.variable.label, result.relative_error)
    leaves = Graph(output).variables
    direction = {v: rng.standard_normal(v.shape) for v in leaves}
    tangent = gn.jvp(output, direction)
    originals, values = {v: v.value for v in leaves}, []
    for sign in (1, -1):
        for v in leaves:
            v.value = originals[v] + sign * 1e-6 * direction[v]
        Graph(output).forward()
        values.append(output.value.copy())
    for v in leaves:
        v.value = originals[v]
    np.testing.assert_allclose(tangent, (values[0] - values[1]) / 2e-6, rtol=1e-6, atol=1e-8)


def test_linear_is_x_w_transposed_plus_b(rng) -> None:
    layer = nn.Linear(3, 2, rng=rng)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = Variable(rng.standard_normal((4, 3)), "x")
    y = layer(x)
    np.testing.assert_allclose(y.value, x.value @ layer.weight.value.T + layer.bias.value)
    _check_both_modes(y, rng)


@settings(max_examples=20, deadline=None)
@given(kind=st.sampled_from(["ReLU", "Tanh", "Sigmoid", "GELU", "Softmax", "Flatten", "Identity"]),
       shape=st.lists(st.integers(1, 3), min_size=2, max_size=4), seed=st.integers(0, 2**31))
def test_activation_layers_in_both_modes(kind, shape, seed) -> None:
    rng = np.random.default_rng(seed)
    value = rng.uniform(-2, 2, shape)
    value = np.where(np.abs(value) < 0.05, 0.5, value)  # away from relu's kink
    layer = nn.Softmax(-1) if kind == "Softmax" else getattr(nn, kind)()
    x = Variable(value, "x")
    y = layer(x)
    if kind == "Identity":
        assert y is x
        return
    _check_both_modes(y, rng)


def test_gelu_is_the_exact_erf_form_by_default() -> None:
    x = np.linspace(-4, 4, 17)
    y = nn.GELU()(Constant(x)).value
    np.testing.assert_allclose(y, [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x], rtol=1e-14, atol=1e-300)
    assert not np.allclose(nn.GELU("tanh")(Constant(x)).value, y, rtol=1e-6)
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")


def test_flatten_joins_the_axes_torch_joins() -> None:
    x = Constant(np.arange(2 * 3 * 4 * 5.0).reshape(2, 3, 4, 5))
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, -2)(x).shape == (24, 5)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    with pytest.raises(ValueError, match=r"start_dim=2, end_dim=1\): does not fit an input of shape \(2, 3, 4, 5\)"):
        nn.Flatten(2, 1)(x)
    with pytest.raises(ValueError, match="start_dim=5"):
        nn.Flatten(5)(x)


def test_embedding_gradients_add_up_over_repeated_indices(rng) -> None:
    layer = nn.Embedding(5, 3, rng=rng)
    indices = np.array([[4, 1, 4], [4, 0, 1]])
    y = layer(indices)
    assert y.shape == (2, 3, 3)
    np.testing.assert_array_equal(y.value, layer.weight.value[indices])
    g = rng.standard_normal(y.shape)
    y.backward(g)
    expected = np.zeros((5, 3))
    np.add.at(expected, indices, g)
    np.testing.assert_allclose(layer.weight.grad, expected)
    assert not expected[2].any() and np.all(layer.weight.grad[2] == 0)
    _check_both_modes(y, rng)


@pytest.mark.parametrize("indices, message", [
    (np.array([0, 5]), r"Embedding\(5, 3\): index 5 is out of range 0..4"),
    (np.array([-1, 2]), "index -1 is out of range"),
    (np.array([0.5]), "indices must be whole numbers"),
    (np.array(["a"]), "indices must be whole numbers, got dtype"),
])
def test_embedding_refuses_bad_indices(indices, message) -> None:
    with pytest.raises(ValueError, match=message):
        nn.Embedding(5, 3)(indices)


def test_embedding_takes_indices_held_in_a_constant_but_not_a_computed_node() -> None:
    layer = nn.Embedding(5, 3)
    assert layer(Constant([1.0, 2.0])).shape == (2, 3)
    with pytest.raises(TypeError, match="indices are data"):
        layer(Constant([1.0]) * 2)


def test_linear_refuses_an_input_of_the_wrong_width_in_one_line() -> None:
    with pytest.raises(ValueError, match=r"Linear\(3 → 2\): the input's last axis must have 3 features, "
                                         r"got shape \(4, 5\)") as caught:
        nn.Linear(3, 2)(Constant(np.zeros((4, 5))))
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match="in_features must be a whole number >= 1, got 0"):
        nn.Linear(0, 2)
    with pytest.raises(ValueError, match=r"dim=2\): an input of shape \(2, 2\) has no axis 2"):
        nn.Softmax(2)(Constant(np.zeros((2, 2))))


def test_default_weights_are_reproducible_without_global_state() -> None:
    np.testing.assert_array_equal(nn.Linear(3, 2).weight.value, nn.Linear(3, 2).weight.value)
    rng = np.random.default_rng(7)
    first, second = nn.Linear(3, 2, rng=rng), nn.Linear(3, 2, rng=rng)
    assert not np.array_equal(first.weight.value, second.weight.value)
