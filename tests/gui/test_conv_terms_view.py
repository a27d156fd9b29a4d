"""The terms of a convolution weight entry's gradient on screen: a table whose total is the
engine's gradient for few terms, heatmaps of what met the entry for many, readable at a
projector's sizes. The numbers expected come from the engine's backward pass."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QEvent  # noqa: E402
from PySide6.QtGui import QFont, QFontInfo, QHelpEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import graphviz_nn as gn  # noqa: E402
from graphviz_nn.gui.docks.conv_terms_view import COLUMNS, HINT, TABLE_UP_TO, ConvTermsView  # noqa: E402
from graphviz_nn.session.conv_chain import conv_terms  # noqa: E402
from graphviz_nn.session.number_text import cell, number  # noqa: E402


@pytest.fixture
def view(qtbot) -> ConvTermsView:
    """The view the size of the window's right-hand column (420 x 720)."""
    widget = ConvTermsView()
    qtbot.addWidget(widget)
    widget.resize(420, 720)
    widget.show()
    return widget


def convolved(x_shape, w_shape, seed: int = 0, bias: bool = False, **params):
    """A convolution under tanh and a sum, after its backward pass: (conv, x, w, b)."""
    rng = np.random.default_rng(seed)
    x = gn.Constant(rng.standard_normal(x_shape), "x")
    w = gn.Variable(rng.standard_normal(w_shape), "w")
    b = gn.Variable(rng.standard_normal(w_shape[0]), "b") if bias else None
    conv = (gn.conv1d if len(x_shape) == 3 else gn.conv2d)(x, w, b, **params)
    gn.sum(gn.tanh(conv)).backward()
    return conv, x, w, b


def texts(view: ConvTermsView, row: int) -> list[str]:
    return [view.table.item(row, col).text() for col in range(len(COLUMNS))]


def test_few_terms_are_a_table_whose_total_is_the_engines_gradient(view) -> None:
    conv, x, w, _ = convolved((2, 1, 4, 4), (2, 1, 3, 3), padding=1)
    entry = (1, 0, 0, 2)
    view.show_terms(conv_terms(conv, entry))
    assert view.mode == "table" and view.table.isVisible() and not view.maps.isVisible()
    assert view.table.rowCount() == 2 * 16 + 1
    assert view.total_cell == cell(w.grad[entry])
    assert texts(view, 32)[0] == "Σ"
    assert view.total_label.text() == (f"∂L/∂w[1, 0, 0, 2] = {number(w.grad[entry])}, "
                                       "the sum of 32 terms (2 samples × 16 positions)")
    assert view.formula_label.text() == "∂L/∂w[1, 0, 0, 2] = Σ over n, y, x of x[n, 0, y − 1, x + 1] · g[n, 1, y, x]"
    # Row 1·16 + 2·4 + 3 is sample 1 at (2, 3): it read x[1, 0, 1, 4], past the right edge: padding.
    row = 16 + 2 * 4 + 3
    assert texts(view, row) == ["1", "(2, 3)", "0", cell(conv.grad[1, 1, 2, 3]), "0"]
    assert view.table.item(row, 2).toolTip() == "0: [1, 4] is in the padding"
    row = 16 + 2 * 4 + 1        # (2, 1) read x[1, 0, 1, 2]
    assert texts(view, row) == ["1", "(2, 1)", cell(x.value[1, 0, 1, 2]), cell(conv.grad[1, 1, 2, 1]),
                                cell(x.value[1, 0, 1, 2] * conv.grad[1, 1, 2, 1])]
    assert view.table.item(row, 2).toolTip() == f"x[1, 0, 1, 2] = {number(x.value[1, 0, 1, 2])}"


def test_a_bias_entry_multiplies_ones(view) -> None:
    conv, _, _, b = convolved((1, 2, 5), (3, 2, 2), bias=True, stride=2)
    view.show_terms(conv_terms(conv, (2,), "bias"))
    assert view.mode == "table" and view.table.rowCount() == 2 + 1
    assert [texts(view, k)[2] for k in range(2)] == ["1", "1"]
    assert view.total_cell == cell(b.grad[2])
    assert view.formula_label.text() == "∂L/∂b[2] = Σ over n, t of g[n, 2, t]"


