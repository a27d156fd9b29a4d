"""What a controller's test builds instead of a window: a window model, a graph view, the
window's actions on a plain frame, and a gallery example shown on the model and drawn."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow

from graphviz_nn.gui.actions import build_actions
from graphviz_nn.gui.canvas.graph_view import GraphView
from graphviz_nn.gui.controllers.loading import draw_shown
from graphviz_nn.gui.training_worker import make_training_client
from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.preparing import prepare
from graphviz_nn.session.training_sequence import TrainingSequence
from graphviz_nn.session.window_model import WindowModel


@pytest.fixture
def model() -> WindowModel:
    return WindowModel(TrainingSequence(make_training_client))


@pytest.fixture
def view(qtbot) -> GraphView:
    widget = GraphView()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    return widget


def shown(qtbot, model: WindowModel, view: GraphView, worker, key: str = "scalar") -> None:
    """The model shows a gallery example, drawn on ``view`` (what the loading controller does)."""
    model.show(prepare(EXAMPLES[key].build(), frozenset(), worker, key, None))
    with qtbot.waitSignal(view.picture_ready, timeout=20_000):
        draw_shown(model, view)


def actions_of_a_frame():
    """A plain QMainWindow and the window's actions on it (unconnected)."""
    frame = QMainWindow()
    return frame, build_actions(frame)
