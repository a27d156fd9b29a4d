"""How the window shows things: the graph's zoom and the panels' text size, full screen,
presentation mode for a projector (the chain-rule panel on the graph, a clicker's keys, the
black screen), reveal, and the palettes (following the system going light or dark)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QObject, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

from ...session.inspect import describe
from ...session.player import Overlay
from ...session.window_model import WindowModel
from ..canvas.black_cover import BlackCover
from ..canvas.chain_overlay import ChainOverlay
from ..canvas.graph_view import MARGIN as GRAPH_MARGIN
from ..canvas.graph_view import GraphView
from ..canvas.level_of_detail import PRESENTING_PIXELS, READABLE_PIXELS
from ..canvas.theme import PALETTES, check_colour, palette_theme
from ..docks.playback_dock import PHASE_TITLES

PANEL_SCALES = (0.7, 2.5)   # the panels' text, from a laptop's to the back row's
PRESENTING_TEXT = 1.6       # the panels' text scale presentation mode starts at, at least
CHAIN_PANEL_TEXT = 1.25     # the chain-rule panel's text against the panels'
PANEL_STRIP = (0.32, 0.42)  # presenting: the chain-rule panel's strip, of the height below or the width beside
GAP = 12                    # px between the panel and the screen's edge
TITLE_BAR = 40
#: The actions whose keys change while presenting: B blacks out (breakpoints wait), Esc leaves.
PRESENTING_KEYS = {"breakpoint": (), "blackout": ("B", "."), "present": ("F5", "Esc")}  # room the window manager's frame takes above the window, roughly
PALETTE_NAMES = {"standard": "Standard colours", "high-contrast": "High contrast: black on white, thick lines",
                 "colour-blind": "Colour-blind safe: blue against orange"}


def fitted_size(wanted: QSize, available) -> QSize:
    """``wanted``, made no larger than the available screen area (frame included)."""
    if available is None or available.isEmpty():
        return wanted
    return QSize(min(wanted.width(), available.width()), min(wanted.height(), available.height() - TITLE_BAR))


@dataclass(frozen=True)
class _Before:
    """What presentation mode changes, as it was before: put back exactly on leaving."""

    state: QByteArray
    geometry: QRect
    window_state: Qt.WindowState
    menu_bar: bool
    status_bar: bool
    panel_scale: float
    chain_panel: bool
    placement: tuple
    keys: dict  # action -> its shortcuts


class PresentationController(QObject):
    """Zoom, panel text size, full screen, presentation mode (with its chain-rule panel and
    black screen), reveal and palettes of a window.

    Parameters
    ----------
    model : WindowModel
        The player whose step the chain-rule panel shows and whose reveal is switched.
    frame : QMainWindow
        The top-level window it drives: its size, full screen, dock state, menu and status bar.
    view : GraphView
    panels : sequence of QWidget
        The panels whose text is scaled (docks, status bar, find bar, menu bar).
    actions : dict of str to QAction
    settings : QSettings
        Where the palette is remembered.
    palette : str
        The palette to start with (one of :data:`~graphviz_nn.gui.canvas.theme.PALETTES`).
    state_version : int
        The version of the window's dock layout, for saving and restoring it around
        presentation mode.

    Signals
    -------
    theme_changed(Theme)
        Another palette, or the system went light or dark: what draws in colour follows.
    """

    theme_changed = Signal(object)

    def __init__(self, model: WindowModel, frame: QMainWindow, view: GraphView, panels, actions, settings,
                 palette: str, state_version: int, parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.frame, self.view, self.panels = model, frame, view, tuple(panels)
        self.actions, self.settings = actions, settings
        self.palette = palette if palette in PALETTES else "standard"
        self.panel_scale = 1.0
        self._before: _Before | None = None
        self._state_version = state_version
        self._watched = lambda: None  # a weak reference to the player the chain-rule panel follows
        self._restored_size: QSize | None = None  # the size restore_geometry chose, until first shown
        self._on_screen = False  # the window was brought within its screen: it is kept there
        self.chain_panel = ChainOverlay(view)
        view.viewport().installEventFilter(self)
        frame.installEventFilter(self)  # a window that grows past its screen is brought back
        self.black_cover = BlackCover(frame)
        view.picture_ready.connect(self._on_view_picture_ready)
        model.events.shown.connect(lambda _model: actions["reveal"].setChecked(False))
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    def restore_geometry(self, settings, first_size: tuple[int, int], inspector, playback) -> None:
        """The window's size and docks as last time, never larger than this screen; on the
        first run the graph gets most of the width and the ``inspector`` dock a readable
        column, the ``playback`` dock its controls' height."""
        top = self.frame
        top.resize(fitted_size(QSize(*first_size), self._available()))
        geometry = settings.value("window/geometry")
        if geometry is not None:
            top.restoreGeometry(geometry)
            top.resize(fitted_size(top.size(), self._available()))  # saved on a larger screen
        state = settings.value("window/state")
        # A state saved with another set of docks would misplace the new ones: it is dropped.
        if state is None or not top.restoreState(state, self._state_version):
            top.resizeDocks([inspector], [440], Qt.Orientation.Horizontal)
            top.resizeDocks([playback], [150], Qt.Orientation.Vertical)
        self._restored_size = top.size()

    def keep_on_screen(self) -> None:
        """The window's frame inside its screen's free area, resized and moved if need be: a
        window 1280 wide is 1284 with its frame on a 1280-pixel projector, and docks whose
        text grew while presenting had widened it to 1311."""
        top, available = self.frame, self._available()
        if available is None or available.isEmpty() or self.presenting or \
                top.windowState() & (Qt.WindowState.WindowFullScreen | Qt.WindowState.WindowMaximized):
            return
        self._on_screen = True
        frame, inner = top.frameGeometry(), top.geometry()
        extra = QSize(frame.width() - inner.width(), frame.height() - inner.height())
        size = QSize(min(inner.width(), max(top.minimumWidth(), available.width() - extra.width())),
                     min(inner.height(), max(top.minimumHeight(), available.height() - extra.height())))
        if size != inner.size():
            top.resize(size)
            frame = top.frameGeometry()
        x = max(available.left(), min(frame.left(), available.right() + 1 - frame.width()))
        y = max(available.top(), min(frame.top(), available.bottom() + 1 - frame.height()))
        if (x, y) != (frame.left(), frame.top()):
            top.move(x, y)

    def save_geometry(self, settings) -> None:
        settings.setValue("window/geometry", self.frame.saveGeometry())
        settings.setValue("window/state", self.frame.saveState(self._state_version))

    @property
    def presenting(self) -> bool:
        return self._before is not None

    # --- zoom and text size ----------------------------------------------------------------
    def zoom(self, factor: float) -> None:
        """The graph, and the text drawn on it, larger or smaller; the panels keep theirs."""
        self.view.zoom(factor)

    def scale_panels(self, factor: float) -> None:
        """The panels' text (docks, status bar, the chain-rule panel) larger or smaller; the
        graph keeps its zoom.

        Parameters
        ----------
        factor : float
            Multiplies the panels' text scale, which stays within :data:`PANEL_SCALES`.
        """
        self.panel_scale = min(PANEL_SCALES[1], max(PANEL_SCALES[0], self.panel_scale * factor))
        self._apply_font()

    def reset_zoom(self) -> None:
        """The panels' text at its usual size, and the whole graph in view."""
        self.panel_scale = 1.0
        self._apply_font()
        self.fit_graph()

    def _apply_font(self) -> None:
        base = QApplication.font()
        font = QFont(base)
        font.setPointSizeF(max(6.0, base.pointSizeF() * self.panel_scale))
        for widget in self.panels:
            widget.setFont(font)
        self.chain_panel.set_point_size(base.pointSizeF() * CHAIN_PANEL_TEXT * self.panel_scale)

    # --- full screen ------------------------------------------------------------------------
    def _available(self):
        """The room the window may take: its screen less the task bars."""
        screen = self.frame.screen() or QApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else None

    def _show_normal(self) -> None:
        """Leave full screen at a size that fits the screen (the window came back taller
        than a 720-line projector)."""
        self.frame.showNormal()
        self.frame.resize(fitted_size(self.frame.size(), self._available()))

    def toggle_full_screen(self) -> None:
        self._show_normal() if self.frame.isFullScreen() else self.frame.showFullScreen()
        self.actions["fullscreen"].setChecked(self.frame.isFullScreen())

    # --- presentation mode ------------------------------------------------------------------
    def toggle_presentation(self) -> None:
        """Full screen with only the graph, fitted, and the chain-rule panel on it; F5 again
        (or Esc) puts the window back exactly as it was."""
        self._leave() if self.presenting else self._enter()
        self.actions["present"].setChecked(self.presenting)
        self.actions["fullscreen"].setChecked(self.frame.isFullScreen())

    def _enter(self) -> None:
        top, actions = self.frame, self.actions
        self._before = _Before(top.saveState(self._state_version), top.geometry(), top.windowState(),
                               top.menuBar().isVisibleTo(top), top.statusBar().isVisibleTo(top),
                               self.panel_scale, actions["chain_panel"].isChecked(), self.view.placement(),
                               {k: actions[k].shortcuts() for k in PRESENTING_KEYS})
        for dock in top.findChildren(QDockWidget):
            dock.hide()
        top.findChild(QWidget, "toolbar").hide()
        top.menuBar().hide()
        top.statusBar().hide()
        # A clicker's keys: B (or .) blacks the screen out while presenting, Esc leaves.
        for key, keys in PRESENTING_KEYS.items():
            actions[key].setShortcuts([QKeySequence(k) for k in keys])
        actions["blackout"].setEnabled(True)
        actions["chain_panel"].setChecked(True)
        self.panel_scale = max(self.panel_scale, PRESENTING_TEXT)
        self._apply_font()
        self.view.set_least_pixels(PRESENTING_PIXELS)  # node text read from the back row
        top.showFullScreen()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.show_chain_panel()
        self.fit_graph()  # and again once the window has its full-screen size

    def _leave(self) -> None:
        top, actions, before = self.frame, self.actions, self._before
        self._before = None
        self.black_cover.lift()
        for key, keys in before.keys.items():
            actions[key].setShortcuts(keys)
        actions["blackout"].setEnabled(False)
        # The docks' text at its size before they come back: shown with the presenting size
        # first, they asked for more width and the window grew past the screen (1280 -> 1311).
        self.panel_scale = before.panel_scale
        self._apply_font()
        self.view.set_least_pixels(READABLE_PIXELS)
        if before.window_state & Qt.WindowState.WindowFullScreen:
            top.showFullScreen()
        elif before.window_state & Qt.WindowState.WindowMaximized:
            top.showMaximized()
        else:
            top.showNormal()
            top.setGeometry(before.geometry)
        top.restoreState(before.state, self._state_version)
        top.menuBar().setVisible(before.menu_bar)
        top.statusBar().setVisible(before.status_bar)
        actions["chain_panel"].setChecked(before.chain_panel)
        self.show_chain_panel()
        self.chain_panel.set_room(None)
        self.view.setSceneRect(QRectF())
        zoom, centre = before.placement
        if centre is None:
            self.view.fit()
            QTimer.singleShot(0, self.view, self.view.fit)
        else:
            self.view.place(zoom, centre)
        available = self._available()
        if available is not None and available.contains(before.geometry):  # it fitted: it still does
            self.keep_on_screen()
        self.model.say("Presentation mode left")

    def toggle_black(self) -> None:
        """Black out the window (a clicker's B or .); any key or click brings it back."""
        if self.black_cover.isVisible():
            self.black_cover.lift()
        else:
            self.black_cover.cover()

    # --- the chain-rule panel ---------------------------------------------------------------
    def toggle_chain_panel(self) -> None:
        self.show_chain_panel()
        if self.presenting:
            self.fit_graph()

    def show_chain_panel(self) -> None:
        """Show the panel (when its action is on) with the current step's text, or hide it."""
        self._watch(self.model.player)
        shown = self.actions["chain_panel"].isChecked() and self.model.cursor is not None
        if shown:
            if self.chain_panel.dark != self.view.theme.dark:
                self.chain_panel.set_dark(self.view.theme.dark)
            heading, info = self._current_step()
            self.chain_panel.show_step(heading, info)
        self.chain_panel.setVisible(shown)
        if shown:
            self.chain_panel.place()

    def _current_step(self):
        """The heading (pass and step) and what the panel says about the current step's node."""
        cursor = self.model.cursor
        title = PHASE_TITLES.get(cursor.recording.phase, cursor.recording.phase)
        # Counted as the playback bar counts: "step 6 / 14" once six steps are done.
        heading = f"{title} · step {cursor.position + 1} / {len(cursor.recording)}"
        step = cursor.current
        if step is None or step.node_id.startswith("scope/") or not self.view.presenter.revealed(step.node_id, cursor):
            return heading + " · → steps", None
        node = self.model.graph[step.node_id]
        return f"{heading} · {node.label}", describe(self.model.graph, node, cursor, self.model.player.check)

    def _watch(self, player) -> None:
        if player is None or player is self._watched():
            return
        self._watched = weakref.ref(player)
        player.events.moved.connect(self._on_player_moved)
        player.events.phase_changed.connect(self._on_player_moved)

    def _on_player_moved(self, _position_or_phase) -> None:
        # Only the window's current player is driven, so only it calls here.
        if self.chain_panel.isVisible():
            self.show_chain_panel()

    def _on_view_picture_ready(self) -> None:
        QTimer.singleShot(0, self, self._on_new_picture)

    def _on_new_picture(self) -> None:
        # Perhaps a new graph: its player is followed from now on, and while presenting the
        # graph keeps clear of the panel.
        self.show_chain_panel()
        if self.presenting:
            self.fit_graph()

    def fit_graph(self) -> None:
        """The whole graph in view. Presenting with the chain-rule panel, the graph is as large
        as the room the panel leaves allows, the panel below it or beside it, whichever leaves
        the graph more; the strip stays the same from step to step, so the graph never jumps."""
        view, panel, shown = self.view, self.chain_panel, self.view.layout_shown
        if not (self.presenting and panel.isVisible()) or shown is None or min(shown.width, shown.height) <= 0:
            panel.set_room(None)
            view.setSceneRect(QRectF())  # the scene's own again
            view.fit()
            return
        whole = view.viewport().rect()
        width, height = shown.width + 2 * GRAPH_MARGIN, shown.height + 2 * GRAPH_MARGIN
        below, beside = int(whole.height() * PANEL_STRIP[0]), int(whole.width() * PANEL_STRIP[1])
        rooms = ((QRect(0, 0, whole.width(), whole.height() - below),
                  QRect(GAP, whole.height() - below, whole.width() - 2 * GAP, below - GAP)),
                 (QRect(0, 0, whole.width() - beside, whole.height()),
                  QRect(whole.width() - beside, GAP, beside - GAP, whole.height() - 2 * GAP)))

        def scale(room: QRect) -> float:
            return min(room.width() / width, room.height() / height)

        graph_room, panel_room = max(rooms, key=lambda pair: scale(pair[0]))
        panel.set_room(panel_room)
        s = scale(graph_room)
        # The graph's middle goes to the middle of its room, not of the whole view.
        off = QPointF(graph_room.center() - whole.center()) / s
        # Room to scroll the graph off the view's middle (a scene smaller than the view
        # would stay centred).
        reach = max(whole.width(), whole.height()) / s
        view.setSceneRect(QRectF(-reach, -reach, shown.width + 2 * reach, shown.height + 2 * reach))
        view.place(s, (shown.width / 2 - off.x(), shown.height / 2 - off.y()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and self.presenting and watched is self.view.viewport():
            QTimer.singleShot(0, self, self.fit_graph)  # after the panel has followed the new size
        elif watched is self.frame and event.type() == QEvent.Type.Show and self._restored_size is not None:
            # Sized here to fit: the frame too (a window sized otherwise, by hand, is left be).
            if self.frame.size() == self._restored_size:
                QTimer.singleShot(0, self, self.keep_on_screen)
            self._restored_size = None
        elif watched is self.frame and event.type() == QEvent.Type.Resize and self._on_screen:
            # A window that fitted and grew past its screen by itself (a dock asking for room).
            QTimer.singleShot(0, self, self.keep_on_screen)
        return super().eventFilter(watched, event)

    def toggle_reveal(self) -> None:
        if self.view.presenter is None:
            self.actions["reveal"].setChecked(False)
            return
        self.view.presenter.reveal = self.actions["reveal"].isChecked()
        self.view.presenter.refresh_all(self.model.cursor)
        self.model.say("Reveal: numbers appear as the pass reaches their nodes" if self.view.presenter.reveal
                       else "All numbers shown")

    def _on_color_scheme_changed(self, _scheme=None) -> None:
        """The system went light or dark while the window runs: its colours follow."""
        self._apply_palette(self.palette)

    def set_palette(self, palette: str) -> None:
        """Standard, high-contrast or colour-blind-safe colours (remembered)."""
        self._apply_palette(palette)
        self.model.say(PALETTE_NAMES[palette])

    def _apply_palette(self, palette: str) -> None:
        theme = palette_theme(palette)
        self.palette = palette
        self.actions[f"palette_{palette}"].setChecked(True)
        self.settings.setValue("view/palette", palette)
        player = self.model.player
        if player is not None and player.overlay is Overlay.CHECK:  # the check's colours come from the palette
            self.view.presenter.tints = {k: check_colour(err, theme) for k, (err, _) in player.check.items()}
        self.view.set_theme(theme, self.view.prepare_item)
        self.theme_changed.emit(theme)
        self.chain_panel.set_dark(theme.dark)
