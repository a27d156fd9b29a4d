"""graphviz_nn.show opens the window on a graph built in Python."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn

from .conftest import ready


def test_show_without_blocking_returns_the_window(qtbot) -> None:
    W = gn.Variable(np.array([[0.5, -1.0], [2.0, 0.25]]), "W")
    x = gn.Constant([1.0, 2.0], "x")
    loss = gn.sum(gn.tanh(W @ x))
    loss.name = "loss"
    window = gn.show(loss, block=False)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: ready(window), timeout=20000)
    assert window.graph.outputs == (loss,) and len(window.view.nodes) == len(window.graph)
    window.set_phase("backward")
    window.to_end()
    assert window.view.nodes[window.graph.id_of(W)].second_text.startswith("∇ ")
    window.close()


def test_show_refuses_other_things() -> None:
    with pytest.raises(TypeError, match="takes a Graph or a Node"):
        gn.show(42, block=False)
