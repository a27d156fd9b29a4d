"""Layouts: every node a box, every edge a path between its boxes, clusters hold members."""

from __future__ import annotations

import math

import pytest

from graphviz_nn.layout import build_view, default_collapsed, layout
from graphviz_nn.nn import LayerNet, PerceptronNet

from .conftest import scalar_example


def _distance_to_box(point, box) -> float:
    x, y = point
    dx = max(abs(x - box.x) - box.width / 2, 0.0)
    dy = max(abs(y - box.y) - box.height / 2, 0.0)
    return math.hypot(dx, dy)


def _check(result, graph_view) -> None:
    boxes = {b.id: b for b in result.nodes}
    assert set(boxes) == {n.id for n in graph_view.nodes}
    for box in result.nodes:
        assert box.width > 0 and box.height > 0
        assert 0 <= box.x <= result.width and 0 <= box.y <= result.height
    assert {(e.tail, e.head, e.index) for e in result.edges} == {
        (e.tail, e.head, e.index) for e in graph_view.edges}
    for edge in result.edges:
        assert len(edge.points) >= 4 and (len(edge.points) - 1) % 3 == 0
        tail, head = boxes[edge.tail], boxes[edge.head]
        end = edge.arrow_tip or edge.points[-1]
        assert _distance_to_box(edge.points[0], tail) < 3.0, edge
        assert _distance_to_box(end, head) < 3.0, edge
    clusters = {c.scope: c for c in result.clusters}
    assert set(clusters) == set(graph_view.clusters)
    for box in result.nodes:
        for depth in range(1, len(box.scope) + 1):
            assert clusters[box.scope[:depth]].contains(box), (box.id, box.scope[:depth])


def test_scalar_example(worker) -> None:
    graph = scalar_example()
    result = layout(graph, worker=worker)
    _check(result, build_view(graph))
    # y points down: inputs and output are on the same horizontal band in a left-to-right drawing
    assert result.node("n0").x < result.node("n8").x


def test_layer_net_with_clusters(worker) -> None:
    graph = LayerNet([4, 3, 2], "tanh", "softmax", "cce", normalise=True).graph
    _check(layout(graph, worker=worker), build_view(graph))


def test_perceptron_net_nested_clusters_expanded_and_collapsed(worker) -> None:
    graph = PerceptronNet([3, 3, 1]).graph
    expanded = layout(graph, collapsed=(), worker=worker)
    _check(expanded, build_view(graph))
    collapsed_scopes = [("layer 1", "perceptron 1"), ("output",)]
    collapsed = layout(graph, collapsed=collapsed_scopes, worker=worker)
    _check(collapsed, build_view(graph, collapsed_scopes))
    assert len(collapsed.nodes) < len(expanded.nodes)
    scope_box = collapsed.node("scope/layer 1/perceptron 1")
    assert scope_box.kind == "scope" and len(scope_box.members) > 5
    again = layout(graph, collapsed=(), worker=worker)
    assert again == expanded  # expanding again gives the very same layout


def test_big_graphs_open_collapsed() -> None:
    graph = PerceptronNet([30, 10, 10, 1]).graph
    assert len(graph) > 1000
    chosen = default_collapsed(graph)
    assert chosen and all(len(s) == 2 for s in chosen)
    assert len(build_view(graph, chosen).nodes) <= 400
    assert default_collapsed(scalar_example()) == frozenset()


def test_layout_node_lookup_error(worker) -> None:
    result = layout(scalar_example(), worker=worker)
    with pytest.raises(KeyError, match="no node 'n99'"):
        result.node("n99")


def test_the_layers_of_a_big_net_stack_without_a_band_of_detours(worker) -> None:
    """Ranked cluster by cluster, the layers of an expanded [30, 10, 10, 1] net climbed in a
    staircase and the edges between them looped around below: a third of the height was empty."""
    graph = PerceptronNet([30, 10, 10, 1]).graph
    result = layout(graph, collapsed=(), worker=worker, timeout=120)
    layers = [c for c in result.clusters if len(c.scope) == 1]
    assert len(layers) == 4
    assert result.height <= 1.1 * sum(c.height for c in layers)
    assert all(a.x < b.x for a, b in zip(layers, layers[1:]))  # still left to right
