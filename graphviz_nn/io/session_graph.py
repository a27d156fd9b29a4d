"""A session file's graph in two passes: its whole structure checked from the JSON alone (ids,
inputs, ops, parameters, shapes, order, and what recomputing it costs against the file's
allowance), then its values read and computed.

Qt-free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import Constant, Graph, Node, Variable
from ..engine.graph import topological_order
from . import session_schema as schema
from .bounded_archive import REAL_KINDS, ArrayReader
from .session_fields import FieldReader, count, id_number, short
from .session_ops import build_function, plan_function
from .session_schema import JSON_MEMBER, Allowance

_LEAVES = {"variable": Variable, "constant": Constant}
_MOST_DIMENSIONS = 64  # numpy's own limit


class Planned:
    """One node as its record describes it, checked, before any value exists.

    ``value`` is the node itself, so that the op's planning reads ``value.shape`` and ``label``
    as it does of a built node.
    """

    __slots__ = ("index", "kind", "name", "scope", "shape", "dtype", "op", "plan", "inputs", "value")

    def __init__(self, index: int, kind: str, name: str | None, scope: tuple[str, ...], shape: tuple[int, ...]):
        self.index, self.kind, self.name, self.scope, self.shape = index, kind, name, scope, shape
        self.dtype: str | None = None
        self.op = self.plan = None
        self.inputs: tuple[Planned, ...] = ()
        self.value = self

    @property
    def label(self) -> str:
        return self.name if self.name is not None else (self.op.label if self.op is not None else self.kind)

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True, eq=False)
class GraphPlan:
    """The checked structure of a graph: its nodes in order, its outputs, and what it costs.

    Attributes
    ----------
    nodes : list of Planned
    outputs : list of int
    memory : int
        Bytes its values take at most while they are read and computed.
    leaf_bytes : int
        Bytes of its leaves' values, a part of ``memory``.
    layers : dict of str to (int, int)
        For each scope holding Variables: how many, and how many numbers in them.
    """

    nodes: list
    outputs: list
    memory: int
    leaf_bytes: int
    layers: dict


def plan_graph(reader: FieldReader, doc: dict, allowance: Allowance) -> GraphPlan:
    """The graph's structure, every node checked and priced before anything is read or computed."""
    where = f"{JSON_MEMBER}: graph"
    records = reader.list(reader.field(doc, "nodes", where), f"{where}.nodes")
    if not records:
        raise reader.error(f"{where} has no nodes")
    if len(records) > schema.MAX_NODES:
        raise reader.error(f"{where} has {len(records)} nodes, more than the limit of {schema.MAX_NODES}")
    if len(records) > allowance.nodes:
        raise reader.error(f"{where} has {len(records)} nodes, more than a session file of this size holds "
                           f"(at most {allowance.nodes}); the file is damaged or was not made by graphviz-nn")
    planned: list[Planned] = []
    leaf_bytes = function_bytes = peak = elements = 0
    itemsize = 8  # a function's values take the widest of its inputs' types, float64 at least
    for index, raw in enumerate(records):
        node = _plan_node(reader, raw, index, planned)
        elements += node.size
        if elements > schema.MAX_TOTAL_ELEMENTS:
            raise reader.error(f"{where}: the values of nodes n0..n{index} have more than "
                               f"{schema.MAX_TOTAL_ELEMENTS} elements together, more than the limit")
        if node.plan is None:
            dtype = np.dtype(node.dtype)
            itemsize = max(itemsize, dtype.itemsize)
            leaf_bytes += node.size * dtype.itemsize
        else:
            peak = max(peak, function_bytes + node.plan.temporary * itemsize)
            function_bytes += node.size * itemsize
        memory = leaf_bytes + max(peak, function_bytes)
        if memory > allowance.memory:
            raise reader.error(f"{where}: the values of nodes n0..n{index} would take {count(memory)} bytes, "
                               f"more than a session file of this size may ask for ({allowance.memory}: "
                               f"{schema.MEMORY_FLOOR} and {schema.MEMORY_PER_BYTE} for each byte of the file)")
        planned.append(node)
    outputs = _outputs(reader, doc, planned, where)
    return GraphPlan(planned, outputs, leaf_bytes + max(peak, function_bytes), leaf_bytes, _layers(planned))


