"""Derivatives at the edges: mixed-sign axes, 0 ** 0, far sigmoid tails, Constants in wrt.

Each answer is checked in both modes: reverse (grad) and forward (jvp / forward Jacobian).
"""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Constant, RuleError, Variable
from graphviz_nn.engine import Example, Op
from graphviz_nn.engine.broadcast import unbroadcast

W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])


def both_modes(f: gn.Node, x: gn.Node) -> tuple[np.ndarray, np.ndarray]:
    """d sum(f) / dx by reverse mode and by forward mode (one column per component)."""
    reverse = gn.jacobian(gn.sum(f), [x], mode="reverse").matrix.reshape(x.shape)
    forward = gn.jacobian(gn.sum(f), [x], mode="forward").matrix.reshape(x.shape)
    return reverse, forward


@pytest.mark.parametrize("axes", [(-1, 0), (1, -2), (-1, -2), (1, 0)])
def test_transpose_with_negative_axes_gives_w_transposed(axes) -> None:
    x = Variable(np.arange(6.0).reshape(2, 3))
    reverse, forward = both_modes(gn.transpose(x, axes) * W, x)
    np.testing.assert_array_equal(reverse, W.T)
    np.testing.assert_array_equal(forward, W.T)
    np.testing.assert_array_equal(gn.grad(gn.sum(gn.transpose(x, axes) * W), [x])[0], W.T)


@pytest.mark.parametrize("axes", [(-1, 0, 1), (2, -3, -2), (0, -1, 1)])
def test_three_axis_transposes_with_negative_axes(axes, rng) -> None:
    x = Variable(rng.standard_normal((2, 3, 4)))
    weight = rng.standard_normal(np.transpose(x.value, axes).shape)
    reverse, forward = both_modes(gn.transpose(x, axes) * weight, x)
    expected = np.transpose(weight, np.argsort([a % 3 for a in axes]))
    np.testing.assert_allclose(reverse, expected, rtol=1e-15)
    np.testing.assert_allclose(forward, expected, rtol=1e-15)


def test_unbroadcast_refuses_a_cotangent_broadcasting_cannot_make() -> None:
    with pytest.raises(ValueError, match=r"\(3, 2\) cannot come from an input of shape \(2, 3\)"):
        unbroadcast(np.ones((3, 2)), (2, 3))
    with pytest.raises(ValueError, match="cannot come from"):
        unbroadcast(np.ones(3), (2, 3))
    assert unbroadcast(np.ones((4, 2, 3)), (2, 1)).shape == (2, 1)


def _swapping_rule_op() -> Op:
    # A vjp that forgets to transpose back: (3, 2) for an input of shape (2, 3).
    return Op(name="bad_transpose", arity=1, label="ᵀ", forward=lambda x: x.T,
              vjp=(lambda g, ans, x: g,), jvp=(lambda dx, ans, x: dx,),
              vjp_text=("g",), examples=(Example(((2, 3),)),))


def test_a_rule_returning_a_misshapen_cotangent_is_a_rule_error_naming_the_op() -> None:
    x = Variable(np.ones((2, 3)))
    y = gn.sum(gn.apply(_swapping_rule_op(), x) * W)
    with pytest.raises(RuleError, match="'bad_transpose'.*vjp rule for input x"):
        gn.grad(y, [x])
    with pytest.raises(RuleError, match="'bad_transpose'.*jvp rule for input x"):
        gn.jvp(y, {x: np.ones((2, 3))})


