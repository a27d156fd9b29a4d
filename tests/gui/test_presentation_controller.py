"""Presentation mode (the chain-rule panel, a clicker's keys, the black screen), zoom and panel
text, the palettes and reveal: the presentation controller built from a window model, a graph
view, the actions and a plain frame holding docks, a menu bar, a toolbar and a status bar.

The playback and debug controllers are built beside it from the same model, so the keys a
clicker sends step the model's player and set its breakpoints as they do in the window."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFontInfo
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from graphviz_nn.gui.actions import ACTIONS
from graphviz_nn.gui.canvas.graph_view import GraphView
from graphviz_nn.gui.canvas.theme import HIGH_CONTRAST, LIGHT
from graphviz_nn.gui.controllers.debug import DebugController
from graphviz_nn.gui.controllers.playback import PlaybackController
from graphviz_nn.gui.controllers.presentation import PresentationController
from graphviz_nn.gui.docks.find_bar import FindBar
from graphviz_nn.gui.docks.inspector import InspectorDock
from graphviz_nn.gui.docks.playback_dock import PlaybackDock
from graphviz_nn.gui.docks.status_bar import StatusBar
from graphviz_nn.session.chain_text import compact_chain_text
from graphviz_nn.session.inspect import describe
from graphviz_nn.session.number_text import cell
from graphviz_nn.session.window_model import WindowModel
from tests.gui.controller_kit import actions_of_a_frame
from tests.gui.controller_kit import model, shown, view  # noqa: F401 - fixtures


@dataclass
class Stage:
    """A frame with the presentation controller and what it drives, an example drawn."""

    model: WindowModel
    frame: QMainWindow
    view: GraphView
    actions: dict
    presentation: PresentationController
    playback: PlaybackDock
    inspector: InspectorDock
    docks: tuple
    settings: QSettings


def _connect(actions: dict, targets: dict) -> None:
    """Connect the actions whose row names one of ``targets``; the others stay unconnected."""
    for spec in ACTIONS:
        owner, method = spec.slot.split(".")
        if owner in targets:
            slot = getattr(targets[owner], method)
            actions[spec.key].triggered.connect(
                (lambda checked=False, s=slot: s()) if spec.argument is None
                else (lambda checked=False, s=slot, a=spec.argument: s(a)))


@pytest.fixture
def stage(qtbot, model, view, settings, layout_worker):  # noqa: F811 - fixtures
    """A function building the stage on an example and showing it at a size."""

    def build(key: str = "scalar", size=(1280, 800)) -> Stage:
        frame, actions = actions_of_a_frame()
        qtbot.addWidget(frame)
        frame.setCentralWidget(view)
        playback, inspector = PlaybackDock(actions, frame), InspectorDock(frame)
        notes = QDockWidget("Notes", frame)  # a second tab, hidden, as the window's Training is
        notes.setObjectName("notes")
        frame.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, playback)
        frame.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, inspector)
        frame.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, notes)
        frame.tabifyDockWidget(inspector, notes)
        notes.hide()
        inspector.raise_()
        menu = frame.menuBar().addMenu("&View")
        for name in ("present", "chain_panel", "reveal"):
            menu.addAction(actions[name])
        toolbar = frame.addToolBar("Main")
        toolbar.setObjectName("toolbar")
        toolbar.addAction(actions["play"])
        bar = StatusBar()
        frame.setStatusBar(bar)
        model.events.said.connect(bar.status.setText)
        stepping = PlaybackController(model, view, playback, FindBar(), inspector, actions["play"], frame)
        debugging = DebugController(model, view, actions, frame)
        docks = (playback, inspector, notes)
        presentation = PresentationController(model, frame, view, (*docks, bar, frame.menuBar()), actions,
                                              settings, "standard", 1, frame)
        _connect(actions, {"stepping": stepping, "debugging": debugging, "presentation": presentation,
                           "view": view})
        frame.resize(*size)
        frame.show()
        shown(qtbot, model, view, layout_worker, key)
        return Stage(model, frame, view, actions, presentation, playback, inspector, docks, settings)

    return build


def _looks(stage: Stage) -> dict:
    """What presentation mode must put back exactly."""
    frame = stage.frame
    panels = (*stage.docks, frame.statusBar(), frame.menuBar())
    return {"docks": {d.objectName(): d.isVisible() for d in stage.docks}, "menu": frame.menuBar().isVisible(),
            "toolbar": frame.findChild(QWidget, "toolbar").isVisible(), "status": frame.statusBar().isVisible(),
            "full": frame.isFullScreen(), "size": frame.size(),
            "fonts": {w.objectName(): w.font().pointSizeF() for w in panels},
            "chain_panel": stage.presentation.chain_panel.isVisible()}


def _drawn(stage: Stage) -> bool:
    return stage.view.presenter is not None and not stage.view.building and not stage.model.busy


@pytest.mark.parametrize("leave", [Qt.Key.Key_Escape, Qt.Key.Key_F5])
def test_presentation_mode_shows_only_the_fitted_graph_and_leaves_the_frame_as_it_was(stage, qtbot, leave) -> None:
    s = stage("scalar", size=(1180, 700))
    frame, view, panel = s.frame, s.view, s.presentation.chain_panel
    said: list[str] = []
    s.model.events.said.connect(said.append)
    before = _looks(s)
    assert before["menu"] and before["toolbar"] and before["docks"]["inspector"] and not before["full"]
    assert not before["docks"]["notes"]  # a hidden tab stays hidden
    qtbot.keyClick(frame, Qt.Key.Key_F5)
    assert frame.isFullScreen() and s.actions["present"].isChecked() and s.presentation.presenting
    assert not frame.menuBar().isVisible() and not frame.findChild(QWidget, "toolbar").isVisible()
    assert not any(_looks(s)["docks"].values()) and not frame.statusBar().isVisible()
    qtbot.waitUntil(lambda: view.width() >= frame.width() - 4 and view.height() >= frame.height() - 4)
    qtbot.wait(20)
    assert set(view.nodes_on_screen()) == set(view.nodes)  # the whole graph, fitted
    # ... and clear of the chain-rule panel, so no number is hidden under it.
    assert panel.isVisible() and not any(
        view.mapFromScene(item.sceneBoundingRect()).boundingRect().translated(view.viewport().pos())
        .intersects(panel.geometry()) for item in view.nodes.values())
    qtbot.keyClick(view, leave)
    assert not s.presentation.presenting and not s.actions["present"].isChecked()
    qtbot.waitUntil(lambda: s.inspector.isVisible(), timeout=2000)
    assert _looks(s) == before
    assert "Presentation mode left" in said


def test_the_chain_rule_panel_follows_the_clicker_on_the_graph_and_toggles(stage, qtbot) -> None:
    s = stage("scalar")
    model, view = s.model, s.view
    model.player.set_phase("backward", 0)
    qtbot.keyClick(s.frame, Qt.Key.Key_F5)
    panel = s.presentation.chain_panel
    assert panel.isVisible() and panel.parentWidget() is view
    assert view.viewport().geometry().contains(panel.geometry())
    for position in (1, 2, 3):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
        assert model.cursor.position == position
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert model.cursor.position == 2
    step = model.cursor.current
    info = describe(model.graph, model.graph[step.node_id], model.cursor)
    # One numbering: the panel counts steps as the playback bar does (3 steps done: "step 3 / N").
    counted = f"step 3 / {len(model.cursor.recording)}"
    assert counted in panel.text and s.playback.position.text().startswith(counted)
    assert compact_chain_text(info) in panel.text
    # dz/dx3 = x2² = 1.44 at x2 = -1.2, in the graph's own names
    assert f"∂z/∂{info.label}" in panel.text and panel.text.splitlines()[-1].endswith("= 1.44")
    assert panel.body.font().pointSizeF() >= 1.5 * s.frame.font().pointSizeF()  # read from the back row
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert not panel.isVisible() and not s.actions["chain_panel"].isChecked()
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert panel.isVisible() and counted in panel.text
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert f"step 4 / {len(model.cursor.recording)}" in panel.text


def test_b_blacks_the_screen_out_and_any_key_brings_it_back(stage, qtbot) -> None:
    s = stage("scalar")
    model, view, frame = s.model, s.view, s.frame
    model.player.set_phase("backward", 2)
    qtbot.keyClick(frame, Qt.Key.Key_F5)
    cover = s.presentation.black_cover
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert cover.isVisible() and cover.geometry() == frame.rect() and not model.player.breakpoints
    assert cover.grab().toImage().pixelColor(5, 5) == QColor("#000000")
    qtbot.keyClick(frame.focusWidget(), Qt.Key.Key_PageDown)  # lifts the cover, steps nothing
    assert not cover.isVisible() and model.cursor.position == 2
    qtbot.keyClick(view, Qt.Key.Key_Period)  # what clickers send
    assert cover.isVisible()
    qtbot.keyClick(frame.focusWidget(), Qt.Key.Key_B)
    assert not cover.isVisible() and s.presentation.presenting
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not s.presentation.presenting
    qtbot.keyClick(view, Qt.Key.Key_B)  # a breakpoint again once presentation mode is left
    assert not cover.isVisible() and model.player.breakpoints == {model.cursor.current.node_id}


def test_ctrl_plus_zooms_the_graph_and_ctrl_bracket_sizes_the_panels_text(stage, qtbot) -> None:
    s = stage("scalar")
    view = s.view
    panels = (s.inspector, s.playback, s.frame.statusBar())
    scale, fonts = view.transform().m11(), [w.font().pointSizeF() for w in panels]
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() > 1.1 * scale
    assert [w.font().pointSizeF() for w in panels] == fonts
    zoomed = view.transform().m11()
    qtbot.keyClick(view, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert all(w.font().pointSizeF() > f for w, f in zip(panels, fonts))
    assert view.transform().m11() == zoomed
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert all(w.font().pointSizeF() < f for w, f in zip(panels, fonts))
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert [w.font().pointSizeF() for w in panels] == fonts
    assert view.auto_fit and view.transform().m11() == pytest.approx(scale)


def test_high_contrast_redraws_with_thick_black_lines_and_is_remembered(stage, qtbot) -> None:
    s = stage("scalar")
    model, view = s.model, s.view
    model.player.set_phase("backward", 3)
    before = {k: item.value_text for k, item in view.nodes.items()}
    thin = view.nodes["n0"]._pen.widthF()
    themes: list = []
    s.presentation.theme_changed.connect(themes.append)
    s.actions["palette_high-contrast"].trigger()
    qtbot.waitUntil(lambda: _drawn(s) and view.nodes["n0"].theme is HIGH_CONTRAST, timeout=10000)
    item = view.nodes["n0"]
    assert item._pen.color().rgb() == QColor("#000000").rgb() and item._pen.widthF() > 1.5 * thin
    assert view.backgroundBrush().color() == QColor("#FFFFFF")
    # The new items show the same point of the pass.
    assert {k: i.value_text for k, i in view.nodes.items()} == before
    assert model.cursor.position == 3
    # Remembered, and told to what draws in colour.
    assert s.settings.value("view/palette") == "high-contrast" and s.presentation.palette == "high-contrast"
    assert themes == [HIGH_CONTRAST] and s.actions["palette_high-contrast"].isChecked()


def test_colour_blind_palette_colours_the_gradient_check_blue_and_orange(stage, qtbot) -> None:
    s = stage("scalar")
    view = s.view
    s.actions["check"].trigger()
    assert {t.name() for t in view.presenter.tints.values()} == {QColor("#009E73").name()}  # standard: green
    s.presentation.set_palette("colour-blind")
    qtbot.waitUntil(lambda: _drawn(s) and view.theme.name == "colour-blind", timeout=10000)
    assert {t.name() for t in view.presenter.tints.values()} == {"#0072b2"}
    assert view.presenter.phase_colour("backward") == QColor("#0072B2")
    assert view.presenter.phase_colour("forward") == QColor("#E69F00")
    s.presentation.set_palette("standard")
    qtbot.waitUntil(lambda: _drawn(s) and view.theme is LIGHT, timeout=10000)


def test_reveal_hides_numbers_until_the_pass_reaches_them(stage, qtbot) -> None:
    s = stage("scalar")
    model, view = s.model, s.view
    model.player.set_phase("backward", -1)
    nodes = view.nodes
    assert all(item.value_text for item in nodes.values())  # values known from the forward pass
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert view.presenter.reveal and model.player.reveal
    assert not any(item.value_text or item.second_text for item in nodes.values())
    qtbot.keyClick(view, Qt.Key.Key_Right)
    reached = model.cursor.current.node_id
    shown_now = {k for k, item in nodes.items() if item.value_text}
    assert shown_now == {reached} and nodes[reached].second_text.startswith("∇")
    # The inspector keeps the secret too.
    hidden = next(k for k in nodes if k != reached)
    view.node_clicked.emit(hidden)
    assert s.inspector.info is None
    view.node_clicked.emit(reached)
    assert s.inspector.info is not None
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert all(item.value_text for item in nodes.values())


def test_presenting_a_matrix_step_shows_its_numbers_as_a_heatmap_in_large_type(stage, qtbot) -> None:
    s = stage("layer_net", size=(1280, 720))
    model, view = s.model, s.view
    model.player.set_phase("backward", 5)  # ∂loss/∂z2, a 12 × 3 array
    qtbot.keyClick(s.frame, Qt.Key.Key_F5)
    panel = s.presentation.chain_panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.picture_shown, timeout=3000)
    assert "12 × 3" in panel.text
    assert panel.geometry().contains(panel.picture.geometry().translated(panel.pos()))  # not cut off
    assert QFontInfo(panel.body.font()).pixelSize() >= 24  # read from the back row
    for _ in range(5):
        qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert model.cursor.position == 0 and not panel.picture_shown  # ∂loss/∂loss = 1: a number, no picture


def test_presenting_a_small_matrix_step_writes_its_numbers_out_in_large_type(stage, qtbot) -> None:
    """A 3 × 3 gradient is written as a table of its numbers (not "= [3 × 3 array]", not
    colours alone), at the panel's size, every entry the gradient's own."""
    s = stage("layer_net", size=(1280, 720))
    model = s.model
    model.player.set_phase("backward", 8)  # ∂loss/∂W2, a 3 × 3 array
    qtbot.keyClick(s.frame, Qt.Key.Key_F5)
    panel = s.presentation.chain_panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.table_shown, timeout=3000)
    gradient = model.cursor.quantity(model.cursor.current.node_id)
    assert gradient.shape == (3, 3)
    assert "[3 × 3 array]" not in panel.text and "3 × 3 array" in panel.text
    written = re.findall(r"&nbsp;([^&<]+)&nbsp;</td>", panel.picture.text())
    assert written == [cell(x) for x in gradient.ravel()]
    assert QFontInfo(panel.picture.font()).pixelSize() >= 24
    assert panel.geometry().contains(panel.picture.geometry().translated(panel.pos()))  # not cut off
