"""Backpropagation through time made visible: the gradient's size at each step of an
unrolled RNN, LSTM or GRU, its gates over time, and its recurrent weights scaled. Qt-free.

A recurrent layer (``graphviz_nn.nn.recurrent``) unrolls a sequence into one scope per step
("t 3", or "layer 1" / "t 3" when stacked), each step's new hidden state named "h" (the
LSTM's cell "c", its gates "i", "f", "o"; the GRU's "r", "z"). The steps of one layer are
found from its recurrent weight ``weight_hh_l{k}``: every step multiplies the state before
by Wₕₕᵀ, and the step's h is the node named "h" downstream of that product in the same scope.
So several layers in one graph (an RNN and an LSTM fed the same sequence) never mix: each
has its own weight, whatever its scope is called.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from ..engine import Graph, Node, Variable
from ..nn.recurrent import RNNBase
from .playback import Cursor

__all__ = ["GATE_NAMES", "GateValues", "GradientStrip", "SavedWeights", "TimeStep", "Unrolling",
           "find_unrollings", "gate_values", "gradient_strip", "layer_unrolling",
           "scale_recurrent_weights", "unrolling"]

#: The gates each kind of layer shows over time, as its cell names them, and what they are called.
GATE_NAMES: Mapping[str, Mapping[str, str]] = {
    "RNN": {}, "LSTM": {"i": "input", "f": "forget", "o": "output"}, "GRU": {"r": "reset", "z": "update"},
}
#: The names a step of each kind holds besides "h": how a step tells what it is.
_KIND_SIGNS = (("LSTM", {"c", "i", "f", "o"}), ("GRU", {"r", "z", "n"}), ("RNN", set()))
#: A recurrent weight's names: torch's, and the equations' that the gallery draws (W_hh, Wₕₕ).
_RECURRENT_WEIGHT = re.compile(r"weight_hh_l\d+|W_hh(_l\d+)?|Wₕₕ")


@dataclass(frozen=True, eq=False)
class TimeStep:
    """One step t of an unrolled layer: its new hidden state h_t, the LSTM's cell state c_t
    (None for RNN and GRU), and its gates by the cell's names ("i", "f", "o"; "r", "z")."""

    t: int
    hidden: Node
    cell: Node | None
    gates: Mapping[str, Node]


@dataclass(frozen=True, eq=False)
class Unrolling:
    """The steps of one layer (of one recurrent module) in a graph, t = 0 .. T − 1.

    Attributes
    ----------
    label : str
        The layer's scope as the graph draws it ("rnn: RNN", "LSTM / layer 1").
    kind : str
        "RNN", "LSTM" or "GRU", as its steps show.
    weight_hh : Variable
        The recurrent weight Wₕₕ the steps were found from.
    steps : tuple of TimeStep
    graph : Graph
        The graph they were found in.
    """

    label: str
    kind: str
    weight_hh: Variable
    steps: tuple[TimeStep, ...]
    graph: Graph

    def __len__(self) -> int:
        return len(self.steps)


def _in_scope(start: Node, scope: tuple[str, ...], neighbours) -> list[Node]:
    """The nodes reached from ``start`` through ``neighbours`` without leaving ``scope``."""
    reached, stack, seen = [], [start], {start}
    while stack:
        node = stack.pop()
        reached.append(node)
        for other in neighbours(node):
            if other not in seen and other.scope == scope:
                seen.add(other)
                stack.append(other)
    return reached


def _step_nodes(graph: Graph, product: Node) -> list[Node]:
    """The nodes of the step whose product h_{t−1} Wₕₕᵀ is ``product``: everything its new h
    is computed from inside the step's scope (both products, the gates, c); empty when no
    node named "h" follows the product in its scope."""
    if not product.scope:  # a step is always a scope: this product is something else
        return []
    after = _in_scope(product, product.scope, graph.consumers)
    h = next((node for node in after if node.name == "h"), None)
    return [] if h is None else _in_scope(h, product.scope, lambda node: node.inputs)


