"""The passes' shortcuts keep their results: un-broadcasting, skipped inputs, a failed forward."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Constant, Variable


@pytest.mark.parametrize("shape", [(4,), (3, 4), (1, 4), (3, 1), (1,), ()])
def test_a_broadcast_input_gets_its_own_shape_back(shape, rng) -> None:
    x = Variable(rng.standard_normal((2, 3, 4)), "x")
    b = Variable(rng.standard_normal(shape), "b")
    y = gn.sum((x + b) * Constant(rng.standard_normal((2, 3, 4))))
    gb = gn.grad(y, b)[0]
    assert gb.shape == shape and type(gb) is np.ndarray
    np.testing.assert_allclose(gb, gn.check_gradients(y, [b])[b].numeric, rtol=1e-7, atol=1e-9)
    steps = list(gn.Graph(y).backward_steps())
    terms = [c.value for s in steps for c in s.sent if c.target == gn.Graph(y).id_of(b)]
    assert terms
    assert all(type(t) is np.ndarray and t.shape == shape for t in terms)


def test_the_reverse_plan_skips_inputs_that_need_no_gradient(rng) -> None:
    X = Constant(rng.standard_normal((5, 3)), "X")
    W = Variable(rng.standard_normal((3, 2)), "W")
    graph = gn.Graph(gn.sum(X @ W))
    plan = {node.op.name if isinstance(node, gn.Function) else node.label: [x.label for _, x in needed]
            for node, _, needed in graph.backward_plan}
    assert plan["matmul"] == ["W"] and "X" not in plan
    graph.backward()
    assert X.grad is None
    np.testing.assert_allclose(W.grad, np.repeat(X.value.sum(axis=0)[:, None], 2, axis=1))


def test_a_failed_forward_leaves_nan_not_a_stale_value() -> None:
    x, y = Variable([1.0, 2.0, 3.0], "x"), Variable([1.0, 1.0, 1.0], "y")
    s = x + y
    graph = gn.Graph(gn.sum(s))
    x.value = np.ones(4)
    with pytest.raises(ValueError):
        graph.forward()
    assert s.value.shape == (3,) and np.isnan(s.value).all()
    x.value = np.zeros(3)
    graph.forward()
    np.testing.assert_array_equal(s.value, [1.0, 1.0, 1.0])
