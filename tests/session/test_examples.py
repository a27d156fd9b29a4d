"""Every gallery example builds and records its three passes; the newer ones compute what
they say, checked against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.session import EXAMPLES, record


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_every_example_builds_and_records_its_passes(key: str) -> None:
    with np.errstate(all="ignore"):  # the nan example takes the log of a negative on purpose
        built = EXAMPLES[key].build()
        forward = record(built.graph, "forward")
        backward = record(built.graph, "backward", built.output, built.cotangent)
    assert len(forward) == len(built.graph)
    assert backward.steps[0].node_id == built.graph.id_of(built.output)
    assert {built.graph.id_of(v) for v in built.inputs} <= set(backward.index_of)


def test_the_tensorflow_example_gives_y_prime_against_finite_differences() -> None:
    built = EXAMPLES["solve"].build()
    x = built.inputs[0]
    (slope,) = gn.grad(built.output, [x])
    A = np.array([[1.0, 0.5, 0.0], [0.2, 1.5, 0.3], [0.0, 0.4, 2.0]])
    b, c = np.array([1.0, -1.0, 0.5]), np.array([0.2, 0.1, -0.3])

    def y(t: float) -> float:
        r = np.linalg.solve(A @ A.T + t * np.eye(3), b) - c
        return float(r @ r)

    h = 1e-5
    assert float(slope) == pytest.approx((y(0.5 + h) - y(0.5 - h)) / (2 * h), abs=1e-6)
    assert float(built.output.value) == pytest.approx(y(0.5), rel=1e-12)


def test_the_newton_step_lands_where_numpy_says() -> None:
    built = EXAMPLES["newton"].build()
    x = np.array([-1.2, 1.0])
    g = np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])
    H = np.array([[2 - 400 * (x[1] - x[0] ** 2) + 800 * x[0] ** 2, -400 * x[0]], [-400 * x[0], 200.0]])
    expected = x - np.linalg.solve(H, g)
    got = [float(n.value) for n in built.graph.outputs]
    np.testing.assert_allclose(got, expected, rtol=1e-10)
