"""LayerNet and PerceptronNet: structure, scopes, gradients and error messages."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.nn import LayerNet, PerceptronNet
from graphviz_nn.nn.builder import NetworkSpec, build_network, output_width
from graphviz_nn import datasets as D


def test_layer_net_structure_and_scopes(rng) -> None:
    net = LayerNet([4, 3, 2], "tanh", "softmax", "cce", normalise=True, rng=rng)
    assert [name for name, _ in net.layers] == ["layer 1", "output"]
    assert [p.name for p in net.parameters] == ["W1", "b1", "W2", "b2"]
    scopes = {n.scope for n in net.graph.nodes}
    assert {("normalise",), ("layer 1",), ("output",), ("loss",)} <= scopes
    assert net.X.scope == () and net.targets.scope == ()
    assert net.loss.scope == ("loss",) and net.prediction.scope == ("output",)


def test_layer_net_loss_gradients_match_finite_differences(rng) -> None:
    for activation, out, loss in [("sigmoid", "sigmoid", "sse"), ("tanh", "softmax", "cce"),
                                   ("relu", "sigmoid", "bce"), ("leaky_relu", "identity", "mae"),
                                   ("tanh", "tanh", "mse")]:
        n_out = 3 if out == "softmax" else 1
        net = LayerNet([3, 4, n_out], activation, out, loss, rng=rng)
        X = rng.standard_normal((6, 3))
        y = rng.integers(0, n_out if n_out > 1 else 2, 6)
        net.set_data(X, net.encode_targets(y))
        report = gn.check_gradients(net.loss, net.parameters)
        worst = max(c.relative_error for c in report.values())
        assert worst < 1e-6, (activation, out, loss, worst)


def test_cross_entropy_losses_equal_their_textbook_formulas(rng) -> None:
    net = LayerNet([3, 4], "sigmoid", "softmax", "cce", rng=rng)
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 4, 5)
    loss, p = net.evaluate(X, y)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(5), y])))
    net = LayerNet([3, 1], "sigmoid", "sigmoid", "bce", rng=rng)
    loss, p = net.evaluate(X, y % 2)
    t = (y % 2)[:, None]
    assert loss == pytest.approx(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))


def test_cross_entropy_needs_its_output_activation() -> None:
    with pytest.raises(ValueError, match="loss 'cce' needs output activation 'softmax'"):
        LayerNet([2, 2], output_activation="sigmoid", loss="cce")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        LayerNet([2, 2], activation="swish")


def test_perceptron_net_is_one_node_per_multiplication() -> None:
    net = PerceptronNet([7, 5, 1], bias=False)
    muls = [n for n in net.graph.nodes if isinstance(n, gn.Function) and n.op.name == "mul"]
    assert len(muls) == 7 * 5 + 5 * 1
    assert len(net.parameters) == 40 and all(p.value.shape == () for p in net.parameters)
    assert ("layer 1", "perceptron 3") in {n.scope for n in net.graph.nodes}
    assert all(x.value.ndim == 1 for x in net.inputs)


def test_perceptron_net_gradients_match_finite_differences(rng) -> None:
    net = PerceptronNet([3, 2, 2], "tanh", "sigmoid", "bce", rng=rng)
    X = rng.standard_normal((5, 3))
    net.set_data(X, net.encode_targets(rng.integers(0, 2, (5, 2))))
    worst = max(c.relative_error for c in gn.check_gradients(net.loss).values())
    assert worst < 1e-6


def test_perceptron_and_layer_nets_agree_with_the_same_weights(rng) -> None:
    p = PerceptronNet([3, 2, 1], "sigmoid", "sigmoid", "sse", bias=True, rng=rng)
    W1 = np.array([[p.layers[0][1][j * 4 + i].value for j in range(2)] for i in range(3)])
    b1 = np.array([p.layers[0][1][j * 4 + 3].value for j in range(2)])
    W2 = np.array([[p.layers[1][1][i].value] for i in range(2)])
    b2 = np.array([p.layers[1][1][2].value])
    layer = LayerNet([3, 2, 1], "sigmoid", "sigmoid", "sse")
    layer.load_parameter_values([W1, b1, W2, b2])
    X = rng.standard_normal((8, 3))
    np.testing.assert_allclose(p.predict(X), layer.predict(X), rtol=1e-12)


def test_data_of_the_wrong_width_is_refused() -> None:
    net = LayerNet([4, 2, 1])
    with pytest.raises(ValueError, match=r"rows of 4 features; got an array of shape \(3, 5\)"):
        net.predict(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="expected 4 arrays"):
        net.load_parameter_values([np.zeros(2)])


def test_builder_and_output_width() -> None:
    bc, iris = D.breast_cancer(), D.iris()
    assert output_width(bc, "sigmoid") == 1 and output_width(bc, "softmax") == 2
    assert output_width(iris, "sigmoid") == 3
    net = build_network(NetworkSpec("perceptron", (2,)), 4, 3, np.random.default_rng(0))
    assert isinstance(net, PerceptronNet) and net.sizes == (4, 2, 3)
    with pytest.raises(ValueError, match="kind is 'conv'; choose one of layer, perceptron"):
        NetworkSpec("conv")  # refused by the spec itself, before anything is built
