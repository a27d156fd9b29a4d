"""The "Summary" dock shows seed 003's table: each layer's output shape and parameters, and the
totals of its SimpleMLP(128, 516, 1), 333,853; a builder's model follows its last good spec."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QFontInfo  # noqa: E402
from PySide6.QtWidgets import QLabel, QTableWidget  # noqa: E402

from graphviz_nn import nn  # noqa: E402
from graphviz_nn.gui.docks.summary_dock import EMPTY, SummaryDock  # noqa: E402
from graphviz_nn.session.box_detail import READABLE_PIXELS  # noqa: E402
from graphviz_nn.session.model_builder import ModelBuilder  # noqa: E402
from graphviz_nn.session.spec_summary import spec_summary  # noqa: E402

from ..nn.test_summary import SimpleMLP  # noqa: E402
from .test_builder_dock import SEED_MLP  # noqa: E402

SEED_ROWS = [["Linear-1", "[64, 516]", "66,564"], ["ReLU-2", "[64, 516]", "0"], ["Linear-3", "[64, 516]", "266,772"],
             ["ReLU-4", "[64, 516]", "0"], ["Linear-5", "[64, 1]", "517"]]


def make_dock(qtbot) -> SummaryDock:
    dock = SummaryDock()
    qtbot.addWidget(dock)
    dock.resize(420, 480)
    dock.show()
    qtbot.waitExposed(dock)
    return dock


def test_the_table_of_seed_003s_simple_mlp(qtbot):
    dock = make_dock(qtbot)
    dock.show_summary(nn.summary(SimpleMLP(128, 516, 1), input_size=(64, 128)), "SimpleMLP at (64, 128)")
    assert dock.cell_texts() == SEED_ROWS + [["SimpleMLP-6", "[64, 1]", "0"]]
    assert dock.totals == "Total params: 333,853\nTrainable params: 333,853\nNon-trainable params: 0"
    table = dock.findChild(QTableWidget, "summary_table")
    assert [table.horizontalHeaderItem(c).text() for c in range(3)] == ["Layer (type)", "Output Shape", "Param #"]
    assert dock.findChild(QLabel, "summary_caption").text() == "SimpleMLP at (64, 128)"
    labels = [table, table.horizontalHeader(), *dock.findChildren(QLabel)]
    assert all(QFontInfo(w.font()).pixelSize() >= READABLE_PIXELS for w in labels)

    dock.show_summary(None)
    assert dock.cell_texts() == [] and dock.totals == "" and dock.summary is None
    assert dock.findChild(QLabel, "summary_caption").text() == EMPTY


def test_the_table_follows_a_builders_last_good_spec(qtbot):
    """As the window wires them: the builder's new spec summarised, the dock handed the table."""
    dock = make_dock(qtbot)
    builder = ModelBuilder(SEED_MLP, ("N", 128))

    def summarise(spec) -> None:
        dock.show_summary(spec_summary(spec, builder.input_shape, builder.tokens, {"N": 64}))

    builder.events.spec_changed.connect(summarise)
    summarise(builder.spec)
    assert dock.cell_texts()[:5] == SEED_ROWS and dock.summary.total_params == 333_853
    builder.set_arg(2, "in_features", 5)  # refused: the table stays
    assert dock.summary.total_params == 333_853
    builder.set_arg(4, "out_features", 2)  # still refused (layer 2), the table stays
    builder.set_arg(2, "in_features", 516)
    assert dock.cell_texts()[4] == ["Linear-5", "[64, 2]", "1,034"]
    assert dock.summary.total_params == 333_853 + 517
