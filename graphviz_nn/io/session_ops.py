"""Rebuilding a function node from a session file's record: the op is looked up in the
registry and checks the call itself (parameters, output shape, cost) before it is applied, so
the format knows nothing about particular ops.

Qt-free.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import Function, Node, ParamError, ShapeError, registry
from ..engine.plan import Plan
from ..engine.registry import Op
from . import session_schema as schema
from .session_fields import count as _count
from .session_fields import short as _short

if TYPE_CHECKING:
    from .session_fields import FieldReader

NESTING = 8  # how deeply the writer nests lists in a parameter


def read_function(reader: FieldReader, node_index: Any, record: dict, where: str, name: str | None,
                  built: list[Node]) -> Function:
    """The function node a record describes, its op applied to the nodes ``built`` before it.

    ``node_index(node_id, defined, where, problem)`` gives the place of an input among them.
    The op checks the call first (:meth:`~graphviz_nn.engine.Op.plan`): its parameters against
    its declared schema, the output's shape and the work it costs, so that a hostile record is
    refused before anything is computed; ``reader.flops`` adds up the work of the whole graph.
    """
    op, inputs, plan = plan_function(reader, node_index, record, where, built)
    return build_function(reader, op, inputs, plan, where, name)


def plan_function(reader: FieldReader, node_index: Any, record: dict, where: str,
                  built: list) -> tuple[Op, list, Plan]:
    """The op, the inputs (among ``built``) and the checked plan of a function record, before
    anything is computed: ``built`` needs only each node's ``label`` and ``value.shape``."""
    op_name = reader.text(reader.field(record, "op", where), f"{where}: op")
    op = registry().get(op_name)
    if op is None:
        # The nearest names, not all of them: the list grows with every op (60 made the
        # message 600 characters), and a misspelling is what a reader most needs to see. At
        # 0.7 one is caught ("tahn" is 0.75 of "tanh") and an unrelated name is not
        # ("frobnicate" is 0.57 of "concatenate").
        near = difflib.get_close_matches(op_name, sorted(registry()), n=3, cutoff=0.7)
        raise reader.error(f"{where}: op {_short(op_name)} is not a known op (a newer graphviz-nn may have "
                           f"made this file); " + (f"the nearest known ops are {', '.join(near)}" if near else
                                                   f"this version knows {len(registry())} ops"))
    raw_inputs = reader.list(reader.field(record, "inputs", where), f"{where}: inputs")
    if len(raw_inputs) != op.arity:
        raise reader.error(f"{where}: {op_name} takes {op.arity} input(s), the file gives {len(raw_inputs)}")
    inputs = [built[node_index(x, len(built), f"{where}: input {i}",
                               "which is not a node defined before it; inputs must be "
                               "listed earlier in the file")]
              for i, x in enumerate(raw_inputs)]
    raw_params = reader.object(reader.field(record, "params", where), f"{where}: params")
    try:
        call = f"{op_name}({', '.join(f'{x.label[:40]} {tuple(x.value.shape)}' for x in inputs)})"
        plan = op.plan([x.value.shape for x in inputs], raw_params, call, [_dtype(x) for x in inputs])
    except (ParamError, ShapeError) as error:
        raise reader.error(f"{where}: {error}") from None
    if plan.temporary > schema.MAX_NODE_ELEMENTS:
        raise reader.error(f"{where}: {op_name} would make {_count(plan.temporary)} elements, more than "
                           f"the limit of {schema.MAX_NODE_ELEMENTS} for one node")
    reader.flops += plan.flops
    if reader.flops > schema.MAX_FLOPS:
        raise reader.error(f"{where}: recomputing the graph up to this {op_name} would take about "
                           f"{_count(reader.flops)} units of work (floating-point operations, each op priced "
                           f"at what it costs), more than the limit of {_count(schema.MAX_FLOPS)} "
                           f"(about two seconds of work)")
    return op, inputs, plan


def _dtype(node: Any) -> np.dtype:
    """The dtype of an input's values: a built node's own, a planned leaf's as its record
    says, and for a planned function the slowest its plan was made for (the price is for
    float64; numpy is 10-100 times slower on float16, long double and small integers, and
    what comes of them stays slow)."""
    dtype = getattr(node.value, "dtype", None)
    if dtype is None and getattr(node, "plan", None) is not None:
        return node.plan.dtype
    return np.dtype(dtype)


def build_function(reader: FieldReader, op: Op, inputs: list[Node], plan: Plan, where: str,
                   name: str | None) -> Function:
    """The function node of a checked plan, computed."""
    op_name = op.name
    try:
        # What apply(op, *inputs, **params) builds, without apply's own name keyword.
        return Function(op, inputs, dict(plan.params), name)
    except ShapeError as error:
        raise reader.error(f"{where}: {error}") from None
    except MemoryError:
        raise
    # The plan checked types, ranges and shapes; whatever else numpy raises means the record
    # is wrong all the same.
    except Exception as error:  # noqa: BLE001
        raise reader.error(f"{where}: {op_name} cannot be applied to these inputs and parameters "
                           f"({type(error).__name__}: {_short(str(error), 120)})") from None
