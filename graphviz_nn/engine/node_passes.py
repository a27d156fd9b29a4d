"""Reverse and forward mode building nodes: the passes ``create_graph`` runs.

Where :mod:`passes` computes arrays, these apply each op's rules on nodes (see
:mod:`node_rules`), so every gradient or tangent is a node whose graph reaches back to the
variables: it can be drawn, stepped through like any graph, and differentiated again (a
Hessian-vector product is the tangent of a gradient).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from .errors import GraphError, RuleError
from .graph import topological_order
from .node import Constant, Node, as_array, as_node
from .node_rules import jvp_on_nodes, spread, unbroadcast, vjp_on_nodes

if TYPE_CHECKING:
    from .graph import Graph


def _misshapen(node: Node, kind: str, i: int, error: ValueError) -> RuleError:
    return RuleError(
        f"op {node.op.name!r}: its {kind} rule on nodes for input {node.op.arg_names[i]} gave a "
        f"wrong shape ({error}); fix it in engine/node_rules.py"
    )


def _seed(output: Node, cotangent) -> Node:
    shape = output.shape
    if isinstance(cotangent, Node):
        if cotangent.shape != shape:
            raise GraphError(
                f"cotangent node of shape {cotangent.shape} does not fit output '{output.label}' "
                f"of shape {shape}"
            )
        return cotangent
    if cotangent is None:
        if output.value.size != 1:
            raise GraphError(
                f"output '{output.label}' has shape {shape}: give a cotangent of that shape "
                f"(np.ones({shape}) gives the gradient of its sum)"
            )
        return Constant(np.ones(shape, dtype=output.value.dtype))
    seed = as_array(cotangent)
    try:
        return Constant(np.array(np.broadcast_to(seed, shape)), name="g")
    except ValueError:
        raise GraphError(
            f"cotangent of shape {seed.shape} does not fit output '{output.label}' of shape {shape}"
        ) from None


def _label(results: Mapping[Node, Node], graph: Graph, scope: str) -> None:
    """Put every node the pass made in one scope, so the layout draws it as a cluster."""
    for node in topological_order(tuple(results.values())):
        if node not in graph and not node.scope:
            node.scope = (scope,)


def backward_nodes(graph: Graph, output: Node, cotangent=None) -> dict[Node, Node]:
    """Reverse mode on nodes: dL/d(node) as a node for every node that reaches ``output``.

    Parameters
    ----------
    graph : Graph
        A graph containing ``output``; its Variables (and ``wrt`` Constants) get gradients.
    output : Node
        L, a scalar node unless ``cotangent`` is given.
    cotangent : array or Node, optional
        The seed dL/d(output); a node makes the gradient a function of it as well.

    Returns
    -------
    dict of Node to Node
        The gradient node of each node that needs one and reaches ``output``; nodes the
        pass made are in the scope "∇ <output label>".

    Raises
    ------
    RuleError
        An op with no rule on nodes (see :func:`node_rules.vjp_on_nodes`).
    """
    if output not in graph:
        raise GraphError(f"{output!r} is not part of this graph")
    grads: dict[Node, Node] = {output: _seed(output, cotangent)} if graph.needs_grad(output) else {}
    results: dict[Node, Node] = {}
    for node, inputs, needed in graph.backward_plan:
        g = grads.pop(node, None)
        if g is None:
            continue
        results[node] = g
        if not needed:
            continue
        rules = vjp_on_nodes(node.op)
        for i, x in needed:
            try:
                term = unbroadcast(as_node(rules[i](g, node, *inputs, **node.params)), x.shape)
            except ValueError as error:
                raise _misshapen(node, "vjp", i, error) from None
            previous = grads.get(x)
            grads[x] = term if previous is None else previous + term
    _label(results, graph, f"∇ {output.label}")
    return results


def _leaf_tangents(graph: Graph, seeds: Mapping[Node, object]) -> dict[Node, Node]:
    checked: dict[Node, Node] = {}
    for leaf, tangent in seeds.items():
        if leaf not in graph:
            continue
        if leaf.inputs:
            raise GraphError(f"only leaves can be seeded with a tangent; '{leaf.label}' is a function")
        if isinstance(tangent, Node):
            t = tangent
        else:
            array = as_array(tangent)
            try:
                array = np.array(np.broadcast_to(array, leaf.shape))
            except ValueError:
                array = None
            t = Constant(array, name=f"d{leaf.label}") if array is not None else None
        if t is None or t.shape != leaf.shape:
            shape = t.shape if t is not None else np.shape(tangent)
            raise GraphError(f"tangent of shape {shape} does not fit '{leaf.label}' of shape {leaf.shape}")
        checked[leaf] = t
    return checked


def tangent_nodes(graph: Graph, seeds: Mapping[Node, object]) -> dict[Node, Node]:
    """Forward mode on nodes: d(node)/dt as a node for every node that depends on a seed.

    Parameters
    ----------
    graph : Graph
    seeds : mapping of leaf Node to array or Node
        Each seeded leaf's tangent; an array becomes a Constant named "d<leaf>".

    Returns
    -------
    dict of Node to Node
        The tangent node of every node that depends on a seeded leaf; the nodes the pass
        made are in the scope "tangent dx1, dx2" (the seeded leaves).

    Raises
    ------
    GraphError
        A seed that is not a leaf or does not fit its leaf's shape.
    RuleError
        An op with no rule on nodes.
    """
    tangents = _leaf_tangents(graph, seeds)
    seeded = ", ".join(f"d{leaf.label}" for leaf in tangents)
    for node, evaluate, inputs, params in graph.forward_plan:
        if evaluate is None:
            continue
        tangent, rules = None, None
        for i, x in enumerate(inputs):
            dx = tangents.get(x)
            if dx is None:
                continue
            rules = rules or jvp_on_nodes(node.op)
            term = as_node(rules[i](dx, node, *inputs, **params))
            tangent = term if tangent is None else tangent + term
        if tangent is not None:
            try:
                tangents[node] = spread(tangent, node.shape)
            except ValueError as error:
                raise _misshapen(node, "jvp", i, error) from None
    _label(tangents, graph, f"tangent {seeded}")
    return tangents
