"""Property tests: forward mode, reverse mode and central differences agree.

Hypothesis builds random composite expressions over three variables, x1 of shape (3,), x2 a
scalar and x3 of shape (3,), from smooth ops only (no abs or relu kinks), each kept inside
its domain: division only by 1 + y², log and sqrt only of 1 + y², pow only of the positive
base 1 + y², exp only of tanh(y). Scalars and vectors are mixed freely, so broadcasting (and
its adjoint, summing) is exercised along with fan-out of the shared variables.

For every expression the Jacobian is taken three ways: forward mode (one pass per input
component), reverse mode (one pass per output component) and central differences of the
re-evaluated graph; ``grad`` and ``jvp`` must agree with the same matrix.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import graphviz_nn as gn

VEC: tuple[int, ...] = (3,)
SCALAR: tuple[int, ...] = ()
MAX_DEPTH = 4
STEP = 1e-6
MODES_TOLERANCE = 1e-9  # forward against reverse: the same arithmetic, in another order
NUMERIC_TOLERANCE = 1e-6  # either mode against central differences

# A fixed, well-conditioned matrix for A @ v and v @ A; not symmetric, so the two differ.
MATRIX = np.array([[0.9, -0.4, 0.3], [0.2, 1.1, -0.7], [-0.5, 0.6, 0.8]])

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --- expression trees ---------------------------------------------------------------------
@dataclass(frozen=True)
class Expr:
    """A node of a random expression: an op name, sub-expressions and the result's shape.

    Leaves are the variables ("x1", "x2", "x3") and constants ("const", with ``value``).
    The repr is the formula, so a failing example reads as the expression that failed.
    """

    op: str
    args: tuple["Expr", ...] = ()
    shape: tuple[int, ...] = ()
    value: Any = field(default=None, compare=False)

    def __repr__(self) -> str:
        if self.op == "const":
            v = np.asarray(self.value)
            return f"{float(v):.3g}" if v.ndim == 0 else "[" + ", ".join(f"{float(a):.3g}" for a in v) + "]"
        if not self.args:
            return self.op
        return FORMS[self.op].format(*self.args)


# Each op: how to build it from engine nodes, and how to print it.
UNARY: dict[str, Callable[[gn.Node], gn.Node]] = {
    "neg": lambda a: -a,
    "sin": gn.sin,
    "cos": gn.cos,
    "tanh": gn.tanh,
    "sigmoid": gn.sigmoid,
    "softplus": gn.softplus,
    "exp_tanh": lambda a: gn.exp(gn.tanh(a)),
    "log_1p_sq": lambda a: gn.log(1 + a * a),
    "sqrt_1p_sq": lambda a: gn.sqrt(1.0 + gn.mul(a, a)),
}
VEC_UNARY: dict[str, Callable[[gn.Node], gn.Node]] = {
    "softmax": gn.softmax,
    "log_softmax": gn.log_softmax,
    "A@v": lambda a: gn.Constant(MATRIX, "A") @ a,
    "v@A": lambda a: gn.matmul(a, gn.Constant(MATRIX, "A")),
}
REDUCE: dict[str, Callable[[gn.Node], gn.Node]] = {
    "sum": gn.sum,
    "mean": gn.mean,
}
BINARY: dict[str, Callable[[gn.Node, gn.Node], gn.Node]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "add_fn": gn.add,
    "mul_fn": gn.mul,
    "div": lambda a, b: a / (1 + b * b),
    "pow": lambda a, b: (1 + a * a) ** gn.sin(b),
}
DOT: dict[str, Callable[[gn.Node, gn.Node], gn.Node]] = {"dot": gn.dot}

FORMS = {
    "neg": "-({})", "sin": "sin({})", "cos": "cos({})", "tanh": "tanh({})",
    "sigmoid": "sigmoid({})", "softplus": "softplus({})", "exp_tanh": "exp(tanh({}))",
    "log_1p_sq": "log(1 + ({0})*({0}))", "sqrt_1p_sq": "sqrt(1 + ({0})*({0}))",
    "softmax": "softmax({})", "log_softmax": "log_softmax({})", "A@v": "A @ ({})",
    "v@A": "({}) @ A", "sum": "sum({})", "mean": "mean({})",
    "add": "({} + {})", "sub": "({} - {})", "mul": "({} * {})",
    "add_fn": "add({}, {})", "mul_fn": "mul({}, {})",
    "div": "({0}) / (1 + ({1})*({1}))", "pow": "(1 + ({0})*({0})) ** sin({1})",
    "dot": "dot({}, {})",
}
BUILDERS: dict[str, Callable[..., gn.Node]] = {**UNARY, **VEC_UNARY, **REDUCE, **BINARY, **DOT}


def build(expr: Expr, env: dict[str, gn.Node]) -> gn.Node:
    """Turn an expression tree into engine nodes over the variables in ``env``."""
    if expr.op in env:
        return env[expr.op]
    if expr.op == "const":
        return gn.Constant(np.asarray(expr.value, dtype=np.float64))
    return BUILDERS[expr.op](*(build(a, env) for a in expr.args))


# --- strategies ---------------------------------------------------------------------------
values = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False)
vectors = hnp.arrays(np.float64, VEC, elements=values)


def _leaves(shape: tuple[int, ...]) -> st.SearchStrategy[Expr]:
    """Mostly variables; now and then a constant (whose node gets no tangent or gradient).

    The constants are a fixed few: drawn from all floats, they would be the most varied
    leaves, and hypothesis (which seeks variety) would pick them over the variables.
    """
    if shape == VEC:
        return st.sampled_from([
            Expr("x1", shape=VEC), Expr("x3", shape=VEC),
            Expr("x1", shape=VEC), Expr("x3", shape=VEC),
            Expr("const", shape=VEC, value=(0.5, -1.25, 2.0)),
        ])
    return st.sampled_from([
        Expr("x2", shape=SCALAR), Expr("x2", shape=SCALAR),
        Expr("const", shape=SCALAR, value=-0.75), Expr("const", shape=SCALAR, value=1.5),
    ])


# Every way to make a node of each shape, in groups: (op, shapes of its arguments). A group
# is drawn first, then an op in it, so the few vector-only ops are not drowned by the many
# elementwise ones.
FORMS_BY_SHAPE: dict[tuple[int, ...], list[list[tuple[str, tuple[tuple[int, ...], ...]]]]] = {
    VEC: [
        [(op, (VEC,)) for op in UNARY],
        [(op, (VEC,)) for op in VEC_UNARY],
        [(op, (VEC, VEC)) for op in BINARY],
        [(op, (VEC, SCALAR)) for op in BINARY],  # the scalar is broadcast over the vector
        [(op, (SCALAR, VEC)) for op in BINARY],
    ],
    SCALAR: [
        [(op, (SCALAR,)) for op in UNARY],
        [(op, (VEC,)) for op in REDUCE] + [(op, (VEC, VEC)) for op in DOT],
        [(op, (SCALAR, SCALAR)) for op in BINARY],
    ],
}


@functools.lru_cache(maxsize=None)
def expressions(shape: tuple[int, ...], depth: int = MAX_DEPTH) -> st.SearchStrategy[Expr]:
    """Expression trees of the given result shape, at most ``depth`` ops deep, rooted at an op.

    Below the root a sub-expression is a leaf about a third of the time, so trees are of
    every depth up to ``depth`` while staying small (a few dozen nodes at most).
    """

    def subtree(s: tuple[int, ...]) -> st.SearchStrategy[Expr]:
        if depth == 1:
            return _leaves(s)
        return st.one_of(_leaves(s), expressions(s, depth - 1), expressions(s, depth - 1))

    def with_arguments(form: tuple[str, tuple]) -> st.SearchStrategy[Expr]:
        op, arg_shapes = form
        return st.tuples(*(subtree(s) for s in arg_shapes)).map(lambda args: Expr(op, args, shape))

    groups = FORMS_BY_SHAPE[shape]
    return st.one_of(*(st.sampled_from(group) for group in groups)).flatmap(with_arguments)


any_expression = st.one_of(expressions(VEC), expressions(SCALAR))
# Roots that the strategy never makes, given as explicit examples: a variable as the output
# itself, an output that depends on no variable, and a variable used twice by one op.
X1, X2 = Expr("x1", shape=VEC), Expr("x2", shape=SCALAR)
CONSTANT_ONLY = Expr("sin", (Expr("const", shape=SCALAR, value=0.25),), SCALAR)
FAN_OUT = Expr("pow", (X1, X1), VEC)
POINT = (np.array([0.3, -1.2, 1.5]), 0.7, np.array([-0.4, 0.0, 1.1]))
points = st.tuples(vectors, values, vectors)
tangents = st.tuples(
    hnp.arrays(np.float64, VEC, elements=st.floats(-1, 1)),
    st.floats(-1, 1),
    hnp.arrays(np.float64, VEC, elements=st.floats(-1, 1)),
)


# --- helpers ------------------------------------------------------------------------------
def make(expr: Expr, point: tuple) -> tuple[gn.Node, list[gn.Variable]]:
    """Build ``expr`` at ``point``; return the output and the variables [x1, x2, x3]."""
    x1 = gn.Variable(np.array(point[0], dtype=np.float64), "x1")
    x2 = gn.Variable(np.array(point[1], dtype=np.float64), "x2")
    x3 = gn.Variable(np.array(point[2], dtype=np.float64), "x3")
    assert x1.shape == VEC and x2.shape == SCALAR and x3.shape == VEC
    f = build(expr, {"x1": x1, "x2": x2, "x3": x3})
    assert f.shape == expr.shape, f"{expr!r} built a node of shape {f.shape}"
    return f, [x1, x2, x3]


def numeric_jacobian(f: gn.Node, variables: list[gn.Variable], h: float = STEP) -> np.ndarray:
    """Central differences, from the engine's own helper."""
    return gn.numeric_jacobian(f, variables, h)


