"""Forward versus reverse mode: building a Jacobian one pass at a time. Qt-free.

For f: R^n -> R^m, forward mode builds the m x n Jacobian column by column, one tangent pass
per input component (n passes); reverse mode builds it row by row, one backward pass per
output component (m passes). A :class:`JacobianPlan` lists those passes for one mode, says
what each pass yields and how much of the matrix is known after the first k of them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..engine import Graph, Node, Variable, jacobian
from .playback import Recording, record

MODES = ("forward", "reverse")


@dataclass(frozen=True, eq=False)
class JacobianPass:
    """One pass of a mode: what to seed and which column or row of the Jacobian it gives.

    Attributes
    ----------
    mode : str
        "forward" (the pass gives column ``index``) or "reverse" (it gives row ``index``).
    index : int
        0-based column (forward) or row (reverse) of the Jacobian.
    seeds : mapping of Variable to ndarray
        Forward mode: a one-hot tangent for one component of one input. Empty in reverse mode,
        and in forward mode when that input is not part of the graph (its column is zero).
    cotangent : ndarray or None
        Reverse mode: a one-hot seed in the output's shape. None in forward mode.
    label : str
        One line for the user, e.g. "column 2: ẋ2 = 1" or "row 1: seed f[0] = 1".
    """

    mode: str
    index: int
    seeds: Mapping[Variable, np.ndarray]
    cotangent: np.ndarray | None
    label: str

    @property
    def phase(self) -> str:
        """The :func:`~graphviz_nn.session.playback.record` phase that runs this pass."""
        return "tangent" if self.mode == "forward" else "backward"


def _component(name: str, shape: tuple[int, ...], k: int) -> str:
    """``name`` for a scalar, ``name[i]`` or ``name[i,j]`` for component k (C order)."""
    if not shape:
        return name
    return f"{name}[{','.join(str(i) for i in np.unravel_index(k, shape))}]"


def _dotted(label: str) -> str:
    """The label with a dot over its first letter, the tangent's notation: x1 -> ẋ1."""
    if not label:
        return label
    return unicodedata.normalize("NFC", label[0] + "\u0307" + label[1:])


class JacobianPlan:
    """The passes one mode takes to build d(output)/d(inputs), and what each one yields.

    Columns follow ``inputs`` in order, each flattened in C order, as in
    :func:`graphviz_nn.jacobian`; rows are the output's components in C order.

    Parameters
    ----------
    graph : Graph
        The graph the window shows; ``output`` must be one of its nodes.
    output : Node
        The function's value f, of any shape (m = its size).
    inputs : sequence of Variable
        The leaves to differentiate with respect to (n = their total size).
    mode : {"forward", "reverse"}

    Attributes
    ----------
    n, m : int
        Total input size and output size: the Jacobian is m x n.
    passes : tuple of JacobianPass
        n passes in forward mode, m in reverse mode.
    column_labels, row_labels : tuple of str
        "x1", "W[0,1]", ... and "z" or "f[0]", ...
    exact : ndarray
        The m x n Jacobian from :func:`graphviz_nn.jacobian`, computed once (with the mode
        that takes fewer passes).

    Raises
    ------
    ValueError
        An unknown mode.
    GraphError
        An output that is not part of ``graph``.
    """

    def __init__(self, graph: Graph, output: Node, inputs: Sequence[Variable], mode: str):
        if mode not in MODES:
            raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
        graph.id_of(output)  # GraphError for a foreign output
        self.graph = graph
        self.output = output
        self.inputs: tuple[Variable, ...] = tuple(inputs)
        self.mode = mode
        self._sizes = tuple(int(w.value.size) for w in self.inputs)
        self.n = sum(self._sizes)
        self.m = int(output.value.size)
        self.column_labels: tuple[str, ...] = tuple(
            _component(self._name_of(w, i), w.value.shape, k)
            for i, w in enumerate(self.inputs) for k in range(w.value.size)
        )
        self.row_labels: tuple[str, ...] = tuple(
            _component(output.name or "f", output.value.shape, i) for i in range(self.m)
        )
        self.passes: tuple[JacobianPass, ...] = (
            self._forward_passes() if mode == "forward" else self._reverse_passes()
        )
        if self.m and self.n:
            cheaper = "reverse" if self.m <= self.n else "forward"
            self.exact: np.ndarray = jacobian(output, list(self.inputs), mode=cheaper).matrix
        else:
            self.exact = np.zeros((self.m, self.n))

    def _name_of(self, node: Node, position: int) -> str:
        if node.name:
            return node.name
        return self.graph.id_of(node) if node in self.graph else f"input{position + 1}"

    def _forward_passes(self) -> tuple[JacobianPass, ...]:
        passes = []
        for w, size in zip(self.inputs, self._sizes):
            for k in range(size):
                column = len(passes)
                direction = np.zeros(w.value.shape)
                direction.flat[k] = 1.0
                seeds = {w: direction} if w in self.graph else {}
                label = f"column {column + 1}: {_dotted(self.column_labels[column])} = 1"
                passes.append(JacobianPass("forward", column, seeds, None, label))
        return tuple(passes)

    def _reverse_passes(self) -> tuple[JacobianPass, ...]:
        passes = []
        for i in range(self.m):
            cotangent = np.zeros(self.output.value.shape)
            cotangent.flat[i] = 1.0
            label = f"row {i + 1}: seed {self.row_labels[i]} = 1"
            passes.append(JacobianPass("reverse", i, {}, cotangent, label))
        return tuple(passes)

    def __len__(self) -> int:
        return len(self.passes)

    @property
    def other_mode(self) -> str:
        return "reverse" if self.mode == "forward" else "forward"

    @property
    def other_passes(self) -> int:
        """How many passes the other mode would take: m for forward, n for reverse."""
        return self.m if self.mode == "forward" else self.n

    def filled_after(self, passes_done: int) -> np.ndarray:
        """The m x n Jacobian as known after the first ``passes_done`` passes, NaN elsewhere."""
        done = max(0, min(int(passes_done), len(self.passes)))
        known = np.full((self.m, self.n), np.nan)
        if self.mode == "forward":
            known[:, :done] = self.exact[:, :done]
        else:
            known[:done, :] = self.exact[:done, :]
        return known

    def result_of(self, pass_: JacobianPass) -> np.ndarray:
        """The column (length m) or row (length n) that the pass gives, by running it.

        Forward mode runs ``graph.tangents(pass_.seeds)`` and reads the output's tangent;
        reverse mode runs ``graph.backward(output, pass_.cotangent)`` and reads the inputs'
        gradients. Either overwrites the tangents or gradients held on the graph's nodes.
        """
        if pass_.mode == "forward":
            self.graph.tangents(pass_.seeds)
            tangent = self.output.tangent
            return np.ravel(tangent).astype(float) if tangent is not None else np.zeros(self.m)
        self.graph.backward(self.output, pass_.cotangent)
        return np.concatenate([
            np.ravel(w.grad) if w in self.graph and w.grad is not None else np.zeros(size)
            for w, size in zip(self.inputs, self._sizes)
        ]) if self.inputs else np.zeros(0)

    def record(self, pass_: JacobianPass) -> Recording:
        """The pass recorded step by step, for the window to animate."""
        return record(self.graph, pass_.phase, self.output, pass_.cotangent, pass_.seeds)

    def __repr__(self) -> str:
        return f"JacobianPlan({self.mode}, {self.m}x{self.n}, {len(self.passes)} passes)"
