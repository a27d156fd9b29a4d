"""A graph with dropout, layer norm and batch norm (one node and parts) reopens exactly."""

from __future__ import annotations

import numpy as np

import graphviz_nn as gn
from graphviz_nn.io.session_reader import load_session
from graphviz_nn.io.session_schema import SessionState
from graphviz_nn.io.session_writer import save_session


def test_normalisation_nodes_and_dropout_masks_reopen_exactly(tmp_path, rng) -> None:
    x = gn.Variable(rng.normal(size=(4, 3, 2)), "x")
    w, b = gn.Variable(rng.normal(size=3), "γ"), gn.Variable(rng.normal(size=3), "β")
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)
    h = gn.batch_norm(x, mean, var, w, b)  # the running statistics as the node's parameters
    h = gn.batch_norm(h, None, None, w, b, training=True, parts=True, scope=("block", "bn"))
    h = gn.dropout(h, 0.3, np.random.default_rng(1))
    h = gn.layer_norm(h, (3, 2)) + gn.layer_norm(h, 2, parts=True)
    graph = gn.Graph(gn.sum(h))
    path = save_session(tmp_path / "norms.gnn", SessionState(graph, graph.id_of(graph.outputs[0])))
    loaded = load_session(path).graph
    assert len(loaded) == len(graph)
    for a, c in zip(graph.nodes, loaded.nodes):
        assert a.label == c.label and a.scope == c.scope
        assert np.array_equal(a.value, c.value)
        if isinstance(a, gn.Function):
            assert a.params == c.params
