"""What the window shows of a graph: the graph, where its passes start, what its parts stand for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..engine import Graph, Node, Variable


@dataclass(frozen=True, eq=False)
class Built:
    """An example ready to show.

    Attributes
    ----------
    graph : Graph
    output : Node
        The node the backward pass starts from.
    cotangent : ndarray or None
        Its seed when the output is not a scalar.
    inputs : tuple of Variable
        The leaves a forward-mode (tangent) pass can start from; the first is the default.
    note : str
        One line shown in the status bar.
    network : object, optional
        The network or model whose graph this is (a spec model's run settings, where the
        window trains the graph itself).
    training : object, optional
        What Train in the window trains for this example when it is not the graph itself: a
        spec model's run settings (``ModelSettings``) of the same architecture on a dataset.
    axis_labels : mapping of Node to (row labels, column labels)
        What the rows and columns of a node's last two axes stand for (an attention
        weights node's queries and keys: its tokens), for the views that draw it as a map.
    collapsed : frozenset of scope paths, optional
        The scopes drawn collapsed when it opens (an unrolled recurrence's time steps, one
        box each); None leaves the choice to the graph's size (``layout.default_collapsed``).
    """

    graph: Graph
    output: Node
    cotangent: np.ndarray | None = None
    inputs: tuple[Variable, ...] = ()
    note: str = ""
    network: object | None = field(default=None)
    axis_labels: Mapping[Node, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    collapsed: frozenset[tuple[str, ...]] | None = None
    training: object | None = None

    @classmethod
    def of(cls, output: Node, inputs=(), note: str = "", graph: Graph | None = None) -> Built:
        """What shows ``output`` (in ``graph``, by default everything it depends on): a
        non-scalar output's backward pass is seeded with ones."""
        value = np.asarray(output.value)
        return cls(graph if graph is not None else Graph(output), output,
                   None if value.size == 1 else np.ones(value.shape), tuple(inputs), note)
