"""Each controller built from a window model and the widgets it drives, with no window: what it
does is seen on the model and on those widgets alone."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QWidget

from graphviz_nn.gui.canvas.presenter import Presenter
from graphviz_nn.gui.controllers.debug import DebugController
from graphviz_nn.gui.controllers.exports import ExportsController
from graphviz_nn.gui.controllers.jacobian import JacobianController
from graphviz_nn.gui.controllers.loading import LoadingController
from graphviz_nn.gui.controllers.playback import PlaybackController
from graphviz_nn.gui.controllers.presentation import PresentationController
from graphviz_nn.gui.controllers.sessions import SessionsController
from graphviz_nn.gui.controllers.training import TrainingController
from graphviz_nn.gui.docks.find_bar import FindBar
from graphviz_nn.gui.docks.inspector import InspectorDock
from graphviz_nn.gui.docks.jacobian_panel import JacobianPanel
from graphviz_nn.gui.docks.playback_dock import PlaybackDock
from graphviz_nn.gui.docks.status_bar import StatusBar
from graphviz_nn.gui.docks.training_dock import TrainingDock
from graphviz_nn.gui.jobs import JobRunner
from graphviz_nn.io import load_session
from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.player import Overlay
from tests.gui.controller_kit import actions_of_a_frame as _actions
from tests.gui.controller_kit import model, shown as _show, view  # noqa: F401 - fixtures


def test_loading_opens_what_the_model_asks_for_and_draws_it(qtbot, model, view, layout_worker) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    said: list[str] = []
    model.events.said.connect(said.append)
    LoadingController(model, JobRunner(model, bar), view, layout_worker)
    busy: list[bool] = []
    model.events.busy_changed.connect(busy.append)
    with qtbot.waitSignal(view.picture_ready, timeout=20_000):
        model.open(EXAMPLES["vector"].build, "vector")
    assert busy == [True, False]
    assert model.title == "vector" and model.graph is model.built.graph
    assert view.presenter.player is model.player
    assert set(view.nodes) == {model.graph.id_of(n) for n in model.graph.nodes}  # every node drawn
    assert said[0] == "Opening vector…" and said[-1].endswith("Space plays the forward pass")
    assert not model.workspace.unsaved and model.workspace.title == "vector"


def test_playback_steps_the_models_player_and_shows_it_on_its_widgets(qtbot, model, view, layout_worker) -> None:
    frame, actions = _actions()
    qtbot.addWidget(frame)
    dock, find_bar, inspector = PlaybackDock(actions), FindBar(), InspectorDock()
    shown: list = []
    inspector.show_node = shown.append  # what the inspector is asked to show
    controller = PlaybackController(model, view, dock, find_bar, inspector, actions["play"])
    _show(qtbot, model, view, layout_worker)
    controller.set_phase("backward")
    start = model.cursor.position
    controller.step_forward()
    controller.step_forward()
    assert model.phase == "backward" and model.cursor.position == start + 2
    assert dock.phase.currentData() == "backward"
    controller.update_inspector()
    assert shown[-1].node_id == model.cursor.current.node_id
    controller.restart()
    controller.toggle_play()
    assert controller.playing and actions["play"].text() == "Pause"
    model.player.lock_navigation(object())  # a training run takes the lock: playing stops
    assert not controller.playing and actions["play"].text() == "Play"


def test_pinning_a_node_is_the_models_and_the_inspector_follows(qtbot, model, view, layout_worker) -> None:
    frame, actions = _actions()
    qtbot.addWidget(frame)
    inspector = InspectorDock()
    qtbot.addWidget(inspector)
    shown: list = []
    inspector.show_node = shown.append  # what the inspector is asked to show
    PlaybackController(model, view, PlaybackDock(actions), FindBar(), inspector, actions["play"])
    _show(qtbot, model, view, layout_worker)
    node_id = model.graph.id_of(model.built.output)
    view.node_clicked.emit(node_id)
    assert model.pinned == node_id and shown[-1].node_id == node_id


def test_debug_colours_by_magnitude_and_keeps_its_toggles_in_step(qtbot, model, view, layout_worker) -> None:
    frame, actions = _actions()
    qtbot.addWidget(frame)
    said: list[str] = []
    model.events.said.connect(said.append)
    controller = DebugController(model, view, actions)
    _show(qtbot, model, view, layout_worker)
    controller.toggle_magnitudes()
    assert model.player.overlay is Overlay.MAGNITUDE and actions["magnitude"].isChecked()
    assert view.presenter.tints and said[-1].startswith("Gradient magnitude")
    controller.toggle_magnitudes()
    assert model.player.overlay is Overlay.PLAIN and not actions["magnitude"].isChecked()


def test_the_jacobian_exercise_takes_the_graph_once_the_panel_is_shown(qtbot, model, view, layout_worker) -> None:
    panel = JacobianPanel(model.jacobian)
    qtbot.addWidget(panel)
    JacobianController(panel, model, view)
    _show(qtbot, model, view, layout_worker)
    assert model.jacobian.current_plan is None  # hidden: no passes spent on it
    panel.show()
    qtbot.waitUntil(lambda: model.jacobian.current_plan is not None, timeout=5000)
    assert model.jacobian.current_plan.graph is model.graph


def test_sessions_saves_the_models_document_and_names_it_in_the_frame(qtbot, model, view, layout_worker,
                                                                        tmp_path) -> None:
    frame, bar = QMainWindow(), StatusBar()
    qtbot.addWidget(frame)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    sessions = SessionsController(model, JobRunner(model, bar), view, frame, settings, layout_worker, None)
    _show(qtbot, model, view, layout_worker)
    model.workspace.opened("scalar")
    model.document_changed()
    assert frame.isWindowModified() and frame.windowTitle().startswith("scalar")
    with qtbot.waitSignal(sessions.saved, timeout=10_000):
        sessions.save_to(tmp_path / "a.gnn")
    assert not model.workspace.unsaved and not frame.isWindowModified()
    state = load_session(tmp_path / "a.gnn")  # read back
    assert state.title == "scalar" and len(state.graph) == len(model.graph)


def test_exports_write_the_models_graph(qtbot, model, view, layout_worker, tmp_path) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    jobs = JobRunner(model, bar)
    exports = ExportsController(model, jobs, view, QWidget(), layout_worker)
    _show(qtbot, model, view, layout_worker)
    target = tmp_path / "graph.svg"
    exports.export(str(target))
    qtbot.waitUntil(lambda: not model.busy, timeout=20_000)
    text = target.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert text.count("<g id=\"node") == len(model.graph)  # every node drawn, once


def test_presentation_scales_its_panels_and_reveals_through_the_player(qtbot, model, view, layout_worker,
                                                                         tmp_path) -> None:
    frame, actions = _actions()
    qtbot.addWidget(frame)
    frame.setCentralWidget(view)
    panel = QWidget()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    presentation = PresentationController(model, frame, view, [panel], actions, settings, "standard", 1)
    _show(qtbot, model, view, layout_worker)
    size = panel.font().pointSizeF()
    presentation.scale_panels(1.5)
    assert panel.font().pointSizeF() == pytest.approx(size * 1.5, rel=0.02)
    actions["reveal"].setChecked(True)
    presentation.toggle_reveal()
    assert model.player.reveal
    themes: list = []
    presentation.theme_changed.connect(themes.append)
    presentation.set_palette("high-contrast")
    assert len(themes) == 1 and settings.value("view/palette") == "high-contrast"


def test_training_trains_on_the_target_column_chosen_not_the_one_first_read(qtbot, model, view, tmp_path) -> None:
    """A CSV read once (its last column the target), then another target column chosen: the
    network trains on the column chosen (it trained on the last one, read first)."""
    path = tmp_path / "points.csv"
    rng = np.random.default_rng(0)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["a", "b", "side", "label"])
        for x, y in rng.normal(size=(40, 2)):
            writer.writerow([f"{x:.3f}", f"{y:.3f}", int(x > 0), int(y > 0)])
    dock = TrainingDock(model.datasets)
    qtbot.addWidget(dock)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    controller = TrainingController(model, dock, view, settings)
    wanted: list = []
    model.events.open_requested.connect(wanted.append)  # the controller asks for its network drawn
    with qtbot.waitSignal(dock.csv_read, timeout=10_000):
        dock.add_csv(str(path))
    assert model.datasets.get(str(path)) is not None
    dock.form.target.setCurrentText("side")
    controller.train(1)
    run = model.training.run
    assert run is not None and run.settings.target == "side"
    assert run.data.target_name == "side" and "label" in run.data.feature_names
    assert len(wanted) == 1 and wanted[0].title.endswith(run.data.name)
    model.training.close()


def test_a_graph_shown_while_an_animation_records_stops_it_and_is_left_alone(qtbot, model, view, layout_worker,
                                                                             tmp_path, monkeypatch) -> None:
    """The old graph's player is stepped by the recording no more, and never moves the new
    graph's picture or cursor."""
    frame, actions = _actions()
    qtbot.addWidget(frame)
    bar = StatusBar()
    qtbot.addWidget(bar)
    said: list[str] = []
    model.events.said.connect(said.append)
    PlaybackController(model, view, PlaybackDock(actions), FindBar(), InspectorDock(), actions["play"])
    exports = ExportsController(model, JobRunner(model, bar), view, QWidget(), layout_worker)
    _show(qtbot, model, view, layout_worker, "vector")
    old = model.player
    old.set_phase("backward")
    export = exports.export_animation(tmp_path / "pass.gif")
    assert export is not None
    qtbot.waitUntil(lambda: len(export.frames) >= 2, timeout=10_000)  # the old pass stepped on
    stopped_at = old.cursor.position
    moves_after: list = []  # what the picture is told once the new graph is on the model
    shown_new: list = []
    model.events.shown.connect(shown_new.append)
    real_move = Presenter.move
    monkeypatch.setattr(Presenter, "move", lambda self, cursor, old_position: (
        moves_after.append(old_position) if shown_new else None, real_move(self, cursor, old_position)))
    _show(qtbot, model, view, layout_worker, "scalar")
    new = model.player
    start = (new.phase, new.cursor.position)
    qtbot.waitUntil(lambda: exports.animation_export is None, timeout=10_000)
    assert said[-1] == "Animation not saved: cancelled" and not (tmp_path / "pass.gif").exists()
    assert (new.phase, new.cursor.position) == start and moves_after == []
    assert old.cursor.position == stopped_at  # not put back: its graph is gone
