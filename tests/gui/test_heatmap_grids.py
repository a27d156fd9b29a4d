"""Grids of heatmaps in the window: a conv layer's feature maps and filters, attention weights
with their tokens, chosen by keyboard; the maps on the graph's boxes when zoomed in. Expected
pictures come from the engine's values (``node.value``, the recorded gradients) through the
one colour map."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFontInfo
from PySide6.QtWidgets import QLabel, QScrollArea

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.gui.docks.map_grid_view import MapGridView
from graphviz_nn.session import Built
from graphviz_nn.session.colour_map import heatmap_colours
from graphviz_nn.session.number_text import number

from .conftest import ready

TOKENS = ("the", "cat", "sat", "on", "mat")


def conv_net() -> Built:
    """Two images of 8 × 8 through a 1 → 4 channel convolution, ReLU and 2 × 2 max pooling."""
    rng = np.random.default_rng(0)
    x = gn.Constant(rng.normal(size=(2, 1, 8, 8)), "image")
    conv = nn.Conv2d(1, 4, 3, padding=1, rng=rng)
    pooled = nn.MaxPool2d(2)(gn.relu(conv(x)))
    loss = gn.sum(pooled * pooled)
    loss.name = "loss"
    return Built.of(loss, (conv.weight,))


def attention_net(tokens=TOKENS) -> tuple[Built, gn.Node]:
    """Two sentences of five tokens through two-head self-attention; the example says the
    weights' rows and columns are the tokens (when ``tokens`` is given)."""
    rng = np.random.default_rng(1)
    x = gn.Constant(rng.normal(size=(2, len(TOKENS), 4)), "tokens")
    layer = nn.MultiheadAttention(4, 2, batch_first=True, rng=rng)
    out, _ = layer(x, x, x)
    loss = gn.sum(out * out)
    loss.name = "loss"
    weights = layer.head_weights
    labels = {weights: (tokens, tokens)} if tokens else {}
    return dataclasses.replace(Built.of(loss), axis_labels=labels), weights


@pytest.fixture
def open_built(qtbot, settings, layout_worker):
    """A function opening the window (1280 × 720) on a built graph, waiting until it is drawn."""
    from graphviz_nn.gui.main_window import MainWindow

    def opener(built: Built):
        window = MainWindow(None, settings=settings, worker=layout_worker,
                            autosave=Path(settings.fileName()).parent / "autosave")
        qtbot.addWidget(window)
        window.resize(1280, 720)
        window.show()
        window.model.open(lambda: built, "maps")
        qtbot.waitUntil(lambda: ready(window) and window.model.built is built, timeout=30000)
        return window

    return opener


def at_end_of_backward(window) -> None:
    window.stepping.set_phase("backward")
    window.stepping.to_end()


def inspect(window, node) -> None:
    """Click the node's box, as a user does; the inspector follows."""
    window.stepping.on_node_clicked(window.model.graph.id_of(node))
    window.stepping.update_inspector()


def maps(window, key: str = "value") -> MapGridView:
    found = window.inspector.findChild(MapGridView, f"inspector_{key}_maps")
    assert found is not None and found.isVisibleTo(window.inspector), key
    return found


def choose_by_keyboard(qtbot, view: MapGridView, name: str, key, times: int = 1) -> None:
    widget = view.chooser(name)
    widget.setFocus()
    for _ in range(times):
        qtbot.keyClick(widget, key)


def laid_out(qtbot, view: MapGridView) -> None:
    """Wait for the dock's layout to give the maps their height (a turn of the event loop)."""
    canvas = view.canvas
    qtbot.waitUntil(lambda: canvas.height() >= canvas.heightForWidth(canvas.width()) > 0, timeout=5000)


