"""Checking derivatives against central finite differences.

``check_gradients`` checks a graph's reverse-mode gradients; ``check_op_rules`` checks one
op's vjp and jvp rules on its recorded examples, including the adjoint identity
<u, J v> = <Jᵀ u, v>. The registry-wide test calls it for every op.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .broadcast import broadcast_tangent, unbroadcast
from .errors import GraphError, RuleError
from .graph import Graph
from .node import Node, Variable
from .registry import Op


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-8) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖); the absolute error where both norms are below ``floor``."""
    diff = float(np.linalg.norm(np.ravel(a) - np.ravel(b)))
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)))
    return diff if scale < floor else diff / scale


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """Analytic and numeric gradients of one variable.

    Attributes
    ----------
    variable : Variable
    analytic : ndarray
        From reverse mode.
    numeric : ndarray
        From central differences, (f(x + h) − f(x − h)) / 2h per component.
    relative_error : float
        See :func:`relative_error`.
    """

    variable: Variable
    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: float

    def ok(self, tolerance: float = 1e-5) -> bool:
        return self.relative_error <= tolerance


def check_gradients(
    output: Node,
    wrt: Sequence[Variable] | None = None,
    cotangent: np.ndarray | float | None = None,
    step: float = 1e-6,
) -> dict[Variable, GradientCheck]:
    """Compare reverse-mode gradients with central differences, variable by variable.

    Each component of each variable is moved by ±h (h = step · max(1, |x|)) and the graph
    re-evaluated, so this takes two forward passes per component: meant for small graphs
    and for debugging, not for training. Variable values are restored afterwards.

    Parameters
    ----------
    output : Node
        A scalar node; for a non-scalar node give ``cotangent`` (the check is then of
        ``sum(cotangent * output)``).
    wrt : sequence of Variable, optional
        Defaults to every Variable of the graph.

    Returns
    -------
    dict of Variable to GradientCheck
        In the order of ``wrt`` (graph order by default).
    """
    graph = Graph(output)
    variables = list(graph.variables if wrt is None else wrt)
    for v in variables:
        if v not in graph:
            raise GraphError(f"{v!r} is not part of the graph of '{output.label}'")
    graph.forward()
    graph.backward(output, cotangent)
    seed = np.ones(output.value.shape) if cotangent is None else np.broadcast_to(cotangent, output.value.shape)
    analytic = {v: np.array(v.grad) for v in variables}

    def objective() -> float:
        graph.forward()
        return float(np.sum(seed * output.value))

    results = {}
    for v in variables:
        original = v.value
        numeric = np.zeros(original.shape)
        try:
            for k in range(original.size):
                h = step * max(1.0, abs(float(original.flat[k])))
                moved = original.copy()
                moved.flat[k] += h
                v.value = moved
                f_plus = objective()
                moved = original.copy()
                moved.flat[k] -= h
                v.value = moved
                f_minus = objective()
                numeric.flat[k] = (f_plus - f_minus) / (2 * h)
        finally:
            v.value = original
        results[v] = GradientCheck(v, analytic[v], numeric, relative_error(analytic[v], numeric))
    graph.forward()
    return results


def numeric_jacobian(output: Node, wrt: Sequence[Node], step: float = 1e-6) -> np.ndarray:
    """The Jacobian of ``output`` by central differences, shape (output.size, total wrt size).

    Each component of each node in ``wrt`` is moved by ±step and the graph re-evaluated;
    values are restored afterwards. Columns follow ``wrt`` in order, as in :func:`jacobian`.
    """
    graph = Graph(output)
    columns = []
    for v in wrt:
        original = v.value
        try:
            for k in range(original.size):
                plus, minus = original.copy(), original.copy()
                plus.flat[k] += step
                minus.flat[k] -= step
                v.value = plus
                graph.forward()
                f_plus = np.ravel(output.value).copy()
                v.value = minus
                graph.forward()
                columns.append((f_plus - np.ravel(output.value)) / (2 * step))
        finally:
            v.value = original
    graph.forward()
    return np.stack(columns, axis=1) if columns else np.zeros((output.value.size, 0))


def _numeric_jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, step: float) -> np.ndarray:
    """Central-difference Jacobian of f at x, shape (f(x).size, x.size)."""
    columns = []
    for k in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[k] += step
        minus.flat[k] -= step
        columns.append((np.ravel(f(plus)) - np.ravel(f(minus))) / (2 * step))
    return np.stack(columns, axis=1) if columns else np.zeros((np.size(f(x)), 0))


def check_op_rules(
    op: Op, rng: np.random.Generator, tolerance: float = 1e-6, step: float = 1e-6
) -> None:
    """Check an op's vjp and jvp rules on each of its examples, for every input.

    For each example: J_i is input i's Jacobian by central differences; with random u and v,
    ``vjp_i(u)`` must match uᵀ J_i, ``jvp_i(v)`` must match J_i v, and both rules must
    satisfy the adjoint identity <u, jvp_i(v)> = <vjp_i(u), v>, each within ``tolerance``
    (relative).

    Raises
    ------
    RuleError
        Naming the op, the example, the input and the check that failed, or the missing
        rules or examples.
    """
    where = f"engine/ops/ (the record of {op.name!r})"
    if op.vjp is None:
        raise RuleError(f"op {op.name!r} has no vjp rule: add it in {where}")
    if op.jvp is None:
        raise RuleError(f"op {op.name!r} has no jvp rule: add it in {where}")
    if not op.examples:
        raise RuleError(f"op {op.name!r} has no examples to test its rules on: add them in {where}")
    for example in op.examples:
        xs = example.sample(rng)
        params = dict(example.params)
        ans = np.asarray(op.forward(*xs, **params))
        for i, (name, x) in enumerate(zip(op.arg_names, xs)):
            def f_i(xi: np.ndarray, i: int = i) -> np.ndarray:
                args = list(xs)
                args[i] = xi
                return op.forward(*args, **params)

            label = f"op {op.name!r}, example shapes {example.shapes} {params or ''}, input {name}"
            jac = _numeric_jacobian(f_i, x, step)
            u = rng.standard_normal(ans.shape)
            v = rng.standard_normal(x.shape)
            vjp = np.asarray(op.vjp[i](u, ans, *xs, **params))
            jvp = np.asarray(op.jvp[i](v, ans, *xs, **params))
            try:
                vjp = unbroadcast(vjp, x.shape)
                jvp = broadcast_tangent(jvp, ans.shape)
            except ValueError:
                raise RuleError(
                    f"{label}: rules gave shapes vjp {vjp.shape}, jvp {jvp.shape} for an input "
                    f"of shape {x.shape} and an output of shape {ans.shape}"
                ) from None
            error = relative_error(vjp, np.ravel(u) @ jac)
            if error > tolerance:
                raise RuleError(f"{label}: vjp differs from finite differences (relative error {error:.2e})")
            error = relative_error(jvp, jac @ np.ravel(v))
            if error > tolerance:
                raise RuleError(f"{label}: jvp differs from finite differences (relative error {error:.2e})")
            left, right = float(np.sum(u * jvp)), float(np.sum(vjp * v))
            scale = float(np.linalg.norm(u) * np.linalg.norm(jvp) + np.linalg.norm(vjp) * np.linalg.norm(v))
            if abs(left - right) > tolerance * max(scale, 1e-12):
                raise RuleError(f"{label}: adjoint identity fails, <u, J v> = {left!r} but <Jᵀ u, v> = {right!r}")
