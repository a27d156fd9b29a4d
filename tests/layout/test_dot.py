"""DOT text: stable, styled by kind, scopes as clusters; a golden file for the first example."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import graphviz
import pytest

import graphviz_nn as gn
from graphviz_nn.layout import build_view, default_worker, graph_to_dot, layout, layout_from_json, view_to_dot
from graphviz_nn.layout.style import STYLES
from graphviz_nn.nn import LayerNet, PerceptronNet

from .conftest import scalar_example

GOLDEN = Path(__file__).parent / "golden" / "scalar_example.dot"


def test_scalar_example_dot_matches_the_golden_file() -> None:
    source = scalar_example().to_dot().source
    assert source == GOLDEN.read_text(encoding="utf-8")


def test_the_same_graph_gives_the_same_text() -> None:
    assert scalar_example().to_dot(values=True).source == scalar_example().to_dot(values=True).source


def test_to_dot_is_a_graphviz_digraph_that_renders_without_system_graphviz() -> None:
    dot = scalar_example().to_dot()
    assert isinstance(dot, graphviz.Digraph)
    svg = dot.pipe(format="svg", encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "x1" in svg
    assert "<svg" in scalar_example()._repr_svg_()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the process's mapped libraries")
def test_a_notebook_display_loads_no_graphviz_library_into_the_process() -> None:
    """Graphviz's libraries beside Qt's crash a window opened later on X11, so the inline
    display renders in the layout worker."""
    script = (
        "import sys, numpy as np\n"
        "from graphviz_nn.nn import LayerNet\n"
        "net = LayerNet([2, 3, 1], rng=np.random.default_rng(0))\n"
        "assert '<svg' in net.graph._repr_svg_()\n"
        "maps = open('/proc/self/maps').read()\n"
        "print('pygraphviz' in sys.modules, 'libgvc' in maps, 'libcgraph' in maps)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "False"]


def test_kinds_have_distinct_shapes_not_only_colours() -> None:
    shapes = {kind: style.shape for kind, style in STYLES.items()}
    assert len(set(shapes.values())) >= 4
    source = scalar_example().to_dot().source
    assert 'shape=doubleoctagon' in source and "shape=ellipse" in source


def test_values_and_gradients_in_labels() -> None:
    graph = scalar_example()
    graph.backward()
    source = graph.to_dot(values=True, gradients=True).source
    assert "= 0.5" in source and "∇ 0.7648" in source and "∇ 1.44" in source


def test_scopes_become_nested_clusters() -> None:
    source = graph_to_dot(PerceptronNet([2, 2, 1]).graph).source
    assert 'label="layer 1"' in source and 'label="perceptron 2"' in source
    assert source.count("subgraph cluster_") == 1 + 2 + 1 + 1 + 1  # layer 1, its 2, output, its 1, loss


def test_collapsed_scope_is_one_node_with_its_edges() -> None:
    net = LayerNet([3, 2, 1])
    source = graph_to_dot(net.graph, collapsed=[("layer 1",)]).source
    assert '"scope/layer 1"' in source
    assert "W1" not in source
    assert '-> "scope/layer 1"' in source and '"scope/layer 1" ->' in source


def test_a_blank_name_never_makes_a_blank_first_line() -> None:
    """Graphviz's bundled library crashed on a label whose first line was empty."""
    blank, broken = gn.Variable(0.5, ""), gn.Variable(1.0, "\n x")
    graph = gn.Graph(blank * broken)
    for node in build_view(graph, (), values=True, gradients=True).nodes:
        assert node.lines and all(line.strip() for line in node.lines), node.lines
    assert len(layout(graph).nodes) == 3


def test_names_are_text_never_html_or_dot() -> None:
    """A crafted scope or node name cannot add nodes to the DOT or embed a local file."""
    x = gn.Variable(1.0, 'a\\"]; evil [label="x')
    x.scope = ('<<IMG SRC="/etc/passwd"/>>',)
    y = gn.Variable(2.0, "\\N <b>bold</b>")
    graph = gn.Graph(x * y)
    source = graph_to_dot(graph).source
    assert "label=<" not in source and "evil [" not in source.replace('evil [label=\\"', "")
    # Graphviz itself reads the text back: the same nodes, the names as labels, no HTML.
    objects = json.loads(default_worker().render(source, "json0", timeout=60))["objects"]
    nodes = {o["name"]: o["label"] for o in objects if "nodes" not in o}
    assert sorted(nodes) == sorted(graph.id_of(n) for n in graph.nodes)
    # Labels come back as Graphviz's escape strings: each backslash doubled, so drawn as one.
    assert nodes[graph.id_of(x)] == 'a\\\\"]; evil [label="x'
    assert nodes[graph.id_of(y)] == "\\\\N <b>bold</b>"
    cluster = next(o for o in objects if "nodes" in o)
    assert cluster["label"] == '<<IMG SRC="/etc/passwd"/>>'  # drawn as text


def test_the_layout_dot_is_lean_and_gives_the_same_positions_as_an_export() -> None:
    """layout() sends Graphviz only what decides positions: half the text, the same drawing."""
    graph = PerceptronNet([3, 2, 1]).graph
    view = build_view(graph, [("layer 1", "perceptron 2")], values=True, gradients=True)
    styled, lean = view_to_dot(view).source, view_to_dot(view, styled=False).source
    assert len(lean) < 0.6 * len(styled)
    assert "color" not in lean and "tooltip" not in lean and "style" not in lean
    worker = default_worker()
    positions = [layout_from_json(worker.render(source, "layout", timeout=60), view) for source in (styled, lean)]
    assert positions[0] == positions[1]
    assert {n.kind for n in positions[1].nodes} == set(STYLES)  # every kind's shape was compared
