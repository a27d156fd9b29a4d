"""The worked examples of the forward- vs reverse-mode tutorial the product grew from."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Graph, Variable


@pytest.mark.parametrize("x1, x2, x3", [(0.5, -1.2, 2.0), (1.3, 0.4, -0.7), (0.0, 0.0, 0.0)])
def test_z_gradients_in_one_reverse_pass(x1, x2, x3) -> None:
    v1, v2, v3 = Variable(x1, "x1"), Variable(x2, "x2"), Variable(x3, "x3")
    z = gn.sin(v1 + v2) + v2 ** 2 * v3
    steps = list(Graph(z).backward_steps())
    assert sum(1 for s in steps if s.node is z) == 1  # one pass: each node visited once
    assert v1.grad == pytest.approx(np.cos(x1 + x2), abs=1e-15)
    assert v2.grad == pytest.approx(np.cos(x1 + x2) + 2 * x2 * x3, abs=1e-15)
    assert v3.grad == pytest.approx(x2 ** 2, abs=1e-15)


@pytest.mark.parametrize("x", [0.3, -1.7, 2.5])
def test_f_tangent_in_one_forward_pass(x) -> None:
    v = Variable(x, "x")
    s = gn.sin(v)
    # f(x) = [x**4, x**2 + sin x, -sin x], each component placed by a unit vector
    out = v ** 4 * [1.0, 0.0, 0.0] + (v ** 2 + s) * [0.0, 1.0, 0.0] + (-s) * [0.0, 0.0, 1.0]
    np.testing.assert_allclose(out.value, [x ** 4, x ** 2 + np.sin(x), -np.sin(x)])
    tangent = gn.jvp(out, {v: 1.0})
    np.testing.assert_allclose(tangent, [4 * x ** 3, 2 * x + np.cos(x), -np.cos(x)], rtol=1e-14)
    result = gn.jacobian(out, [v], mode="forward")
    assert result.passes == 1
    np.testing.assert_allclose(result.matrix[:, 0], tangent)


def test_jacobian_takes_n_forward_or_m_reverse_passes_and_both_agree(rng) -> None:
    n, m = 5, 2
    x = Variable(rng.standard_normal(n), "x")
    A = gn.Constant(rng.standard_normal((m, n)), "A")
    f = gn.tanh(A @ gn.sin(x)) * gn.sum(x ** 2)
    forward = gn.jacobian(f, x, mode="forward")
    reverse = gn.jacobian(f, x, mode="reverse")
    assert forward.passes == n and reverse.passes == m
    assert forward.matrix.shape == reverse.matrix.shape == (m, n)
    np.testing.assert_allclose(forward.matrix, reverse.matrix, rtol=1e-12, atol=1e-14)
    h = 1e-6
    for k in range(n):
        e = np.zeros(n)
        e[k] = h
        plus = np.tanh(A.value @ np.sin(x.value + e)) * np.sum((x.value + e) ** 2)
        minus = np.tanh(A.value @ np.sin(x.value - e)) * np.sum((x.value - e) ** 2)
        np.testing.assert_allclose(reverse.matrix[:, k], (plus - minus) / (2 * h), rtol=1e-7)


def test_the_seeds_cos_sign_is_right() -> None:
    x = Variable(0.9)
    assert gn.grad(gn.cos(x), x)[0] == pytest.approx(-np.sin(0.9))
