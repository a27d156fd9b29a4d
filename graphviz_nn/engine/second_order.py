"""Second derivatives, where the two modes meet: the tangent of a gradient.

The gradient is built as a graph (reverse mode with ``create_graph``); one forward-mode pass
over that graph, seeded with a direction v, gives its tangent H v: forward over reverse, the
cheapest Hessian-vector product (a few times the cost of the gradient, never the n² of H).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np

from .errors import GraphError
from .graph import Graph
from .node import Constant, Node, Variable
from .node_passes import backward_nodes, tangent_nodes

Nodes = Union[Node, Sequence[Node]]


def _leaves(wrt: Nodes, where: str) -> list[Node]:
    nodes = [wrt] if isinstance(wrt, Node) else list(wrt)
    for w in nodes:
        if w.inputs:
            raise GraphError(
                f"{where}: '{w.label}' is computed by {w.op.name}, not a leaf; second derivatives "
                "are taken with respect to Variables or Constants"
            )
    return nodes


def _gradient_graph(output: Node, nodes: list[Node]) -> tuple[list[Node | None], Graph | None]:
    """The gradient of ``output`` with respect to each node, as nodes, and their graph."""
    graph = Graph(output, wrt=[w for w in nodes if isinstance(w, Constant)])
    graph.forward()
    grads = backward_nodes(graph, output)
    g = [grads.get(w) for w in nodes]
    present = [n for n in g if n is not None]
    return g, (Graph(*present) if present else None)


def hvp(output: Node, wrt: Nodes, v) -> np.ndarray | list[np.ndarray]:
    """The Hessian-vector product H v of a scalar ``output``, forward over reverse.

    Builds the gradient as a graph, then takes one forward-mode pass over it seeded with
    ``v``. The graph is re-evaluated from the current leaf values first.

    Parameters
    ----------
    output : Node
        A scalar node.
    wrt : leaf Node or sequence of leaf Nodes
        The variables x of H = ∂²output/∂x².
    v : array, or sequence of arrays (one per node of ``wrt``)
        The direction, of ``wrt``'s shape(s).

    Returns
    -------
    ndarray or list of ndarray
        H v, of the shape of ``wrt`` (a list when ``wrt`` is a sequence).

    Raises
    ------
    GraphError
        A node of ``wrt`` that is not a leaf, a direction of the wrong shape or count.
    RuleError
        An op with no rule on nodes (relu, abs).
    """
    nodes = _leaves(wrt, "hvp")
    directions = [v] if isinstance(wrt, Node) else list(v)
    if len(directions) != len(nodes):
        raise GraphError(f"hvp: {len(directions)} directions for {len(nodes)} nodes; give one per node")
    g, g_graph = _gradient_graph(output, nodes)
    if g_graph is not None:
        g_graph.tangents({w: d for w, d in zip(nodes, directions) if w in g_graph})
    result = [
        np.array(n.tangent) if n is not None and n.tangent is not None else np.zeros_like(w.value)
        for n, w in zip(g, nodes)
    ]
    return result[0] if isinstance(wrt, Node) else result


@dataclass(frozen=True, eq=False)
class HessianResult:
    """A Hessian and how it was obtained.

    Attributes
    ----------
    matrix : ndarray
        Shape (n, n), n the total size of ``wrt``; rows and columns follow ``wrt`` in order,
        each node flattened in C order. Symmetric up to rounding.
    passes : int
        Forward-mode passes over the gradient graph, one per column (n); the gradient graph
        itself is built once, by one reverse pass on nodes.
    """

    matrix: np.ndarray
    passes: int


def hessian(output: Node, wrt: Nodes) -> HessianResult:
    """The Hessian of a scalar ``output``, column by column: column k is H e_k (:func:`hvp`).

    Raises
    ------
    GraphError
        A node of ``wrt`` that is not a leaf.
    RuleError
        An op with no rule on nodes (relu, abs).
    """
    nodes = _leaves(wrt, "hessian")
    g, g_graph = _gradient_graph(output, nodes)
    sizes = [w.value.size for w in nodes]
    n = sum(sizes)
    matrix = np.zeros((n, n))
    column = 0
    for w, size in zip(nodes, sizes):
        for k in range(size):
            if g_graph is not None and w in g_graph:
                direction = np.zeros(w.value.shape)
                direction.flat[k] = 1.0
                g_graph.tangents({w: direction})
                matrix[:, column] = np.concatenate([
                    np.ravel(gi.tangent) if gi is not None and gi.tangent is not None
                    else np.zeros(wi.value.size) for gi, wi in zip(g, nodes)
                ])
            column += 1
    return HessianResult(matrix, n)


def curvature(output: Node, wrt: Nodes, v) -> Node:
    """vᵀ H v, the curvature of ``output`` along v, as a graph made with ``create_graph``.

    The graph has three parts the window draws as clusters: the function, its gradient
    (scope "∇ <output>", reverse mode on nodes), and the gradient's tangent H v (scope
    "tangent dx, ...", forward mode on nodes), joined by the products with v.

    Returns
    -------
    Node
        A scalar node named "vᵀHv".
    """
    nodes = _leaves(wrt, "curvature")
    directions = [v] if isinstance(wrt, Node) else list(v)
    g, _ = _gradient_graph(output, nodes)
    present = [(gi, w, d) for gi, w, d in zip(g, nodes, directions) if gi is not None]
    if not present:
        return Constant(0.0, name="vᵀHv")
    tangents = tangent_nodes(Graph(*[gi for gi, _, _ in present]), {w: d for _, w, d in present})
    result: Node | None = None
    for gi, w, d in present:
        if gi in tangents:
            term = _total(tangents[gi] * Constant(d, name="v"))
            result = term if result is None else result + term
    if result is None:
        return Constant(0.0, name="vᵀHv")
    result.name = "vᵀHv"
    return result


def _total(x: Node) -> Node:
    from .ops import sum as total

    return total(x) if x.shape else x


def newton_step(output: Node, wrt: Sequence[Variable]) -> list[Node]:
    """One Newton step x − H⁻¹ ∇f on one or two scalar variables, as a graph.

    The gradient comes from reverse mode on nodes and each Hessian column from forward mode
    on the gradient, so the whole step can be drawn and stepped through; the 2 x 2 system is
    solved in closed form (Cramer's rule).

    Returns
    -------
    list of Node
        The new value of each variable, named "<name>⁺".

    Raises
    ------
    GraphError
        Not one or two scalar leaves.
    """
    nodes = _leaves(wrt, "newton_step")
    if len(nodes) not in (1, 2) or any(w.value.size != 1 for w in nodes):
        raise GraphError("newton_step: give one or two scalar variables (larger systems need a solve op)")
    g, _ = _gradient_graph(output, nodes)
    g = [gi if gi is not None else Constant(0.0, name="0") for gi in g]
    g_graph = Graph(*g)
    columns = []
    for w in nodes:
        made = tangent_nodes(g_graph, {w: 1.0})
        columns.append([made.get(gi, Constant(0.0, name="0")) for gi in g])
    if len(nodes) == 1:
        steps = [g[0] / columns[0][0]]
    else:
        (h11, h21), (h12, h22) = columns
        det = h11 * h22 - h12 * h21
        det.name = "det H"
        steps = [(h22 * g[0] - h12 * g[1]) / det, (h11 * g[1] - h21 * g[0]) / det]
    new = []
    for w, step in zip(nodes, steps):
        x_new = w - step
        x_new.name = f"{w.label}⁺"
        new.append(x_new)
    return new
