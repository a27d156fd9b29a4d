"""The training curves: long runs drawn through their extremes, read back exactly on hover."""

from __future__ import annotations

import numpy as np

from graphviz_nn.gui.docks.training_plots import DRAWN_POINTS, CurvesView, decimate
from graphviz_nn.nn import EpochRecord


def test_decimating_keeps_every_extreme_and_the_order() -> None:
    rng = np.random.default_rng(1)
    x = np.arange(1, 100_001, dtype=float)
    y = np.cumsum(rng.normal(size=len(x)))
    y[31_337] = 1e3  # a spike must survive
    y[77_777] = -1e3
    dx, dy = decimate(x, y, 2000)
    assert len(dx) <= 2100 and np.all(np.diff(dx) > 0)
    assert dy.max() == 1e3 and dy.min() == -1e3 and dx[-1] == x[-1]
    # Every drawn point is a real one, and each stretch's extremes are among them.
    assert np.array_equal(y[(dx - 1).astype(int)], dy)
    size = int(np.ceil(2 * len(x) / 2000))
    for start in range(0, len(x) - size, 7 * size):
        stretch = y[start:start + size]
        assert stretch.max() in dy and stretch.min() in dy
    short = np.arange(10.0)
    assert np.array_equal(decimate(short, short ** 2, 2000)[1], short ** 2)


def test_ten_thousand_epochs_draw_a_bounded_curve_and_hover_reads_the_exact_record(qtbot) -> None:
    view = CurvesView()
    qtbot.addWidget(view)
    records = [EpochRecord(e, 1.0 / e, 1.5 / e, min(1.0, e / 5000), None, (), e / 1000) for e in range(1, 10_001)]
    for start in range(0, len(records), 1000):  # as updates arrive while training
        view.add(records[start:start + 1000], redraw=start % 2000 == 0)
    view.redraw()
    drawn_x, drawn_y = view.curves["train_loss"].getData()
    assert len(drawn_x) <= DRAWN_POINTS + 10 and drawn_y.max() == 1.0
    assert view.curves["test_accuracy"].getData()[0] is None or len(view.curves["test_accuracy"].getData()[0]) == 0
    assert view.describe(7_321).startswith("epoch 7321: train loss 0.0001366")
    assert view.records[-1] is records[-1]


def _key_above(key, box) -> bool:
    """The key's text sits above the curves' box, within its width, never over it."""
    text = key.item.sceneBoundingRect()
    return (not key.sceneBoundingRect().intersects(box) and text.bottom() <= box.top() + 1
            and box.left() - 1 <= text.left() and text.right() <= box.right() + 1)


def test_plots_of_a_projectors_dock_name_themselves_and_key_train_and_test(qtbot) -> None:
    view = _thirty_epochs(qtbot, 250)  # a 1280 x 720 dock's share: about 250 x 120 pixels of plot each
    for title, plot in (("loss", view.loss_plot), ("accuracy", view.accuracy_plot)):
        box = plot.getPlotItem().vb.sceneBoundingRect()
        assert box.height() <= 100
        key = view.keys[title]
        assert key.title == title and key.entries == ("train", "test")
        assert all(word in key.text for word in (title, "train", "test"))
        assert _key_above(key, box)  # the whole key, test entry included, above the curves
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            assert not axis.label.isVisible()  # no title to be cut
            low, high = axis.range
            levels = axis.tickValues(low, high, box.height() if side == "left" else box.width())
            assert len(levels) == 1 and 2 <= len(levels[0][1]) <= 4, (title, side, levels)


def test_a_narrow_plot_keeps_its_key_inside_and_drops_the_name_first(qtbot) -> None:
    view = _thirty_epochs(qtbot, 200)  # the dock beside the digits preview on a 1280 x 720 projector
    for title, plot in (("loss", view.loss_plot), ("accuracy", view.accuracy_plot)):
        box = plot.getPlotItem().vb.sceneBoundingRect()
        key = view.keys[title]
        assert "train" in key.text and "test" in key.text
        assert _key_above(key, box), (title, box, key.item.sceneBoundingRect())
    assert "accuracy" not in view.keys["accuracy"].text  # too wide with its name: the entries alone
    view.resize(420, 230)
    qtbot.waitUntil(lambda: "accuracy" in view.keys["accuracy"].text)  # back when there is room


def _thirty_epochs(qtbot, width: int) -> CurvesView:
    """Curves of thirty epochs, shown at ``width`` x 230 pixels."""
    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(width, 230)
    view.show()
    qtbot.waitExposed(view)
    view.add([EpochRecord(e, 2.0 / e, 2.2 / e, min(1.0, e / 20), min(0.9, e / 20), None, e / 10)
              for e in range(1, 31)])
    return view
