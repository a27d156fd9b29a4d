"""tan, log1p, expm1, erf, square, reciprocal, gelu, silu and elu at points of known value.

The registry-wide tests check each rule against central differences; these check the values
and slopes against closed forms where they are known exactly (erf(0) = 0, gelu'(0) = 1/2),
in both modes, and the tails where a naive formula would lose every digit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import ParamError, ops, registry


def value_and_slopes(make, x: float) -> tuple[float, float, float]:
    """f(x), and f'(x) by reverse and by forward mode."""
    v = gn.Variable(x)
    f = make(v)
    return float(f.value), float(gn.grad(f, [v])[0]), float(gn.jvp(f, {v: 1.0}))


@pytest.mark.parametrize("make, x, value, slope", [
    (ops.erf, 0.0, 0.0, 2 / math.sqrt(math.pi)),
    (ops.erf, 30.0, 1.0, 0.0),
    (ops.erf, -30.0, -1.0, 0.0),
    (ops.tan, 0.0, 0.0, 1.0),
    (ops.tan, math.pi / 4, 1.0, 2.0),
    (ops.log1p, 0.0, 0.0, 1.0),
    (ops.log1p, 1e-20, 1e-20, 1.0),
    (ops.expm1, 0.0, 0.0, 1.0),
    (ops.expm1, 1e-20, 1e-20, 1.0),
    (ops.square, -3.0, 9.0, -6.0),
    (ops.reciprocal, 2.0, 0.5, -0.25),
    (ops.reciprocal, -0.5, -2.0, -4.0),
    (ops.gelu, 0.0, 0.0, 0.5),
    (ops.gelu, 40.0, 40.0, 1.0),
    (ops.gelu, -40.0, 0.0, 0.0),
    (ops.silu, 0.0, 0.0, 0.5),
    (ops.silu, 50.0, 50.0, 1.0),
    (ops.elu, 0.0, 0.0, 1.0),
    (ops.elu, 2.0, 2.0, 1.0),
    (ops.elu, -800.0, -1.0, 0.0),
])
def test_values_and_slopes_at_special_points_in_both_modes(make, x, value, slope) -> None:
    f, reverse, forward = value_and_slopes(make, x)
    assert f == pytest.approx(value, rel=1e-15, abs=1e-300)
    assert reverse == forward == pytest.approx(slope, rel=1e-15, abs=1e-300)


def test_erf_is_odd_and_matches_the_c_library() -> None:
    half = np.linspace(0, 6, 121)
    xs = np.concatenate([-half, half])
    f = ops.erf(gn.Constant(xs))
    np.testing.assert_array_equal(f.value, [math.erf(x) for x in xs])
    np.testing.assert_array_equal(f.value[:121], -f.value[121:])


def test_gelu_keeps_full_precision_in_the_negative_tail() -> None:
    # x Φ(x) with Φ(x) = erfc(−x/√2)/2; (1 + erf(x/√2))/2 would give exactly 0 at x = −9.
    for x in (-5.0, -9.0, -20.0):
        exact = x * 0.5 * math.erfc(-x / math.sqrt(2))
        assert float(ops.gelu(gn.Constant(x)).value) == pytest.approx(exact, rel=1e-14)
        assert exact != 0.0


def test_gelu_tanh_form_is_pytorchs_approximation_and_close_to_the_exact_form() -> None:
    xs = np.linspace(-5, 5, 101)
    approximate = ops.gelu(gn.Constant(xs), approximate="tanh").value
    formula = 0.5 * xs * (1 + np.tanh(math.sqrt(2 / math.pi) * (xs + 0.044715 * xs**3)))
    np.testing.assert_allclose(approximate, formula, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(approximate, ops.gelu(gn.Constant(xs)).value, atol=1e-3)
    x = gn.Variable(0.0)
    assert float(gn.grad(ops.gelu(x, approximate="tanh"), [x])[0]) == 0.5


def test_gelus_form_is_a_declared_choice() -> None:
    assert registry()["gelu"].plan([(3,)], {"approximate": "tanh"}).params == {"approximate": "tanh"}
    with pytest.raises(ParamError, match=r"parameter 'approximate' must be one of 'none', 'tanh'; got 'erf'"):
        registry()["gelu"].plan([(3,)], {"approximate": "erf"})
    with pytest.raises(ParamError, match="approximate"):
        registry()["gelu"].plan([(3,)], {"approximate": True})


def test_elu_slope_below_zero_is_alpha_e_to_the_x() -> None:
    for alpha in (0.5, 1.0, 2.0):
        f, reverse, forward = value_and_slopes(lambda v: ops.elu(v, alpha=alpha), -1.0)
        assert f == pytest.approx(alpha * math.expm1(-1.0), rel=1e-15)
        assert reverse == forward == pytest.approx(alpha * math.exp(-1.0), rel=1e-15)


def test_silu_is_x_times_sigmoid(rng) -> None:
    xs = rng.uniform(-6, 6, 20)
    np.testing.assert_allclose(ops.silu(gn.Constant(xs)).value, xs / (1 + np.exp(-xs)), rtol=1e-15)
