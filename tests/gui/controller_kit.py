"""What a controller's test builds instead of a window: a window model, a graph view (on screen
at the graph's share of a projector's window where framing needs it), the window's actions on a
plain frame, a gallery example shown on the model and drawn, the controllers that draw, step,
debug and train built on the model, and the waits until nothing is being built or trained."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMainWindow

from graphviz_nn.gui.actions import build_actions
from graphviz_nn.gui.canvas.graph_view import GraphView
from graphviz_nn.gui.controllers.debug import DebugController
from graphviz_nn.gui.controllers.loading import LoadingController, draw_shown
from graphviz_nn.gui.controllers.playback import PlaybackController
from graphviz_nn.gui.controllers.training import TrainingController
from graphviz_nn.gui.docks.find_bar import FindBar
from graphviz_nn.gui.docks.inspector import InspectorDock
from graphviz_nn.gui.docks.playback_dock import PlaybackDock
from graphviz_nn.gui.docks.status_bar import StatusBar
from graphviz_nn.gui.docks.training_dock import TrainingDock
from graphviz_nn.gui.jobs import JobRunner
from graphviz_nn.gui.training_worker import make_training_client
from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.preparing import prepare
from graphviz_nn.session.training_sequence import TrainingSequence
from graphviz_nn.session.window_model import WindowModel

#: What the window gives the graph view, the inspector and the Training tab of a 1280 × 720
#: window (the Training tab raised, the view is 762 wide), measured on the window: what a
#: projector shows of each. tests/gui/test_main_window.py holds the window to giving the graph
#: at least its share.
GRAPH_ON_A_PROJECTOR = (834, 478)
INSPECTOR_ON_A_PROJECTOR = (440, 608)
TRAINING_ON_A_PROJECTOR = (512, 608)


def new_model() -> WindowModel:
    """A window model as the window makes it (its training runs in a child process)."""
    return WindowModel(TrainingSequence(make_training_client))


@pytest.fixture
def model() -> WindowModel:
    made = new_model()
    yield made
    made.training.close()  # what the window's closing does: no training process outlives the test


@pytest.fixture
def view(qtbot) -> GraphView:
    widget = GraphView()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    return widget


def on_screen(qtbot, widget, size: tuple[int, int]):
    """``widget``, kept for the test, shown at ``size`` (laid out, as fitting and framing need)."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def view_on_screen(qtbot, size: tuple[int, int] = GRAPH_ON_A_PROJECTOR) -> GraphView:
    """A graph view shown at ``size``."""
    return on_screen(qtbot, GraphView(), size)


def shown(qtbot, model: WindowModel, view: GraphView, worker, key: str = "scalar") -> None:
    """The model shows a gallery example, drawn on ``view`` (what the loading controller does)."""
    model.show(prepare(EXAMPLES[key].build(), frozenset(), worker, key, None))
    with qtbot.waitSignal(view.picture_ready, timeout=20_000):
        draw_shown(model, view)


def said(model: WindowModel) -> list[str]:
    """What the model says from now on, in order (what the window's status bar shows)."""
    heard: list[str] = []
    model.events.said.connect(heard.append)
    return heard


def actions_of_a_frame():
    """A plain QMainWindow and the window's actions on it (unconnected)."""
    frame = QMainWindow()
    return frame, build_actions(frame)


@pytest.fixture
def actions(qtbot) -> dict:
    """The window's actions, unconnected, on a plain frame kept for the test."""
    frame, made = actions_of_a_frame()
    qtbot.addWidget(frame)
    yield made


@pytest.fixture
def status_bar(qtbot) -> StatusBar:
    """A status bar kept for the test: the jobs' progress and Cancel."""
    bar = StatusBar()
    qtbot.addWidget(bar)
    yield bar


# --- the controllers, as the window builds them ------------------------------------------------
def loading_controller(model: WindowModel, view: GraphView, worker, bar: StatusBar) -> LoadingController:
    """The loading controller, its jobs (``jobs``) shown on ``bar`` (which owns both)."""
    return LoadingController(model, JobRunner(model, bar, bar), view, worker, bar)


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


