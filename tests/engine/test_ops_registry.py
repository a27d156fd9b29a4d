"""Every registered op's rules against central differences and the adjoint identity."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import Example, Op, RuleError, check_op_rules, registry
from graphviz_nn.engine.params import axis as one_axis

REQUIRED = {
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "sin", "cos",
    "tanh", "sigmoid", "logsigmoid", "relu", "leaky_relu", "softplus", "softmax", "log_softmax", "sum",
    "mean", "matmul", "dot", "transpose", "reshape",
}


@pytest.mark.parametrize("name", sorted(registry()))
def test_op_rules_match_finite_differences(name: str, rng: np.random.Generator) -> None:
    check_op_rules(registry()[name], rng, tolerance=1e-6)


@pytest.mark.parametrize("name", sorted(registry()))
def test_op_examples_cover_broadcasting_or_several_shapes(name: str) -> None:
    op = registry()[name]
    assert len(op.examples) >= 2, f"op {name!r} needs at least two example shapes"
    if op.arity == 2 and op.elementwise:
        assert any(len(set(e.shapes)) > 1 for e in op.examples), f"{name}: no broadcast example"


def test_every_required_op_is_registered_and_public() -> None:
    assert REQUIRED <= set(registry())
    for name in REQUIRED:
        assert callable(getattr(gn, name)), name


def test_each_op_has_a_label_and_a_formula_per_input() -> None:
    for op in registry().values():
        assert op.label
        assert len(op.vjp_text) == op.arity, op.name
        assert op.formula.count("dL/d") == op.arity


def _cos_with_the_seeds_sign_error() -> Op:
    return Op(
        name="bad_cos", arity=1, label="cos", forward=np.cos, elementwise=True,
        vjp=(lambda g, ans, x: g * np.sin(x),),  # the original program's bug: the sign is missing
        jvp=(lambda dx, ans, x: -dx * np.sin(x),),
        vjp_text=("g · sin(x)",), examples=(Example(((3,),)),),
    )


def test_a_wrong_rule_fails_with_the_ops_name(rng: np.random.Generator) -> None:
    with pytest.raises(RuleError, match="'bad_cos'.*vjp differs from finite differences"):
        check_op_rules(_cos_with_the_seeds_sign_error(), rng)


def test_a_jvp_inconsistent_with_its_vjp_fails(rng: np.random.Generator) -> None:
    op = Op(
        name="bad_tangent", arity=1, label="sin", forward=np.sin, elementwise=True,
        vjp=(lambda g, ans, x: g * np.cos(x),),
        jvp=(lambda dx, ans, x: 2 * dx * np.cos(x),),
        vjp_text=("g · cos(x)",), examples=(Example(((4,),)),),
    )
    with pytest.raises(RuleError, match="'bad_tangent'.*jvp differs"):
        check_op_rules(op, rng)


def test_a_forgotten_unbroadcast_shape_fails(rng: np.random.Generator) -> None:
    op = Op(
        name="bad_shape", arity=1, label="s", forward=lambda x: np.sum(x),
        vjp=(lambda g, ans, x: g,),  # returns a scalar for a (3,) input
        jvp=(lambda dx, ans, x: np.sum(dx),),
        vjp_text=("g",), examples=(Example(((3,),)),),
    )
    with pytest.raises(RuleError, match="'bad_shape'"):
        check_op_rules(op, rng)


@pytest.mark.parametrize("missing, message", [
    ({"vjp": None}, "has no vjp rule"),
    ({"jvp": None}, "has no jvp rule"),
    ({"examples": ()}, "has no examples"),
])
def test_an_op_without_rules_or_examples_fails_naming_it(missing, message, rng) -> None:
    fields = dict(
        name="half_done", arity=1, label="?", forward=np.sin,
        vjp=(lambda g, ans, x: g * np.cos(x),), jvp=(lambda dx, ans, x: dx * np.cos(x),),
        vjp_text=("g · cos(x)",), examples=(Example(((2,),)),),
    )
    fields.update(missing)
    with pytest.raises(RuleError, match=f"'half_done' {message}"):
        check_op_rules(Op(**fields), rng)


def test_a_graph_through_an_op_without_vjp_names_it() -> None:
    op = Op(name="no_vjp", arity=1, label="?", forward=np.sin, vjp=None,
            jvp=(lambda dx, ans, x: dx * np.cos(x),))
    x = gn.Variable([1.0, 2.0])
    y = gn.sum(gn.apply(op, x))
    with pytest.raises(RuleError, match="'no_vjp' has no vjp rule"):
        gn.Graph(y).backward()


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        registry()["sin"] = None  # type: ignore[index]


def test_registering_a_name_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        gn.register(registry()["sin"])


@pytest.mark.parametrize("name", sorted(n for n, op in registry().items() if op.elementwise))
def test_the_local_derivative_is_what_the_upstream_is_multiplied_by(name, rng) -> None:
    op = registry()[name]
    for example in op.examples:
        xs = example.sample(rng)
        ans = np.asarray(op.forward(*xs, **example.params))
        for i in range(op.arity):
            local = op.local_derivative(i, ans, xs, example.params)
            via_rule = op.vjp[i](np.ones_like(ans), ans, *xs, **example.params)
            assert local.shape == ans.shape
            np.testing.assert_allclose(local, np.broadcast_to(via_rule, ans.shape), rtol=1e-15)


def test_an_op_declaring_only_its_local_derivative_gets_both_rules(rng) -> None:
    op = Op(name="cube", arity=1, label="³", forward=lambda x: x ** 3, elementwise=True,
            derivative=(lambda ans, x: 3 * x * x,), vjp_text=("g · 3x²",),
            examples=(Example(((3,),)), Example(((2, 3),))))
    check_op_rules(op, rng)
    x = gn.Variable([1.0, -2.0])
    f = gn.apply(op, x)
    np.testing.assert_array_equal(gn.grad(gn.sum(f), [x])[0], [3.0, 12.0])
    np.testing.assert_array_equal(gn.jvp(f, {x: [1.0, 1.0]}), [3.0, 12.0])
    assert op.tangent_formula(0) == "dx · 3x²"


def test_a_linear_op_gets_its_tangent_rule_from_its_forward(rng) -> None:
    op = Op(name="scaled_sum", arity=1, label="Σ", forward=lambda x, axis=-1: 2 * np.sum(x, axis=axis),
            vjp=(lambda g, ans, x, axis=-1: 2 * np.broadcast_to(np.expand_dims(g, axis), x.shape),),
            linear=(0,), vjp_text=("2g",), params=(one_axis(-1, several=False),),
            shape=lambda shapes, params: shapes[0][:-1],
            examples=(Example(((3,),)), Example(((2, 3),), {"axis": 0})))
    check_op_rules(op, rng)
    assert op.jvp[0](np.ones(3), None, np.zeros(3)) == 6.0


def test_linear_and_derivative_declarations_replace_written_rules() -> None:
    linear = {n for n, op in registry().items() if op.linear}
    assert {"matmul", "dot", "sum", "mean", "transpose", "reshape", "neg", "mul"} <= linear
    local = {n for n, op in registry().items() if op.derivative}
    assert {"exp", "sin", "cos", "tanh", "sigmoid", "relu", "softplus", "pow", "mul"} <= local
