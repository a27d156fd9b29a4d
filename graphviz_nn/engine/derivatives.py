"""Derivatives of nodes: gradients (reverse mode), tangents (forward mode) and Jacobians."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence, Union

import numpy as np

from .errors import GraphError
from .graph import Graph
from .node import Constant, Node
from .node_passes import backward_nodes, tangent_nodes

Nodes = Union[Node, Sequence[Node]]


def _as_list(nodes: Nodes) -> list[Node]:
    return [nodes] if isinstance(nodes, Node) else list(nodes)


def _zeros(w: Node) -> Constant:
    return Constant(np.zeros_like(w.value), name="0")


def grad(
    output: Node,
    wrt: Nodes,
    cotangent: np.ndarray | float | Node | None = None,
    create_graph: bool = False,
) -> list[np.ndarray] | list[Node]:
    """Gradients of ``output`` with respect to each node of ``wrt``, by one reverse pass.

    The graph is re-evaluated from the current leaf values first.

    Parameters
    ----------
    output : Node
        A scalar node, or any node with ``cotangent`` given.
    wrt : Node or sequence of Node
        The nodes to differentiate with respect to; one that ``output`` does not depend on
        gets zeros. A Constant named here is differentiated like a Variable (the gradient
        with respect to data), as :func:`jacobian` and central differences do.
    cotangent : array or Node, optional
        The seed dL/d(output) for a non-scalar output.
    create_graph : bool
        Return nodes instead of arrays: the backward pass applies each op's rules on nodes
        (see ``engine/node_rules.py``), so each gradient is a graph reaching back to the
        variables, which can be drawn, stepped through and differentiated again. The nodes
        it makes are in the scope "∇ <output label>"; ``.grad`` attributes are left as they
        were.

    Returns
    -------
    list of ndarray, or list of Node with ``create_graph``
        One gradient per node of ``wrt``, each of that node's shape (a Constant of zeros
        where ``output`` does not depend on it).

    Raises
    ------
    RuleError
        With ``create_graph``, an op on the way that has no rule on nodes (relu, abs).
    """
    nodes = _as_list(wrt)
    graph = Graph(output, wrt=[w for w in nodes if isinstance(w, Constant)])
    graph.forward()
    if create_graph:
        grads = backward_nodes(graph, output, cotangent)
        return [grads[w] if w in grads else _zeros(w) for w in nodes]
    graph.backward(output, cotangent)
    return [
        w.grad.copy() if w in graph and w.grad is not None else np.zeros_like(w.value)
        for w in nodes
    ]


def value_and_grad(
    output: Node, wrt: Nodes, cotangent: np.ndarray | float | None = None
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The value of ``output`` and its gradients with respect to ``wrt``: one forward pass
    and one reverse pass, as :func:`grad` does.

    Returns
    -------
    value : ndarray
        A copy of ``output``'s value at the current leaf values.
    grads : list of ndarray
        One gradient per node of ``wrt`` (see :func:`grad`).
    """
    grads = grad(output, wrt, cotangent)
    return np.array(output.value), grads


def jvp(
    outputs: Nodes, tangents: Mapping[Node, np.ndarray | float | Node], create_graph: bool = False
) -> np.ndarray | list[np.ndarray] | Node | list[Node]:
    """Tangents of ``outputs`` given tangents of some leaves, by one forward-mode pass.

    The graph is re-evaluated from the current leaf values first.

    Parameters
    ----------
    outputs : Node or sequence of Node
    tangents : mapping of leaf Node to array (or Node with ``create_graph``)
        The direction dx of each seeded leaf; leaves not named have a zero tangent.
    create_graph : bool
        Return nodes instead of arrays, built by applying each op's forward rules on nodes:
        the tangent is a graph that can be drawn and differentiated again (the scope
        "tangent dx1, ..." after the seeded leaves); ``.tangent`` attributes are left as they were.

    Returns
    -------
    ndarray or list of ndarray; Node or list of Node with ``create_graph``
        d(output)/dt for each output, J·dx, of the output's shape: a single result when one
        node was given, a list when a sequence was; zeros (a Constant of zeros) for an
        output that depends on no seeded leaf.

    Raises
    ------
    GraphError
        A seed that is not a leaf, or a tangent whose shape does not fit its leaf.
    """
    nodes = _as_list(outputs)
    graph = Graph(*nodes)
    graph.forward()
    seeds = {n: t for n, t in tangents.items() if n in graph}
    if create_graph:
        made = tangent_nodes(graph, seeds)
        result = [made[n] if n in made else _zeros(n) for n in nodes]
    else:
        graph.tangents(seeds)
        result = [
            np.array(n.tangent) if n.tangent is not None else np.zeros_like(n.value) for n in nodes
        ]
    return result[0] if isinstance(outputs, Node) else result


@dataclass(frozen=True, eq=False)
class JacobianResult:
    """A Jacobian and how it was obtained.

    Attributes
    ----------
    matrix : ndarray
        Shape (output.size, total size of wrt); columns follow ``wrt`` in order, each
        flattened in C order.
    passes : int
        Passes taken: one per input component in forward mode, one per output component in
        reverse mode.
    mode : str
        "forward" or "reverse".
    """

    matrix: np.ndarray
    passes: int
    mode: str


def jacobian(
    output: Node, wrt: Nodes, mode: Literal["forward", "reverse"] = "reverse"
) -> JacobianResult:
    """The Jacobian of ``output`` with respect to ``wrt``, column by column or row by row.

    For f: R^n -> R^m, forward mode takes n passes (one tangent per input direction) and
    reverse mode takes m passes (one cotangent per output component); both give the same
    matrix, which is also what :func:`numeric_jacobian` estimates.

    ``wrt`` names leaves. A Constant among them is differentiated like a Variable in both
    modes: a gradient debugger asking for the sensitivity to the data expects that matrix,
    not zeros (a Constant is held fixed by training, not by differentiation).

    Raises
    ------
    GraphError
        A node of ``wrt`` that is not a leaf: forward mode can only seed leaves; take the
        Jacobian with respect to the leaves that node is computed from.
    ValueError
        An unknown mode.
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
    nodes = _as_list(wrt)
    for w in nodes:
        if w.inputs:
            raise GraphError(
                f"jacobian: '{w.label}' is computed by {w.op.name}, not a leaf; a Jacobian is "
                "taken with respect to Variables or Constants"
            )
    graph = Graph(output, wrt=[w for w in nodes if isinstance(w, Constant)])
    graph.forward()
    m = output.value.size
    sizes = [w.value.size for w in nodes]
    matrix = np.zeros((m, sum(sizes)))
    if mode == "forward":
        column = 0
        for w, size in zip(nodes, sizes):
            if w not in graph:
                column += size
                continue
            for k in range(size):
                direction = np.zeros(w.value.shape)
                direction.flat[k] = 1.0
                graph.tangents({w: direction})
                if output.tangent is not None:
                    matrix[:, column] = np.ravel(output.tangent)
                column += 1
        return JacobianResult(matrix, sum(sizes), mode)
    for i in range(m):
        cotangent = np.zeros(output.value.shape)
        cotangent.flat[i] = 1.0
        graph.backward(output, cotangent)
        column = 0
        for w, size in zip(nodes, sizes):
            if w in graph and w.grad is not None:
                matrix[i, column:column + size] = np.ravel(w.grad)
            column += size
    return JacobianResult(matrix, m, mode)
