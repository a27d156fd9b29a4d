"""Random small graphs of the special functions, units, choosing, joining and indexing ops:
forward mode, reverse mode and central differences agree at every node.

As in test_random_graphs, Hypothesis grows a graph from variables of shapes (2, 3), (3,), ()
and (2, 1), keeping each drawn op whose plan accepts the shapes and parameters. Ops whose
slope jumps where Hypothesis likes to put values (clip's bounds; maximum and minimum, whose
kink a difference step crosses at 0 against 1e-274; a max over three equal values; std of
equal values; tan's poles) are left to their own tests and the registry's sample points.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import graphviz_nn as gn

from .test_random_graphs import assert_modes_agree
from graphviz_nn.engine import EngineError, ops

SHAPES = {"a": (2, 3), "b": (3,), "c": (), "d": (2, 1)}
UNARY = {
    "erf": ops.erf,
    "gelu": ops.gelu,
    "gelu_tanh": lambda x: ops.gelu(x, approximate="tanh"),
    "silu": ops.silu,
    "elu": ops.elu,
    "square": ops.square,
    "expm1": ops.expm1,
    "log1p_of_square": lambda x: ops.log1p(ops.square(x)),
    "reciprocal_of_1_plus_square": lambda x: ops.reciprocal(1.0 + ops.square(x)),
    "pad": lambda x: ops.pad(x, 1),
    "last": lambda x: ops.getitem(x, -1),
    "reversed": lambda x: ops.getitem(x, slice(None, None, -1)),
    "gathered_rows": lambda x: ops.getitem(x, [0, -1, 0]),
    "take_last_axis": lambda x: ops.take(x, [0, 0], axis=-1),
}
BINARY = {
    "where": lambda x, y: ops.where(gn.Constant([1.0, 0.0, 1.0]), x, y),
    "concatenate": lambda x, y: ops.concatenate([x, y], axis=-1),
    "stack": lambda x, y: ops.stack([x, y], axis=-1),
}
AXIS = {"logsumexp": ops.logsumexp, "var": ops.var}


@st.composite
def graphs(draw) -> tuple[list[gn.Variable], list[gn.Node], list[str]]:
    variables = [
        gn.Variable(draw(hnp.arrays(np.float64, shape, elements=st.floats(-1.5, 1.5))), name)
        for name, shape in SHAPES.items()
    ]
    pool: list[gn.Node] = list(variables)
    functions, recipes = [], []
    for _ in range(draw(st.integers(2, 6))):
        kind = draw(st.sampled_from(("unary", "binary", "axis")))
        x = draw(st.sampled_from(pool))
        name = draw(st.sampled_from(sorted({"unary": UNARY, "binary": BINARY, "axis": AXIS}[kind])))
        try:
            if kind == "unary":
                node, inputs = UNARY[name](x), (x,)
            elif kind == "binary":
                y = draw(st.sampled_from(pool))
                node, inputs = BINARY[name](x, y), (x, y)
            else:
                ndim = x.value.ndim
                axis = draw(st.sampled_from([None] + list(range(-ndim, ndim))))
                node, inputs = AXIS[name](x, axis=axis, keepdims=draw(st.booleans())), (x,)
                name += f"(axis={axis})"
        except EngineError:  # the op's plan refused these shapes
            continue
        pool.append(node)
        functions.append(node)
        recipes.append(f"{name}({', '.join(str(i.shape) for i in inputs)})")
    return variables, functions, recipes


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_forward_reverse_and_central_differences_agree_at_every_node(built) -> None:
    variables, functions, recipes = built
    assert_modes_agree(functions, recipes, variables)
