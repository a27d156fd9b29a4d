"""Stepping through the passes in the window: the play timer, the player's events shown on the
graph, the playback dock and the inspector, and the Jacobian panel's passes (the debugger's
commands are :mod:`~graphviz_nn.gui.controllers.debug`'s).

The rules live on the Qt-free :class:`~graphviz_nn.session.player.Player`; this controller
turns its events into pictures and the user's commands into its calls.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ...session.inspect import describe
from ...session.player import Player
from ..docks.playback_dock import PHASE_TITLES


#: The inspector shows a step this long after it is drawn (or after the last of quick steps):
#: rebuilding its tables costs more than the graph's frame (36 ms a step played at once on
#: the expanded [30, 10, 10, 1] PerceptronNet, against 10 ms for the graph alone).
INSPECTOR_DELAY_MS = 40


class PlaybackController(QObject):
    """Plays and steps the window's passes.

    Attributes
    ----------
    pinned : str or None
        The node the inspector shows whatever the step (clicked, found, run to); None: the
        current step's node.
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.pinned: str | None = None
        self._jacobian_pending = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.setInterval(333)
        self._inspector_due = QTimer(self)
        self._inspector_due.setSingleShot(True)
        self._inspector_due.setInterval(INSPECTOR_DELAY_MS)
        self._inspector_due.timeout.connect(self.update_inspector)
        view, dock, find_bar = window.view, window.playback, window.find_bar
        view.node_clicked.connect(self.on_node_clicked)
        dock.phase_chosen.connect(self.set_phase)
        dock.seek_requested.connect(self.seek)
        dock.speed_changed.connect(self.set_speed)
        dock.tangent_input_chosen.connect(self.choose_tangent_input)
        find_bar.found.connect(self.on_node_found)
        find_bar.missed.connect(self.on_node_missed)
        window.jacobian.pass_requested.connect(self.play_jacobian_pass)

    def attach(self, player: Player) -> None:
        """Show a new graph's player: its events drive the picture from now on."""
        self.stop()
        self.pinned = None
        self._jacobian_pending = False
        events = player.events
        events.phase_changed.connect(self._on_player_phase_changed)
        events.moved.connect(self._on_player_moved)
        events.said.connect(self.window.say)

    def set_phase(self, phase: str, position: int = -1) -> None:
        if self.window.player is not None and phase in PHASE_TITLES:
            self.window.player.set_phase(phase, position)

    def _on_player_phase_changed(self, phase: str) -> None:
        self.stop()
        self.window.playback.set_phase(phase)
        self.window.presenter.refresh_all(self.window.cursor)
        self.update_position()
        self.window.say(PHASE_TITLES[phase] + ": Space plays, → steps, ← goes back")

    def seek(self, position: int) -> None:
        if self.window.player is not None and self.window.presenter is not None:
            smooth, self.window.view.camera.smooth = self.window.view.camera.smooth, False  # a jump: no pan
            try:
                self.window.player.seek(position)
            finally:
                self.window.view.camera.smooth = smooth

    def _on_player_moved(self, old_position: int) -> None:
        self.window.presenter.move(self.window.cursor, old_position)
        if self.window.cursor.current is not None:  # the camera keeps the current node in view
            self.window.view.follow(self.window.cursor.current.node_id)
        self.update_position()

    def step_forward(self) -> None:
        if self.window.player is not None and self.window.player.step_forward():
            self.stop()  # a breakpoint

    def step_back(self) -> None:
        if self.window.player is not None:
            self.window.player.step_back()

    def restart(self) -> None:
        self.stop()
        if self.window.player is not None:
            self.window.player.restart()

    def to_end(self) -> None:
        if self.window.player is not None:
            self.window.player.to_end()

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
            return
        if self.window.player is None or not self.window.player.can_play():
            return
        self.timer.start()
        self.window.actions["play"].setText("Pause")

    def stop(self) -> None:
        self.timer.stop()
        self.window.actions["play"].setText("Play")

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def _on_timer_timeout(self) -> None:
        if self.window.player is None or not self.window.player.tick():
            self.stop()

    def set_speed(self, steps_per_second: float) -> None:
        self.timer.setInterval(max(15, int(1000 / steps_per_second)))

    def choose_tangent_input(self, node_id: str) -> None:
        if self.window.player is not None:
            self.window.player.choose_tangent_input(node_id)

    def update_position(self) -> None:
        if self.window.cursor is None:
            return
        step = self.window.cursor.current
        label = f"{step.node.label} ({step.node_id})" if step else "nothing computed yet"
        self.window.playback.show_position(self.window.cursor.position, len(self.window.cursor.recording), label)
        # The inspector follows once the graph's new frame is painted (see INSPECTOR_DELAY_MS).
        self._inspector_due.start()
        if self._jacobian_pending and self.window.cursor.at_end:
            self._jacobian_pending = False
            self.window.jacobian.pass_finished()

    def update_inspector(self) -> None:
        """Show the pinned node, or the current step's, in the inspector now."""
        self._inspector_due.stop()
        if self.window.graph is None:
            return
        node_id = self.pinned or (self.window.cursor.current.node_id if self.window.cursor and self.window.cursor.current else None)
        if node_id is None or node_id.startswith("scope/") or not self.window.presenter.revealed(node_id, self.window.cursor):
            self.window.inspector.show_node(None)
            return
        window = self.window
        window.inspector.show_node(describe(window.graph, window.graph[node_id], window.cursor, window.player.check))

    def on_node_clicked(self, node_id: str) -> None:
        self.pinned = None if node_id.startswith("scope/") else node_id
        self.update_inspector()

    def on_node_found(self, node_id: str) -> None:
        self.window.view.centre_on(node_id)
        self.pinned = node_id
        self.update_inspector()
        self.window.say(f"Found {self.window.graph[node_id].label} ({node_id})")

    def on_node_missed(self, text: str) -> None:
        self.window.say(f"No node matches {text!r}")

    def play_jacobian_pass(self, jpass) -> None:
        """Animate the pass the Jacobian panel asks for; the panel fills in at its end."""
        if self.window.player is None or not self.window.player.record_jacobian_pass(jpass):
            return
        self._jacobian_pending = True
        self.toggle_play()
