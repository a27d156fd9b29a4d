"""What a session file needs to know about particular ops: how their parameters are read
back, how large their results will be, and applying them to rebuild a function node.

Everything op-specific of the format is here, in one place.

Qt-free.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import Function, Node, ShapeError, registry
from . import session_schema as schema
from .session_fields import count as _count
from .session_fields import is_index as _is_index
from .session_fields import is_number as _is_number
from .session_fields import param_kind as _param_kind
from .session_fields import short as _short

if TYPE_CHECKING:
    from .session_fields import FieldReader

NESTING = 8  # how deeply a param of an unknown name may nest lists
_NESTING = NESTING
_BAD = object()  # what a parameter decoder returns for a value of the wrong type


def _index_tuple(value: Any) -> Any:
    if isinstance(value, list) and all(_is_index(v) for v in value):
        return tuple(value)
    return _BAD


def _decode_plain(value: Any, depth: int = 0) -> Any:
    """A parameter of a name the registry's ops do not use: scalars as they are, lists as tuples."""
    if value is None or isinstance(value, (bool, str, float)) or _is_index(value):
        return value
    if isinstance(value, list) and depth < _NESTING:
        items = tuple(_decode_plain(v, depth + 1) for v in value)
        return _BAD if any(item is _BAD for item in items) else items
    return _BAD


# The parameters the registry's ops take: how each is read back (lists become the tuples the
# engine uses) and, for the message when it is of the wrong type, what it should be.
_PARAMS: dict[str, tuple[Any, str]] = {
    "axis": (lambda v: v if v is None or _is_index(v) else _index_tuple(v),
             "a whole number, a list of whole numbers, or null"),
    "axes": (lambda v: v if v is None else _index_tuple(v), "a list of whole numbers or null"),
    "shape": (lambda v: v if _is_index(v) else _index_tuple(v), "a list of whole numbers"),
    "keepdims": (lambda v: v if isinstance(v, bool) else _BAD, "true or false"),
    "alpha": (lambda v: v if _is_number(v) else _BAD, "a number"),
}
_PLAIN = (_decode_plain, f"a number, text, true/false, null or a list of those (at most {_NESTING} deep)")


def _result_elements(op_name: str, elementwise: bool, shapes: list[tuple[int, ...]]) -> int | None:
    """How many elements an op's result will have (or an upper bound), computed from shapes
    alone so an oversized node is refused before it is allocated; None when the shapes do not
    fit, which the engine then reports itself."""
    try:
        if elementwise:
            return math.prod(np.broadcast_shapes(*shapes))
        if len(shapes) == 1:
            return math.prod(shapes[0])  # the unary ops reshape, permute, reduce or map
        if op_name in ("matmul", "dot") and all(shapes):
            a, b = shapes
            if op_name == "dot":
                return math.prod(np.broadcast_shapes(a[:-1], b[:-1]))
            rows = a[-2:-1] if len(a) > 1 else ()
            cols = b[-1:] if len(b) > 1 else ()
            return math.prod(np.broadcast_shapes(a[:-2], b[:-2])) * math.prod(rows) * math.prod(cols)
    except ValueError:
        return None
    return math.prod(math.prod(s) for s in shapes)  # any other op: the outer product bounds it


def _params(reader: FieldReader, raw: dict, where: str) -> dict[str, Any]:
    params = {}
    for key, value in raw.items():
        decode, wanted = _PARAMS.get(key, _PLAIN)
        decoded = decode(value)
        if decoded is _BAD:
            raise reader.error(f"{where}: parameter {_short(key, 30)} must be {wanted}, "
                               f"found {_param_kind(value)}")
        params[key] = decoded
    return params


def read_function(reader: FieldReader, node_index: Any, record: dict, where: str, name: str | None,
                  built: list[Node]) -> Function:
    """The function node a record describes, its op applied to the nodes ``built`` before it.

    ``node_index(node_id, defined, where, problem)`` gives the place of an input among them.
    """
    op_name = reader.text(reader.field(record, "op", where), f"{where}: op")
    op = registry().get(op_name)
    if op is None:
        raise reader.error(f"{where}: op {_short(op_name)} is not a known op (a newer graphviz-nn "
                           f"may have made this file); the ops are {', '.join(sorted(registry()))}")
    raw_inputs = reader.list(reader.field(record, "inputs", where), f"{where}: inputs")
    if len(raw_inputs) != op.arity:
        raise reader.error(f"{where}: {op_name} takes {op.arity} input(s), the file gives {len(raw_inputs)}")
    inputs = [built[node_index(x, len(built), f"{where}: input {i}",
                               "which is not a node defined before it; inputs must be "
                               "listed earlier in the file")]
              for i, x in enumerate(raw_inputs)]
    params = _params(reader, reader.object(reader.field(record, "params", where), f"{where}: params"),
                     f"{where}: {op_name}")
    size = _result_elements(op.name, op.elementwise, [x.value.shape for x in inputs])
    if size is not None and size > schema.MAX_NODE_ELEMENTS:
        raise reader.error(f"{where}: {op_name} would make {_count(size)} elements, more than the "
                           f"limit of {schema.MAX_NODE_ELEMENTS} for one node")
    try:
        # What apply(op, *inputs, **params) builds, without apply's own name keyword.
        return Function(op, inputs, params, name)
    except ShapeError as error:
        raise reader.error(f"{where}: {error}") from None
    except MemoryError:
        raise
    # The op's own numpy code decides what else a misfit raises (TypeError for a parameter
    # it does not take, OverflowError, ...): any of it means the record is wrong.
    except Exception as error:  # noqa: BLE001
        raise reader.error(f"{where}: {op_name} cannot be applied to these inputs and parameters "
                           f"({type(error).__name__}: {_short(str(error), 120)})") from None
