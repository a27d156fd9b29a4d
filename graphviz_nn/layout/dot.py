"""A graph as DOT text, built with the ``graphviz`` package.

``graph_to_dot`` returns a :class:`Dot`, a ``graphviz.Digraph`` whose rendering (``pipe``,
and so its display in a notebook) goes through the layout worker process, which runs the
Graphviz libraries that pygraphviz's wheel carries, so no system Graphviz is needed.
"""

from __future__ import annotations

from typing import Iterable

import graphviz

from ..engine import Graph
from .style import CLUSTER_BORDER, CLUSTER_FILL, EDGE_COLOUR, FONT, FONT_SIZE, STYLES
from .view import GraphView, Scope, build_view

RANKDIR = "LR"


class Dot(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with pygraphviz's bundled Graphviz, in the layout
    worker process.

    Not in this process: Graphviz's libraries loaded beside Qt's crash a window opened
    afterwards on X11 (a notebook that displays a graph and then calls ``show()``).
    """

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False,
             *, engine=None, encoding=None):
        if renderer or formatter or neato_no_op or (engine or self.engine) != "dot":
            # Options the worker does not take: the graphviz package's own way, a system `dot`.
            return super().pipe(format, renderer, formatter, neato_no_op, quiet,
                                engine=engine, encoding=encoding)
        from . import default_worker  # the package imports this module first

        data = default_worker().render(self.source, format or self.format)
        return data.decode(encoding) if encoding else data


def dot_text(text: str) -> str:
    """Text drawn as it is: never read as an HTML-like label (``<<IMG SRC=...>>`` in a scope
    name would embed a local file) nor as Graphviz's escapes (``\\N``, ``\\G``)."""
    return graphviz.nohtml(text.replace("\\", "\\\\"))


def _cluster_name(index: int) -> str:
    return f"cluster_{index}"


#: Graph attributes: ``newrank`` ranks the whole graph at once rather than cluster by cluster,
#: which lays an expanded [30, 20, 20, 1] perceptron net out three times as fast and half as tall,
#: its layers stacked instead of spread in a staircase.
GRAPH_ATTRIBUTES = {"nodesep": "0.3", "ranksep": "0.55", "fontname": FONT, "fontsize": str(FONT_SIZE),
                    "pad": "0.2", "newrank": "true"}
NODE_ATTRIBUTES = {"fontname": FONT, "fontsize": str(FONT_SIZE), "margin": "0.12,0.06"}
EDGE_ATTRIBUTES = {"arrowsize": "0.8", "penwidth": "1.4"}


def view_to_dot(view: GraphView, name: str = "graph", rankdir: str = RANKDIR, styled: bool = True) -> Dot:
    """DOT for an already built view: nodes in view order, clusters nested by scope.

    With ``styled=False`` only what decides positions is written (labels, shapes, line widths,
    spacing), no colours or tooltips: the same layout from half the text, which Graphviz reads
    and writes back faster. :func:`graphviz_nn.layout.layout` sends that; exports send all.
    """
    colours = {"bgcolor": "white"} if styled else {}
    dot = Dot(name, graph_attr={"rankdir": rankdir, **GRAPH_ATTRIBUTES, **colours}, node_attr=NODE_ATTRIBUTES,
              edge_attr={**EDGE_ATTRIBUTES, "color": EDGE_COLOUR} if styled else EDGE_ATTRIBUTES)
    by_scope: dict[Scope, list] = {}
    for node in view.nodes:
        by_scope.setdefault(node.scope, []).append(node)
    children: dict[Scope, list[tuple[int, Scope]]] = {}
    for index, scope in enumerate(view.clusters):
        children.setdefault(scope[:-1], []).append((index, scope))
    cluster_look = {"style": "rounded,filled", "fillcolor": CLUSTER_FILL, "color": CLUSTER_BORDER,
                    "fontcolor": "#333333", "labeljust": "l"} if styled else {}

    def add_nodes(target: graphviz.Digraph, scope: Scope) -> None:
        for node in by_scope.get(scope, ()):
            style = STYLES[node.kind]
            look = {"style": style.style, "fillcolor": style.fill, "color": style.border,
                    "fontcolor": style.text, "tooltip": node.id} if styled else {}
            target.node(node.id, dot_text("\n".join(node.lines)), shape=style.shape,
                        penwidth=str(style.penwidth), **look)
        for index, child in children.get(scope, ()):
            with target.subgraph(name=_cluster_name(index)) as sub:
                sub.attr(label=dot_text(child[-1]), **cluster_look)
                add_nodes(sub, child)

    add_nodes(dot, ())
    for edge in view.edges:
        dot.edge(edge.tail, edge.head, id=f"{edge.tail}->{edge.head}#{edge.index}")
    return dot


def graph_to_dot(graph: Graph, collapsed: Iterable[Scope] = (), values: bool = False,
                 gradients: bool = False, rankdir: str = RANKDIR) -> Dot:
    """The graph as DOT: node styles by kind, labels with name and op symbol (and optionally
    a short value and gradient), scopes as clusters, collapsed scopes as one node each.

    The same graph always gives the same text.
    """
    return view_to_dot(build_view(graph, collapsed, values, gradients), rankdir=rankdir)
