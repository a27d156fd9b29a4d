"""Brackets on a node index it as numpy does, and the gradient goes back to what was taken."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn


def test_brackets_index_a_node_as_numpy_does_and_route_the_gradient() -> None:
    x = gn.Variable(np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal((x[1:, ::-2] * 2).value, 2 * x.value[1:, ::-2])
    np.testing.assert_array_equal(gn.grad(gn.sum(x[[2, 0, 2]]), [x])[0], [[1] * 4, [0] * 4, [2] * 4])
    assert gn.sum(x[..., 0]).value == 12.0
    assert x[-1, -1].item() == 11.0


def test_a_node_is_not_iterable() -> None:
    with pytest.raises(TypeError):
        iter(gn.Variable([1.0, 2.0]))