def pictured(view: MapGridView, k: int, expected: np.ndarray, scale: float) -> None:
    """The k-th map's image shows ``expected`` cell by cell, on the shared ``scale``: in its
    picture, and on screen (a corner of each cell, clear of any number written in it)."""
    canvas = view.canvas
    image, screen = canvas.map_image(k), canvas.grab().toImage()
    colours = heatmap_colours(expected, scale)
    rows, cols = expected.shape
    box = canvas.map_rect(k)
    cw, ch = image.width() / cols, image.height() / rows
    for i, j in np.ndindex(rows, cols):
        want = QColor(*map(int, colours[i, j]))
        assert image.pixelColor(int((j + 0.25) * cw) + 1, int((i + 0.25) * ch) + 1) == want
        corner = QPointF(box.left() + (j + 0.25) * cw + 1, box.top() + (i + 0.25) * ch + 1)
        ratio = screen.devicePixelRatio()
        assert screen.pixelColor(int(corner.x() * ratio), int(corner.y() * ratio)) == want


def test_the_attention_heatmap_shows_the_weights_node_for_the_chosen_sample_and_head(open_built, qtbot) -> None:
    built, weights = attention_net()
    window = open_built(built)
    at_end_of_backward(window)
    inspect(window, weights)
    view = maps(window)
    grid = view.grid
    assert grid.plan.labels == (TOKENS, TOKENS)                   # the example's tokens, as given
    assert [c.name for c in grid.plan.choosers] == ["sample", "head"] and grid.chosen == (0, 0)
    choose_by_keyboard(qtbot, view, "head", Qt.Key.Key_Up)
    choose_by_keyboard(qtbot, view, "sample", Qt.Key.Key_Up)
    grid = view.grid
    assert grid.chosen == (1, 1) and len(grid.tiles) == 1
    np.testing.assert_array_equal(grid.tiles[0].matrix, weights.value[1, 1])
    assert grid.scale == np.abs(weights.value).max()
    laid_out(qtbot, view)
    pictured(view, 0, weights.value[1, 1], grid.scale)
    # The gradient's map follows the same choice, and is ∂L/∂weights as the pass recorded it.
    gradient = maps(window, "gradient").grid
    assert gradient.chosen == (1, 1) and gradient.plan.labels == (TOKENS, TOKENS)
    recorded = window.model.cursor.quantity(window.model.graph.id_of(weights))
    np.testing.assert_array_equal(gradient.tiles[0].matrix, recorded[1, 1])


def test_without_tokens_the_attention_heatmap_is_labelled_by_index_and_reads_out_an_entry(open_built, qtbot) -> None:
    built, weights = attention_net(tokens=None)
    window = open_built(built)
    at_end_of_backward(window)
    inspect(window, weights)
    view = maps(window)
    assert view.grid.plan.labels == (tuple("01234"), tuple("01234"))
    laid_out(qtbot, view)
    canvas = view.canvas
    window.inspector.findChild(QScrollArea, "inspector_scroll").ensureWidgetVisible(canvas, 0, 0)
    qtbot.mouseMove(canvas, canvas.cell_centre(0, 2, 3).toPoint())
    assert canvas.entry_at(canvas.cell_centre(0, 2, 3)) == (0, (0, 0, 2, 3))
    assert canvas.readout == f"[0, 0, 2, 3] = {number(weights.value[0, 0, 2, 3])}   2 → 3"


def test_feature_maps_show_each_channel_and_keep_the_chosen_sample_from_node_to_node(open_built, qtbot) -> None:
    built = conv_net()
    window = open_built(built)
    at_end_of_backward(window)
    graph = window.model.graph
    conv = next(n for n in graph.nodes if getattr(n, "op", None) is not None and n.op.name.startswith("conv2d"))
    inspect(window, conv)
    view = maps(window)
    assert [t.caption for t in view.grid.tiles] == ["ch 0", "ch 1", "ch 2", "ch 3"]
    choose_by_keyboard(qtbot, view, "sample", Qt.Key.Key_Up)
    gradient = window.model.cursor.quantity(graph.id_of(conv))
    laid_out(qtbot, view)
    for c in range(4):
        np.testing.assert_array_equal(view.grid.tiles[c].matrix, conv.value[1, c])
        np.testing.assert_array_equal(maps(window, "gradient").grid.tiles[c].matrix, gradient[1, c])
        pictured(view, c, conv.value[1, c], np.abs(conv.value).max())
    relu = next(n for n in graph.nodes if conv in getattr(n, "inputs", ()))
    inspect(window, relu)
    assert maps(window).grid.chosen == (1,)                     # the class still looks at sample 1
    np.testing.assert_array_equal(maps(window).grid.tiles[2].matrix, relu.value[1, 2])


