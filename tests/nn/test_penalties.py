"""L1 and L2 penalties as graph nodes: their values, gradients (against central differences),
their scope in the graph, and L2's equality with an optimiser's weight decay."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import Graph, Variable, check_gradients
from graphviz_nn.nn import SGD
from graphviz_nn.nn.penalties import l1_penalty, l2_penalty

SHAPES = st.lists(st.lists(st.integers(1, 3), max_size=2).map(tuple), min_size=1, max_size=3)


def _params(shapes, seed: int) -> list[Variable]:
    rng = np.random.default_rng(seed)
    # away from 0, where |w| has a kink central differences cannot see past
    return [Variable(rng.choice([-1, 1], size=s) * rng.uniform(0.1, 2.0, size=s), f"W{i}")
            for i, s in enumerate(shapes)]


@settings(max_examples=40, deadline=None)
# No weights below 1e-6: λ/2 of a subnormal λ underflows to 0 (5e-324 did), which is float
# arithmetic, not the penalty.
@given(shapes=SHAPES, seed=st.integers(0, 2**32 - 1), weight=st.just(0.0) | st.floats(1e-6, 3.0))
def test_values_and_gradients(shapes, seed: int, weight: float) -> None:
    params = _params(shapes, seed)
    l1, l2 = l1_penalty(params, weight), l2_penalty(params, weight)
    assert float(l1.value) == pytest.approx(weight * sum(np.abs(p.value).sum() for p in params), rel=1e-13)
    assert float(l2.value) == pytest.approx(weight / 2 * sum((p.value ** 2).sum() for p in params), rel=1e-13)
    for g, p in zip(gn.grad(l1, params), params):
        np.testing.assert_allclose(g, weight * np.sign(p.value), rtol=1e-15)
    for g, p in zip(gn.grad(l2, params), params):
        np.testing.assert_allclose(g, weight * p.value, rtol=1e-14)
    for penalty in (l1, l2):
        for check in check_gradients(penalty, params).values():
            assert check.relative_error < 1e-7


def test_the_graph_shows_each_penalty_in_its_own_scope() -> None:
    w = Variable(np.ones((2, 2)), "W")
    w.scope = ("layer 1",)
    loss = gn.sum(w) + l2_penalty([w], 0.01) + l1_penalty([w], 0.1)
    scopes = {node.scope for node in Graph(loss).nodes if node is not w and node is not loss}
    assert {("L1 penalty",), ("L2 penalty",)} <= scopes and w.scope == ("layer 1",)
    labels = {node.label for node in Graph(loss).nodes}
    assert {"λ", "λ/2"} <= labels


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), weight=st.sampled_from([0.01, 0.3]), momentum=st.sampled_from([0.0, 0.9]))
def test_an_l2_penalty_trains_as_weight_decay_does(seed: int, weight: float, momentum: float) -> None:
    rng = np.random.default_rng(seed)
    start, target = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    penalised, decayed = Variable(start.copy(), "W"), Variable(start.copy(), "W")
    with_penalty = Graph(gn.sum((penalised - target) ** 2) + l2_penalty([penalised], weight))
    plain = Graph(gn.sum((decayed - target) ** 2))
    first = SGD([penalised], lr=0.05, momentum=momentum)
    second = SGD([decayed], lr=0.05, momentum=momentum, weight_decay=weight)
    for _ in range(10):
        for graph, optimiser in ((with_penalty, first), (plain, second)):
            graph.forward()
            graph.backward()
            optimiser.step()
        np.testing.assert_allclose(penalised.value, decayed.value, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make, message", [
    (lambda: l2_penalty([], 0.1), "L2 penalty: no parameters were given; pass the weights to penalise"),
    (lambda: l1_penalty([Variable([1.0])], -0.5), "L1 penalty: the weight λ must be 0 or more, got -0.5"),
])
def test_bad_penalties_are_refused(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        make()
