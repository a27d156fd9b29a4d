"""solve and inv: against numpy, each other and closed forms, batched and broadcast."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import ShapeError, ops, registry


def well_conditioned(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    n = shape[-1]
    return rng.standard_normal(shape) + 2 * n * np.eye(n)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((3, 3), (3,)), ((3, 3), (3, 2)), ((4, 3, 3), (3,)), ((4, 3, 3), (4, 3, 1)), ((2, 1, 2, 2), (3, 2, 5)),
])
def test_solve_matches_inv_times_b_and_numpy(a_shape, b_shape, rng) -> None:
    a, b = well_conditioned(rng, a_shape), rng.standard_normal(b_shape)
    x = ops.solve(gn.Constant(a), gn.Constant(b))
    np.testing.assert_allclose(x.value, np.linalg.solve(a, b), rtol=1e-13, atol=1e-14)
    via_inverse = ops.inv(gn.Constant(a)) @ gn.Constant(b)
    np.testing.assert_allclose(x.value, via_inverse.value, rtol=1e-12, atol=1e-13)
    assert registry()["solve"].plan([a_shape, b_shape]).shape == x.shape


@pytest.mark.parametrize("a_shape, b_shape", [((3, 3), (3,)), ((2, 3, 3), (3, 2)), ((3, 3), (2, 3, 1))])
def test_solve_and_inv_have_the_same_derivatives(a_shape, b_shape, rng) -> None:
    a = gn.Variable(well_conditioned(rng, a_shape))
    b = gn.Variable(rng.standard_normal(b_shape))
    u = rng.standard_normal(np.broadcast_shapes(a_shape[:-1], b_shape) if len(b_shape) == 1
                            else np.broadcast_shapes(a_shape[:-2], b_shape[:-2]) + b_shape[-2:])
    direct = ops.solve(a, b)
    through = ops.inv(a) @ b
    for got, want in zip(gn.grad(direct, [a, b], cotangent=u), gn.grad(through, [a, b], cotangent=u)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    da, db = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    np.testing.assert_allclose(gn.jvp(direct, {a: da, b: db}), gn.jvp(through, {a: da, b: db}),
                               rtol=1e-10, atol=1e-12)


def test_inverse_of_a_diagonal_matrix_and_its_slope() -> None:
    a = gn.Variable(np.diag([2.0, 4.0]))
    y = ops.inv(a)
    np.testing.assert_array_equal(y.value, np.diag([0.5, 0.25]))
    # d(1/a)/da = −1/a² on the diagonal
    np.testing.assert_allclose(gn.grad(gn.sum(y * np.eye(2)), [a])[0], np.diag([-0.25, -0.0625]), rtol=1e-15)
    np.testing.assert_allclose(gn.jvp(y, {a: np.eye(2)}), np.diag([-0.25, -0.0625]), rtol=1e-15)


def test_a_scalar_system_is_division() -> None:
    a, b = gn.Variable([[4.0]]), gn.Variable([2.0])
    x = ops.solve(a, b)
    assert x.value.tolist() == [0.5]
    ga, gb = gn.grad(gn.sum(x), [a, b])
    assert ga.tolist() == [[-2.0 / 16.0]] and gb.tolist() == [0.25]


@pytest.mark.parametrize("name, shapes, message", [
    ("solve", [(3, 2), (3,)], "square matrices"),
    ("solve", [(3,), (3,)], "square matrices"),
    ("solve", [(3, 3), (2,)], "b has length 2"),
    ("solve", [(3, 3), ()], "vector of length 3"),
    ("solve", [(3, 3), (2, 4)], r"matrices \(3, k\)"),
    ("solve", [(2, 3, 3), (4, 3, 1)], "cannot be broadcast"),
    ("inv", [(2, 3)], "square matrices"),
    ("inv", [(4,)], "square matrices"),
])
def test_shapes_that_are_not_systems_are_refused_before_computing(name, shapes, message) -> None:
    with pytest.raises(ShapeError, match=message):
        registry()[name].plan(shapes)


def test_a_large_system_is_priced_by_its_factorisation() -> None:
    plan = registry()["solve"].plan([(4096, 4096), (4096,)])
    assert plan.flops >= 2 * 4096**3 // 3 // 16  # LAPACK as fast as BLAS: 16 flops to a unit
    assert registry()["inv"].plan([(8, 100, 100)]).flops >= 8 * 2 * 100**3 // 4


def test_a_singular_matrix_is_refused_with_numpys_message() -> None:
    with pytest.raises(ShapeError, match="Singular matrix"):
        ops.inv(gn.Variable(np.ones((2, 2))))
