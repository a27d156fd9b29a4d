"""How the window shows things: zoom and text size, full screen, presentation mode for a
projector, reveal, and the palettes (following the system going light or dark)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from ...session.player import Overlay
from ..theme import PALETTES, check_colour, palette_theme

TITLE_BAR = 40  # room the window manager's frame takes above the window, roughly
PALETTE_NAMES = {"standard": "Standard colours", "high-contrast": "High contrast: black on white, thick lines",
                 "colour-blind": "Colour-blind safe: blue against orange"}


def fitted_size(wanted: QSize, available) -> QSize:
    """``wanted``, made no larger than the available screen area (frame included)."""
    if available is None or available.isEmpty():
        return wanted
    return QSize(min(wanted.width(), available.width()), min(wanted.height(), available.height() - TITLE_BAR))


class PresentationController(QObject):
    """Zoom, full screen, presentation mode, reveal and palettes of a window.

    Parameters
    ----------
    window : MainWindow
    palette : str
        The palette to start with (one of :data:`~graphviz_nn.gui.theme.PALETTES`).
    state_version : int
        The version of the window's dock layout, for saving and restoring it around
        presentation mode.
    """

    def __init__(self, window, palette: str, state_version: int):
        super().__init__(window)
        self.window = window
        self.palette = palette if palette in PALETTES else "standard"
        self.font_scale = 1.0
        self._before_presenting = None
        self._state_version = state_version
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    def restore_geometry(self, settings, first_size: tuple[int, int]) -> None:
        """The window's size and docks as last time, never larger than this screen; on the
        first run the graph gets most of the width and the inspector a readable column."""
        window = self.window
        window.resize(fitted_size(QSize(*first_size), self._available()))
        geometry = settings.value("window/geometry")
        if geometry is not None:
            window.restoreGeometry(geometry)
            window.resize(fitted_size(window.size(), self._available()))  # saved on a larger screen
        state = settings.value("window/state")
        # A state saved with another set of docks would misplace the new ones: it is dropped.
        if state is None or not window.restoreState(state, self._state_version):
            window.resizeDocks([window.inspector], [440], Qt.Orientation.Horizontal)
            window.resizeDocks([window.playback], [150], Qt.Orientation.Vertical)

    def save_geometry(self, settings) -> None:
        settings.setValue("window/geometry", self.window.saveGeometry())
        settings.setValue("window/state", self.window.saveState(self._state_version))

    @property
    def presenting(self) -> bool:
        return self._before_presenting is not None

    def zoom(self, factor: float) -> None:
        self.window.view.zoom(factor)
        self.font_scale = min(2.5, max(0.7, self.font_scale * factor))
        self._apply_font()

    def reset_zoom(self) -> None:
        self.font_scale = 1.0
        self._apply_font()
        self.window.view.fit()

    def _apply_font(self) -> None:
        font = QApplication.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() * self.font_scale))
        for widget in (self.window.playback, self.window.inspector, self.window.jacobian, self.window.statusBar(), self.window.find_bar, self.window.menuBar()):
            widget.setFont(font)

    def _available(self):
        """The room the window may take: its screen less the task bars."""
        screen = self.window.screen() or QApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else None

    def _show_normal(self) -> None:
        """Leave full screen at a size that fits the screen (the window came back taller
        than a 720-line projector)."""
        self.window.showNormal()
        self.window.resize(fitted_size(self.window.size(), self._available()))

    def toggle_full_screen(self) -> None:
        self._show_normal() if self.window.isFullScreen() else self.window.showFullScreen()
        self.window.actions["fullscreen"].setChecked(self.window.isFullScreen())

    def toggle_presentation(self) -> None:
        """Full screen with large text, only the graph and the playback controls; F5 again
        (or Esc) puts the window back as it was."""
        presenting = self._before_presenting is None
        self.window.actions["present"].setChecked(presenting)
        toolbar = self.window.findChild(QWidget, "toolbar")
        if presenting:
            self._before_presenting = (self.window.saveState(self._state_version), self.window.isFullScreen(), self.font_scale,
                                       toolbar.iconSize())
            for dock in (self.window.inspector, self.window.jacobian, self.window.expression, self.window.training):
                dock.hide()
            self.window.playback.show()
            self.font_scale = 1.6
            toolbar.setIconSize(QSize(36, 36))
            self.window.showFullScreen()
            self.window.say("Presentation: → or a clicker steps, Space plays, F5 or Esc leaves")
        else:
            state, full, scale, icons = self._before_presenting
            self._before_presenting = None
            self.window.restoreState(state, self._state_version)
            self.font_scale = scale
            toolbar.setIconSize(icons)
            if not full:
                self._show_normal()
            self.window.say("Presentation mode left")
        self.window.actions["fullscreen"].setChecked(self.window.isFullScreen())
        self._apply_font()
        QTimer.singleShot(0, self.window.view.fit)

    def toggle_reveal(self) -> None:
        if self.window.presenter is None:
            self.window.actions["reveal"].setChecked(False)
            return
        self.window.presenter.reveal = self.window.actions["reveal"].isChecked()
        self.window.presenter.refresh_all(self.window.cursor)
        self.window.stepping.update_inspector()
        self.window.say("Reveal: numbers appear as the pass reaches their nodes" if self.window.presenter.reveal
                 else "All numbers shown")

    def _on_color_scheme_changed(self, _scheme=None) -> None:
        """The system went light or dark while the window runs: its colours follow."""
        self._apply_palette(self.palette)

    def set_palette(self, palette: str) -> None:
        """Standard, high-contrast or colour-blind-safe colours (remembered)."""
        self._apply_palette(palette)
        self.window.say(PALETTE_NAMES[palette])

    def _apply_palette(self, palette: str) -> None:
        theme = palette_theme(palette)
        self.palette = palette
        self.window.actions[f"palette_{palette}"].setChecked(True)
        self.window.settings.setValue("view/palette", palette)
        player = self.window.player
        if player is not None and player.overlay is Overlay.CHECK:  # the check's colours come from the palette
            self.window.presenter.tints = {k: check_colour(err, theme) for k, (err, _) in player.check.items()}
        self.window.view.set_theme(theme, self.window.prepare_item)
        self.window.training.set_dark(theme.dark)
