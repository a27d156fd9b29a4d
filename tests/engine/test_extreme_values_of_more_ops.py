"""log1p, expm1, silu, elu, square and reciprocal at extreme inputs against 50-digit values,
as the sweep does for exp, log and the activations (erf and gelu are the C library's erf and
erfc; tan is numpy's own)."""

from __future__ import annotations

import pytest

from graphviz_nn.engine import registry

from .test_op_sweeps import EXTREMES, assert_matches_reference

REFERENCES = {
    "log1p": lambda x: (1 + x).ln(),
    "expm1": lambda x: x.exp() - 1,
    "silu": lambda x: x / (1 + (-x).exp()),
    "elu": lambda x: x if x > 0 else x.exp() - 1,
    "square": lambda x: x * x,
    "reciprocal": lambda x: 1 / x,
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_values_at_extreme_inputs_match_a_50_digit_reference(name) -> None:
    op = registry()[name]
    for x in EXTREMES:
        if (name == "log1p" and x <= -1) or (name == "reciprocal" and x == 0):
            continue
        assert_matches_reference(op, x, REFERENCES[name])
