"""maximum, minimum, where, clip, pad, concatenate and stack: ties, masks, bounds, placement."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import ParamError, ShapeError, ops, registry


def _jacobians_agree(f: gn.Node, wrt: list[gn.Node]) -> None:
    forward = gn.jacobian(f, wrt, mode="forward").matrix
    reverse = gn.jacobian(f, wrt, mode="reverse").matrix
    np.testing.assert_allclose(forward, reverse, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(reverse, gn.numeric_jacobian(f, wrt), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("make, x, y, value, dx", [
    (ops.maximum, [1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [3.0, 2.0, 3.0], [0.0, 0.5, 1.0]),
    (ops.minimum, [1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [1.0, 2.0, 1.0], [1.0, 0.5, 0.0]),
])
def test_ties_split_the_slope_half_and_half_in_both_modes(make, x, y, value, dx) -> None:
    a, b = gn.Variable(x), gn.Variable(y)
    f = make(a, b)
    np.testing.assert_array_equal(f.value, value)
    ga, gb = gn.grad(gn.sum(f), [a, b])
    np.testing.assert_array_equal(ga, dx)
    np.testing.assert_array_equal(gb, 1 - np.array(dx))
    np.testing.assert_array_equal(gn.jvp(f, {a: np.ones(3)}), dx)


def test_maximum_with_a_broadcast_scalar_sums_its_gradient() -> None:
    x, floor = gn.Variable([[-1.0, 2.0], [0.5, -3.0]]), gn.Variable(0.0)
    f = ops.maximum(x, floor)
    np.testing.assert_array_equal(f.value, [[0.0, 2.0], [0.5, 0.0]])
    gx, gfloor = gn.grad(gn.sum(f), [x, floor])
    np.testing.assert_array_equal(gx, [[0, 1], [1, 0]])
    assert float(gfloor) == 2.0


def test_where_routes_the_gradient_by_a_boolean_mask() -> None:
    mask = gn.Constant(np.array([[True, False, True]]))
    x, y = gn.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), gn.Variable(-1.0)
    f = ops.where(mask, x, y)
    np.testing.assert_array_equal(f.value, [[1, -1, 3], [4, -1, 6]])
    gx, gy = gn.grad(gn.sum(f), [x, y])
    np.testing.assert_array_equal(gx, [[1, 0, 1], [1, 0, 1]])
    assert float(gy) == 2.0
    _jacobians_agree(f, [x, y])


def test_a_variable_condition_gets_a_zero_gradient() -> None:
    c = gn.Variable([1.0, 0.0])
    f = ops.where(c, gn.Constant([5.0, 6.0]), gn.Constant([7.0, 8.0]))
    np.testing.assert_array_equal(f.value, [5.0, 8.0])
    np.testing.assert_array_equal(gn.grad(gn.sum(f), [c])[0], [0.0, 0.0])


def test_clip_passes_the_gradient_inside_and_on_the_bounds() -> None:
    x = gn.Variable([-2.0, -1.0, 0.0, 1.0, 2.0])
    f = ops.clip(x, -1, 1)
    np.testing.assert_array_equal(f.value, [-1, -1, 0, 1, 1])
    np.testing.assert_array_equal(gn.grad(gn.sum(f), [x])[0], [0, 1, 1, 1, 0])
    np.testing.assert_array_equal(gn.jvp(f, {x: np.ones(5)}), [0, 1, 1, 1, 0])
    np.testing.assert_array_equal(ops.clip(x, min=0).value, [0, 0, 0, 1, 2])
    np.testing.assert_array_equal(ops.clip(x, max=0).value, [-2, -1, 0, 0, 0])


def test_clip_refuses_crossed_or_infinite_bounds() -> None:
    with pytest.raises(ShapeError, match=r"min \(2\) is larger than max \(1\)"):
        registry()["clip"].plan([(3,)], {"min": 2, "max": 1})
    with pytest.raises(ParamError, match="parameter 'max' must be a finite number or None"):
        registry()["clip"].plan([(3,)], {"max": float("inf")})


@pytest.mark.parametrize("width, pairs", [
    (1, ((1, 1), (1, 1))),
    ([2], ((2, 2), (2, 2))),
    ([0, 3], ((0, 3), (0, 3))),
    ([[1, 2]], ((1, 2), (1, 2))),
    ([[1, 0], [0, 2]], ((1, 0), (0, 2))),
])
def test_pad_reads_numpys_forms_of_pad_width(width, pairs, rng) -> None:
    plan = registry()["pad"].plan([(2, 3)], {"pad_width": width})
    assert plan.params == {"pad_width": pairs}
    x = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(ops.pad(gn.Constant(x), width).value, np.pad(x, width))


@pytest.mark.parametrize("width", [-1, [1, -1], [[1, 1]] * 3, [[1, 1, 1]], "1", [True, 1], 1.5])
def test_pad_refuses_other_widths(width) -> None:
    with pytest.raises(ParamError, match="parameter 'pad_width' must be"):
        registry()["pad"].plan([(2, 3)], {"pad_width": width})


def test_concatenate_matches_numpy_and_hands_each_part_its_slice(rng) -> None:
    a, b, c = (gn.Variable(rng.standard_normal((2, n))) for n in (1, 3, 2))
    f = ops.concatenate([a, b, c], axis=-1)
    np.testing.assert_array_equal(f.value, np.concatenate([a.value, b.value, c.value], axis=-1))
    u = rng.standard_normal((2, 6))
    ga, gb, gc = gn.grad(f, [a, b, c], cotangent=u)
    np.testing.assert_array_equal(ga, u[:, :1])
    np.testing.assert_array_equal(gb, u[:, 1:4])
    np.testing.assert_array_equal(gc, u[:, 4:])
    _jacobians_agree(f, [a, b, c])


def test_stack_matches_numpy_on_every_axis(rng) -> None:
    parts = [gn.Variable(rng.standard_normal((2, 3))) for _ in range(3)]
    for axis in (0, 1, 2, -1, -3):
        f = ops.stack(parts, axis=axis)
        np.testing.assert_array_equal(f.value, np.stack([p.value for p in parts], axis=axis))
    _jacobians_agree(ops.stack(parts, axis=1), parts)
    scalars = [gn.Variable(v) for v in (1.0, 2.0)]
    np.testing.assert_array_equal(ops.stack(scalars).value, [1.0, 2.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.concatenate([np.ones((2, 3)), np.ones((3, 3))], axis=1), ShapeError, "same lengths except"),
    (lambda: ops.concatenate([np.ones(2), np.ones((1, 2))]), ShapeError, "same number of dimensions"),
    (lambda: ops.concatenate([1.0, 2.0]), ShapeError, "at least one"),
    (lambda: ops.concatenate([np.ones(2)], axis=1), ParamError, r"axis of the parts \(-1\.\.0\); got 1"),
    (lambda: ops.stack([np.ones(2), np.ones(3)]), ShapeError, "same shape"),
    (lambda: ops.stack([np.ones(2)], axis=-3), ParamError, r"axis of the result \(-2\.\.1\)"),
    (lambda: ops.stack(gn.Variable([1.0])), TypeError, "list of nodes"),
])
def test_parts_that_do_not_fit_are_refused_naming_the_shapes(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()
