"""The debugger's commands in the window: the gradient check, gradient magnitudes, run to NaN
and breakpoints. The rules live on the Qt-free :class:`~graphviz_nn.session.player.Player`;
this controller turns its overlay and breakpoint events into colours on the graph."""

from __future__ import annotations

from PySide6.QtCore import QObject

from ...session.player import Overlay, Player
from ..canvas.theme import check_colour


class DebugController(QObject):
    """Checks gradients, colours by magnitude, runs to the first NaN and sets breakpoints."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.view.breakpoint_toggled.connect(self.on_breakpoint_toggled)

    def attach(self, player: Player) -> None:
        """Follow a new graph's player."""
        player.events.phase_changed.connect(self._on_player_phase_changed)
        player.events.overlay_changed.connect(self._on_player_overlay_changed)
        player.events.breakpoint_toggled.connect(self._on_player_breakpoint_toggled)

    def check_gradients(self) -> None:
        """Colour each Variable by the relative error of its gradient against central
        differences (green < 1e-6, amber < 1e-3, red beyond); numbers in the inspector."""
        if self.window.player is None:
            return
        if not self.window.actions["check"].isChecked() and self.window.player.overlay is Overlay.CHECK:
            self.window.player.clear_overlay()
            return
        self.window.player.check_gradients()

    def toggle_magnitudes(self) -> None:
        if self.window.player is None:
            return
        if self.window.player.overlay is Overlay.MAGNITUDE:
            self.window.player.clear_overlay()
        else:
            self.window.player.show_magnitudes()

    def _on_player_phase_changed(self, phase: str) -> None:
        if self.window.player.overlay is Overlay.MAGNITUDE and phase == "backward":
            self._apply_magnitudes()  # the new backward pass's gradients

    def _on_player_overlay_changed(self, overlay: Overlay) -> None:
        self.window.actions["check"].setChecked(overlay is Overlay.CHECK)
        self.window.actions["magnitude"].setChecked(overlay is Overlay.MAGNITUDE)
        if overlay is Overlay.CHECK:
            tints = {k: check_colour(err, self.window.view.theme) for k, (err, _) in self.window.player.check.items()}
            self.window.presenter.set_tints(tints, self.window.cursor)
        elif overlay is Overlay.MAGNITUDE:
            self._apply_magnitudes()
        else:
            self.window.presenter.set_tints({}, self.window.cursor)
        self.window.stepping.update_inspector()

    def _apply_magnitudes(self) -> None:
        self.window.player.recording("backward")
        tints, low, high = self.window.presenter.magnitude_tints()
        self.window.presenter.set_tints(tints, self.window.cursor)
        self.window.say(f"Gradient magnitude: dark purple = 10^{low:.1f}, yellow = 10^{high:.1f} "
                 "(log₁₀ ‖dL/d·‖; grey = zero)")

    def run_to_nan(self) -> None:
        """Jump to the first step, forward pass first, that produced inf or nan."""
        if self.window.player is None:
            return
        node_id = self.window.player.run_to_nan()
        if node_id is not None:
            self.window.stepping.pinned = node_id
            self.window.view.centre_on(node_id)
            self.window.stepping.update_inspector()

    def toggle_breakpoint(self) -> None:
        node_id = self.window.stepping.pinned or (self.window.cursor.current.node_id if self.window.cursor and self.window.cursor.current else None)
        if node_id:
            self.on_breakpoint_toggled(node_id)

    def on_breakpoint_toggled(self, node_id: str) -> None:
        if self.window.player is not None:
            self.window.player.toggle_breakpoint(node_id)

    def _on_player_breakpoint_toggled(self, node_id: str) -> None:
        item = self.window.view.item_for(node_id)
        if item is not None:
            self.window.presenter.refresh_item(item, self.window.cursor)
