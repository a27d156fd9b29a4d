"""Each optimiser's first two steps against updates computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from graphviz_nn import Graph, Variable
from graphviz_nn import sum as total
from graphviz_nn.nn import Adam, GradientDescent, Momentum, make_optimiser


def _quadratic():
    """L = Σ (w − t)², so dL/dw = 2 (w − t)."""
    w = Variable([1.0, -2.0], "w")
    t = np.array([0.5, 0.5])
    loss = total((w - t) ** 2)
    return w, t, Graph(loss)


def _two_steps(optimiser, w, graph):
    seen = []
    for _ in range(2):
        graph.forward()
        graph.backward()
        optimiser.step()
        seen.append(w.value.copy())
    return seen


def test_gradient_descent() -> None:
    w, t, graph = _quadratic()
    w0 = w.value.copy()
    seen = _two_steps(GradientDescent([w], lr=0.1), w, graph)
    w1 = w0 - 0.1 * 2 * (w0 - t)
    w2 = w1 - 0.1 * 2 * (w1 - t)
    np.testing.assert_allclose(seen, [w1, w2], rtol=1e-15)


def test_momentum() -> None:
    w, t, graph = _quadratic()
    w0 = w.value.copy()
    seen = _two_steps(Momentum([w], lr=0.1, momentum=0.9), w, graph)
    v1 = 2 * (w0 - t)
    w1 = w0 - 0.1 * v1
    v2 = 0.9 * v1 + 2 * (w1 - t)
    w2 = w1 - 0.1 * v2
    np.testing.assert_allclose(seen, [w1, w2], rtol=1e-15)


def test_adam() -> None:
    w, t, graph = _quadratic()
    w0 = w.value.copy()
    seen = _two_steps(Adam([w], lr=0.01), w, graph)
    g1 = 2 * (w0 - t)
    m1, v1 = 0.1 * g1, 0.001 * g1 ** 2
    w1 = w0 - 0.01 * (m1 / 0.1) / (np.sqrt(v1 / 0.001) + 1e-8)
    g2 = 2 * (w1 - t)
    m2, v2 = 0.9 * m1 + 0.1 * g2, 0.999 * v1 + 0.001 * g2 ** 2
    w2 = w1 - 0.01 * (m2 / (1 - 0.9 ** 2)) / (np.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8)
    np.testing.assert_allclose(seen, [w1, w2], rtol=1e-14)


def test_weight_decay_adds_lambda_w() -> None:
    w, t, graph = _quadratic()
    w0 = w.value.copy()
    seen = _two_steps(GradientDescent([w], lr=0.1, weight_decay=0.5), w, graph)
    np.testing.assert_allclose(seen[0], w0 - 0.1 * (2 * (w0 - t) + 0.5 * w0))


def test_updates_replace_arrays_instead_of_writing_into_them() -> None:
    w, _, graph = _quadratic()
    before = w.value
    snapshot = before.copy()
    _two_steps(Adam([w]), w, graph)
    np.testing.assert_array_equal(before, snapshot)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="learning rate must be positive"):
        GradientDescent([], lr=0)
    with pytest.raises(ValueError, match="unknown optimiser 'lbfgs'"):
        make_optimiser("lbfgs", [], 0.1)
