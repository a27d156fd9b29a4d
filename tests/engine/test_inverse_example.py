"""The original program's TensorFlow/ADCME example: y(x) = ||(A Aᵀ + x I)⁻¹ b − c||², z = y′(x).

Built with solve (and again with inv), its derivative in x by reverse mode and by forward
mode must match central differences to 1e-6 and the closed form y′(x) = −2 rᵀ B⁻² b, where
B = A Aᵀ + x I and r = B⁻¹ b − c.
"""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import ops

GENERATOR = np.random.default_rng(1729)
A = GENERATOR.random((10, 10))
B_VECTOR = GENERATOR.random(10)
C = GENERATOR.random(10)


def objective(x: gn.Variable, how: str) -> gn.Node:
    """y(x) built as the original program writes it, with b a vector, a column, or through the inverse."""
    a, b, c = gn.Constant(A, "A"), gn.Constant(B_VECTOR, "b"), gn.Constant(C, "c")
    system = a @ gn.transpose(a) + x * gn.Constant(np.eye(10), "I")
    if how == "solve":
        solution = ops.solve(system, b)
    elif how == "column":  # tf.squeeze(tf.matrix_solve(B, tf.reshape(b, (-1, 1))))
        solution = gn.reshape(ops.solve(system, gn.reshape(b, (-1, 1))), (-1,))
    else:
        solution = ops.inv(system) @ b
    return gn.sum((solution - c) ** 2)


def closed_form(x: float) -> tuple[float, float]:
    system = A @ A.T + x * np.eye(10)
    r = np.linalg.solve(system, B_VECTOR) - C
    return float(r @ r), float(-2 * r @ np.linalg.solve(system, np.linalg.solve(system, B_VECTOR)))


@pytest.mark.parametrize("how", ["solve", "column", "inverse"])
@pytest.mark.parametrize("x0", [1.0, 0.25, 3.0])
def test_the_derivative_in_x_matches_central_differences_and_the_closed_form(how, x0) -> None:
    x = gn.Variable(x0, "x")
    y = objective(x, how)
    value, slope = closed_form(x0)
    assert float(y.value) == pytest.approx(value, rel=1e-12)
    z_reverse = float(gn.grad(y, [x])[0])
    z_forward = float(gn.jvp(y, {x: 1.0}))
    h = 1e-5
    differences = (float(objective(gn.Variable(x0 + h), how).value)
                   - float(objective(gn.Variable(x0 - h), how).value)) / (2 * h)
    assert z_reverse == pytest.approx(differences, rel=1e-6)
    assert z_forward == pytest.approx(differences, rel=1e-6)
    assert z_reverse == pytest.approx(slope, rel=1e-10)
    assert z_forward == pytest.approx(z_reverse, rel=1e-12)


def test_the_graph_check_agrees_for_every_input_of_the_example() -> None:
    x = gn.Variable(1.0, "x")
    a = gn.Variable(A, "A")
    b = gn.Variable(B_VECTOR, "b")
    y = gn.sum((ops.solve(a @ gn.transpose(a) + x * np.eye(10), b) - C) ** 2)
    for check in gn.check_gradients(y, [x, a, b]).values():
        assert check.ok(1e-6), (check.variable.label, check.relative_error)
