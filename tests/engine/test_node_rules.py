"""Rules on nodes (create_graph) agree with the registry's array rules on every op example."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Constant, Variable
from graphviz_nn.engine import registry
from graphviz_nn.engine.broadcast import broadcast_tangent, unbroadcast
from graphviz_nn.engine.node_rules import RULES_RUN_ON_NODES, jvp_on_nodes, spread, vjp_on_nodes
from graphviz_nn.engine.node_rules import unbroadcast as unbroadcast_node

NEEDED = ("add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sin", "cos", "tanh", "sigmoid",
          "sum", "mean", "matmul", "dot", "transpose", "reshape")


def has_rules(op) -> bool:
    try:
        vjp_on_nodes(op), jvp_on_nodes(op)
    except gn.RuleError:
        return False
    return True


OPS = [op for op in registry().values() if has_rules(op)]


def test_the_ops_of_the_examples_and_nets_have_rules_on_nodes() -> None:
    assert set(NEEDED) <= {op.name for op in OPS}
    assert RULES_RUN_ON_NODES <= {op.name for op in OPS}


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_rules_on_nodes_give_the_array_rules_values(op, rng) -> None:
    for example in op.examples:
        xs = example.sample(rng)
        params = dict(example.params)
        inputs = [Variable(x, f"x{i}") for i, x in enumerate(xs)]
        ans = gn.apply(op, *inputs, **params)
        g = rng.standard_normal(ans.shape)
        for i, x in enumerate(xs):
            dx = rng.standard_normal(x.shape)
            expected = unbroadcast(np.asarray(op.vjp[i](g, ans.value, *xs, **params)), x.shape)
            node = unbroadcast_node(vjp_on_nodes(op)[i](Constant(g), ans, *inputs, **params), x.shape)
            assert isinstance(node, gn.Node), f"{op.name}: the rule on nodes gave {type(node)}"
            np.testing.assert_allclose(node.value, expected, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{op.name} vjp, input {i}, {example}")
            expected = broadcast_tangent(np.asarray(op.jvp[i](dx, ans.value, *xs, **params)), ans.shape)
            node = spread(gn.as_node(jvp_on_nodes(op)[i](Constant(dx), ans, *inputs, **params)), ans.shape)
            np.testing.assert_allclose(node.value, expected, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{op.name} jvp, input {i}, {example}")


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_rules_on_nodes_depend_on_the_inputs_not_on_frozen_values(op, rng) -> None:
    """A rule that read a value into a constant (float(y)) would give a wrong second
    derivative: re-running its graph at moved inputs must match the array rule there."""
    for example in op.examples:
        xs = example.sample(rng)
        params = dict(example.params)
        inputs = [Variable(x, f"x{i}") for i, x in enumerate(xs)]
        ans = gn.apply(op, *inputs, **params)
        g = Constant(rng.standard_normal(ans.shape))
        rules = [vjp_on_nodes(op)[i](g, ans, *inputs, **params) for i in range(op.arity)]
        graph = gn.Graph(*[gn.as_node(r) for r in rules])
        moved = example.sample(rng)
        for node, x in zip(inputs, moved):
            node.value = x
        graph.forward()
        for i, rule in enumerate(rules):
            expected = op.vjp[i](g.value, op.forward(*moved, **params), *moved, **params)
            np.testing.assert_allclose(
                unbroadcast(np.asarray(rule.value), moved[i].shape) if rule.shape != moved[i].shape
                else rule.value,
                unbroadcast(np.asarray(expected), moved[i].shape), rtol=1e-12, atol=1e-12,
                err_msg=f"{op.name} vjp on nodes, input {i}, {example}")


def test_unbroadcast_on_nodes_refuses_a_shape_broadcasting_cannot_give() -> None:
    with pytest.raises(ValueError, match=r"cannot come from an input of shape \(2,\)"):
        unbroadcast_node(Constant(np.ones((3, 3))), (2,))