def _kind(names: set[str]) -> str:
    return next(kind for kind, signs in _KIND_SIGNS if signs <= names)


def unrolling(graph: Graph, weight_hh: Variable, label: str | None = None) -> Unrolling:
    """The steps of the layer whose recurrent weight is ``weight_hh``, in time order.

    Parameters
    ----------
    graph : Graph
        A graph holding the unrolled layer (built from its output, its final state, or a loss
        computed from them).
    weight_hh : Variable
        The layer's ``weight_hh_l{k}``: the steps are the products h_{t−1} Wₕₕᵀ made from it.
    label : str, optional
        The row's name; by default the weight's scope ("LSTM / layer 1") or the layer's kind.

    Raises
    ------
    ValueError
        The weight is not in the graph, no step's h is reached from it, or the layer was
        unrolled more than once in this graph (called on two sequences).
    """
    return _unrolling_of(graph, weight_hh, _found_steps(graph, weight_hh), label)


def _unrolling_of(graph: Graph, weight_hh: Variable, found: list, label: str | None = None) -> Unrolling:
    steps = tuple(TimeStep(t, s.hidden, s.cell, s.gates) for t, (_, s) in enumerate(found))
    kind = found[0][0]
    return Unrolling(label or " / ".join(weight_hh.scope) or kind, kind, weight_hh, steps, graph)


def _found_steps(graph: Graph, weight_hh: Variable) -> list[tuple[str, TimeStep]]:
    """Each step reached from the weight, in time order, and its kind."""
    name = weight_hh.label
    if weight_hh not in graph:
        raise ValueError(f"recurrence: {name} is not part of this graph; build the graph from the "
                         "layer's output (or a loss computed from it)")
    calls: dict[Node, list[tuple[str, TimeStep, Node]]] = {}
    for transposed in graph.consumers(weight_hh):
        for product in graph.consumers(transposed):
            members = _step_nodes(graph, product)
            by_name = {n.name: n for n in members if n.name is not None}
            if members:
                kind = _kind(set(by_name))
                gates = {g: by_name[g] for g in GATE_NAMES[kind] if g in by_name}
                step = TimeStep(0, by_name["h"], by_name.get("c") if kind == "LSTM" else None, gates)
                calls.setdefault(transposed, []).append((kind, step, product))
    if not calls:
        raise ValueError(f"recurrence: no step's hidden state h is reached from {name} in this graph; "
                         "give the weight_hh of a layer of graphviz_nn.nn.recurrent that the graph holds")
    if len(calls) > 1:
        raise ValueError(f"recurrence: {name} was unrolled {len(calls)} times in this graph (the layer was "
                         "called on more than one sequence); show a graph of one call")
    place = {node: i for i, node in enumerate(graph.nodes)}
    found = sorted(next(iter(calls.values())), key=lambda found: place[found[1].hidden])  # h_t needs h_{t−1}
    # What makes the weight recurrent: each step's product reads the step before's h.
    if any(before[1].hidden not in after[2].inputs for before, after in zip(found, found[1:])):
        raise ValueError(f"recurrence: {name} is no recurrent weight (its products do not read the h of "
                         "the step before); give the layer's weight_hh")
    return [(kind, step) for kind, step, _ in found]


def layer_unrolling(graph: Graph, layer: RNNBase, num_layer: int | None = None) -> Unrolling:
    """The steps of one layer of a recurrent module (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``).

    Parameters
    ----------
    graph : Graph
    layer : RNNBase
        The module; its ``weight_hh_l{num_layer}`` finds the steps.
    num_layer : int, optional
        Which of its stacked layers, from 0; the last (the one its output reads) by default.

    Raises
    ------
    ValueError
        A layer number the module does not have, or as :func:`unrolling`.
    """
    layers = layer.num_layers
    k = layers - 1 if num_layer is None else int(num_layer)
    if not 0 <= k < layers:
        raise ValueError(f"recurrence: {layer.label} has "
                         f"{layers} layer(s), numbered 0 to {layers - 1}; there is no layer {num_layer}")
    return unrolling(graph, getattr(layer, f"weight_hh_l{k}"))