def test_a_conv_weight_is_a_filter_per_output_channel_for_one_input_channel_or_all(open_built, qtbot) -> None:
    rng = np.random.default_rng(2)
    x = gn.Constant(rng.normal(size=(1, 3, 6, 6)), "image")
    conv = nn.Conv2d(3, 2, 3, rng=rng)
    loss = gn.sum(gn.relu(conv(x)))
    window = open_built(Built.of(loss, (conv.weight,)))
    at_end_of_backward(window)
    inspect(window, conv.weight)
    view = maps(window)
    w = conv.weight.value
    assert view.grid.plan.title == "filters" and [t.caption for t in view.grid.tiles] == ["out 0", "out 1"]
    choose_by_keyboard(qtbot, view, "input channel", Qt.Key.Key_Down, times=2)
    assert view.grid.chosen == (2,)
    for o in range(2):
        np.testing.assert_array_equal(view.grid.tiles[o].matrix, w[o, 2])
    choose_by_keyboard(qtbot, view, "input channel", Qt.Key.Key_Down)    # "all, side by side"
    laid_out(qtbot, view)
    for o in range(2):
        np.testing.assert_array_equal(view.grid.tiles[o].matrix, np.concatenate(list(w[o]), axis=1))
        pictured(view, o, np.concatenate(list(w[o]), axis=1), np.abs(w).max())
    canvas = view.canvas
    assert canvas.entry_at(canvas.cell_centre(1, 2, 7)) == (1, (1, 2, 2, 1))   # out 1, input channel 2


def test_maps_and_their_labels_are_readable_and_inside_the_dock_at_1280_by_720(open_built, qtbot) -> None:
    built, weights = attention_net()
    window = open_built(built)
    at_end_of_backward(window)
    for node in (weights, next(n for n in window.model.graph.nodes if n.name == "scores")):
        inspect(window, node)
        laid_out(qtbot, maps(window))
        canvas = maps(window).canvas
        assert QFontInfo(canvas.font()).pixelSize() >= 12
        assert canvas.map_rect(0).left() > 0 or not canvas.labelled     # room for the tokens at the left
        assert canvas.map_rect(len(canvas.grid.tiles) - 1).right() <= canvas.width()
        assert canvas.height() >= canvas.heightForWidth(canvas.width())


def test_a_conv_box_shows_its_first_channel_zoomed_in_and_nothing_fitted(open_built) -> None:
    built = conv_net()
    window = open_built(built)
    graph, view = window.model.graph, window.view
    conv = next(n for n in graph.nodes if getattr(n, "op", None) is not None and n.op.name.startswith("conv2d"))
    item = view.item_for(graph.id_of(conv))
    at_end_of_backward(window)
    view.fit()
    assert item.thumbnail is None or not item.thumbnail.shown
    centre = item.sceneBoundingRect().center()
    view.place(1.5, (centre.x(), centre.y()))
    assert item.thumbnail.shown
    picture = item.thumbnail.picture.toImage()
    first = conv.value[0, 0]
    colours = heatmap_colours(first)
    side = picture.width() / first.shape[1]
    for i, j in np.ndindex(*first.shape):
        assert picture.pixelColor(int((j + 0.5) * side), int((i + 0.5) * side)) == QColor(*map(int, colours[i, j]))
    # Dense nodes (the loss, a scalar) never get one.
    assert view.item_for(graph.id_of(built.output)).thumbnail is None
    view.fit()
    assert not item.thumbnail.shown


def test_a_big_grid_never_freezes_the_inspector(inspector_dock) -> None:
    """The digits CNN's second layer, a batch of 32 images with 64 channels of 28 × 28: shown,
    a sample chosen, and painted well within a second (tests/benchmarks/bench_heatmaps.py
    measures the 16-channel grid)."""
    from graphviz_nn.session.inspect import NodeInfo

    value = np.random.default_rng(0).normal(size=(32, 64, 28, 28))
    info = NodeInfo("n1", "conv2d", None, "function", "conv2d", value.shape, (), value, value, None, "", None)
    started = time.perf_counter()
    inspector_dock.show_node(info)
    view = inspector_dock.findChild(MapGridView, "inspector_value_maps")
    view.chooser("sample").setValue(7)
    view.canvas.grab()
    assert time.perf_counter() - started < 1.0
    assert view.grid.chosen == (7,) and len(view.grid.tiles) == 64