def _plan_node(reader: FieldReader, raw: Any, index: int, planned: list[Planned]) -> Planned:
    where = f"{JSON_MEMBER}: node {index}"
    record = reader.object(raw, where)
    node_id = reader.text(reader.field(record, "id", where), f"{where}: id")
    if node_id != f"n{index}":
        number = id_number(node_id)
        problem = "repeats an earlier node's id" if number is not None and number < index else "is out of order"
        raise reader.error(f"{where}: id {short(node_id)} {problem}; nodes are listed in graph "
                           f"order with ids n0, n1, ..., so this one must be n{index}")
    where = f"{JSON_MEMBER}: node {node_id}"
    kind = reader.text(reader.field(record, "kind", where), f"{where}: kind")
    name = reader.text(reader.field(record, "name", where), f"{where}: name", optional=True)
    scope = reader.scope(reader.field(record, "scope", where), f"{where}: scope")
    if kind in _LEAVES:
        node = Planned(index, kind, name, scope, _shape(reader, record, where))
        node.dtype = _dtype(reader, record, where)
        return node
    if kind != "function":
        raise reader.error(f"{where}: kind {short(kind)} is not one of variable, constant, function")
    op, inputs, plan = plan_function(reader, node_index(reader), record, where, planned)
    node = Planned(index, kind, name, scope, tuple(plan.shape))
    node.op, node.plan, node.inputs = op, plan, tuple(inputs)
    return node


def node_index(reader: FieldReader):
    """``index(node_id, defined, where, problem)``: the place of a node named by id among the
    ``defined`` nodes read so far."""
    def index(node_id: Any, defined: int, where: str, problem: str) -> int:
        node_id = reader.text(node_id, where)
        number = id_number(node_id)
        if number is None or number >= defined:
            raise reader.error(f"{where} is {short(node_id)}, {problem}")
        return number
    return index


def _shape(reader: FieldReader, record: dict, where: str) -> tuple[int, ...]:
    raw = reader.list(reader.field(record, "shape", where), f"{where}: shape")
    if len(raw) > _MOST_DIMENSIONS:  # the ops refuse more than 32 themselves, naming the op
        raise reader.error(f"{where}: shape has {len(raw)} dimensions, more than numpy holds ({_MOST_DIMENSIONS})")
    shape = tuple(reader.whole(n, f"{where}: shape[{i}]") for i, n in enumerate(raw))
    if any(n < 0 for n in shape):
        raise reader.error(f"{where}: shape {short(shape, 60)} has a negative length")
    return shape


def _dtype(reader: FieldReader, record: dict, where: str) -> str:
    text = reader.text(reader.field(record, "dtype", where), f"{where}: dtype")
    try:
        dtype = np.dtype(text)
    except Exception:  # noqa: BLE001 - numpy's dtype parser raises several types
        dtype = None
    if dtype is None or dtype.hasobject or dtype.kind not in REAL_KINDS or dtype.str != text:
        raise reader.error(f"{where}: dtype {short(text, 40)} is not a dtype of real numbers as numpy "
                           "writes one, such as '<f8'")
    return text


def _outputs(reader: FieldReader, doc: dict, planned: list[Planned], where: str) -> list[int]:
    raw = reader.list(reader.field(doc, "outputs", where), f"{where}.outputs")
    if not raw:
        raise reader.error(f"{where}.outputs is empty; a graph needs at least one output")
    index = node_index(reader)
    outputs = [index(out, len(planned), f"{where}.outputs[{i}]", "which is not a node of the graph")
               for i, out in enumerate(raw)]
    # The outputs determine the graph order; the file must list exactly those nodes in it,
    # so that ids (and output_id) mean the same nodes after loading.
    order = topological_order(tuple(planned[i] for i in outputs))
    if len(order) != len(planned):
        reached = set(order)
        unused = next(node.index for node in planned if node not in reached)
        raise reader.error(f"{where}: node n{unused} feeds none of the outputs; a session file "
                           "lists only the nodes the outputs depend on")
    for place, node in enumerate(order):
        if node is not planned[place]:
            raise reader.error(f"{where}: the nodes are not in graph order (the outputs put n"
                               f"{node.index} at place {place}); list them as save_session does")
    return outputs


def _layers(planned: list[Planned]) -> dict[str, tuple[int, int]]:
    layers: dict[str, tuple[int, int]] = {}
    for node in planned:
        if node.kind == "variable":
            key = node.scope[0] if node.scope else ""
            arrays, numbers = layers.get(key, (0, 0))
            layers[key] = (arrays + 1, numbers + node.size)
    return layers


def build_graph(reader: FieldReader, plan: GraphPlan, arrays: ArrayReader) -> Graph:
    """The graph a checked plan describes: its leaves read, its functions computed."""
    built: list[Node] = []
    for p in plan.nodes:
        node_id = f"n{p.index}"
        if p.plan is None:
            node: Node = _LEAVES[p.kind](0.0, p.name)
            node.value = arrays.read(node_id, f"the leaf {node_id}", expect=(p.dtype, p.shape))
        else:
            with np.errstate(all="ignore"):  # a graph may hold inf and nan on purpose
                node = build_function(reader, p.op, [built[x.index] for x in p.inputs], p.plan,
                                      f"{JSON_MEMBER}: node {node_id}", p.name)
        node.scope = p.scope
        built.append(node)
    graph = Graph(*(built[i] for i in plan.outputs))
    assert len(graph) == len(built), "the planned order is the graph's"
    return graph
