"""``graphviz-nn render``: draw an expression or a network to DOT, SVG, PNG or PDF."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ..engine import Graph, GraphError, ParseError, parse
from ..engine.values import read_value
from ..io import FORMATS, export_format, export_graph
from ..layout import LayoutError, default_collapsed, graph_to_dot
from ..layout import render as render_graph
from ..nn.builder import build_network, output_width
from ..nn.datasets import BUILTIN, DatasetError, load
from .manual import add_command
from .network_options import add_network_options, network_spec
from .output import is_stdout, write_stdout


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "render", summary="draw an expression or a network as DOT, SVG, PNG or PDF",
        description=f"""\
Draw the computational graph of an expression, such as "sin(x1 + x2) + x2**2 * x3",
or of a network (--net), laid out by Graphviz's dot. The expression's free names
become variables (0 unless --set gives them values). The format follows the
output file's suffix ({", ".join(FORMATS)}) unless --format names one.

A big graph is drawn with its scopes (layers, perceptrons, the loss) folded into
one box each until it is small enough to read: --expand draws every node,
--collapse chooses the scopes to fold.""",
        examples=[
            ('graphviz-nn render "sin(x1 + x2) + x2**2 * x3" --set x1=0.5 x2=-1.2 x3=2 --values --gradients -o z.svg',
             "the first example with each node's value and gradient"),
            ('graphviz-nn render "sum(W @ x)" --set "W=[[1,2],[3,4]]" "x=[1,-1]" -o wx.png',
             "matrices and vectors as values"),
            ("graphviz-nn render --net layer --hidden 5 --dataset breast_cancer -o net.pdf",
             "a 30-5-1 network for the breast cancer data, as a PDF"),
            ('graphviz-nn render --net perceptron --hidden 3 --dataset xor --collapse "layer 1" -o net.gv',
             "one subgraph per perceptron, the first layer folded, as DOT text"),
            ('graphviz-nn render "x * y + sin(x)" -o - | dot -Tsvg > xy.svg',
             "DOT text on standard output, for Graphviz's own tools"),
        ],
        exit_status=[("0", "written"), ("2", "a bad expression, option or file, or Graphviz failed")],
    )
    p.add_argument("expression", nargs="?", help="an expression; its free names become variables")
    p.add_argument("--set", nargs="+", default=[], metavar="NAME=VALUE",
                   help="values of the expression's variables: x1=0.5 W=[[1,2],[3,4]]")
    add_network_options(p, None, "draw a network instead: matrix layers, or one subgraph per perceptron",
                        "draw the input normalisation too")
    p.add_argument("--dataset", default="breast_cancer", metavar="NAME_OR_CSV",
                   help=f"the data that sets the network's input and output widths ({', '.join(BUILTIN)} or a CSV)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the file to write; - for standard output")
    p.add_argument("--format", choices=FORMATS,
                   help="the format (default: from the file's suffix; dot on standard output)")
    p.add_argument("--values", action="store_true", help="show each node's value")
    p.add_argument("--gradients", action="store_true", help="run a backward pass and show gradients")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--expand", action="store_true", help="draw every scope expanded")
    group.add_argument("--collapse", nargs="+", default=None, metavar="SCOPE",
                       help="scopes to draw as one node, e.g. \"layer 1\" or \"layer 1/perceptron 2\"")
    p.set_defaults(run=run)


def _fail(message: str) -> int:
    print(f"graphviz-nn render: error: {message}", file=sys.stderr)
    return 2


def _values(assignments: list[str]) -> dict[str, object]:
    values = {}
    for item in assignments:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set takes NAME=VALUE, got {item!r}")
        try:
            values[name.strip()] = read_value(text)  # the editor's reader: finite, rectangular, bounded
        except ValueError as error:
            raise ValueError(f"--set {name.strip()}: {text!r} is {error}") from None
    return values


def _graph(args: argparse.Namespace) -> Graph:
    if args.net:
        data = load(args.dataset)
        spec = network_spec(args)
        net = build_network(spec, data.n_features, output_width(data, args.output_activation),
                            np.random.default_rng(0))
        rows = data.rows(slice(0, min(len(data), 8)))
        net.fit_normalisation(data.X)
        net.set_data(rows.X, net.encode_targets(rows.y))
        net.graph.forward()
        if args.gradients:
            net.graph.backward(net.loss)
        return net.graph
    if not args.expression:
        raise ValueError("give an expression to draw, or --net layer|perceptron")
    parsed = parse(args.expression, **_values(args.set))
    unknown = set(_values(args.set)) - set(parsed.variables)
    if unknown:
        raise ValueError(f"--set names {', '.join(sorted(unknown))}, which the expression does not use")
    parsed.output.name = parsed.output.name or "f"
    graph = Graph(parsed.output)
    if args.gradients:
        out = parsed.output.value
        graph.backward(cotangent=None if out.size == 1 else np.ones(out.shape))
    return graph


def _drawing(graph: Graph, fmt: str, collapsed: list[tuple[str, ...]] | None, values: bool,
             gradients: bool) -> bytes:
    """The bytes ``export_graph`` would write, for standard output."""
    chosen = default_collapsed(graph) if collapsed is None else frozenset(collapsed)
    if fmt == "dot":
        return graph_to_dot(graph, chosen, values, gradients).source.encode("utf-8")
    return render_graph(graph, fmt, chosen, values, gradients)


def run(args: argparse.Namespace) -> int:
    to_stdout = is_stdout(args.output)
    try:
        fmt = export_format(args.output, args.format or ("dot" if to_stdout else None))
        with np.errstate(all="ignore"):
            graph = _graph(args)
        collapsed = () if args.expand else (
            [tuple(s.split("/")) for s in args.collapse] if args.collapse else None)
        if to_stdout:
            write_stdout(_drawing(graph, fmt, collapsed, args.values, args.gradients), fmt,
                         binary=fmt in ("png", "pdf"))
            return 0
        path = export_graph(graph, args.output, fmt, collapsed, args.values, args.gradients)
    except ParseError as error:
        caret = " " * error.position + "^"
        print(f"graphviz-nn render: error: {error.reason}\n  {args.expression}\n  {caret}", file=sys.stderr)
        return 2
    except (DatasetError, GraphError, LayoutError, ValueError, OSError) as error:
        return _fail(str(error))
    print(f"wrote {path} ({fmt}, {len(graph)} nodes)")
    return 0
