"""max, min, logsumexp, var and std against closed forms: ties, huge logits, known spreads."""

from __future__ import annotations

import math

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import ShapeError, ops, registry


def test_max_with_ties_shares_the_gradient_equally_as_torch_amax_does() -> None:
    x = gn.Variable([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [5.0, 0.0, 1.0]])
    m = ops.max(x, axis=1)
    np.testing.assert_array_equal(m.value, [3.0, 2.0, 5.0])
    np.testing.assert_array_equal(gn.grad(gn.sum(m), [x])[0],
                                  [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3], [1, 0, 0]])
    # Forward mode: the tangent of a tied max is the mean of the tied tangents.
    dx = np.array([[9.0, 1.0, 3.0], [3.0, 6.0, 0.0], [7.0, 8.0, 8.0]])
    np.testing.assert_array_equal(gn.jvp(m, {x: dx}), [2.0, 3.0, 7.0])


def test_min_over_everything_and_with_keepdims() -> None:
    x = gn.Variable([[4.0, -1.0], [-1.0, 0.0]])
    m = ops.min(x)
    assert float(m.value) == -1.0
    np.testing.assert_array_equal(gn.grad(m, [x])[0], [[0, 0.5], [0.5, 0]])
    k = ops.min(x, axis=-2, keepdims=True)
    assert k.shape == (1, 2)
    np.testing.assert_array_equal(k.value, [[-1.0, -1.0]])


def test_logsumexp_of_huge_and_tiny_logits_is_finite_and_exact() -> None:
    for shift in (1000.0, -1000.0, 0.0):
        x = gn.Variable([shift, shift])
        f = ops.logsumexp(x)
        assert float(f.value) == pytest.approx(shift + math.log(2.0), rel=1e-15, abs=1e-15)
        np.testing.assert_array_equal(gn.grad(f, [x])[0], [0.5, 0.5])
    x = gn.Variable([[0.0, math.log(3.0)], [800.0, -800.0]])
    f = ops.logsumexp(x, axis=-1)
    np.testing.assert_allclose(f.value, [math.log(4.0), 800.0], rtol=1e-15)
    np.testing.assert_allclose(gn.grad(gn.sum(f), [x])[0], [[0.25, 0.75], [1.0, 0.0]], rtol=1e-15)


def test_var_and_std_match_their_textbook_values() -> None:
    x = gn.Variable([1.0, 2.0, 3.0, 4.0])
    assert float(ops.var(x).value) == 1.25
    assert float(ops.var(x, ddof=1).value) == pytest.approx(5 / 3, rel=1e-15)
    assert float(ops.std(x, ddof=1).value) == pytest.approx(math.sqrt(5 / 3), rel=1e-15)
    # d var / dx = 2 (x − mean) / (n − ddof)
    np.testing.assert_allclose(gn.grad(ops.var(x, ddof=1), [x])[0], [-1.0, -1 / 3, 1 / 3, 1.0], rtol=1e-15)


def test_std_of_equal_values_has_slope_zero_not_nan() -> None:
    x = gn.Variable([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    s = ops.std(x, axis=1)
    np.testing.assert_array_equal(s.value, [0.0, math.sqrt(2 / 3)])
    g = gn.grad(gn.sum(s), [x])[0]
    assert np.isfinite(g).all()
    np.testing.assert_array_equal(g[0], [0.0, 0.0, 0.0])
    assert np.isfinite(gn.jvp(s, {x: np.ones((2, 3))})).all()


@pytest.mark.parametrize("name, shape, params, message", [
    ("max", (0, 3), {"axis": 0}, "length 0"),
    ("min", (2, 0), {}, "length 0"),
    ("logsumexp", (2, 0), {"axis": -1}, "length 0"),
    ("var", (3,), {"ddof": 3}, "no degree of freedom"),
    ("std", (2, 1), {"axis": 1, "ddof": 1}, "no degree of freedom"),
])
def test_reductions_with_nothing_to_reduce_are_refused_before_computing(name, shape, params, message) -> None:
    with pytest.raises(ShapeError, match=message):
        registry()[name].plan([shape], params)


def test_ddof_is_a_whole_number_at_least_zero() -> None:
    for bad in (-1, 0.5, True, "1"):
        with pytest.raises(gn.ParamError, match="parameter 'ddof' must be a whole number >= 0"):
            registry()["var"].plan([(4,)], {"ddof": bad})
