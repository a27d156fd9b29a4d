"""A computational graph built from one or more output nodes."""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Mapping

import numpy as np

from . import passes
from .errors import GraphError
from .node import Constant, Function, Node, Variable, use_graph_class
from .step import Step


def topological_order(outputs: tuple[Node, ...]) -> list[Node]:
    """Every node the outputs depend on, inputs before the nodes that use them.

    Depth-first from the outputs with an explicit stack (no recursion limit on deep graphs);
    inputs are visited in argument order, so the same graph always gives the same order.
    Nodes are built from existing nodes, so the graph cannot have a cycle.
    """
    order: list[Node] = []
    seen: set[Node] = set()
    for root in outputs:
        if root in seen:
            continue
        seen.add(root)
        stack: list[tuple[Node, int]] = [(root, 0)]
        while stack:
            node, next_input = stack[-1]
            if next_input < len(node.inputs):
                stack[-1] = (node, next_input + 1)
                child = node.inputs[next_input]
                if child not in seen:
                    seen.add(child)
                    stack.append((child, 0))
            else:
                stack.pop()
                order.append(node)
    return order


class Graph:
    """The nodes that one or more outputs depend on, in topological order (computed once).

    Node ids are "n0", "n1", ... in that order: stable for the same construction, never
    ``id()``. The graph owns no values: they live on the nodes, so re-running :meth:`forward`
    after a variable changed updates every node (the original program's forProp).

    Parameters
    ----------
    *outputs : Node
        The nodes to compute; the first is the default for :meth:`backward`.
    wrt : iterable of Node, optional
        Constants that reverse mode differentiates with respect to as well, as if they were
        Variables (a Jacobian with respect to data); every Variable always gets a gradient.
    """

    def __init__(self, *outputs: Node, wrt: Iterable[Node] = ()):
        if not outputs:
            raise GraphError("a Graph needs at least one output node")
        for out in outputs:
            if not isinstance(out, Node):
                raise TypeError(f"Graph outputs must be nodes, got {type(out).__name__}")
        self.outputs: tuple[Node, ...] = tuple(outputs)
        self.nodes: tuple[Node, ...] = tuple(topological_order(self.outputs))
        self._ids: dict[Node, str] = {n: f"n{i}" for i, n in enumerate(self.nodes)}
        self._by_id: dict[str, Node] = {f"n{i}": n for i, n in enumerate(self.nodes)}
        needs: set[Node] = set(wrt)
        for node in self.nodes:
            if isinstance(node, Variable) or any(x in needs for x in node.inputs):
                needs.add(node)
        self._needs_grad = needs
        self._consumers: dict[Node, tuple[Node, ...]] | None = None  # built by consumers()
        # Precomputed per-node work, so the passes' inner loops only index tuples.
        self.forward_plan: tuple = tuple(
            (n, n.op.forward, n.inputs, n.params) if isinstance(n, Function) else (n, None, (), {})
            for n in self.nodes
        )
        # Reverse mode's plan: each node that needs a gradient, with the (index, input) pairs
        # that need one too, so the pass never looks at a Constant input (the data X).
        self.backward_plan: tuple = tuple(
            (n, n.inputs, tuple((i, x) for i, x in enumerate(n.inputs) if x in needs))
            for n in reversed(self.nodes)
            if n in needs
        )

    # --- looking nodes up -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._ids

    def __getitem__(self, node_id: str) -> Node:
        try:
            return self._by_id[node_id]
        except KeyError:
            raise GraphError(f"no node {node_id!r} in this graph of {len(self)} nodes") from None

    def id_of(self, node: Node) -> str:
        """The node's id ("n3"); GraphError if it is not part of this graph."""
        if node not in self:
            raise GraphError(f"{node!r} is not part of this graph")
        return self._ids[node]

    def needs_grad(self, node: Node) -> bool:
        """True when the node depends on a Variable, so backward gives it a gradient."""
        return node in self._needs_grad

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Variable))

    @property
    def constants(self) -> tuple[Constant, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Constant))

    @property
    def functions(self) -> tuple[Function, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Function))

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """(input id, consumer id) for every argument of every function, in order."""
        return tuple(
            (self._ids[x], self._ids[n]) for n in self.nodes for x in n.inputs
        )

    def consumers(self, node: Node) -> tuple[Node, ...]:
        """The nodes that take ``node`` as an input (once each), in graph order.

        Indexed once per graph on first use: scanning every node per question made a window
        that asks it for each member of each collapsed scope quadratic (9,927 nodes: 13 s).
        """
        if node not in self._ids:
            raise GraphError(f"{node!r} is not part of this graph")
        if self._consumers is None:
            index: dict[Node, list[Node]] = {n: [] for n in self.nodes}
            for n in self.nodes:
                for x in dict.fromkeys(n.inputs):  # once each, however often it is an argument
                    index[x].append(n)
            self._consumers = {n: tuple(users) for n, users in index.items()}
        return self._consumers[node]

    # --- passes -----------------------------------------------------------------------
    def forward(self, check_finite: bool = False) -> None:
        """Re-evaluate every function node from the current leaf values.

        Raises
        ------
        NonFiniteError
            With ``check_finite``, naming the first node whose value has inf or nan.
        """
        for _ in passes.forward_steps(self, record=False, check_finite=check_finite):
            pass

    def backward(
        self,
        output: Node | None = None,
        cotangent: np.ndarray | float | None = None,
        check_finite: bool = False,
    ) -> None:
        """Reverse mode: set ``.grad`` = dL/d(node) on every node, L being ``output``.

        Gradients are reset by each call, not accumulated: a node used by several consumers
        (fan-out) gets the sum of their contributions within this pass, and a second call
        replaces the first call's gradients. (PyTorch instead adds each ``backward()`` into
        ``.grad`` until it is zeroed by hand.) Nodes that depend on no Variable get None;
        nodes that depend on one but do not reach ``output`` get zeros.

        Parameters
        ----------
        output : Node, optional
            The node to differentiate; defaults to the graph's only output.
        cotangent : array, optional
            The seed dL/d(output). Required when the output is not a scalar (the gradient is
            then that of ``sum(cotangent * output)``); 1 for a scalar output.
        check_finite : bool
            Raise NonFiniteError at the first gradient that has inf or nan.

        Raises
        ------
        GraphError
            An ambiguous or foreign output, a missing or misshapen cotangent.
        """
        for _ in passes.backward_steps(self, output, cotangent, record=False, check_finite=check_finite):
            pass

    def forward_steps(self, check_finite: bool = False) -> Iterator[Step]:
        """The forward pass one node at a time: a Step per node, leaves included."""
        return passes.forward_steps(self, record=True, check_finite=check_finite)

    def backward_steps(
        self,
        output: Node | None = None,
        cotangent: np.ndarray | float | None = None,
        check_finite: bool = False,
    ) -> Iterator[Step]:
        """The reverse pass one node at a time, with each chain-rule term; see :meth:`backward`."""
        return passes.backward_steps(self, output, cotangent, record=True, check_finite=check_finite)

    def tangents(self, seeds: Mapping[Node, np.ndarray | float], check_finite: bool = False) -> None:
        """Forward mode: set ``.tangent`` on every node from tangents given for some leaves.

        Nodes that do not depend on a seeded leaf get ``tangent = None`` (a zero tangent).
        """
        for _ in passes.tangent_steps(self, seeds, record=False, check_finite=check_finite):
            pass

    def tangent_steps(
        self, seeds: Mapping[Node, np.ndarray | float], check_finite: bool = False
    ) -> Iterator[Step]:
        """Forward mode one node at a time; see :meth:`tangents`."""
        return passes.tangent_steps(self, seeds, record=True, check_finite=check_finite)

    # --- drawing (by the layout layer, which registers itself: the engine never imports it) --
    def to_dot(self, collapsed=(), values: bool = False, gradients: bool = False):
        """The graph as a ``graphviz.Digraph``: styled by kind, scopes as clusters.

        See :func:`graphviz_nn.layout.graph_to_dot`; notebooks display the result inline.
        """
        return _drawing("to_dot")(self, collapsed, values, gradients)

    def _repr_svg_(self) -> str:
        """Inline display in a notebook, rendered by the bundled Graphviz; a big graph with its
        deepest scopes collapsed (1,307 nodes: 0.1 s and 258 kB instead of 1.4 s and 1.6 MB)."""
        return _drawing("to_svg")(self)

    def __repr__(self) -> str:
        return (
            f"Graph({len(self.nodes)} nodes: {len(self.variables)} variables, "
            f"{len(self.functions)} functions, {len(self.outputs)} output(s))"
        )


use_graph_class(Graph)

_DRAWERS: dict[str, Callable] = {}


def register_drawing(to_dot: Callable, to_svg: Callable) -> None:
    """Let graphs draw themselves: ``to_dot(graph, collapsed, values, gradients)`` returns a
    ``graphviz.Digraph`` and ``to_svg(graph)`` an SVG text for a notebook. The layout layer
    registers its own when it is imported (``import graphviz_nn`` does that)."""
    _DRAWERS.update(to_dot=to_dot, to_svg=to_svg)


def _drawing(kind: str) -> Callable:
    try:
        return _DRAWERS[kind]
    except KeyError:
        raise RuntimeError("no drawing is registered: import graphviz_nn.layout first") from None
