"""Second derivatives: create_graph, Hessian-vector products, Hessians, curvature, Newton."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Constant, Variable
from graphviz_nn.engine.second_order import curvature, newton_step


def fd_hessian(output, wrt, step=1e-5) -> np.ndarray:
    """The Hessian by central differences of the (reverse-mode) gradient, column by column."""
    columns = []
    for w in wrt:
        original = w.value
        for k in range(original.size):
            grads = []
            for sign in (1.0, -1.0):
                moved = original.copy()
                moved.flat[k] += sign * step
                w.value = moved
                grads.append(np.concatenate([np.ravel(g) for g in gn.grad(output, wrt)]))
            w.value = original
            columns.append((grads[0] - grads[1]) / (2 * step))
    return np.stack(columns, axis=1)


def quadratic_form(rng):
    A = Constant(rng.standard_normal((4, 4)), "A")
    b = Constant(rng.standard_normal(4), "b")
    x = Variable(rng.standard_normal(4), "x")
    return 0.5 * (x @ (A @ x)) + gn.dot(b, x), [x]


def tanh_network(rng):
    X = Constant(rng.standard_normal((6, 3)), "X")
    y = Constant(rng.standard_normal((6, 1)), "y")
    W1, b1 = Variable(rng.standard_normal((3, 4)), "W1"), Variable(rng.standard_normal(4), "b1")
    W2 = Variable(rng.standard_normal((4, 1)), "W2")
    loss = gn.mean((gn.tanh(X @ W1 + b1) @ W2 - y) ** 2)
    return loss, [W1, b1, W2]


def scalar_expression(rng):
    x1, x2, x3 = Variable(0.5, "x1"), Variable(-1.2, "x2"), Variable(2.0, "x3")
    return gn.sin(x1 + x2) + x2 ** 2 * x3, [x1, x2, x3]


def every_op(rng):
    """A scalar function through each op that has rules on nodes."""
    x = Variable(rng.uniform(0.5, 1.5, size=(2, 3)), "x")
    p = Variable(rng.uniform(0.5, 1.5, size=3), "p")
    a = gn.sigmoid(x) * gn.exp(-x) / (1.0 + p) + gn.log(x) - gn.cos(p) * gn.sqrt(x)
    b = gn.transpose(a) @ gn.softmax(x ** p, axis=0) + gn.reshape(x, (3, 2)) @ gn.log_softmax(x, axis=1)
    c = gn.dot(gn.softplus(a), gn.logsigmoid(p)) + gn.sum(gn.tanh(b), axis=0, keepdims=True).T
    return gn.mean(c ** 2) + gn.sum(-(p ** 3)), [x, p]


FUNCTIONS = [quadratic_form, tanh_network, scalar_expression, every_op]


def flat(arrays) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in arrays])


@pytest.mark.parametrize("build", FUNCTIONS, ids=lambda f: f.__name__)
def test_hvp_equals_the_finite_difference_hessian_times_v(build, rng) -> None:
    f, wrt = build(rng)
    v = [rng.standard_normal(w.shape) for w in wrt]
    expected = fd_hessian(f, wrt) @ flat(v)
    got = gn.hvp(f, wrt, v)
    assert [h.shape for h in got] == [w.shape for w in wrt]
    assert gn.relative_error(flat(got), expected) < 1e-7


@pytest.mark.parametrize("build", FUNCTIONS, ids=lambda f: f.__name__)
def test_hvp_through_create_graph_nodes_in_both_orders(build, rng) -> None:
    f, wrt = build(rng)
    v = [rng.standard_normal(w.shape) for w in wrt]
    expected = flat(gn.hvp(f, wrt, v))
    g = gn.grad(f, wrt, create_graph=True)
    assert all(isinstance(n, gn.Node) for n in g)
    np.testing.assert_allclose(flat(n.value for n in g), flat(gn.grad(f, wrt)), rtol=1e-12)
    # forward over reverse: the tangent of the gradient nodes, as arrays and as nodes
    forward = gn.jvp(g, dict(zip(wrt, v)))
    as_nodes = gn.jvp(g, dict(zip(wrt, v)), create_graph=True)
    # reverse over reverse: the gradient of the directional derivative gᵀv
    directional = gn.sum(g[0] * v[0])
    for gi, vi in zip(g[1:], v[1:]):
        directional = directional + gn.sum(gi * vi)
    reverse = gn.grad(directional, wrt)
    for got in (flat(forward), flat(n.value for n in as_nodes), flat(reverse)):
        assert gn.relative_error(got, expected) < 1e-10


@pytest.mark.parametrize("build", FUNCTIONS, ids=lambda f: f.__name__)
def test_hessian_is_symmetric_and_counts_one_pass_per_column(build, rng) -> None:
    f, wrt = build(rng)
    result = gn.hessian(f, wrt)
    n = sum(w.value.size for w in wrt)
    assert result.matrix.shape == (n, n) and result.passes == n
    np.testing.assert_allclose(result.matrix, result.matrix.T, atol=1e-12)
    assert gn.relative_error(result.matrix, fd_hessian(f, wrt)) < 1e-7


def test_scalar_expression_hessian_in_closed_form() -> None:
    f, (x1, x2, x3) = scalar_expression(None)
    s = -np.sin(0.5 - 1.2)
    expected = [[s, s, 0.0], [s, s + 2 * 2.0, 2 * -1.2], [0.0, 2 * -1.2, 0.0]]
    np.testing.assert_allclose(gn.hessian(f, [x1, x2, x3]).matrix, expected, atol=1e-14)


def test_third_derivative_by_differentiating_twice() -> None:
    x = Variable(0.7, "x")
    f = gn.sin(x) * x ** 3
    (d1,) = gn.grad(f, x, create_graph=True)
    (d2,) = gn.grad(d1, x, create_graph=True)
    (d3,) = gn.grad(d2, x)
    c, s = np.cos(0.7), np.sin(0.7)
    expected = -c * 0.7**3 - 9 * s * 0.7**2 + 18 * c * 0.7 + 6 * s
    assert d3 == pytest.approx(expected, rel=1e-12)


def test_a_variable_exponent_gets_its_second_derivatives() -> None:
    x, y = Variable(1.5, "x"), Variable(0.8, "y")
    f = x ** y
    h = gn.hessian(f, [x, y]).matrix
    lx = np.log(1.5)
    np.testing.assert_allclose(h, [
        [0.8 * -0.2 * 1.5 ** -1.2, 1.5 ** -0.2 * (1 + 0.8 * lx)],
        [1.5 ** -0.2 * (1 + 0.8 * lx), lx * lx * 1.5 ** 0.8],
    ], rtol=1e-12)


def test_create_graph_refuses_an_op_without_rules_on_nodes() -> None:
    x = Variable([1.0, -2.0], "x")
    with pytest.raises(gn.RuleError, match=r"op 'relu' has no vjp rule on nodes"):
        gn.grad(gn.sum(gn.relu(x) ** 2), x, create_graph=True)
    with pytest.raises(gn.RuleError, match=r"op 'abs' has no vjp rule on nodes"):
        gn.hvp(gn.sum(gn.abs(x)), x, np.ones(2))


def test_create_graph_gives_zero_nodes_where_the_output_does_not_depend() -> None:
    x, unused = Variable(2.0, "x"), Variable([1.0, 2.0], "u")
    gx, gu = gn.grad(x * x, [x, unused], create_graph=True)
    assert gx.value == 4.0 and isinstance(gu, Constant)
    np.testing.assert_array_equal(gu.value, [0.0, 0.0])
    np.testing.assert_array_equal(gn.hvp(x * x, [x, unused], [1.0, np.ones(2)])[1], [0.0, 0.0])


def test_hvp_refuses_a_function_node_and_a_wrong_number_of_directions() -> None:
    x = Variable([1.0, 2.0], "x")
    y = x * 2
    with pytest.raises(gn.GraphError, match="not a leaf"):
        gn.hvp(gn.sum(y * y), y, np.ones(2))
    with pytest.raises(gn.GraphError, match="2 directions for 1 nodes"):
        gn.hvp(gn.sum(x * x), [x], [np.ones(2), np.ones(2)])


def test_curvature_is_a_graph_like_any_other(rng) -> None:
    f, wrt = tanh_network(rng)
    v = [rng.standard_normal(w.shape) for w in wrt]
    c = curvature(f, wrt, v)
    H = gn.hessian(f, wrt).matrix
    assert c.name == "vᵀHv"
    assert c.value == pytest.approx(flat(v) @ H @ flat(v), rel=1e-10)
    graph = gn.Graph(c)
    scopes = {n.scope for n in graph}
    assert ("∇ mean",) in scopes and ("tangent dW1, db1, dW2",) in scopes
    steps = list(graph.backward_steps())  # the window steps through it like any graph
    assert len(steps) == len(graph.backward_plan)
    assert all(w.grad is not None and w.grad.shape == w.shape for w in wrt)


def test_curvature_changes_with_the_variables_when_the_graph_is_run_again(rng) -> None:
    f, wrt = scalar_expression(rng)
    v = [1.0, -1.0, 0.5]
    c = curvature(f, wrt, v)
    graph = gn.Graph(c)
    wrt[0].value = np.array(-0.3)
    graph.forward()
    H = gn.hessian(f, wrt).matrix
    assert c.value == pytest.approx(np.array(v) @ H @ np.array(v), rel=1e-12)


def test_newton_step_solves_a_quadratic_in_one_step() -> None:
    x1, x2 = Variable(3.0, "x1"), Variable(-2.0, "x2")
    f = (x1 - 1.0) ** 2 + x1 * x2 + 2.0 * (x2 + 0.5) ** 2
    new = newton_step(f, [x1, x2])
    assert [n.name for n in new] == ["x1⁺", "x2⁺"]
    minimum = np.linalg.solve([[2.0, 1.0], [1.0, 4.0]], [2.0, -2.0])
    np.testing.assert_allclose([n.value for n in new], minimum, atol=1e-14)


def test_newton_step_matches_numpy_on_a_curved_function() -> None:
    x1, x2 = Variable(0.3, "x1"), Variable(0.8, "x2")
    f = gn.exp(x1 * x2) + gn.sin(x1) + x2 ** 4
    new = newton_step(f, [x1, x2])
    g = flat(gn.grad(f, [x1, x2]))
    H = gn.hessian(f, [x1, x2]).matrix
    np.testing.assert_allclose([n.value for n in new], [0.3, 0.8] - np.linalg.solve(H, g), rtol=1e-12)
    (one,) = newton_step(gn.cos(x1) + x1 ** 2, [x1])
    assert one.value == pytest.approx(0.3 - (-np.sin(0.3) + 0.6) / (-np.cos(0.3) + 2))
    with pytest.raises(gn.GraphError, match="one or two scalar variables"):
        newton_step(f, [Variable(np.ones(2))])
