"""Steps: what each pass records for the window, and that nothing is made when not asked."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Graph, Variable
from graphviz_nn.engine import passes


def _seed():
    x1, x2, x3 = Variable(0.5, "x1"), Variable(-1.2, "x2"), Variable(2.0, "x3")
    z = gn.sin(x1 + x2) + x2 ** 2 * x3
    return (x1, x2, x3), z


def test_forward_steps_visit_every_node_in_order_with_its_value() -> None:
    _, z = _seed()
    graph = Graph(z)
    steps = list(graph.forward_steps())
    assert [s.node_id for s in steps] == [graph.id_of(n) for n in graph.nodes]
    assert all(s.phase == "forward" for s in steps)
    assert [s.index for s in steps] == list(range(len(graph)))
    assert steps[-1].value == pytest.approx(z.value)


def test_backward_steps_give_every_gradient_and_its_chain_rule_terms() -> None:
    (x1, x2, x3), z = _seed()
    graph = Graph(z)
    steps = list(graph.backward_steps())
    assert steps[0].node is z and steps[0].received == ()
    by_node = {s.node: s for s in steps}
    for node, step in by_node.items():
        np.testing.assert_array_equal(step.value, node.grad)
        if step.received:
            total = sum(c.value for c in step.received)
            np.testing.assert_allclose(total, node.grad)
            assert all(c.target == step.node_id for c in step.received)
    # x2 feeds the sum and the power: two lines of dz/dx2 = Σ_y dy/dx2 · dz/dy
    assert len(by_node[x2].received) == 2
    for step in steps:
        for c in step.sent:
            assert c.source == step.node_id
            np.testing.assert_array_equal(c.upstream, step.value)
            if c.local is not None:  # elementwise ops: local derivative times upstream
                np.testing.assert_allclose(c.value, c.local * c.upstream)


def test_backward_step_for_sin_shows_cos_as_local_derivative() -> None:
    (x1, x2, x3), z = _seed()
    graph = Graph(z)
    step = next(s for s in graph.backward_steps() if s.node.label == "sin")
    (term,) = step.sent
    assert term.formula == "g · cos(x)"
    assert term.local == pytest.approx(np.cos(-0.7))


def test_tangent_steps_push_the_seed_through() -> None:
    (x1, x2, x3), z = _seed()
    graph = Graph(z)
    steps = list(graph.tangent_steps({x2: 1.0}))
    assert [s.phase for s in steps] == ["tangent"] * len(graph)
    assert steps[-1].value == pytest.approx(np.cos(-0.7) + 2 * -1.2 * 2.0)
    by_node = {s.node: s for s in steps}
    assert by_node[x1].value is None and by_node[x3].value is None
    pow_step = next(s for s in steps if s.node.label == "^")
    assert pow_step.received[0].formula == "dx · y · x^(y−1)"


def test_recording_off_makes_no_step_objects(monkeypatch) -> None:
    made = []

    class CountingStep(passes.Step):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(passes, "Step", CountingStep)
    monkeypatch.setattr(passes, "Contribution", None)  # any use would raise
    (x1, x2, x3), z = _seed()
    graph = Graph(z)
    graph.forward()
    graph.backward()
    graph.tangents({x1: 1.0})
    assert made == []
    assert len(list(graph.forward_steps())) == len(graph)
    assert len(made) == len(graph)


def test_steps_hold_the_state_at_that_moment() -> None:
    x = Variable(1.0, "x")
    y = x * 3
    graph = Graph(y)
    first = list(graph.forward_steps())
    x.value = np.array(2.0)
    graph.forward()
    assert first[-1].value == pytest.approx(3.0)
    assert y.value == pytest.approx(6.0)
