"""A graph view on screen at a given size, the controllers that draw and step it built on a window
model with no window, and a wait until nothing is being built: what the tests of the loading,
playback and debug controllers share."""

from __future__ import annotations

import pytest

from graphviz_nn.gui.canvas.graph_view import GraphView
from graphviz_nn.gui.controllers.debug import DebugController
from graphviz_nn.gui.controllers.loading import LoadingController
from graphviz_nn.gui.controllers.playback import PlaybackController
from graphviz_nn.gui.docks.find_bar import FindBar
from graphviz_nn.gui.docks.inspector import InspectorDock
from graphviz_nn.gui.docks.playback_dock import PlaybackDock
from graphviz_nn.gui.docks.status_bar import StatusBar
from graphviz_nn.gui.jobs import JobRunner
from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.window_model import WindowModel
from tests.gui.controller_kit import actions_of_a_frame

#: The graph view's share of a 1280 × 720 window (the docks take the rest), measured on the
#: window: what a projector shows of the graph. tests/gui/test_main_window.py holds the window to
#: giving the graph at least this much.
GRAPH_ON_A_PROJECTOR = (834, 478)


def view_on_screen(qtbot, size: tuple[int, int] = GRAPH_ON_A_PROJECTOR) -> GraphView:
    """A graph view shown at ``size`` (its viewport laid out, as fitting and framing need)."""
    view = GraphView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def status_bar(qtbot) -> StatusBar:
    """A status bar kept for the test: the jobs' progress and Cancel."""
    bar = StatusBar()
    qtbot.addWidget(bar)
    yield bar


def loading_controller(model: WindowModel, view: GraphView, worker, bar: StatusBar) -> LoadingController:
    """The loading controller, its jobs shown on ``bar`` (which owns both)."""
    return LoadingController(model, JobRunner(model, bar, bar), view, worker, bar)


@pytest.fixture
def actions(qtbot) -> dict:
    """The window's actions, unconnected, on a plain frame kept for the test."""
    frame, actions = actions_of_a_frame()
    qtbot.addWidget(frame)
    yield actions


def playback_controller(qtbot, model: WindowModel, view: GraphView, actions) -> PlaybackController:
    """The playback controller with its dock, find bar, inspector and Play action; each is the
    controller's ``dock``, ``find_bar``, ``inspector`` and ``play_action``."""
    dock, find_bar, inspector = PlaybackDock(actions), FindBar(), InspectorDock()
    for widget in (dock, find_bar, inspector):
        qtbot.addWidget(widget)
    # Owned by its dock: its timers go when the test's widgets do, not into the next test.
    return PlaybackController(model, view, dock, find_bar, inspector, actions["play"], dock)


def debug_controller(model: WindowModel, view: GraphView, actions) -> DebugController:
    """The debug controller, its Check gradients and Gradient magnitudes actions connected to
    it as the window connects them."""
    controller = DebugController(model, view, actions, view)
    actions["check"].triggered.connect(lambda _checked=False: controller.check_gradients())
    actions["magnitude"].triggered.connect(lambda _checked=False: controller.toggle_magnitudes())
    return controller


def idle(model: WindowModel, loading: LoadingController) -> bool:
    """Drawn, and nothing being built, laid out or drawn."""
    view = loading.view
    return (loading.jobs.job is None and not model.busy and not view.building
            and view.presenter is not None)


def wait_idle(qtbot, model: WindowModel, loading: LoadingController, done=lambda: True,
              timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: done() and idle(model, loading), timeout=timeout)


def opened(qtbot, model: WindowModel, loading: LoadingController, key: str) -> None:
    """The model opens a gallery example (as the window's menu does); wait until it is drawn."""
    before = model.graph
    model.open(EXAMPLES[key].build, EXAMPLES[key].title)
    wait_idle(qtbot, model, loading, lambda: model.graph is not None and model.graph is not before)
