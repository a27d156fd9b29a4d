"""The debugger's commands in the window: the gradient check, gradient magnitudes, run to NaN
and breakpoints. The rules live on the Qt-free :class:`~graphviz_nn.session.player.Player`;
this controller turns its overlay and breakpoint events into colours on the graph."""

from __future__ import annotations

from PySide6.QtCore import QObject

from ...session.player import Overlay, Player
from ...session.window_model import WindowModel
from ..canvas.graph_view import GraphView
from ..canvas.theme import check_colour


class DebugController(QObject):
    """Checks gradients, colours by magnitude, runs to the first NaN and sets breakpoints.

    Parameters
    ----------
    model : WindowModel
    view : GraphView
        The graph its colours go on.
    actions : dict of str to QAction
        Its "check" and "magnitude" toggles, kept in step with the player's overlay.
    """

    def __init__(self, model: WindowModel, view: GraphView, actions, parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.view, self.actions = model, view, actions
        view.breakpoint_toggled.connect(self.on_breakpoint_toggled)
        model.events.shown.connect(self._on_shown)

    @property
    def player(self) -> Player | None:
        return self.model.player

    def _on_shown(self, model: WindowModel) -> None:
        """Follow a new graph's player."""
        player = model.player
        shown = model.while_shown(player)
        player.events.phase_changed.connect(shown(self._on_player_phase_changed))
        player.events.overlay_changed.connect(shown(self._on_player_overlay_changed))
        player.events.breakpoint_toggled.connect(shown(self._on_player_breakpoint_toggled))
        self.actions["check"].setChecked(False)
        self.actions["magnitude"].setChecked(player.overlay is Overlay.MAGNITUDE)

    def check_gradients(self) -> None:
        """Colour each Variable by the relative error of its gradient against central
        differences (green < 1e-6, amber < 1e-3, red beyond); numbers in the inspector."""
        if self.player is None:
            return
        if not self.actions["check"].isChecked() and self.player.overlay is Overlay.CHECK:
            self.player.clear_overlay()
            return
        self.player.check_gradients()

    def toggle_magnitudes(self) -> None:
        if self.player is None:
            return
        if self.player.overlay is Overlay.MAGNITUDE:
            self.player.clear_overlay()
        else:
            self.player.show_magnitudes()

    def _on_player_phase_changed(self, phase: str) -> None:
        if self.player.overlay is Overlay.MAGNITUDE and phase == "backward":
            self._apply_magnitudes()  # the new backward pass's gradients

    def _on_player_overlay_changed(self, overlay: Overlay) -> None:
        self.actions["check"].setChecked(overlay is Overlay.CHECK)
        self.actions["magnitude"].setChecked(overlay is Overlay.MAGNITUDE)
        presenter, cursor = self.view.presenter, self.model.cursor
        if overlay is Overlay.CHECK:
            tints = {k: check_colour(err, self.view.theme) for k, (err, _) in self.player.check.items()}
            presenter.set_tints(tints, cursor)
        elif overlay is Overlay.MAGNITUDE:
            self._apply_magnitudes()
        else:
            presenter.set_tints({}, cursor)

    def _apply_magnitudes(self) -> None:
        self.player.recording("backward")
        tints, low, high = self.view.presenter.magnitude_tints()
        self.view.presenter.set_tints(tints, self.model.cursor)
        self.model.say(f"Gradient magnitude: dark purple = 10^{low:.1f}, yellow = 10^{high:.1f} "
                       "(log₁₀ ‖dL/d·‖; grey = zero)")

    def run_to_nan(self) -> None:
        """Jump to the first step, forward pass first, that produced inf or nan."""
        if self.player is None:
            return
        node_id = self.player.run_to_nan()
        if node_id is not None:
            self.view.centre_on(node_id)
            self.model.pinned = node_id  # the inspector shows it

    def toggle_breakpoint(self) -> None:
        cursor = self.model.cursor
        node_id = self.model.pinned or (cursor.current.node_id if cursor and cursor.current else None)
        if node_id:
            self.on_breakpoint_toggled(node_id)

    def on_breakpoint_toggled(self, node_id: str) -> None:
        if self.player is not None:
            self.player.toggle_breakpoint(node_id)

    def _on_player_breakpoint_toggled(self, node_id: str) -> None:
        item = self.view.item_for(node_id)
        if item is not None:
            self.view.presenter.refresh_item(item, self.model.cursor)
