"""Fans: a weight read at every time step is placed beside its nearest step, its other edges
drawn as a bus; every edge of the drawing is still there, between its boxes. Scope names with
a colon (a child module's "rnn: RNN") stay node names in DOT, never ports."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn.engine import Constant, Graph, mean
from graphviz_nn.layout import build_view, layout, view_to_dot
from graphviz_nn.layout.fans import FAN_HEADS, split_fans
from graphviz_nn.nn import GRU, LSTM, RNN, Linear, PerceptronNet, Sequential
from graphviz_nn.session import EXAMPLES

from .test_layout import _check

CELLS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}


def unrolled(cell: str, steps: int, child: bool = False) -> Graph:
    """A recurrent layer over ``steps`` steps of one sequence and a head on its last h; as a
    Sequential's child its scopes are "0: LSTM" / "t 3"."""
    layer = CELLS[cell](2, 3, rng=np.random.default_rng(0))
    x = Constant(np.random.default_rng(1).normal(size=(steps, 1, 2)), "x")
    if child:
        layer = Sequential(layer)[0]  # named "0: LSTM" by the Sequential that holds it
    _, state = layer(x)
    h = state[0] if isinstance(state, tuple) else state
    return Graph(mean(Linear(3, 1, rng=np.random.default_rng(2))(h) ** 2))


def _steps(graph: Graph) -> frozenset:
    return frozenset(n.scope for n in graph.nodes if n.scope and n.scope[-1].startswith("t "))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cell=st.sampled_from(sorted(CELLS)), steps=st.integers(1, 14), collapse=st.booleans(),
       child=st.booleans())
def test_every_edge_of_an_unrolled_recurrence_is_drawn_between_its_boxes(worker, cell, steps, collapse,
                                                                          child) -> None:
    graph = unrolled(cell, steps, child)
    collapsed = _steps(graph) if collapse else frozenset()
    result = layout(graph, collapsed, True, True, worker=worker, timeout=120)
    _check(result, build_view(graph, collapsed, True, True))


def test_the_weights_of_a_long_recurrence_fan_out_and_a_dense_net_does_not() -> None:
    graph = unrolled("LSTM", 20)
    placed, fanned = split_fans(build_view(graph, _steps(graph)))
    tails = {e.tail for e in fanned}
    (w_hh,) = [n for n in graph.nodes if n.inputs and n.inputs[0].name == "weight_hh_l0"]
    assert graph.id_of(w_hh) in tails  # Wₕₕᵀ, read by every step
    assert {e.head for e in fanned if e.tail == graph.id_of(w_hh)} == {
        "scope/" + "/".join(s) for s in _steps(graph) if s[-1] != "t 0"}
    assert all(sum(e.tail == t for e in fanned) >= FAN_HEADS for t in tails)
    assert all(any(e.tail == t for e in placed.edges) for t in tails)  # each stays beside a step
    # Perceptrons side by side, and a Newton step's variables read by its ∇ and its tangents,
    # are no time steps: Graphviz routes their edges.
    for other in (PerceptronNet([7, 5, 1]).graph, PerceptronNet([30, 10, 10, 1]).graph,
                  EXAMPLES["newton"].build().graph, EXAMPLES["curvature"].build().graph):
        view = build_view(other)
        assert split_fans(view) == (view, ())


def test_a_collapsed_child_scope_is_one_node_in_dot_not_a_port() -> None:
    graph = unrolled("RNN", 4, child=True)
    view = build_view(graph, _steps(graph))
    source = view_to_dot(view, styled=False).source
    assert '"scope/0: RNN/t 2"' in source
    edges = [line for line in source.splitlines() if "->" in line]
    assert edges and not any('":"' in line for line in edges)
