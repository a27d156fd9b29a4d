"""Graphs: order, ids, re-evaluation, reverse mode semantics and non-finite checks."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import Constant, Graph, GraphError, NonFiniteError, Variable


def _seed_graph():
    x1, x2, x3 = Variable(0.5, "x1"), Variable(-1.2, "x2"), Variable(2.0, "x3")
    z = gn.sin(x1 + x2) + x2 ** 2 * x3
    return x1, x2, x3, z


def test_order_puts_inputs_first_and_ids_follow_it() -> None:
    *_, z = _seed_graph()
    graph = Graph(z)
    position = {node: i for i, node in enumerate(graph.nodes)}
    for node in graph.nodes:
        for x in node.inputs:
            assert position[x] < position[node]
    assert [graph.id_of(n) for n in graph.nodes] == [f"n{i}" for i in range(len(graph))]
    assert graph["n0"] is graph.nodes[0]
    assert graph.nodes[-1] is z


def test_the_same_construction_gives_the_same_ids() -> None:
    def labels():
        *_, z = _seed_graph()
        g = Graph(z)
        return [(g.id_of(n), n.label) for n in g.nodes], g.edges
    assert labels() == labels()


def test_a_deep_chain_needs_no_recursion() -> None:
    x = Variable(0.1)
    y = x
    for _ in range(5000):
        y = y * 1.0
    graph = Graph(y)
    graph.backward()
    assert x.grad == pytest.approx(1.0)


def test_forward_re_evaluates_after_a_variable_changes() -> None:
    x1, x2, x3, z = _seed_graph()
    graph = Graph(z)
    x3.value = np.array(0.0)
    graph.forward()
    assert z.value == pytest.approx(np.sin(-0.7))


def test_fan_out_gradients_are_summed() -> None:
    x = Variable(3.0, "x")
    y = x * x + x  # x feeds three arguments
    Graph(y).backward()
    assert x.grad == pytest.approx(2 * 3.0 + 1)


def test_backward_resets_instead_of_accumulating() -> None:
    x = Variable(2.0)
    y = x ** 3
    graph = Graph(y)
    graph.backward()
    graph.backward()
    assert x.grad == pytest.approx(12.0)


def test_constants_get_no_gradient_and_unreached_nodes_get_zeros() -> None:
    x = Variable([1.0, 2.0], "x")
    c = Constant([3.0, 4.0], "c")
    used = gn.sum(x * c)
    unused = gn.sin(x)
    graph = Graph(used, unused)
    graph.backward(used)
    assert c.grad is None
    np.testing.assert_array_equal(unused.grad, [0.0, 0.0])
    np.testing.assert_allclose(x.grad, [3.0, 4.0])


def test_gradients_are_unbroadcast_to_each_input() -> None:
    W = Variable(np.ones((4, 3)))
    b = Variable(np.zeros(3))
    loss = gn.sum(W * 2.0 + b)
    Graph(loss).backward()
    assert W.grad.shape == (4, 3)
    np.testing.assert_allclose(b.grad, [4.0, 4.0, 4.0])


def test_a_non_scalar_output_needs_a_cotangent() -> None:
    x = Variable([1.0, 2.0])
    y = x * 2
    graph = Graph(y)
    with pytest.raises(GraphError, match=r"shape \(2,\): give a cotangent"):
        graph.backward()
    graph.backward(cotangent=[1.0, 10.0])
    np.testing.assert_allclose(x.grad, [2.0, 20.0])
    with pytest.raises(GraphError, match="does not fit"):
        graph.backward(cotangent=[1.0, 2.0, 3.0])


def test_several_outputs_need_the_one_to_differentiate() -> None:
    x = Variable(1.0)
    a, b = x * 2, x * 3
    graph = Graph(a, b)
    with pytest.raises(GraphError, match="2 outputs"):
        graph.backward()
    graph.backward(b)
    assert x.grad == pytest.approx(3.0)
    with pytest.raises(GraphError, match="not part of this graph"):
        graph.backward(Variable(1.0))


def test_forward_check_names_the_first_non_finite_node() -> None:
    x = Variable([1.0, -1.0], "x")
    with np.errstate(invalid="ignore"):
        y = gn.log(x)
        y.name = "log x"
        z = gn.sum(y * 2)
        graph = Graph(z)
        graph.forward()  # unchecked: no error
        with pytest.raises(NonFiniteError, match="forward pass: node n1 'log x' .* with nan") as info:
            graph.forward(check_finite=True)
    assert info.value.node is y and info.value.node_id == "n1" and info.value.phase == "forward"


def test_backward_check_names_the_first_non_finite_gradient() -> None:
    x = Variable(0.0, "x")
    y = gn.sqrt(x)
    with np.errstate(divide="ignore"):
        graph = Graph(y)
        graph.backward()
        with pytest.raises(NonFiniteError, match="backward pass: node n0 'x' .* gradient with inf"):
            graph.backward(check_finite=True)


def test_graph_lookups() -> None:
    x1, x2, x3, z = _seed_graph()
    graph = Graph(z)
    assert graph.variables == (x1, x2, x3)
    assert len(graph.constants) == 1
    assert graph.consumers(x2)[0].op.name == "add"
    assert len(graph.consumers(x2)) == 2
    assert ("n0", "n2") in graph.edges
    with pytest.raises(GraphError, match="no node 'n99'"):
        graph["n99"]
    with pytest.raises(GraphError, match="needs at least one output"):
        Graph()


def _train_two_layer(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    X = Constant(rng.standard_normal((64, 5)))
    W1 = Variable(rng.standard_normal((5, 8)))
    W2 = Variable(rng.standard_normal((8, 1)))
    y = Constant(rng.standard_normal((64, 1)))
    loss = gn.sum((gn.tanh(X @ W1) @ W2 - y) ** 2)
    graph = Graph(loss)
    for _ in range(200):
        graph.forward()
        graph.backward()
        W1.value = W1.value - 1e-3 * W1.grad
        W2.value = W2.value - 1e-3 * W2.grad
    return [W1.value, W2.value, loss.value]


def test_two_graphs_in_two_threads_do_not_disturb_each_other() -> None:
    expected = {seed: _train_two_layer(seed) for seed in (1, 2)}
    results: dict[int, list[np.ndarray]] = {}
    barrier = threading.Barrier(2)

    def work(seed: int) -> None:
        barrier.wait()
        results[seed] = _train_two_layer(seed)

    threads = [threading.Thread(target=work, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed in (1, 2):
        for got, want in zip(results[seed], expected[seed]):
            np.testing.assert_array_equal(got, want)


def test_numbers_are_written_one_way_for_the_graph_the_inspector_and_the_jacobian() -> None:
    from graphviz_nn.engine.values import short_number, short_value

    assert short_number(-2.4) == "-2.4" and short_number(1 / 3) == "0.3333" and short_number(1 / 3, 6) == "0.333333"
    assert short_number(np.array([[np.nan]])) == "nan" and short_number(-np.inf) == "-inf"
    assert short_number(np.float32(12345.678)) == "1.235e+04" and short_number(3 + 4j) == "3"
    assert short_value(None) == "—" and short_value(np.array(0.5)) == "0.5"
    assert short_value(np.array([1.0, -0.25, 2 / 3])) == "[1, -0.25, 0.667]"
    assert short_value(np.zeros(7)) == "7 values" and short_value(np.zeros((3, 4))) == "3×4"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=40))
def test_consumers_are_the_nodes_that_take_it_as_an_input(pairs) -> None:
    """The index equals the definition (every node whose inputs hold it, once, in graph
    order), for graphs with fan-out and a node used twice by one consumer (x * x)."""
    nodes: list = [Variable(1.0, "a"), Variable(2.0, "b")]
    for i, j in pairs:
        nodes.append(nodes[i % len(nodes)] * nodes[j % len(nodes)])
    graph = Graph(nodes[-1], *nodes[:2])
    for node in graph:
        expected = tuple(n for n in graph.nodes if any(x is node for x in n.inputs))
        assert graph.consumers(node) == expected
    with pytest.raises(GraphError, match="not part of this graph"):
        graph.consumers(Variable(0.0, "stranger"))
