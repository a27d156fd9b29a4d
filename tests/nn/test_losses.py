"""Losses: the value a learner would compute by hand, for one sample and for a batch."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.nn.losses import build_loss


def test_categorical_cross_entropy_of_1d_logits_is_one_sample() -> None:
    z = gn.Variable([2.0, -1.0, 800.0])
    y = gn.Constant([0.0, 1.0, 0.0])
    loss = build_loss("cce", "softmax", z, gn.softmax(z), y)
    assert float(loss.value) == pytest.approx(801.0, rel=1e-15)
    softmax = np.array([0.0, 0.0, 1.0])  # e^(2 - 800) and e^(-801) vanish beside 1
    np.testing.assert_allclose(gn.grad(loss, [z])[0], softmax - y.value, atol=1e-300)
    np.testing.assert_allclose(gn.jvp(loss, {z: [0.0, 0.0, 1.0]}), 1.0, rtol=1e-15)


def test_categorical_cross_entropy_of_a_batch_is_the_mean_over_rows() -> None:
    z = gn.Variable([[2.0, -1.0, 800.0], [0.0, 0.0, 0.0]])
    y = gn.Constant([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    loss = build_loss("cce", "softmax", z, gn.softmax(z), y)
    assert float(loss.value) == pytest.approx((801.0 + np.log(3.0)) / 2, rel=1e-15)


def test_one_row_batch_and_one_sample_agree() -> None:
    logits = [0.5, -1.0, 2.0]
    target = [0.0, 0.0, 1.0]
    one = build_loss("cce", "softmax", gn.Variable(logits), None, gn.Constant(target))
    row = build_loss("cce", "softmax", gn.Variable([logits]), None, gn.Constant([target]))
    assert float(one.value) == pytest.approx(float(row.value), rel=1e-15)
