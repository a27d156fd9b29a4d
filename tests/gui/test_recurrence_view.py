"""The recurrence view: ‖∂L/∂hₜ‖ per step, one row per layer, the gates as heatmaps over time,
and a scale control that only asks, all readable in a 1280 x 720 projector's dock."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QLabel, QWidget

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Graph
from graphviz_nn.gui.docks.recurrence_view import SLIDER_STEPS, RecurrenceView
from graphviz_nn.session.box_detail import READABLE_PIXELS
from graphviz_nn.session.playback import Cursor, record
from graphviz_nn.session.recurrence import find_unrollings, gate_values, gradient_strip

T, N, H = 12, 3, 5


@pytest.fixture
def rnn_and_lstm():
    """An RNN and an LSTM on the same sequence in one graph, after a backward pass."""
    rng = np.random.default_rng(7)
    x = Constant(rng.standard_normal((T, N, 2)), "x")
    rnn, lstm = nn.RNN(2, H, rng=rng), nn.LSTM(2, H, rng=rng)
    loss = gn.sum(rnn(x)[0][T - 1]) + gn.sum(lstm(x)[0][T - 1])
    graph = Graph(loss)
    graph.backward()
    return graph, loss, find_unrollings(graph), (rnn, lstm)


@pytest.fixture
def view(qtbot):
    widget = RecurrenceView()
    qtbot.addWidget(widget)
    widget.resize(420, 640)  # the right-hand column of a 1280 x 720 window
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _drawn(curve) -> np.ndarray:
    """The norm drawn at each step t = 0, 1, ..., NaN where none is (a gap)."""
    if curve.yData is None or not len(curve.yData):
        return np.full(T, np.nan)
    np.testing.assert_array_equal(curve.xData, np.arange(T))
    return curve.yData


def _shown(view, unrollings, cursor=None, extent=()) -> None:
    view.show_strips([gradient_strip(u, cursor) for u in unrollings], extent)
    view.show_gates([gate_values(u) for u in unrollings])


def test_each_layer_has_a_row_of_its_gradient_at_each_step_on_one_scale(view, rnn_and_lstm) -> None:
    _, _, unrollings, _ = rnn_and_lstm
    _shown(view, unrollings)
    strips = view.strips
    assert [s.label for s in strips] == ["RNN", "LSTM"] and len(view.strip_plots) == 2
    for strip, title, hidden, cell in zip(strips, view.row_titles, view.hidden_curves, view.cell_curves):
        assert strip.label in title.text()
        np.testing.assert_array_equal(_drawn(hidden), strip.hidden)
        assert (cell is None) == (strip.cell is None)
    np.testing.assert_array_equal(_drawn(view.cell_curves[1]), strips[1].cell)
    assert "‖∂L/∂cₜ‖" in view.row_titles[1].text() and "‖∂L/∂cₜ‖" not in view.row_titles[0].text()
    # One log scale for every row, spanning every norm: the decays compare by eye.
    ranges = [plot.getPlotItem().vb.viewRange()[1] for plot in view.strip_plots]
    assert ranges[0] == pytest.approx(ranges[1])
    logs = np.log10(np.concatenate([strips[0].hidden, strips[1].hidden, strips[1].cell]))
    assert ranges[0][0] <= logs.min() and logs.max() <= ranges[0][1]
    assert not view.hint.isVisibleTo(view)


def test_a_backward_pass_being_played_draws_the_steps_it_reached_and_keeps_its_rows(view, rnn_and_lstm) -> None:
    graph, loss, unrollings, _ = rnn_and_lstm
    recording = record(graph, "backward", loss)
    _shown(view, unrollings, Cursor(recording, -1))
    plots, curves = list(view.strip_plots), list(view.hidden_curves)
    assert all(np.isnan(_drawn(c)).all() for c in curves)
    whole = [gradient_strip(u) for u in unrollings]  # after the pass: every node's grad
    _shown(view, unrollings, Cursor(recording, -1), extent=whole)
    still = [plot.getPlotItem().vb.viewRange() for plot in plots]
    for position in range(0, len(recording), 7):
        _shown(view, unrollings, Cursor(recording, position), extent=whole)
        assert view.strip_plots == plots and view.hidden_curves == curves  # redrawn, never rebuilt
        assert [plot.getPlotItem().vb.viewRange() for plot in plots] == still  # the axes stand still
        for strip, curve in zip(view.strips, curves):
            drawn = _drawn(curve)
            known = ~np.isnan(drawn)
            assert list(known) == sorted(known)  # the latest steps first: t = T-1 back to 0
            np.testing.assert_array_equal(drawn[known], strip.hidden[known])
            assert np.isnan(strip.hidden[~known]).all()
    _shown(view, unrollings, Cursor(recording, len(recording) - 1))
    assert not any(np.isnan(_drawn(c)).any() for c in curves)


def test_gates_are_heatmaps_over_time_of_the_batch_or_one_sequence(qtbot, view, rnn_and_lstm) -> None:
    _, _, unrollings, _ = rnn_and_lstm
    _shown(view, unrollings)
    lstm = gate_values(unrollings[1])
    assert set(view.gate_images) == {("LSTM", "i"), ("LSTM", "f"), ("LSTM", "o")}  # the RNN has no gates
    titles = [label.text() for label in view.gate_titles]
    assert {"input gate i", "forget gate f", "output gate o"} <= set(titles)
    for name in "ifo":
        image = view.gate_images[("LSTM", name)]
        np.testing.assert_array_equal(image.image, lstm.picture(name))
        assert image.image.shape == (H, T)  # units down, time across
    assert view.sample is None and view.sample_box.count() == N + 1
    view.sample_box.setCurrentIndex(2)
    assert view.sample == 1
    for name in "ifo":
        np.testing.assert_array_equal(view.gate_images[("LSTM", name)].image, lstm.picture(name, 1))
    _shown(view, unrollings)  # the next step of a pass keeps the sequence chosen
    assert view.sample == 1


def test_the_scale_control_asks_for_a_scale_and_never_changes_the_weights(qtbot, view, rnn_and_lstm) -> None:
    _, _, unrollings, layers = rnn_and_lstm
    _shown(view, unrollings)
    weights = [layer.weight_hh.value.copy() for layer in layers]
    with qtbot.waitSignal(view.scale_requested) as asked:
        qtbot.keyClick(view.scale_box, Qt.Key.Key_Up)
    assert asked.args == [pytest.approx(1.1)]
    with qtbot.waitSignal(view.scale_requested) as asked:
        view.scale_slider.setValue(SLIDER_STEPS // 2)  # half a decade up: √10
    assert asked.args == [pytest.approx(3.16)] and view.scale == pytest.approx(3.16)
    with qtbot.waitSignal(view.scale_requested) as asked:
        qtbot.mouseClick(view.scale_reset, Qt.MouseButton.LeftButton)
    assert asked.args == [1.0] and view.scale_slider.value() == 0
    with qtbot.assertNotEmitted(view.scale_requested):
        view.set_scale(4.0)  # the model's scale, shown: nothing asked
    assert view.scale == 4.0 and view.scale_slider.value() == round(np.log10(4.0) * SLIDER_STEPS)
    for layer, before in zip(layers, weights):
        np.testing.assert_array_equal(layer.weight_hh.value, before)


def test_pointing_at_a_step_reads_its_figures(qtbot, view, rnn_and_lstm) -> None:
    _, _, unrollings, _ = rnn_and_lstm
    _shown(view, unrollings)
    qtbot.wait(50)  # laid out: where the step is on screen
    plot = view.strip_plots[1]
    box = plot.getPlotItem().vb
    point = plot.mapFromScene(box.mapViewToScene(QPointF(4, float(np.mean(box.viewRange()[1])))))
    qtbot.mouseMove(plot.viewport(), point)
    qtbot.waitUntil(lambda: view.readout.text().startswith("LSTM, t 4"))
    assert view.readout.text() == view.describe(1, 4)
    assert f"{view.strips[1].hidden[4]:.3g}" in view.readout.text() and "‖∂L/∂cₜ‖" in view.readout.text()


def _texts_readable(view) -> None:
    labels = [w for w in view.findChildren(QLabel) if w.isVisibleTo(view) and w.text()]
    assert labels
    for label in labels:
        assert QFontInfo(label.font()).pixelSize() >= READABLE_PIXELS, label.text()
        assert label.width() >= min(label.sizeHint().width(), label.minimumSizeHint().width()), label.text()
    for plot in view.strip_plots:
        for side in ("left", "bottom"):
            assert QFontInfo(plot.getAxis(side).style["tickFont"]).pixelSize() >= READABLE_PIXELS


@pytest.mark.parametrize("size", [(420, 640), (1280, 300)])  # a dock beside the graph, or below it
def test_readable_in_a_1280x720_window_whichever_dock_it_is_in(qtbot, view, rnn_and_lstm, size) -> None:
    _, _, unrollings, _ = rnn_and_lstm
    view.resize(*size)
    _shown(view, unrollings)
    qtbot.wait(50)
    _texts_readable(view)
    for plot in view.strip_plots + [image.getViewWidget() for image in view.gate_images.values()]:
        assert plot.getPlotItem().vb.height() >= 50  # the curve and its ticks have room
    for control in (view.scale_box, view.scale_slider, view.scale_reset, view.sample_box):
        assert control.isVisible() and control.height() >= control.minimumSizeHint().height()
    strips_box, gates_box = view.strip_area.geometry(), view.gate_area.geometry()
    wide = size[0] > 2 * size[1]
    assert (gates_box.left() >= strips_box.right()) == wide  # side by side only in a wide dock


def test_a_small_font_is_raised_to_the_readable_size(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    small = QFont(parent.font())
    small.setPixelSize(9)
    parent.setFont(small)
    view = RecurrenceView(parent)
    assert QFontInfo(view.font()).pixelSize() >= READABLE_PIXELS


def test_a_graph_without_a_recurrence_says_where_to_find_one(view, rnn_and_lstm) -> None:
    _, _, unrollings, _ = rnn_and_lstm
    _shown(view, unrollings)
    view.show_strips([])
    view.show_gates([])
    assert view.hint.isVisibleTo(view) and "rnn vs lstm" in view.hint.text()
    assert view.strip_plots == [] and view.gate_images == {} and not view.gate_area.isVisibleTo(view)


def test_the_dark_scheme_reaches_every_plot(view, rnn_and_lstm) -> None:
    _, _, unrollings, _ = rnn_and_lstm
    _shown(view, unrollings)
    view.set_dark(True)
    plots = view.strip_plots + [image.getViewWidget() for image in view.gate_images.values()]
    assert all(plot.backgroundBrush().color().name() == "#1e1e1e" for plot in plots)
    view.show_strips([gradient_strip(u) for u in unrollings[::-1]])  # new rows come dark too
    assert all(plot.backgroundBrush().color().name() == "#1e1e1e" for plot in view.strip_plots)
