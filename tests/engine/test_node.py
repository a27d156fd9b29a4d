"""Building nodes: values, operators, shape errors raised at build time."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Constant, ShapeError, Variable


def test_values_become_float64_arrays() -> None:
    assert Variable(3).value.dtype == np.float64
    assert Variable([1, 2]).value.shape == (2,)
    assert Constant(True).value.dtype == np.float64
    assert Variable(np.float32(2.0)).value.dtype == np.float32


def test_complex_or_text_values_are_refused() -> None:
    with pytest.raises(TypeError, match="real numbers"):
        Variable(1 + 2j)
    with pytest.raises(TypeError, match="real numbers"):
        Variable(["a"])


def test_nodes_are_computed_when_built() -> None:
    x = Variable([1.0, 2.0], "x")
    y = x * 3 + 1
    np.testing.assert_allclose(y.value, [4.0, 7.0])


@pytest.mark.parametrize("build, expected", [
    (lambda x: x + 2, [3, 4]),
    (lambda x: 2 + x, [3, 4]),
    (lambda x: x - 2, [-1, 0]),
    (lambda x: 2 - x, [1, 0]),
    (lambda x: x * 3, [3, 6]),
    (lambda x: 3 * x, [3, 6]),
    (lambda x: x / 2, [0.5, 1]),
    (lambda x: 2 / x, [2, 1]),
    (lambda x: x ** 2, [1, 4]),
    (lambda x: 2 ** x, [2, 4]),
    (lambda x: -x, [-1, -2]),
    (lambda x: np.array([1.0, 1.0]) * x, [1, 2]),
    (lambda x: np.array([3.0, 4.0]) - x, [2, 2]),
    (lambda x: x @ np.array([1.0, 1.0]), 3),
    (lambda x: np.array([[1.0, 0.0], [0.0, 2.0]]) @ x, [1, 4]),
])
def test_operators_with_numbers_and_arrays(build, expected) -> None:
    node = build(Variable([1.0, 2.0]))
    assert isinstance(node, gn.Function)
    np.testing.assert_allclose(node.value, expected)


def test_literal_numbers_become_named_constants() -> None:
    y = Variable(1.0) * 2.5
    const = y.inputs[1]
    assert isinstance(const, Constant)
    assert const.label == "2.5"


def test_matmul_shape_error_names_op_operands_and_shapes() -> None:
    W1 = Variable(np.ones((3, 2)), "W1")
    x = Variable(np.ones(3), "x")
    with pytest.raises(ShapeError) as info:
        W1 @ x
    assert str(info.value) == "matmul(W1 (3, 2), x (3,)): inner dimensions differ (2 vs 3)"


def test_broadcast_error_names_both_operands() -> None:
    a, b = Variable(np.ones(3), "a"), Variable(np.ones(4), "b")
    with pytest.raises(ShapeError, match=r"add\(a \(3,\), b \(4,\)\): shapes cannot be broadcast"):
        a + b


@pytest.mark.parametrize("build, message", [
    (lambda x: gn.reshape(x, (4, 2)), r"reshape\(x \(2, 3\)\): cannot reshape 6 values to \(4, 2\)"),
    (lambda x: gn.dot(x, np.ones(2)), r"dot\(x \(2, 3\), constant \(2,\)\): last dimensions differ"),
    (lambda x: x @ 2.0, r"matmul\(x \(2, 3\), 2 \(\)\): matmul needs arrays"),
])
def test_other_shape_errors_are_raised_at_build(build, message) -> None:
    with pytest.raises(ShapeError, match=message):
        build(Variable(np.ones((2, 3)), "x"))


@pytest.mark.parametrize("build, message", [
    (lambda x: gn.sum(x, axis=2),
     r"sum\(x \(2, 3\)\): parameter 'axis' must be an axis of the input \(-2\.\.1\).*; got 2$"),
    (lambda x: gn.softmax(x, axis=-3),
     r"softmax\(x \(2, 3\)\): parameter 'axis' must be an axis of the input \(-2\.\.1\); got -3$"),
    (lambda x: gn.transpose(x, (0, 0)),
     r"transpose\(x \(2, 3\)\): parameter 'axes' must be None or a permutation of the input's 2 axes"),
    (lambda x: gn.apply(gn.get_op("pow"), x, 2.0, dtype="O"),
     r"pow\(x \(2, 3\), 2 \(\)\): unknown parameter 'dtype'; pow takes no parameters$"),
])
def test_parameter_errors_are_raised_at_build_naming_the_parameter(build, message) -> None:
    with pytest.raises(gn.ParamError, match=message):
        build(Variable(np.ones((2, 3)), "x"))


def test_a_shape_error_is_a_value_error_for_callers_that_catch_those() -> None:
    with pytest.raises(ValueError):
        Variable(np.ones(2)) + Variable(np.ones(3))


def test_repr_and_labels() -> None:
    x = Variable(np.zeros((2, 2)), "x")
    y = gn.sigmoid(x)
    assert repr(x) == "Variable('x', shape=(2, 2))"
    assert repr(y) == "Function(op='sigmoid', shape=(2, 2))"
    assert y.label == "σ"
    assert Constant(np.ones(3)).label == "constant"


def test_sigmoid_and_softplus_do_not_overflow() -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        x = Variable([-1000.0, 0.0, 1000.0])
        s, sp = gn.sigmoid(x), gn.softplus(x)
        lsm = gn.log_softmax(Variable([1000.0, 0.0, -1000.0]))
    np.testing.assert_allclose(s.value, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(sp.value, [0.0, np.log(2), 1000.0])
    np.testing.assert_allclose(lsm.value, [0.0, -1000.0, -2000.0])