def find_unrollings(graph: Graph, every_layer: bool = False) -> tuple[Unrolling, ...]:
    """Every recurrent layer the graph unrolls, found by its weights torch calls
    ``weight_hh_l{k}`` (or, drawn as the equations write them, ``W_hh``), in the graph's order; weights that unroll no step (or more than one
    sequence) are left out.

    Parameters
    ----------
    graph : Graph
    every_layer : bool
        Keep the lower layers of stacked modules too; by default only the layers no other
        layer reads (a module's last layer, the one its output is).
    """
    candidates = []
    for v in graph.variables:
        if v.name and _RECURRENT_WEIGHT.fullmatch(v.name):
            try:
                candidates.append((v, _found_steps(graph, v)))
            except ValueError:
                continue  # a weight of that name that unrolls nothing, or a layer called twice
    if not every_layer:
        candidates = [(v, steps) for v, steps in candidates
                      if not any(_stacked_under(graph, (v, steps), other) for other in candidates if other[0] is not v)]
    return tuple(_unrolling_of(graph, v, steps) for v, steps in candidates)


def _stacked_under(graph: Graph, lower: tuple, upper: tuple) -> bool:
    """Whether ``lower`` is a layer of the same module as ``upper`` (their weights in the
    module's boxes "layer i" and "layer j") that ``upper`` reads: not the module's output.
    Two modules, one reading the other's output, are both kept."""
    (w_low, low), (w_up, up) = lower, upper
    if not (w_low.scope and w_up.scope and w_low.scope[:-1] == w_up.scope[:-1]
            and w_low.scope[-1].startswith("layer ") and w_up.scope[-1].startswith("layer ")):
        return False
    target, stack, seen = low[0][1].hidden, [up[0][1].hidden], set()
    while stack:  # does the upper layer's first step read the lower layer's?
        node = stack.pop()
        if node is target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(node.inputs)
    return False


def _norm(g: np.ndarray | None) -> float:
    return math.nan if g is None else float(np.sqrt(np.vdot(g, g)))


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class GradientStrip:
    """The gradient's size at each step of one layer, ‖∂L/∂h_t‖ for t = 0 .. T − 1.

    Each is the norm over the batch and the units of the total gradient at h_t that the
    backward pass computes (the sum of what the next step, the layer above and the output
    send back): NaN where no gradient is known yet (before the backward pass reaches it).

    Attributes
    ----------
    label, kind : str
        As the :class:`Unrolling`'s.
    hidden : ndarray (T,)
        ‖∂L/∂h_t‖, read-only.
    cell : ndarray (T,) or None
        ‖∂L/∂c_t‖ of an LSTM's cell state, the path that lets the gradient through; None for
        RNN and GRU.
    """

    label: str
    kind: str
    hidden: np.ndarray
    cell: np.ndarray | None

    def __len__(self) -> int:
        return len(self.hidden)


def gradient_strip(unrolling: Unrolling, cursor: Cursor | None = None) -> GradientStrip:
    """‖∂L/∂h_t‖ at each step, from the last backward pass (each node's ``grad``), or from a
    recorded backward pass as far as ``cursor`` has played it (later steps are NaN).

    Raises
    ------
    ValueError
        A cursor over a forward or tangent pass, which holds no gradients.
    """
    if cursor is None:
        def gradient(node: Node) -> np.ndarray | None:
            return node.grad
    elif cursor.recording.phase != "backward":
        raise ValueError(f"recurrence: a {cursor.recording.phase} pass holds no gradients; give a cursor "
                         "over the backward pass (player.recording('backward'))")
    else:
        def gradient(node: Node) -> np.ndarray | None:
            return cursor.quantity(unrolling.graph.id_of(node))
    steps = unrolling.steps
    hidden = np.array([_norm(gradient(s.hidden)) for s in steps])
    cell = np.array([_norm(gradient(s.cell)) for s in steps]) if unrolling.kind == "LSTM" else None
    return GradientStrip(unrolling.label, unrolling.kind, _frozen(hidden),
                         None if cell is None else _frozen(cell))


