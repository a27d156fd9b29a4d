"""grad, jvp, jacobian and check_gradients."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Constant, GraphError, Variable


def test_grad_returns_one_array_per_node_including_unused_ones(rng) -> None:
    W = Variable(rng.standard_normal((3, 2)), "W")
    x = Constant(rng.standard_normal(3), "x")
    other = Variable(np.ones(4), "other")
    loss = gn.sum(gn.sigmoid(x @ W))
    gW, g_other = gn.grad(loss, [W, other])
    s = 1 / (1 + np.exp(-(x.value @ W.value)))
    np.testing.assert_allclose(gW, np.outer(x.value, s * (1 - s)))
    np.testing.assert_array_equal(g_other, np.zeros(4))


def test_grad_uses_the_current_values() -> None:
    x = Variable(1.0)
    y = x ** 2
    x.value = np.array(5.0)
    assert gn.grad(y, x)[0] == pytest.approx(10.0)


def test_jvp_of_several_outputs() -> None:
    x, y = Variable([1.0, 2.0]), Variable(3.0)
    a, b = x * y, gn.sum(x)
    ta, tb = gn.jvp([a, b], {x: [1.0, 0.0], y: 1.0})
    np.testing.assert_allclose(ta, [3.0 + 1.0, 2.0])
    assert tb == pytest.approx(1.0)
    unseeded = gn.jvp(a, {})
    np.testing.assert_array_equal(unseeded, [0.0, 0.0])


def test_jvp_refuses_a_misshapen_tangent() -> None:
    x = Variable([1.0, 2.0])
    with pytest.raises(GraphError, match=r"tangent of shape \(3,\) does not fit"):
        gn.jvp(x * 2, {x: [1.0, 2.0, 3.0]})


def test_jacobian_of_matrix_inputs_in_both_modes(rng) -> None:
    W = Variable(rng.standard_normal((2, 3)))
    b = Variable(rng.standard_normal(2))
    x = Constant(rng.standard_normal(3))
    f = gn.softmax(W @ x + b)
    fwd, rev = gn.jacobian(f, [W, b], "forward"), gn.jacobian(f, [W, b], "reverse")
    assert fwd.matrix.shape == (2, 8) and fwd.passes == 8 and rev.passes == 2
    np.testing.assert_allclose(fwd.matrix, rev.matrix, atol=1e-14)
    with pytest.raises(ValueError, match="mode must be"):
        gn.jacobian(f, W, mode="sideways")


def test_check_gradients_agrees_on_a_small_network(rng) -> None:
    X = Constant(rng.standard_normal((10, 4)))
    W1, W2 = Variable(rng.standard_normal((4, 3))), Variable(rng.standard_normal((3, 1)))
    y = Constant(rng.uniform(size=(10, 1)))
    loss = gn.mean((gn.sigmoid(gn.tanh(X @ W1) @ W2) - y) ** 2)
    before = W1.value.copy()
    report = gn.check_gradients(loss)
    assert list(report) == [W1, W2]
    for check in report.values():
        assert check.relative_error < 1e-7 and check.ok()
        assert check.analytic.shape == check.numeric.shape == check.variable.value.shape
    np.testing.assert_array_equal(W1.value, before)  # values restored


def test_check_gradients_catches_a_wrong_rule() -> None:
    wrong = gn.Op(
        name="wrong_square", arity=1, label="²", forward=np.square, elementwise=True,
        vjp=(lambda g, ans, x: g * x,), jvp=(lambda dx, ans, x: dx * x,),  # missing the 2
    )
    x = Variable([0.5, -1.5], "x")
    report = gn.check_gradients(gn.sum(gn.apply(wrong, x)))
    assert report[x].relative_error == pytest.approx(0.5, rel=1e-6)
    assert not report[x].ok()


def test_check_gradients_of_a_vector_output_uses_the_cotangent() -> None:
    x = Variable([1.0, 2.0])
    report = gn.check_gradients(x ** 2, cotangent=[1.0, -1.0])
    np.testing.assert_allclose(report[x].analytic, [2.0, -4.0])
    np.testing.assert_allclose(report[x].numeric, [2.0, -4.0], rtol=1e-8)


def test_relative_error_is_absolute_for_tiny_gradients() -> None:
    assert gn.relative_error(np.zeros(3), np.full(3, 1e-12)) < 1e-11
    assert gn.relative_error(np.array([1.0]), np.array([2.0])) == pytest.approx(0.5)


def test_value_and_grad_gives_the_current_value_and_the_gradients() -> None:
    x, y = Variable(2.0, "x"), Variable([1.0, 3.0], "y")
    f = gn.sum(x * y ** 2)
    x.value = np.array(3.0)
    value, (gx, gy) = gn.value_and_grad(f, [x, y])
    assert value == 30.0 and isinstance(value, np.ndarray)
    assert gx == 10.0
    np.testing.assert_allclose(gy, [6.0, 18.0])


def test_grad_with_create_graph_returns_nodes_to_differentiate_again() -> None:
    x = Variable(0.4, "x")
    (dx,) = gn.grad(gn.sin(x) * x, x, create_graph=True)
    assert isinstance(dx, gn.Node) and dx.scope == ("∇ ×",)
    assert dx.value == pytest.approx(np.cos(0.4) * 0.4 + np.sin(0.4))
    assert x.grad is None  # building nodes leaves .grad alone
    (d2,) = gn.grad(dx, x)
    assert d2 == pytest.approx(-np.sin(0.4) * 0.4 + 2 * np.cos(0.4))


def test_jvp_with_create_graph_returns_nodes_and_accepts_a_node_tangent() -> None:
    x, v = Variable([1.0, 2.0], "x"), Variable([0.5, -1.0], "v")
    f = gn.sum(gn.exp(x))
    t = gn.jvp(f, {x: v}, create_graph=True)
    assert isinstance(t, gn.Node)
    assert t.value == pytest.approx(0.5 * np.e - np.exp(2.0))
    gx, gv = gn.grad(t, [x, v])  # d/dx (exp(x)·v) and d/dv
    np.testing.assert_allclose(gx, np.exp([1.0, 2.0]) * [0.5, -1.0])
    np.testing.assert_allclose(gv, np.exp([1.0, 2.0]))
    (zero,) = gn.jvp([f], {}, create_graph=True)
    assert isinstance(zero, gn.Constant) and zero.value == 0.0
