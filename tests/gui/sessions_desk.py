"""What the sessions controller's tests build instead of a window: a plain frame with the graph
view, a status bar and the Expression tab on the model's document, and the sessions and
loading controllers made from them (the loading controller draws what the model shows)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMainWindow, QMessageBox

import graphviz_nn as gn
from graphviz_nn.gui.autosave import Autosave
from graphviz_nn.gui.canvas.graph_view import GraphView
from graphviz_nn.gui.controllers.loading import LoadingController
from graphviz_nn.gui.controllers.sessions import SessionsController
from graphviz_nn.gui.docks.expression_dock import ExpressionDock
from graphviz_nn.gui.docks.status_bar import StatusBar
from graphviz_nn.session.window_model import WindowModel
from tests.gui.controller_kit import idle, loading_controller, new_model, opened, said


@dataclass
class Desk:
    """The model, and what the sessions controller is built from, with the loading controller
    beside it (it draws what the model shows) and the Expression tab on the model's document."""

    model: WindowModel
    view: GraphView
    frame: QMainWindow
    bar: StatusBar
    expression: ExpressionDock
    loading: LoadingController
    sessions: SessionsController
    said: list[str]

    def ready(self) -> bool:
        """Drawn, and nothing built, laid out, opened or saved (the window's ``idle``)."""
        return idle(self.model, self.loading) and not self.model.saving

    def restored(self) -> bool:
        """Ready, with a reopened session's pass, step and view put back."""
        return self.ready() and self.model.pending_restore is None

    def boxes(self, name: str | None = None) -> list[QMessageBox]:
        """The message boxes open over the frame (named ``name``)."""
        return [b for b in self.frame.findChildren(QMessageBox) if b.isVisible() and name in (None, b.objectName())]

    def question(self, name: str = "unsaved") -> QMessageBox | None:
        boxes = self.boxes(name)
        return boxes[-1] if boxes else None

    def open_example(self, qtbot, key: str) -> None:
        opened(qtbot, self.model, self.loading, key)

    def reopen(self, qtbot, path: Path) -> None:
        with qtbot.waitSignal(self.sessions.opened, timeout=30_000):
            self.sessions.open_session(path)
        qtbot.waitUntil(self.restored, timeout=30_000)

    def type_expression(self, qtbot, text: str) -> None:
        """Type into the Expression tab's editor as a person does, and press Enter."""
        edit = self.expression.findChild(QLineEdit, "expression_text")
        edit.clear()
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    def edit(self, qtbot) -> None:
        """An expression set in the Expression tab: the user's own work."""
        self.expression.set_expression("x1 * x2 + 3")
        qtbot.waitUntil(lambda: self.ready() and self.sessions.title == "your expression", timeout=20_000)


def make_desk(qtbot, model: WindowModel, view: GraphView, settings, worker, autosave: Autosave | None = None) -> Desk:
    frame, bar = QMainWindow(), StatusBar()
    qtbot.addWidget(frame)
    frame.setCentralWidget(view)
    frame.setStatusBar(bar)
    expression = ExpressionDock(model.expression)
    frame.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, expression)
    heard = said(model)
    loading = loading_controller(model, view, worker, bar)
    sessions = SessionsController(model, loading.jobs, view, frame, settings, worker, autosave, frame)
    # What the window wires between the two: a typed expression asks before work goes.
    expression.expression_changed.connect(lambda parsed: loading.draw_expression(parsed, sessions.confirm_discard))
    frame.resize(1000, 700)
    frame.show()
    return Desk(model, view, frame, bar, expression, loading, sessions, heard)


@pytest.fixture
def desk(qtbot, model, view, settings, layout_worker):
    """The desk of the kit's ``model`` and ``view`` (import those fixtures beside this one)."""
    return make_desk(qtbot, model, view, settings, layout_worker)


@pytest.fixture
def other_desk(qtbot, settings, layout_worker):
    """Another model and desk (a second window's), made when called."""
    made: list[Desk] = []

    def make(autosave: Autosave | None = None) -> Desk:
        view = GraphView()
        qtbot.addWidget(view)
        made.append(make_desk(qtbot, new_model(), view, settings, layout_worker, autosave))
        return made[-1]

    yield make
    for desk_made in made:
        desk_made.model.training.close()


def leaves(graph: gn.Graph) -> dict[str, np.ndarray]:
    return {graph.id_of(n): n.value for n in graph.nodes if not isinstance(n, gn.Function)}


def same_values(a: gn.Graph, b: gn.Graph) -> None:
    assert len(a) == len(b)
    left, right = leaves(a), leaves(b)
    assert left.keys() == right.keys()
    for key in left:
        assert np.array_equal(left[key], right[key]), key
