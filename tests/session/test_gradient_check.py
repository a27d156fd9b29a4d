"""The gradient check's verdict, without Qt: nan is a failure."""

from __future__ import annotations

import math

from graphviz_nn.session.gradient_check import agrees, check_summary


def test_small_errors_agree() -> None:
    assert check_summary([1e-11, 3e-9]).endswith("worst relative error 3.0e-09, all agree with finite differences")


def test_large_errors_are_counted() -> None:
    assert "1 above 1e-06" in check_summary([1e-11, 0.5])


def test_nan_is_a_failure_never_agreement() -> None:
    text = check_summary([1e-11, math.nan])
    assert "all agree" not in text and "worst relative error nan" in text
    assert "1 not a number" in text and "above" not in text
    assert not agrees(math.nan)