def test_derivative_of_x_to_the_zero_is_zero_at_zero() -> None:
    x = Variable(np.array([0.0, 2.0, -1.5]))
    reverse, forward = both_modes(x ** 0, x)
    np.testing.assert_array_equal(reverse, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(forward, [0.0, 0.0, 0.0])
    scalar = Variable(0.0)
    assert gn.grad(scalar ** 0, [scalar])[0] == 0.0
    assert gn.jvp(scalar ** 0, {scalar: 1.0}) == 0.0


@pytest.mark.parametrize("y, slope", [(1.0, 1.0), (2.0, 0.0), (3.0, 0.0)])
def test_derivative_of_x_to_a_whole_power_at_zero(y, slope) -> None:
    x = Variable(np.array([0.0, 1.0]))
    reverse, forward = both_modes(x ** y, x)
    np.testing.assert_array_equal(reverse, [slope, y])
    np.testing.assert_array_equal(forward, [slope, y])


@pytest.mark.parametrize("y", [0.5, 1.0, 2.0, 3.5])
def test_derivative_of_zero_to_the_y_with_respect_to_y_is_zero(y) -> None:
    exponent = Variable(np.array([y, 1.0]))
    f = np.array([0.0, 2.0]) ** exponent
    reverse, forward = both_modes(f, exponent)
    np.testing.assert_allclose(reverse, [0.0, 2.0 * np.log(2.0)], rtol=1e-15)
    np.testing.assert_allclose(forward, [0.0, 2.0 * np.log(2.0)], rtol=1e-15)


@pytest.mark.parametrize("x", [-30.0, -40.0, -100.0, -700.0])
def test_sigmoid_keeps_relative_precision_in_the_negative_tail(x) -> None:
    exact = np.exp(x) / (1.0 + np.exp(x))
    assert float(gn.sigmoid(Constant(x)).value) == pytest.approx(exact, rel=1e-15, abs=0)


@pytest.mark.parametrize("x", [-800.0, -40.0, -1.0, 0.0, 2.0, 40.0, 800.0])
def test_sigmoid_is_finite_in_both_tails(x) -> None:
    value = float(gn.sigmoid(Constant(x)).value)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(1.0 / (1.0 + np.exp(-x)) if x > -700 else 0.0, rel=1e-15, abs=1e-300)


def test_log_of_sigmoid_at_minus_40_is_minus_40_with_slope_1() -> None:
    x = Variable(-40.0)
    f = gn.log(gn.sigmoid(x))
    assert float(f.value) == pytest.approx(-40.0, rel=1e-15)
    assert gn.grad(f, [x])[0] == pytest.approx(1.0, rel=1e-15)
    assert gn.jvp(f, {x: 1.0}) == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("x, value, slope", [
    (-800.0, -800.0, 1.0), (-40.0, -40.0, 1.0), (0.0, -np.log(2.0), 0.5),
    (40.0, -np.exp(-40.0), np.exp(-40.0)), (800.0, 0.0, 0.0),
])
def test_logsigmoid_is_exact_in_both_tails_in_both_modes(x, value, slope) -> None:
    v = Variable(x)
    f = gn.logsigmoid(v)
    assert float(f.value) == pytest.approx(value, rel=1e-15, abs=0)
    assert gn.grad(f, [v])[0] == pytest.approx(slope, rel=1e-15, abs=0)
    assert gn.jvp(f, {v: 1.0}) == pytest.approx(slope, rel=1e-15, abs=0)


def test_jacobian_differentiates_a_constant_in_wrt_the_same_in_both_modes() -> None:
    c, v = Constant([1.0, 2.0], "c"), Variable(3.0, "v")
    f = c * c * v
    forward = gn.jacobian(f, [c, v], mode="forward").matrix
    reverse = gn.jacobian(f, [c, v], mode="reverse").matrix
    expected = np.array([[6.0, 0.0, 1.0], [0.0, 12.0, 4.0]])
    np.testing.assert_array_equal(forward, expected)
    np.testing.assert_array_equal(reverse, expected)
    np.testing.assert_allclose(gn.numeric_jacobian(f, [c, v]), expected, atol=1e-8)
    gc, gv = gn.grad(gn.sum(f), [c, v])
    np.testing.assert_array_equal(gc, [6.0, 12.0])
    assert gv == 5.0


def test_jacobian_refuses_a_function_node_in_wrt_in_both_modes() -> None:
    x = Variable([1.0, 2.0])
    h = gn.sin(x)
    for mode in ("forward", "reverse"):
        with pytest.raises(gn.GraphError, match="computed by sin, not a leaf"):
            gn.jacobian(h * 2, [h], mode=mode)
