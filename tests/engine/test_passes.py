"""The passes' shortcuts keep their results: un-broadcasting, skipped inputs, a failed forward."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


PICKS = [(0,), (-1,), (slice(1, 3),), (slice(None), 1), (slice(None, None, -2),), ([0, 0, 2],), (..., [1, 1])]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), picks=st.lists(st.sampled_from(PICKS), min_size=1, max_size=6),
       wholes=st.lists(st.sampled_from(["square", "through"]), max_size=3),
       dtype=st.sampled_from([np.float64, np.float32]), order=st.randoms(use_true_random=False))
def test_gradients_gathered_in_place_equal_the_recorded_pass(seed, picks, wholes, dtype, order) -> None:
    """Reverse mode adds an index's gradient into one array it owns (never into a consumer's
    g, nor a value a Step keeps): the unrecorded pass gives what the recorded one does, with
    repeated positions, other consumers of the whole array (y * y; y + 1, which hands its own
    g on to y as it is) in any order, and other precisions."""
    rng = np.random.default_rng(seed)
    x = Variable(rng.standard_normal((4, 3)).astype(dtype))
    y = gn.tanh(x)
    w = Constant(rng.standard_normal((4, 3)))
    makers = [lambda index=index, k=k: gn.sum(y[index] * float(k + 1)) for k, index in enumerate(picks)]
    makers += [(lambda: gn.sum(y * y)) if kind == "square" else (lambda: gn.sum((y + 1.0) * w)) for kind in wholes]
    order.shuffle(makers)
    parts = [make() for make in makers]
    loss = parts[0]
    for part in parts[1:]:
        loss = loss + part
    graph = gn.Graph(loss)
    graph.forward()
    graph.backward()
    fast = {n: n.grad.copy() for n in graph.nodes if n.grad is not None}
    list(graph.backward_steps())
    assert x in fast and fast.keys() == {n for n in graph.nodes if n.grad is not None}
    for node, grad in fast.items():
        np.testing.assert_allclose(node.grad, grad, rtol=1e-6)
