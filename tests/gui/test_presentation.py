"""Presentation mode, the palettes and reveal, driven through the window's actions and keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from graphviz_nn.gui.main_window import MainWindow
from graphviz_nn.gui.theme import HIGH_CONTRAST, LIGHT

from .conftest import ready


def test_presentation_mode_goes_full_screen_with_large_text_and_comes_back(open_window, qtbot) -> None:
    window = open_window("seed")
    assert window.inspector.isVisible() and not window.isFullScreen()
    size = window.playback.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.isFullScreen() and window.actions["present"].isChecked()
    assert not window.inspector.isVisible() and window.playback.isVisible()
    assert window.playback.font().pointSizeF() >= 1.5 * size
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.isFullScreen() and not window.actions["present"].isChecked()
    qtbot.waitUntil(lambda: window.inspector.isVisible(), timeout=2000)
    assert window.playback.font().pointSizeF() == size


def test_high_contrast_redraws_with_thick_black_lines_and_is_remembered(open_window, qtbot, settings,
                                                                          layout_worker) -> None:
    window = open_window("seed")
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
    assert window.cursor.position == 3

    again = MainWindow("seed", settings=settings, worker=layout_worker, autosave=False)
    qtbot.addWidget(again)
    assert again.view.theme is HIGH_CONTRAST and again.actions["palette_high-contrast"].isChecked()


def test_colour_blind_palette_colours_the_gradient_check_blue_and_orange(open_window, qtbot) -> None:
    window = open_window("seed")
    window.actions["check"].trigger()
    assert {t.name() for t in window.presenter.tints.values()} == {QColor("#009E73").name()}  # standard: green
    window.presentation.set_palette("colour-blind")
    qtbot.waitUntil(lambda: ready(window) and window.view.theme.name == "colour-blind", timeout=10000)
    assert {t.name() for t in window.presenter.tints.values()} == {"#0072b2"}
    assert window.presenter.phase_colour("backward") == QColor("#0072B2")
    assert window.presenter.phase_colour("forward") == QColor("#E69F00")
    window.presentation.set_palette("standard")
    qtbot.waitUntil(lambda: ready(window) and window.view.theme is LIGHT, timeout=10000)


def test_reveal_hides_numbers_until_the_pass_reaches_them(open_window, qtbot) -> None:
    window = open_window("seed")
    window.stepping.set_phase("backward", -1)
    nodes = window.view.nodes
    assert all(item.value_text for item in nodes.values())  # values known from the forward pass
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    assert window.presenter.reveal
    assert not any(item.value_text or item.second_text for item in nodes.values())
    window.stepping.step_forward()
    reached = window.cursor.current.node_id
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
