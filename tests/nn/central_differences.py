"""Both modes of a scalar loss against central differences: every Variable's reverse gradient,
and the forward tangent along a random direction of all of them at once."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import Graph, check_gradients


def both_modes_agree_with_central_differences(loss: gn.Node, rng: np.random.Generator) -> None:
    """Reverse gradients of every Variable, and the forward tangent along a random direction
    of all of them, against central differences."""
    for result in check_gradients(loss).values():
        assert result.ok(1e-7), (result.variable.label, result.relative_error)
    leaves = Graph(loss).variables
    direction = {v: rng.standard_normal(v.shape) for v in leaves}
    tangent = float(gn.jvp(loss, direction))
    h, originals, moved = 1e-6, {v: v.value for v in leaves}, []
    for sign in (1, -1):
        for v in leaves:
            v.value = originals[v] + sign * h * direction[v]
        Graph(loss).forward()
        moved.append(float(loss.value))
    for v in leaves:
        v.value = originals[v]
    assert tangent == pytest.approx((moved[0] - moved[1]) / (2 * h), rel=1e-7, abs=1e-9)