# --- waits ------------------------------------------------------------------------------------
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


# --- training ----------------------------------------------------------------------------------
@dataclass
class TrainingDesk:
    """The training controller (``training``) with its dock on screen, and the loading
    controller beside it that draws the network it asks for (``model.open``)."""

    model: WindowModel
    view: GraphView
    dock: TrainingDock
    training: TrainingController
    loading: LoadingController
    bar: StatusBar  # the loading controller's jobs are shown on it, and it owns them
    said: list[str]

    def idle(self) -> bool:
        return idle(self.model, self.loading)

    def drawn(self) -> bool:
        """Idle, the run's network on screen."""
        run = self.training.run
        return self.idle() and run is not None and self.model.graph is run.network.graph


def training_desk(qtbot, model: WindowModel, settings, worker) -> TrainingDesk:
    """What the window builds for training, on ``model``: the dock the size of a projector's
    Training tab, a graph view, and the training and loading controllers."""
    bar = StatusBar()
    qtbot.addWidget(bar)
    view = view_on_screen(qtbot)
    heard = said(model)
    loading = loading_controller(model, view, worker, bar)
    dock = on_screen(qtbot, TrainingDock(model.datasets), TRAINING_ON_A_PROJECTOR)
    return TrainingDesk(model, view, dock, TrainingController(model, dock, view, settings, dock), loading, bar,
                        heard)


@pytest.fixture
def trainer(qtbot, model, settings, layout_worker) -> TrainingDesk:
    """The training desk of the kit's ``model`` (import that fixture beside this one)."""
    return training_desk(qtbot, model, settings, layout_worker)


def training_threads() -> list[threading.Thread]:
    """The threads that hear from training processes, alive."""
    return [t for t in threading.enumerate() if t.name == "graphviz-nn training" and t.is_alive()]


def start_training(qtbot, training: TrainingController, dataset: str, epochs: int) -> None:
    """Train ``epochs`` on ``dataset`` with the dock's Train; wait until it trains (its network
    is drawn first) or has trained."""
    dock = training.dock
    dock.dataset.setCurrentIndex(dock.dataset.findData(dataset))
    dock.epochs.setValue(epochs)
    dock.train()
    qtbot.waitUntil(lambda: training.running or bool(training.run.history), timeout=20_000)


def training_ended(qtbot, training: TrainingController, drawn) -> None:
    """Until the run has ended and the controller has heard so (the end is queued: the process
    can be gone a moment before), and ``drawn()``."""
    qtbot.waitUntil(lambda: not training.running and training.dock.train_button.isEnabled()
                    and not training.model.training_running, timeout=30_000)
    qtbot.waitUntil(drawn, timeout=30_000)


def train(qtbot, training: TrainingController, drawn, dataset: str, epochs: int, kind: str | None = None,
          hidden: str | None = None) -> None:
    """Click Train on the dock with these settings; wait until the run has ended and its network
    is ``drawn()``."""
    dock = training.dock
    dock.dataset.setCurrentIndex(dock.dataset.findData(dataset))
    if kind is not None:
        dock.kind.setCurrentIndex(dock.kind.findData(kind))
    if hidden is not None:
        dock.hidden.setText(hidden)
    dock.epochs.setValue(epochs)
    with qtbot.waitSignal(training.stopped, timeout=60_000):
        qtbot.mouseClick(dock.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: drawn() and training.model.graph is training.run.network.graph, timeout=60_000)


def click_loss_curve(qtbot, dock: TrainingDock, epoch: float) -> None:
    """A real click on the dock's loss plot, over ``epoch``."""
    plot = dock.curves.loss_plot
    box = plot.getPlotItem().vb
    y = sum(box.viewRange()[1]) / 2
    at = plot.mapFromScene(box.mapViewToScene(QPointF(epoch, y)))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=at)