def test_many_terms_are_heatmaps_of_one_sample_at_a_time(view, qtbot) -> None:
    conv, _, w, _ = convolved((3, 2, 10, 10), (2, 2, 3, 3), padding=1, dilation=2)
    terms = conv_terms(conv, (0, 1, 2, 0))
    assert terms.count > TABLE_UP_TO
    view.show_terms(terms)
    assert view.mode == "heatmaps" and view.maps.isVisible() and not view.table.isVisible()
    assert view.sample == 0
    np.testing.assert_array_equal(view.shown_inputs, terms.inputs[0])
    view.set_sample(2)
    np.testing.assert_array_equal(view.shown_inputs, terms.inputs[2])
    np.testing.assert_array_equal(view.shown_upstream, conv.grad[2, 0])
    assert view.inputs_caption.text() == "x[2, 1, y + 3, x − 1], met by w[0, 1, 2, 0]  (8 × 8)"
    assert view.upstream_caption.text() == "g[2, 0, y, x], the upstream gradient  (8 × 8)"
    lines = view.total_label.text().splitlines()
    assert lines[0].startswith(f"∂L/∂w[0, 1, 2, 0] = {number(w.grad[0, 1, 2, 0])}, the sum of 192 terms")
    assert lines[1] == f"sample 2 adds {number(terms.products[2].sum())} of it"
    view.set_sample(99)                              # beyond the samples: the last
    assert view.sample == 2
    # Hovering a cell of the upstream map reads out that entry of g.
    heatmap = view.upstream_map
    point = heatmap.cell_centre((5, 1)).toPoint()
    QApplication.sendEvent(heatmap, QHelpEvent(QEvent.Type.ToolTip, point, heatmap.mapToGlobal(point)))
    assert heatmap.readout == f"[5, 1] = {number(conv.grad[2, 0, 5, 1])}"


def test_one_dimensional_maps_show_every_sample_as_a_row(view) -> None:
    conv, _, _, b = convolved((4, 1, 40), (2, 1, 3), bias=True, padding=1)
    terms = conv_terms(conv, (1, 0, 2))
    view.show_terms(terms)
    assert view.mode == "heatmaps" and view.sample is None
    np.testing.assert_array_equal(view.shown_inputs, terms.inputs)
    assert view.inputs_caption.text() == "x[n, 0, t + 1], met by w[1, 0, 2]  (samples n × positions t: 4 × 40)"
    view.show_terms(conv_terms(conv, (0,), "bias"))     # a bias meets no input: one map
    assert view.shown_inputs is None and not view.inputs_map.isVisible() and view.upstream_map.isVisible()
    assert view.total_label.text().startswith(f"∂L/∂b[0] = {number(b.grad[0])}")


def test_no_terms_shows_the_hint(view) -> None:
    conv, *_ = convolved((1, 1, 3, 3), (1, 1, 2, 2))
    view.show_terms(conv_terms(conv, (0, 0, 1, 1)))
    view.show_terms(None)
    assert view.mode == "none" and view.hint.isVisible() and view.hint.text() == HINT
    assert not view.table.isVisible() and not view.maps.isVisible() and not view.total_label.isVisible()


def test_text_is_never_below_12_pixels_and_follows_a_projectors_font(view, qtbot) -> None:
    conv, *_ = convolved((1, 1, 4, 4), (1, 1, 3, 3), padding=1)
    view.show_terms(conv_terms(conv, (0, 0, 1, 1)))
    small = QFont(view.font())
    small.setPixelSize(8)
    view.setFont(small)
    for widget in (view.table, view.formula_label, view.total_label, view.upstream_map):
        assert QFontInfo(widget.font()).pixelSize() >= 12, widget.objectName()
    assert view.table.sizeHint().width() <= 420      # the right-hand column, without scrolling sideways
    big = QFont(view.font())
    big.setPixelSize(27)                             # a lecturer's 20 pt
    view.setFont(big)
    qtbot.wait(20)
    assert QFontInfo(view.table.font()).pixelSize() == 27
    assert view.table.rowHeight(0) >= view.table.fontMetrics().height()
