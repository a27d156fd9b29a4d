"""The Forward vs reverse panel's controller built on a window model, the panel and a graph view,
no window: the exercise takes each new graph once it is drawn, while the panel is shown."""

from __future__ import annotations

from graphviz_nn.gui.controllers.jacobian import JacobianController
from graphviz_nn.gui.docks.jacobian_panel import JacobianPanel
from tests.gui.controller_kit import model, shown, view  # noqa: F401 - fixtures


def test_the_jacobian_panel_takes_the_new_graph_once_it_is_drawn(qtbot, model, view, layout_worker) -> None:
    panel = JacobianPanel(model.jacobian)
    qtbot.addWidget(panel)
    JacobianController(panel, model, view, panel)
    panel.show()
    shown(qtbot, model, view, layout_worker, "scalar")
    qtbot.waitUntil(lambda: panel.current_plan is not None, timeout=5000)
    seed = model.graph
    assert panel.current_plan.graph is seed
    shown(qtbot, model, view, layout_worker, "layer_net")
    assert model.graph is not seed
    # Its plans are made a turn after the picture is drawn.
    qtbot.waitUntil(lambda: panel.current_plan is not None and panel.current_plan.graph is model.graph,
                    timeout=5000)
