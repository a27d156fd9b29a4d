"""Which scopes are drawn collapsed as the user opens and closes them."""

from __future__ import annotations

import numpy as np

from graphviz_nn.layout.view import FOCUS_NODES, all_scopes, build_view, default_collapsed, toggled
from graphviz_nn.nn import PerceptronNet


def test_opening_a_scope_of_a_huge_graph_shows_it_in_focus() -> None:
    small = PerceptronNet([3, 2, 1], rng=np.random.default_rng(0)).graph
    perceptron = ("layer 1", "perceptron 1")
    assert toggled(small, {perceptron, ("layer 2",)}, perceptron) == {("layer 2",)}  # only it opens
    assert toggled(small, {perceptron}, ("layer 1",)) == {("layer 1",)}  # closing folds what is inside

    huge = PerceptronNet([40, 40, 40, 1], rng=np.random.default_rng(0)).graph
    assert len(huge) > FOCUS_NODES
    opened = toggled(huge, default_collapsed(huge), perceptron)
    outermost = {s for s in all_scopes(huge) if len(s) == 1}
    assert perceptron not in opened and ("layer 1",) not in opened
    assert opened >= outermost - {("layer 1",)}  # the other layers close into one box each
    assert ("layer 1", "perceptron 2") in opened  # its siblings stay closed
    assert all(s[:1] == ("layer 1",) or len(s) == 1 for s in opened)
    assert len(build_view(huge, opened).nodes) < 250
