"""Every op swept beyond its few sample points: every axis argument, and extreme inputs.

1. Every value an axis-taking op can be given for inputs of 1, 2 and 3 dimensions (each axis
   counted from the front and from the end, tuples in every order and mix of signs, with and
   without keepdims) is either refused by the op's declared parameters or gives rules that
   match central differences and the adjoint identity.
2. Elementwise ops at ±50, ±800, next to and at their kinks, and powers of zero: the value is
   accurate against a 50-digit reference, the derivatives agree in both modes, and a
   derivative is never nan where the function is finite on both sides.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal, localcontext

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import Example, ParamError, check_op_rules, registry
from graphviz_nn.engine.checks import relative_error

SHAPES = ((4,), (2, 3), (2, 3, 2))
AXIS_NAMES = ("axis", "axes")


def _sign_forms(axes: tuple[int, ...], ndim: int):
    """Each way to write these axes: every axis either from the front or from the end."""
    for signs in itertools.product((False, True), repeat=len(axes)):
        yield tuple(a - ndim if negative else a for a, negative in zip(axes, signs))


def axis_candidates(ndim: int) -> list:
    """None, every single axis and every tuple of distinct axes, in every order and sign form,
    plus values just out of range and repeated axes."""
    values: list = [None]
    values += list(range(-ndim - 1, ndim + 1))  # includes -ndim-1 and ndim, out of range
    for r in range(1, ndim + 1):
        for axes in itertools.permutations(range(ndim), r):
            values += list(_sign_forms(axes, ndim))
    values += [(0, -ndim), (0, 0)]  # the same axis twice
    return values


def axis_ops() -> list:
    return [name for name in sorted(registry())
            if any(p.name in AXIS_NAMES for p in registry()[name].params)]


def test_the_sweep_covers_every_axis_taking_op() -> None:
    assert set(axis_ops()) >= {"sum", "mean", "softmax", "log_softmax", "transpose", "concatenate"}


@pytest.mark.parametrize("name", axis_ops())
def test_every_axis_argument_is_refused_or_has_correct_rules(name, rng) -> None:
    op = registry()[name]
    axis_param = next(p.name for p in op.params if p.name in AXIS_NAMES)
    flags = [{"keepdims": k} for k in (False, True)] if "keepdims" in op.param_names else [{}]
    accepted, negative = [], 0
    for shape in SHAPES:
        shapes = (shape,) * op.arity  # a join's parts alike
        for value in axis_candidates(len(shape)):
            for extra in flags:
                params = {axis_param: value, **extra}
                try:
                    plan = op.plan(shapes, params)
                except ParamError:
                    continue
                accepted.append(Example(shapes, params, domain=((-3, 3),) * op.arity))
                assert np.shape(op.forward(*map(np.ones, shapes), **plan.params)) == plan.shape
                signs = {a < 0 for a in (value if isinstance(value, tuple) else (value,)) if a is not None}
                # A tuple mixing both signs where the op takes tuples, else a negative axis.
                negative += signs == {True, False} or (signs == {True} and not isinstance(value, tuple))
    assert negative > 0, f"{name}: no negative or mixed-sign axis was accepted, so none was tested"
    # One op record with every accepted value as an example: both rules of each against
    # central differences and the adjoint identity.
    check_op_rules(replace(op, examples=tuple(accepted)), rng, tolerance=1e-6)


@pytest.mark.parametrize("name, shape, value", [
    ("sum", (2, 3), 2), ("sum", (2, 3), -3), ("sum", (2, 3), (0, -2)), ("mean", (2, 3, 2), (1, 1)),
    ("softmax", (2, 3), (0, 1)), ("softmax", (4,), 1), ("log_softmax", (2, 3), None),
    ("transpose", (2, 3), (0, 0)), ("transpose", (2, 3), (0, -2)), ("transpose", (2, 3, 2), (0, 1)),
])
def test_axes_that_do_not_name_distinct_axes_of_the_input_are_refused(name, shape, value) -> None:
    key = "axes" if name == "transpose" else "axis"
    with pytest.raises(ParamError, match=f"parameter '{key}'"):
        registry()[name].plan([shape], {key: value})


# --- 2. extreme inputs ----------------------------------------------------------------------
EXTREMES = (-800.0, -50.0, -40.0, -1.0, -1e-12, 0.0, 1e-12, 1.0, 40.0, 50.0, 800.0)
POSITIVE = (1e-300, 1e-12, 1e-3, 1.0, 50.0, 800.0, 1e300)


def _exp(x: Decimal) -> Decimal:
    return x.exp()


# 50-digit references for the ops whose tails lose precision in naive forms.
REFERENCES = {
    "exp": _exp,
    "log": lambda x: x.ln(),
    "sqrt": lambda x: x.sqrt(),
    "sigmoid": lambda x: 1 / (1 + _exp(-x)),
    "logsigmoid": lambda x: -(1 + _exp(-x)).ln(),
    "softplus": lambda x: (1 + _exp(x)).ln(),
    "tanh": lambda x: (_exp(2 * x) - 1) / (_exp(2 * x) + 1),
}


def unary_elementwise() -> list[str]:
    return sorted(n for n, op in registry().items() if op.elementwise and op.arity == 1)


def points_for(name: str) -> tuple[float, ...]:
    return POSITIVE if name in ("log", "sqrt") else EXTREMES


def derivative_both_ways(op, x: float, params=None) -> tuple[float, float, float]:
    params = params or {}
    xs = np.array(x)
    with np.errstate(all="ignore"):
        ans = np.asarray(op.forward(xs, **params))
        reverse = float(op.vjp[0](np.ones(()), ans, xs, **params))
        forward = float(op.jvp[0](np.ones(()), ans, xs, **params))
    return float(ans), reverse, forward


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_values_at_extreme_inputs_match_a_50_digit_reference(name) -> None:
    # The others (sin, abs, relu, ...) are numpy's own functions or exact by construction.
    assert name in unary_elementwise()
    op = registry()[name]
    for x in points_for(name):
        assert_matches_reference(op, x, REFERENCES[name])


def assert_matches_reference(op, x: float, reference) -> None:
    """The op's value at ``x`` against ``reference`` computed with 50 digits: to the last bit
    or two, an overflow as the infinity of its sign, below the normal numbers to 1e-300."""
    with np.errstate(all="ignore"):
        value = float(np.asarray(op.forward(np.array(x))))
    with localcontext() as context:
        context.prec = 50
        exact = reference(Decimal(x))
    if abs(exact) > Decimal("1.7e308"):
        assert value == (np.inf if exact > 0 else -np.inf), (op.name, x, value)
    elif abs(exact) < Decimal("2.3e-308"):
        assert abs(value - float(exact)) < 1e-300, (op.name, x, value, exact)
    else:
        assert value == pytest.approx(float(exact), rel=4e-16, abs=0), (op.name, x, value, float(exact))


@pytest.mark.parametrize("name", unary_elementwise())
def test_derivatives_at_extreme_inputs_agree_and_are_never_a_needless_nan(name) -> None:
    op = registry()[name]
    for x in points_for(name):
        ans, reverse, forward = derivative_both_ways(op, x)
        assert reverse == forward or (np.isnan(reverse) and np.isnan(forward)), (name, x, reverse, forward)
        h = 1e-6 * max(1.0, abs(x))
        if x != 0.0 and abs(x) < h * 2:
            continue  # a kink lies within the difference step
        with np.errstate(all="ignore"):
            left, right = (float(np.asarray(op.forward(np.array(x + s)))) for s in (-h, h))
        if not all(np.isfinite([ans, left, right])):
            continue
        assert np.isfinite(reverse), f"{name}'({x}) is {reverse} where {name} is finite around x"
        numeric = (right - left) / (2 * h)
        if x == 0.0 and name in ("abs", "relu", "leaky_relu"):
            # At the kink the rule takes a subgradient: between the one-sided slopes.
            slopes = sorted([(ans - left) / h, (right - ans) / h])
            assert slopes[0] - 1e-9 <= reverse <= slopes[1] + 1e-9, (name, reverse, slopes)
            continue
        assert abs(reverse - numeric) <= 1e-5 * max(abs(numeric), abs(reverse)) + 1e-300, (
            name, x, reverse, numeric)


@pytest.mark.parametrize("base, exponent, value, d_base, d_exponent", [
    (0.0, 0.0, 1.0, 0.0, 0.0),
    (0.0, 0.5, 0.0, np.inf, 0.0),
    (0.0, 1.0, 0.0, 1.0, 0.0),
    (0.0, 2.0, 0.0, 0.0, 0.0),
    (0.0, 3.5, 0.0, 0.0, 0.0),
    (-2.0, 0.0, 1.0, 0.0, np.nan),
    (3.0, 0.0, 1.0, 0.0, np.log(3.0)),
    (2.0, 3.0, 8.0, 12.0, 8 * np.log(2.0)),
])
def test_powers_of_zero_and_to_the_zero_in_both_modes(base, exponent, value, d_base, d_exponent) -> None:
    x, y = gn.Variable(base), gn.Variable(exponent)
    with np.errstate(all="ignore"):
        f = x ** y
        gx, gy = gn.grad(f, [x, y])
        tx, ty = gn.jvp(f, {x: 1.0}), gn.jvp(f, {y: 1.0})
    assert float(f.value) == value
    np.testing.assert_allclose([gx, tx], [d_base, d_base], rtol=1e-15)
    np.testing.assert_allclose([gy, ty], [d_exponent, d_exponent], rtol=1e-15)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_binary_ops_at_extreme_inputs_agree_in_both_modes(name) -> None:
    op = registry()[name]
    values = np.array([-800.0, -50.0, -1e-12, 1e-12, 1.0, 50.0, 800.0])
    xs, ys = np.meshgrid(values, values)
    with np.errstate(all="ignore"):
        ans = op.forward(xs, ys)
        for i, arg in enumerate((xs, ys)):
            ones = np.ones_like(ans)
            reverse = op.vjp[i](ones, ans, xs, ys)
            forward = op.jvp[i](ones, ans, xs, ys)
            np.testing.assert_array_equal(np.broadcast_to(reverse, ans.shape), np.broadcast_to(forward, ans.shape))
            assert np.isfinite(reverse).all(), (name, i)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_at_extreme_logits_is_finite_in_both_modes(name, rng) -> None:
    x = gn.Variable([[800.0, -800.0, 0.0], [50.0, 50.0, -50.0]])
    f = getattr(gn, name)(x, axis=-1)
    assert np.isfinite(f.value).all()
    u = rng.standard_normal((2, 3))
    reverse = gn.grad(f, [x], cotangent=u)[0]
    forward = gn.jacobian(f, [x], mode="forward").matrix
    assert np.isfinite(reverse).all()
    assert relative_error(reverse.ravel(), u.ravel() @ forward) < 1e-12
