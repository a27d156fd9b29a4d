"""Presentation in the whole window: F5 hides and gives back the window's own docks, menus,
toolbar and status bar; Ctrl+] reaches the window's panels; the window fits a 1280 x 720
projector; the palette chosen is the next window's. What presentation mode, zoom, palettes
and reveal do is tested on the controller alone (test_presentation_controller.py)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QWidget

from graphviz_nn.gui.canvas.theme import HIGH_CONTRAST
from graphviz_nn.gui.controllers.presentation import TITLE_BAR, PresentationController
from graphviz_nn.gui.main_window import MainWindow

from .conftest import ready


def _looks(window) -> dict:
    """What presentation mode must put back exactly."""
    docks = (window.playback, window.inspector, window.jacobian, window.expression, window.training)
    return {"docks": {d.objectName(): d.isVisible() for d in docks}, "menu": window.menuBar().isVisible(),
            "toolbar": window.findChild(QWidget, "toolbar").isVisible(), "status": window.statusBar().isVisible(),
            "full": window.isFullScreen(), "size": window.size(),
            "fonts": {w.objectName(): w.font().pointSizeF() for w in (*docks, window.statusBar(), window.menuBar())}}


def test_f5_presents_the_window_and_esc_gives_back_its_own_layout(open_window, qtbot) -> None:
    """The window's five docks (tabbed, Training hidden), its menus, toolbar and status bar,
    its size and its panels' text: hidden while presenting, then exactly as they were."""
    window = open_window("scalar", size=(1180, 700))
    before = _looks(window)
    assert before["menu"] and before["toolbar"] and before["docks"]["inspector"] and not before["full"]
    assert not before["docks"]["training"]
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.isFullScreen() and window.actions["present"].isChecked()
    assert not window.menuBar().isVisible() and not window.findChild(QWidget, "toolbar").isVisible()
    assert not any(_looks(window)["docks"].values()) and not window.statusBar().isVisible()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Escape)
    assert not window.actions["present"].isChecked()
    qtbot.waitUntil(lambda: window.inspector.isVisible(), timeout=2000)
    assert _looks(window) == before


def test_ctrl_bracket_sizes_the_text_of_the_windows_panels_and_the_view_menu_offers_it(open_window,
                                                                                        qtbot) -> None:
    window = open_window("scalar")
    panels = (window.inspector, window.playback, window.jacobian, window.statusBar(), window.menuBar(),
              window.find_bar)
    fonts = [w.font().pointSizeF() for w in panels]
    qtbot.keyClick(window, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert all(w.font().pointSizeF() > f for w, f in zip(panels, fonts))
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert [w.font().pointSizeF() for w in panels] == fonts
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
    full_screen = window.actions["fullscreen"]
    full_screen.trigger()
    assert window.isFullScreen() and full_screen.isChecked()
    full_screen.trigger()
    assert window.size() == size and not full_screen.isChecked()
    window.resize(1280, 900)  # taller than the screen, as a window manager may leave it
    full_screen.trigger()
    full_screen.trigger()
    assert window.height() <= 720 - TITLE_BAR


def test_the_palette_chosen_is_the_next_windows(open_window, qtbot, settings, layout_worker) -> None:
    window = open_window("scalar")
    window.actions["palette_high-contrast"].trigger()
    qtbot.waitUntil(lambda: ready(window) and window.view.theme is HIGH_CONTRAST, timeout=10000)
    again = MainWindow("scalar", settings=settings, worker=layout_worker, autosave=False)
    qtbot.addWidget(again)
    assert again.view.theme is HIGH_CONTRAST and again.actions["palette_high-contrast"].isChecked()
