"""Each op writes a rule once: what can be derived (an elementwise op's two rules, a linear
input's tangent rule) is declared, and the declarations are true."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn.engine import Example, Op, check_op_rules, registry

ELEMENTWISE = sorted(n for n, op in registry().items() if op.elementwise)
LINEAR = sorted((n, i) for n, op in registry().items() for i in op.linear)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_an_elementwise_op_declares_its_rule_once(name: str) -> None:
    """Its vjp and jvp are one map t ↦ t · d: declared as d, as that map, or by linearity."""
    op = registry()[name]
    declared = op.derivative is not None or op.chain is not None or len(op.linear) == op.arity
    assert declared, f"{name} writes its vjp and jvp apart: declare derivative= or chain= instead"
    if op.chain is not None:
        assert op.vjp is op.chain and op.jvp is op.chain


def test_ops_linear_in_an_input_get_their_tangent_rule_from_the_forward() -> None:
    linear = {n for n, op in registry().items() if op.linear}
    assert {"getitem", "pad"} <= linear


@pytest.mark.parametrize(("name", "i"), LINEAR)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_a_declared_linear_input_is_linear(name: str, i: int, seed: int, a: float, b: float) -> None:
    """f(..., a·u + b·v, ...) = a·f(..., u, ...) + b·f(..., v, ...) in input i, the others held:
    what makes the op on the tangent its tangent rule (add is linear in both inputs
    together, not in each: add(dx, y) is no tangent, so add must not declare it)."""
    op = registry()[name]
    rng = np.random.default_rng(seed)
    for example in op.examples:
        xs = example.sample(rng)
        u, v = example.sample(rng)[i], example.sample(rng)[i]

        def f(t: np.ndarray) -> np.ndarray:
            return np.asarray(op.forward(*xs[:i], t, *xs[i + 1:], **example.params))

        np.testing.assert_allclose(f(a * u + b * v), a * f(u) + b * f(v), rtol=1e-9, atol=1e-9)


def test_a_chain_rule_serves_both_modes(rng) -> None:
    op = Op(name="halved", arity=1, label="½", forward=lambda x: x / 2, elementwise=True,
            chain=(lambda t, ans, x: t / 2,), vjp_text=("g / 2",),
            examples=(Example(((3,),)), Example(((2, 3),))))
    check_op_rules(op, rng)
    x = gn.Variable([1.0, -2.0])
    f = gn.apply(op, x)
    np.testing.assert_array_equal(gn.grad(gn.sum(f), [x])[0], [0.5, 0.5])
    np.testing.assert_array_equal(gn.jvp(f, {x: [1.0, 4.0]}), [0.5, 2.0])
    np.testing.assert_array_equal(op.local_derivative(0, f.value, [x.value], {}), [0.5, 0.5])


def test_a_chain_rule_is_refused_for_an_op_that_is_not_elementwise() -> None:
    op = Op(name="flip_chain", arity=1, label="flip", forward=lambda x: x[::-1],
            chain=(lambda t, ans, x: t[::-1],), shape=lambda shapes, params: shapes[0])
    with pytest.raises(ValueError, match="not elementwise: only a diagonal Jacobian"):
        gn.register(op)


ADDING = sorted((n, i) for n, op in registry().items() if op.vjp_add for i, rule in enumerate(op.vjp_add) if rule)


def test_ops_that_gather_their_gradient_in_place_are_the_indexing_ones() -> None:
    assert ("getitem", 0) in ADDING


@pytest.mark.parametrize(("name", "i"), ADDING)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_adding_a_cotangent_in_place_adds_the_vjp(name: str, i: int, seed: int) -> None:
    """vjp_add[i](acc, g, ...) leaves acc + vjp[i](g, ...) in acc, at every example (repeated
    positions included), whatever acc held."""
    op = registry()[name]
    rng = np.random.default_rng(seed)
    for example in op.examples:
        xs = example.sample(rng)
        plan = op.plan([x.shape for x in xs], example.params)
        ans = np.asarray(op.forward(*xs, **plan.params))
        g = rng.standard_normal(ans.shape)
        acc = rng.standard_normal(xs[i].shape)
        expected = acc + op.vjp[i](g, ans, *xs, **plan.params)
        op.vjp_add[i](acc, g, ans, *xs, **plan.params)
        np.testing.assert_allclose(acc, expected, rtol=1e-12, atol=1e-12)
