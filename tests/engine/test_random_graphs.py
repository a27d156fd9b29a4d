"""Random small graphs of broadcasting and axis-taking ops: three derivatives agree at every node.

Hypothesis grows a graph from four variables of shapes (2, 3), (3,), () and (2, 1): each step
applies a drawn op to drawn earlier nodes with drawn parameters (axes from the front, from
the end and mixed; keepdims; permutations in every sign form), and keeps it when the op's
declared plan accepts the shapes and parameters. At every function node of the graph, the
Jacobian with respect to all four variables is taken by forward mode, by reverse mode and by
central differences, and the three must agree.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import graphviz_nn as gn
from graphviz_nn.engine import EngineError, registry

SHAPES = {"a": (2, 3), "b": (3,), "c": (), "d": (2, 1)}
MODES_TOLERANCE = 1e-9
NUMERIC_TOLERANCE = 1e-6
UNARY = ("sin", "cos", "tanh", "sigmoid", "softplus", "logsigmoid", "neg")
BINARY = ("add", "sub", "mul", "safe_div", "safe_pow", "matmul", "dot")
AXIS = ("transpose", "sum", "mean", "softmax", "log_softmax", "reshape")


def _axis_values(ndim: int) -> list:
    """None, each axis, and each tuple of distinct axes in every order and sign form."""
    values: list = [None]
    for r in range(1, ndim + 1):
        for axes in itertools.permutations(range(ndim), r):
            for signs in itertools.product((False, True), repeat=r):
                form = tuple(a - ndim if s else a for a, s in zip(axes, signs))
                values.append(form[0] if r == 1 else form)
    return values


@st.composite
def graphs(draw) -> tuple[dict[str, gn.Variable], list[gn.Node], list[str]]:
    """Four variables and up to seven function nodes built on them, with their recipes."""
    variables = {
        name: gn.Variable(draw(hnp.arrays(np.float64, shape, elements=st.floats(-1.5, 1.5))), name)
        for name, shape in SHAPES.items()
    }
    pool: list[gn.Node] = list(variables.values())
    functions: list[gn.Node] = []
    recipes: list[str] = []
    for _ in range(draw(st.integers(2, 7))):
        kind = draw(st.sampled_from(("axis", "binary", "unary", "axis")))
        x = draw(st.sampled_from(pool))
        name = draw(st.sampled_from({"unary": UNARY, "binary": BINARY, "axis": AXIS}[kind]))
        params: dict = {}
        if kind == "binary":
            y = draw(st.sampled_from(pool))
            inputs = (x, y)
        else:
            inputs = (x,)
        ndim = x.value.ndim
        if name in ("sum", "mean"):
            params = {"axis": draw(st.sampled_from(_axis_values(ndim))), "keepdims": draw(st.booleans())}
        elif name in ("softmax", "log_softmax"):
            params = {"axis": draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))}
        elif name == "transpose":
            params = {"axes": draw(st.sampled_from([None] + [v if isinstance(v, tuple) else (v,)
                                                              for v in _axis_values(ndim)]))}
        elif name == "reshape":
            params = {"shape": draw(st.sampled_from([(-1,), x.value.shape[::-1], (1, -1)]))}
        try:
            node = _apply(name, inputs, params)
        except EngineError:  # the op's plan refused these shapes or parameters
            continue
        pool.append(node)
        functions.append(node)
        recipes.append(f"{name}({', '.join(str(i.value.shape) for i in inputs)}, {params})")
    return variables, functions, recipes


def _apply(name: str, inputs: tuple[gn.Node, ...], params: dict) -> gn.Node:
    if name == "safe_div":
        x, y = inputs
        return x / (1.0 + y * y)
    if name == "safe_pow":
        x, y = inputs
        return (1.0 + x * x) ** y
    op = registry()[name]
    op.plan([i.value.shape for i in inputs], params)  # the declared shape rule decides
    return gn.apply(op, *inputs, **params)


def _close(actual: np.ndarray, expected: np.ndarray, tolerance: float, what: str) -> None:
    error = float(np.linalg.norm(actual - expected))
    assert error <= tolerance * max(1.0, float(np.linalg.norm(expected))), f"{what}: {error:.2e}"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_forward_reverse_and_central_differences_agree_at_every_node(built) -> None:
    variables, functions, recipes = built
    assert_modes_agree(functions, recipes, list(variables.values()), width=6 + 3 + 1 + 2)


def assert_modes_agree(functions, recipes, wrt, width: int | None = None) -> None:
    """At every node: forward mode, reverse mode and central differences give one Jacobian
    (where the differences are finite), ``width`` columns wide when given."""
    for node, recipe in zip(functions, recipes):
        forward = gn.jacobian(node, wrt, mode="forward").matrix
        reverse = gn.jacobian(node, wrt, mode="reverse").matrix
        numeric = gn.numeric_jacobian(node, wrt)
        if not np.isfinite(numeric).all():
            continue
        assert forward.shape == reverse.shape == (node.value.size, forward.shape[1] if width is None else width)
        _close(forward, reverse, MODES_TOLERANCE, f"forward vs reverse at {recipe}")
        _close(forward, numeric, NUMERIC_TOLERANCE, f"forward vs differences at {recipe}")
        _close(reverse, numeric, NUMERIC_TOLERANCE, f"reverse vs differences at {recipe}")


def test_the_strategy_reaches_axis_ops_with_negative_and_mixed_axes() -> None:
    values = _axis_values(3)
    assert -1 in values and (0, -1) in values and (-3, 1, 2) in values
    assert len(values) == 1 + 6 + 24 + 48
