"""A graph as DOT text, built with the ``graphviz`` package.

``graph_to_dot`` returns a :class:`Dot`, a ``graphviz.Digraph`` whose rendering (``pipe``,
and so its display in a notebook) goes through the layout worker process, which runs the
Graphviz libraries that pygraphviz's wheel carries, so no system Graphviz is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import graphviz
from graphviz.quoting import attr_list, quote

from ..engine import Graph, Node
from .style import CLUSTER_BORDER, CLUSTER_FILL, EDGE_COLOUR, FONT, FONT_SIZE, STYLES
from .view import DrawnGraph, Scope, build_view, default_collapsed
from .worker import default_worker

RANKDIR = "LR"

Writer = Callable[[Path, bytes], object]

# How Dot.render writes a drawing to its file: io's write_atomic (never half a file, never
# renamed over a device), handed over by the package root as it is imported; the io layer
# sits above this one, so this module cannot import it.
_WRITER: dict[str, Writer] = {}


def use_writer(write: Writer) -> None:
    """Let ``Dot.render`` write its drawings with ``write(path, data)``."""
    _WRITER["write"] = write


def _write(path: Path, data: bytes) -> None:
    try:
        write = _WRITER["write"]
    except KeyError:
        raise RuntimeError("no writer for drawings is known: import graphviz_nn first") from None
    write(path, data)


class Dot(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with pygraphviz's bundled Graphviz, in the layout
    worker process.

    Not in this process: Graphviz's libraries loaded beside Qt's crash a window opened
    afterwards on X11 (a notebook that displays a graph and then calls ``show()``).
    """

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False,
             *, engine=None, encoding=None):
        """Graphviz's output, from the bundled Graphviz in the worker (no ``dot`` program needed)."""
        if renderer or formatter or neato_no_op:
            # Options the worker does not take: the graphviz package's own way, a system `dot`.
            return super().pipe(format, renderer, formatter, neato_no_op, quiet,
                                engine=engine, encoding=encoding)
        data = default_worker().render(self.source, format or self.format, engine=engine or self.engine)
        return data.decode(encoding) if encoding else data

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None, renderer=None,
               formatter=None, neato_no_op=None, quiet=False, quiet_view=False, *, outfile=None, engine=None,
               raise_if_result_exists=False, overwrite_source=False):
        """Save the DOT source and write Graphviz's drawing beside it (``graph.gv.pdf``), with
        the bundled Graphviz; ``view`` opens it in the system's viewer. As ``graphviz.Digraph``."""
        if renderer or formatter or neato_no_op:
            return super().render(filename, directory, view, cleanup, format, renderer, formatter, neato_no_op,
                                  quiet, quiet_view, outfile=outfile, engine=engine,
                                  raise_if_result_exists=raise_if_result_exists,
                                  overwrite_source=overwrite_source)
        fmt = format or (Path(outfile).suffix.lstrip(".") if outfile else None) or self.format
        source = Path(self.save(filename, directory=directory))
        target = Path(outfile) if outfile is not None else source.with_name(f"{source.name}.{fmt}")
        if raise_if_result_exists and target.exists():
            raise FileExistsError(f"output file exists: {target}")
        data = self.pipe(fmt, engine=engine)
        _write(target, data)  # as every save is: never renamed over a device, never half a file
        if cleanup:
            source.unlink(missing_ok=True)
        if view:
            graphviz.view(target, quiet=quiet_view)
        return str(target)


def draw(node_or_graph, values: bool = True, gradients: bool = False, collapsed=None) -> Dot:
    """A node (with all it depends on) or a graph as a displayable ``graphviz.Digraph``: shown
    inline in a notebook, ``.render()`` and ``.view()`` with the bundled Graphviz. A big graph
    comes with its deepest scopes collapsed, as the window opens it."""
    graph = Graph(node_or_graph) if isinstance(node_or_graph, Node) else node_or_graph
    chosen = default_collapsed(graph) if collapsed is None else collapsed
    return graph_to_dot(graph, chosen, values, gradients)


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


def view_to_dot(view: DrawnGraph, name: str = "graph", rankdir: str = RANKDIR, styled: bool = True) -> Dot:
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
        # Written out, not by dot.edge(), which reads "a:b" as node a, port b: the id of a
        # collapsed child module's scope, "scope/rnn: RNN/t 3", holds a colon.
        attributes = attr_list(kwargs={"id": f"{edge.tail}->{edge.head}#{edge.index}"})
        dot.body.append(f"\t{quote(edge.tail)} -> {quote(edge.head)}{attributes}\n")
    return dot


def graph_to_dot(graph: Graph, collapsed: Iterable[Scope] = (), values: bool = False,
                 gradients: bool = False, rankdir: str = RANKDIR) -> Dot:
    """The graph as DOT: node styles by kind, labels with name and op symbol (and optionally
    a short value and gradient), scopes as clusters, collapsed scopes as one node each.

    The same graph always gives the same text.
    """
    return view_to_dot(build_view(graph, collapsed, values, gradients), rankdir=rankdir)