def assert_close(actual: np.ndarray, expected: np.ndarray, tolerance: float, what: str) -> None:
    """‖actual − expected‖ ≤ tolerance · max(1, ‖expected‖); ``what`` is "<actual> vs <expected>"."""
    error = float(np.linalg.norm(np.asarray(actual) - np.asarray(expected)))
    scale = max(1.0, float(np.linalg.norm(expected)))
    first, _, second = what.partition(" vs ")
    assert error <= tolerance * scale, (
        f"{what}: |difference| = {error:.3e} > {tolerance:.0e} * {scale:.3g}\n"
        f"{first}:\n{actual}\n{second}:\n{expected}"
    )


def all_finite(*arrays: np.ndarray) -> bool:
    return all(np.all(np.isfinite(a)) for a in arrays)


# --- properties ---------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(expr=any_expression, point=points)
@example(expr=X1, point=POINT)
@example(expr=X2, point=POINT)
@example(expr=CONSTANT_ONLY, point=POINT)
@example(expr=FAN_OUT, point=POINT)
def test_forward_reverse_and_finite_differences_agree(expr: Expr, point: tuple) -> None:
    f, variables = make(expr, point)
    value = np.array(f.value)
    assume(all_finite(value))

    forward = gn.jacobian(f, variables, mode="forward")
    reverse = gn.jacobian(f, variables, mode="reverse")
    numeric = numeric_jacobian(f, variables)
    assume(all_finite(forward.matrix, reverse.matrix, numeric))

    m, n = f.value.size, 3 + 1 + 3
    assert forward.matrix.shape == reverse.matrix.shape == numeric.shape == (m, n)
    assert forward.mode == "forward" and reverse.mode == "reverse"
    assert forward.passes == n
    assert reverse.passes == m
    assert_close(forward.matrix, reverse.matrix, MODES_TOLERANCE, "forward mode vs reverse mode")
    assert_close(forward.matrix, numeric, NUMERIC_TOLERANCE, "forward mode vs central differences")
    assert_close(reverse.matrix, numeric, NUMERIC_TOLERANCE, "reverse mode vs central differences")
    # Neither the passes nor the perturbations may leave the graph's values changed.
    np.testing.assert_array_equal(f.value, value)
    for v, original in zip(variables, point):
        np.testing.assert_array_equal(v.value, original)