@dataclass(frozen=True, eq=False)
class GateValues:
    """The gates of one layer over time, from the forward values.

    Attributes
    ----------
    label, kind : str
        As the :class:`Unrolling`'s.
    values : mapping of str to ndarray (T, N, H)
        Each gate by its cell name ("i", "f", "o"; "r", "z"), in that order, read-only;
        empty for an RNN, which has none.
    """

    label: str
    kind: str
    values: Mapping[str, np.ndarray]

    def title(self, name: str) -> str:
        """"forget gate f": what a gate is called."""
        return f"{GATE_NAMES[self.kind][name]} gate {name}"

    def picture(self, name: str, sample: int | None = None) -> np.ndarray:
        """A gate as units by time (H, T): averaged over the batch, or one sequence's.

        Raises
        ------
        ValueError
            A gate this layer does not have, or a sample outside the batch.
        """
        if name not in self.values:
            raise ValueError(f"recurrence: {self.label} has no gate {name!r}; its gates are "
                             f"{', '.join(self.values) or 'none'}")
        values = self.values[name]
        if sample is None:
            return values.mean(axis=1).T
        if not 0 <= sample < values.shape[1]:
            raise ValueError(f"recurrence: sample {sample} is outside the batch of {values.shape[1]} "
                             f"sequences of {self.label}; give 0 to {values.shape[1] - 1}, or None for the mean")
        return values[:, sample].T


def gate_values(unrolling: Unrolling) -> GateValues:
    """The layer's gates at every step, as the last forward pass left them."""
    names = [g for g in GATE_NAMES[unrolling.kind] if all(g in s.gates for s in unrolling.steps)]
    values = {g: _frozen(np.stack([s.gates[g].value for s in unrolling.steps])) for g in names}
    return GateValues(unrolling.label, unrolling.kind, values)


@dataclass(frozen=True, eq=False)
class SavedWeights:
    """Recurrent weights and the values they held when saved: what scaling them needs to
    put them back."""

    weights: tuple[Variable, ...]
    values: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, weights: Iterable[Variable]) -> SavedWeights:
        """A copy of each weight's value."""
        weights = tuple(weights)
        for w in weights:
            if not isinstance(w, Variable):
                raise TypeError(f"recurrence: only weights (Variables) are scaled, not {type(w).__name__} "
                                f"{getattr(w, 'label', '')!r}")
        return cls(weights, tuple(np.array(w.value) for w in weights))

    def scale(self, factor: float) -> None:
        """Set each weight to ``factor`` times its saved value (not its current one: scaling
        by 2 then by 3 gives 3 W, never 6 W). Run the passes again to see the effect."""
        factor = float(factor)
        if not math.isfinite(factor):
            raise ValueError(f"recurrence: the recurrent weights' scale must be a finite number, got {factor}")
        for w, value in zip(self.weights, self.values):
            w.value = value * factor

    def restore(self) -> None:
        """Put the saved values back (copies: an optimiser updating a weight in place leaves
        them as saved)."""
        for w, value in zip(self.weights, self.values):
            w.value = value.copy()


def scale_recurrent_weights(weights: Iterable[Variable], factor: float) -> SavedWeights:
    """Multiply recurrent weights by ``factor``: above 1 the gradient through many steps can
    explode, below it vanishes faster.

    Parameters
    ----------
    weights : iterable of Variable
        The layers' ``weight_hh_l{k}`` (``[u.weight_hh for u in find_unrollings(graph,
        every_layer=True)]`` for all of a graph's).
    factor : float

    Returns
    -------
    SavedWeights
        What puts them back: ``.restore()``; ``.scale(f)`` scales the saved values again.
    """
    saved = SavedWeights.of(weights)
    saved.scale(factor)
    return saved
