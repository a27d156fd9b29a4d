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


def test_backward_sets_gradients_and_resets_them_on_each_call() -> None:
    x, y = Variable(2.0, "x"), Variable(3.0, "y")
    z = x * y + x
    assert z.backward() is None
    assert x.grad == 4.0 and y.grad == 2.0 and z.grad == 1.0
    z.backward()  # again: replaced, not added to (PyTorch would give 8 and 4)
    assert x.grad == 4.0 and y.grad == 2.0
    x.value = np.array(5.0)  # the graph is re-evaluated first
    z.backward()
    assert z.value == 20.0 and y.grad == 5.0


def test_backward_of_a_vector_needs_a_cotangent() -> None:
    x = Variable([1.0, 2.0], "x")
    with pytest.raises(gn.GraphError, match="give a cotangent"):
        (x * x).backward()
    (x * x).backward([1.0, -1.0])
    np.testing.assert_allclose(x.grad, [2.0, -4.0])


def test_item_float_shape_and_transpose() -> None:
    x = Variable(np.arange(6.0).reshape(2, 3), "x")
    s = gn.sum(x)
    assert s.item() == 15.0 and type(s.item()) is float
    assert float(s) == 15.0 and float(Variable([2.5])) == 2.5
    assert x.shape == (2, 3) and x.T.shape == (3, 2)
    assert isinstance(x.T, gn.Function) and x.T.op.name == "transpose"
    np.testing.assert_array_equal(x.T.value, x.value.T)
    with pytest.raises(ValueError, match=r"item\(\): 'x' holds 6 values of shape \(2, 3\)"):
        x.item()
    with pytest.raises(TypeError, match="only a node of one value converts to a float"):
        float(x)


def test_import_star_keeps_python_sum_abs_and_pow(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from graphviz_nn import *\n"
        "import builtins, graphviz_nn as gn\n"
        "assert sum is builtins.sum and abs is builtins.abs and pow is builtins.pow\n"
        "assert max is builtins.max and min is builtins.min and max(1, 2) == 2\n"
        "assert gn.max(Variable([1.0, 3.0])).value == 3.0\n"
        "assert sum([1, 2]) == 3 and abs(-2) == 2 and pow(2, 3) == 8\n"
        "assert gn.sum.__module__.endswith('reductions') and gn.abs(Variable(-2.0)).value == 2.0\n"
        "assert gn.pow(Variable(2.0), 3).value == 8.0\n"
        "assert Variable and grad and hvp and hessian and value_and_grad and sin\n"
        "assert not {'sum', 'abs', 'pow', 'max', 'min'} & set(gn.__all__)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)}, timeout=60)
    assert done.returncode == 0, done.stderr