@PROPERTY_SETTINGS
@given(expr=expressions(SCALAR), point=points, direction=tangents)
@example(expr=X2, point=POINT, direction=(np.ones(3), -0.5, np.ones(3)))
@example(expr=CONSTANT_ONLY, point=POINT, direction=(np.ones(3), -0.5, np.ones(3)))
def test_grad_and_jvp_match_the_jacobian(expr: Expr, point: tuple, direction: tuple) -> None:
    f, variables = make(expr, point)
    assume(all_finite(f.value))
    jac = gn.jacobian(f, variables, mode="reverse").matrix
    assume(all_finite(jac))
    assert jac.shape == (1, 7)

    gradients = gn.grad(f, variables)
    assert [g.shape for g in gradients] == [v.shape for v in variables]
    assert_close(np.concatenate([np.ravel(g) for g in gradients]), jac[0], MODES_TOLERANCE,
                 "grad vs the reverse-mode Jacobian row")

    seeds = {v: np.array(t, dtype=np.float64) for v, t in zip(variables, direction)}
    flat_direction = np.concatenate([np.ravel(seeds[v]) for v in variables])
    tangent = gn.jvp(f, seeds)
    assert np.shape(tangent) == SCALAR
    assert_close(np.ravel(tangent), jac @ flat_direction, MODES_TOLERANCE, "jvp vs J @ v")


@PROPERTY_SETTINGS
@given(expr=expressions(VEC), point=points, direction=tangents,
       cotangent=hnp.arrays(np.float64, VEC, elements=st.floats(-1, 1)))
def test_vjp_and_jvp_of_vector_outputs_match_the_jacobian(
    expr: Expr, point: tuple, direction: tuple, cotangent: np.ndarray
) -> None:
    f, variables = make(expr, point)
    assume(all_finite(f.value))
    jac = gn.jacobian(f, variables, mode="forward").matrix
    assume(all_finite(jac))

    gradients = gn.grad(f, variables, cotangent=cotangent)
    assert_close(np.concatenate([np.ravel(g) for g in gradients]), cotangent @ jac,
                 MODES_TOLERANCE, "grad with a cotangent vs uᵀ J")

    seeds = {v: np.array(t, dtype=np.float64) for v, t in zip(variables, direction)}
    flat_direction = np.concatenate([np.ravel(seeds[v]) for v in variables])
    tangent = gn.jvp(f, seeds)
    assert np.shape(tangent) == VEC
    assert_close(tangent, jac @ flat_direction, MODES_TOLERANCE, "jvp vs J @ v")