def test_zooming_a_graph_of_many_conv_boxes_never_freezes(qtbot) -> None:
    """Four hundred boxes holding feature maps, zoomed in and out: their maps are made only
    when first shown, and hidden again by one comparison each."""
    from PySide6.QtWidgets import QGraphicsScene

    from graphviz_nn.gui.canvas.items import NodeItem
    from graphviz_nn.gui.canvas.theme import LIGHT
    from graphviz_nn.layout import NodeBox

    scene = QGraphicsScene()
    value = np.random.default_rng(0).normal(size=(8, 4, 16, 16))
    items = []
    for k in range(400):
        box = NodeBox(f"n{k}", 200.0 * (k % 20), 100.0 * (k // 20), 180.0, 85.0, ("relu",), "function", (), ())
        item = NodeItem(box, LIGHT, scene, scale=0.2)
        item.set_quantities("= 8×4×16×16", "∇ ±0.5")
        item.set_thumbnail_value(value)
        items.append(item)
    started = time.perf_counter()
    for scale in (0.1, 0.3, 1.0, 2.0, 1.0, 0.3, 0.1) * 3:
        for item in items:
            item.set_view_scale(scale)
    assert time.perf_counter() - started < 1.0
    for item in items:
        item.set_view_scale(2.0)
    assert all(item.thumbnail.shown for item in items)
    for item in items:
        item.set_view_scale(0.1)
    assert not any(item.thumbnail.shown for item in items)


def test_clicking_a_filter_entry_shows_the_positions_its_gradient_sums_over(qtbot, open_built) -> None:
    """The inspector's conv terms: the entry clicked in the weight's maps, position by
    position; their total is the weight's gradient entry, at the end of the pass and while it
    plays (nothing before the convolution's gradient is known)."""
    built = conv_net()
    window = open_built(built)
    weight = built.inputs[0]
    at_end_of_backward(window)
    inspect(window, weight)
    canvas = maps(window, "gradient").canvas
    qtbot.waitUntil(lambda: canvas.grid is not None and canvas.width() > 0, timeout=5000)
    k, (i, j) = 2, (0, 1)
    index = canvas.grid.tiles[k].index_of(i, j)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.cell_centre(k, i, j).toPoint())
    terms = window.inspector.conv_terms
    assert window.inspector.conv_terms.isVisibleTo(window.inspector)
    assert terms.terms is not None and terms.terms.entry == index
    np.testing.assert_allclose(terms.terms.total, weight.grad[index], rtol=1e-12)
    window.stepping.set_phase("backward")  # the start of the pass: the conv's gradient is unknown
    window.stepping.update_inspector()
    assert not terms.isVisibleTo(window.inspector)
    inspect(window, window.model.graph.outputs[0])  # another node: no terms
    assert not terms.isVisibleTo(window.inspector)


def test_clicking_a_pools_gradient_entry_says_where_it_goes(qtbot, open_built) -> None:
    built = conv_net()
    window = open_built(built)
    pool = next(n for n in window.model.graph.nodes if getattr(n, "op", None) and n.op.name == "max_pool2d")
    at_end_of_backward(window)
    inspect(window, pool)
    canvas = maps(window, "gradient").canvas
    qtbot.waitUntil(lambda: canvas.grid is not None and canvas.width() > 0, timeout=5000)
    index = canvas.grid.tiles[1].index_of(1, 2)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.cell_centre(1, 1, 2).toPoint())
    route = window.inspector.findChild(QLabel, "inspector_pool_route")
    assert route.isVisibleTo(window.inspector)
    assert route.text().startswith(f"g{list(index)} = {number(pool.grad[index])} goes to the input's [")
    inspect(window, built.output)
    assert not route.isVisibleTo(window.inspector)
