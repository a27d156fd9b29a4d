"""Presentation mode (the chain-rule panel, a clicker's keys, the black screen), zoom and panel
text, the palettes and reveal, driven through the window's actions and keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from graphviz_nn.gui.controllers.presentation import TITLE_BAR, PresentationController
from graphviz_nn.gui.main_window import MainWindow
from graphviz_nn.gui.canvas.theme import HIGH_CONTRAST, LIGHT
from graphviz_nn.session.chain_text import compact_chain_text
from graphviz_nn.session.inspect import describe

from .conftest import ready


def _looks(window) -> dict:
    """What presentation mode must put back exactly."""
    docks = (window.playback, window.inspector, window.jacobian, window.expression, window.training)
    return {"docks": {d.objectName(): d.isVisible() for d in docks}, "menu": window.menuBar().isVisible(),
            "toolbar": window.findChild(QWidget, "toolbar").isVisible(), "status": window.statusBar().isVisible(),
            "full": window.isFullScreen(), "size": window.size(),
            "fonts": {w.objectName(): w.font().pointSizeF() for w in (*docks, window.statusBar(), window.menuBar())},
            "chain_panel": window.presentation.chain_panel.isVisible()}


@pytest.mark.parametrize("leave", [Qt.Key.Key_Escape, Qt.Key.Key_F5])
def test_presentation_mode_shows_only_the_fitted_graph_and_leaves_the_window_as_it_was(open_window, qtbot, leave) -> None:
    window = open_window("scalar", size=(1180, 700))
    before = _looks(window)
    assert before["menu"] and before["toolbar"] and before["docks"]["inspector"] and not before["full"]
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.isFullScreen() and window.actions["present"].isChecked()
    assert not window.menuBar().isVisible() and not window.findChild(QWidget, "toolbar").isVisible()
    assert not any(_looks(window)["docks"].values()) and not window.statusBar().isVisible()
    qtbot.waitUntil(lambda: window.view.width() >= window.width() - 4 and window.view.height() >= window.height() - 4)
    qtbot.wait(20)
    view, panel = window.view, window.presentation.chain_panel
    assert set(view.nodes_on_screen()) == set(view.nodes)  # the whole graph, fitted
    # ... and clear of the chain-rule panel, so no number is hidden under it.
    assert panel.isVisible() and not any(
        view.mapFromScene(item.sceneBoundingRect()).boundingRect().translated(view.viewport().pos())
        .intersects(panel.geometry()) for item in view.nodes.values())
    qtbot.keyClick(window.view, leave)
    assert not window.presentation.presenting and not window.actions["present"].isChecked()
    qtbot.waitUntil(lambda: window.inspector.isVisible(), timeout=2000)
    assert _looks(window) == before


def test_the_chain_rule_panel_follows_the_clicker_on_the_graph_and_toggles(open_window, qtbot) -> None:
    window = open_window("scalar")
    window.stepping.set_phase("backward", 0)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    panel = window.presentation.chain_panel
    assert panel.isVisible() and panel.parentWidget() is window.view
    assert window.view.viewport().geometry().contains(panel.geometry())
    for position in (1, 2, 3):
        qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
        assert window.model.cursor.position == position
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    assert window.model.cursor.position == 2
    step = window.model.cursor.current
    info = describe(window.model.graph, window.model.graph[step.node_id], window.model.cursor)
    # One numbering: the panel counts steps as the playback bar does (3 steps done: "step 3 / N").
    counted = f"step 3 / {len(window.model.cursor.recording)}"
    assert counted in panel.text and window.playback.position.text().startswith(counted)
    assert compact_chain_text(info) in panel.text
    # dz/dx3 = x2² = 1.44 at x2 = -1.2, in the graph's own names
    assert f"∂z/∂{info.label}" in panel.text and panel.text.splitlines()[-1].endswith("= 1.44")
    assert panel.body.font().pointSizeF() >= 1.5 * window.font().pointSizeF()  # read from the back row
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    assert not panel.isVisible() and not window.actions["chain_panel"].isChecked()
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    assert panel.isVisible() and counted in panel.text
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert f"step 4 / {len(window.model.cursor.recording)}" in panel.text


def test_b_blacks_the_screen_out_and_any_key_brings_it_back(open_window, qtbot) -> None:
    window = open_window("scalar")
    window.stepping.set_phase("backward", 2)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    cover = window.presentation.black_cover
    qtbot.keyClick(window.view, Qt.Key.Key_B)
    assert cover.isVisible() and cover.geometry() == window.rect() and not window.model.player.breakpoints
    assert cover.grab().toImage().pixelColor(5, 5) == QColor("#000000")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_PageDown)  # lifts the cover, steps nothing
    assert not cover.isVisible() and window.model.cursor.position == 2
    qtbot.keyClick(window.view, Qt.Key.Key_Period)  # what clickers send
    assert cover.isVisible()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_B)
    assert not cover.isVisible() and window.presentation.presenting
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.presentation.presenting
    qtbot.keyClick(window.view, Qt.Key.Key_B)  # a breakpoint again once presentation mode is left
    assert not cover.isVisible() and window.model.player.breakpoints == {window.model.cursor.current.node_id}


def test_ctrl_plus_zooms_the_graph_and_ctrl_bracket_sizes_the_panels_text(open_window, qtbot) -> None:
    window = open_window("scalar")
    panels = (window.inspector, window.playback, window.statusBar())
    scale, fonts = window.view.transform().m11(), [w.font().pointSizeF() for w in panels]
    qtbot.keyClick(window.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.transform().m11() > 1.1 * scale
    assert [w.font().pointSizeF() for w in panels] == fonts
    zoomed = window.view.transform().m11()
    qtbot.keyClick(window.view, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert all(w.font().pointSizeF() > f for w, f in zip(panels, fonts))
    assert window.view.transform().m11() == zoomed
    qtbot.keyClick(window.view, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert all(w.font().pointSizeF() < f for w, f in zip(panels, fonts))
    qtbot.keyClick(window.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert [w.font().pointSizeF() for w in panels] == fonts
    assert window.view.auto_fit and window.view.transform().m11() == pytest.approx(scale)
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert {"Larger panel text", "Smaller panel text"} <= {a.text() for a in view_menu.actions()}


def test_the_window_fits_a_1280_by_720_screen_at_first_and_after_full_screen(qtbot, settings, layout_worker,
                                                                               monkeypatch) -> None:
    monkeypatch.setattr(PresentationController, "_available", lambda self: QRect(0, 0, 1280, 720))
    window = MainWindow("scalar", settings=settings, worker=layout_worker, autosave=False)
    qtbot.addWidget(window)
    assert window.width() == 1280 and 600 <= window.height() <= 720 - TITLE_BAR
    window.show()
    qtbot.waitUntil(lambda: ready(window), timeout=30000)
    size = window.size()
    window.presentation.toggle_full_screen()
    window.presentation.toggle_full_screen()
    assert window.size() == size
    window.resize(1280, 900)  # taller than the screen, as a window manager may leave it
    window.presentation.toggle_full_screen()
    window.presentation.toggle_full_screen()
    assert window.height() <= 720 - TITLE_BAR


def test_high_contrast_redraws_with_thick_black_lines_and_is_remembered(open_window, qtbot, settings,
                                                                          layout_worker) -> None:
    window = open_window("scalar")
    window.stepping.set_phase("backward", 3)
    before = {k: item.value_text for k, item in window.view.nodes.items()}
    thin = window.view.nodes["n0"]._pen.widthF()
    window.actions["palette_high-contrast"].trigger()
    qtbot.waitUntil(lambda: ready(window) and window.view.nodes["n0"].theme is HIGH_CONTRAST, timeout=10000)
    item = window.view.nodes["n0"]
    assert item._pen.color().rgb() == QColor("#000000").rgb() and item._pen.widthF() > 1.5 * thin
    assert window.view.backgroundBrush().color() == QColor("#FFFFFF")
    # The new items show the same point of the pass.
    assert {k: i.value_text for k, i in window.view.nodes.items()} == before
    assert window.model.cursor.position == 3

    again = MainWindow("scalar", settings=settings, worker=layout_worker, autosave=False)
    qtbot.addWidget(again)
    assert again.view.theme is HIGH_CONTRAST and again.actions["palette_high-contrast"].isChecked()


def test_colour_blind_palette_colours_the_gradient_check_blue_and_orange(open_window, qtbot) -> None:
    window = open_window("scalar")
    window.actions["check"].trigger()
    assert {t.name() for t in window.view.presenter.tints.values()} == {QColor("#009E73").name()}  # standard: green
    window.presentation.set_palette("colour-blind")
    qtbot.waitUntil(lambda: ready(window) and window.view.theme.name == "colour-blind", timeout=10000)
    assert {t.name() for t in window.view.presenter.tints.values()} == {"#0072b2"}
    assert window.view.presenter.phase_colour("backward") == QColor("#0072B2")
    assert window.view.presenter.phase_colour("forward") == QColor("#E69F00")
    window.presentation.set_palette("standard")
    qtbot.waitUntil(lambda: ready(window) and window.view.theme is LIGHT, timeout=10000)


def test_reveal_hides_numbers_until_the_pass_reaches_them(open_window, qtbot) -> None:
    window = open_window("scalar")
    window.stepping.set_phase("backward", -1)
    nodes = window.view.nodes
    assert all(item.value_text for item in nodes.values())  # values known from the forward pass
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    assert window.view.presenter.reveal
    assert not any(item.value_text or item.second_text for item in nodes.values())
    window.stepping.step_forward()
    reached = window.model.cursor.current.node_id
    shown = {k for k, item in nodes.items() if item.value_text}
    assert shown == {reached} and nodes[reached].second_text.startswith("∇")
    # The inspector keeps the secret too.
    hidden = next(k for k in nodes if k != reached)
    window.view.node_clicked.emit(hidden)
    assert window.inspector._info is None
    window.view.node_clicked.emit(reached)
    assert window.inspector._info is not None
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    assert all(item.value_text for item in nodes.values())


def test_presenting_a_matrix_step_shows_its_numbers_as_a_heatmap_in_large_type(open_window, qtbot) -> None:
    from PySide6.QtGui import QFontInfo

    window = open_window("layer_net", size=(1280, 720))
    window.stepping.set_phase("backward", 5)  # ∂loss/∂z2, a 12 × 3 array
    qtbot.keyClick(window, Qt.Key.Key_F5)
    panel = window.presentation.chain_panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.picture_shown, timeout=3000)
    assert "12 × 3" in panel.text
    assert panel.geometry().contains(panel.picture.geometry().translated(panel.pos()))  # not cut off
    assert QFontInfo(panel.body.font()).pixelSize() >= 24  # read from the back row
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)  # ∂loss/∂loss = 1: a number, no picture
    assert window.model.cursor.position == 0 and not panel.picture_shown


def test_presenting_a_small_matrix_step_writes_its_numbers_out_in_large_type(open_window, qtbot) -> None:
    """A 3 × 3 gradient is written as a table of its numbers (not "= [3 × 3 array]", not
    colours alone), at the panel's size, every entry the gradient's own."""
    import re

    from PySide6.QtGui import QFontInfo

    from graphviz_nn.session.number_text import cell

    window = open_window("layer_net", size=(1280, 720))
    window.stepping.set_phase("backward", 8)  # ∂loss/∂W2, a 3 × 3 array
    qtbot.keyClick(window, Qt.Key.Key_F5)
    panel = window.presentation.chain_panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.table_shown, timeout=3000)
    gradient = window.model.cursor.quantity(window.model.cursor.current.node_id)
    assert gradient.shape == (3, 3)
    assert "[3 × 3 array]" not in panel.text and "3 × 3 array" in panel.text
    written = re.findall(r"&nbsp;([^&<]+)&nbsp;</td>", panel.picture.text())
    assert written == [cell(x) for x in gradient.ravel()]
    assert QFontInfo(panel.picture.font()).pixelSize() >= 24
    assert panel.geometry().contains(panel.picture.geometry().translated(panel.pos()))  # not cut off
