"""Stepping through the passes in the window: the play timer, the player's events shown on the
graph, the playback dock and the inspector, and the Jacobian panel's passes (the debugger's
commands are :mod:`~graphviz_nn.gui.controllers.debug`'s).

The rules live on the Qt-free :class:`~graphviz_nn.session.player.Player`; this controller
turns its events into pictures and the user's commands into its calls.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ...session.conv_chain import POOLS, parameter_terms, pool_routes
from ...session.conv_terms_text import route_text
from ...session.inspect import describe
from ...session.playback import Cursor
from ...session.player import Player
from ...session.window_model import WindowModel
from ..canvas.graph_view import GraphView
from ..docks.find_bar import FindBar
from ..docks.inspector import InspectorDock
from ..docks.playback_dock import PHASE_TITLES, PlaybackDock


#: The inspector shows a step this long after it is drawn (or after the last of quick steps):
#: rebuilding its tables costs more than the graph's frame (36 ms a step played at once on
#: the expanded [30, 10, 10, 1] PerceptronNet, against 10 ms for the graph alone).
INSPECTOR_DELAY_MS = 40


class PlaybackController(QObject):
    """Plays and steps the model's passes, and shows them on the graph, the playback dock and
    the inspector (the pinned node, ``model.pinned``, or the current step's).

    Parameters
    ----------
    model : WindowModel
    view : GraphView
    dock : PlaybackDock
    find_bar : FindBar
    inspector : InspectorDock
    play_action : QAction
        Its text says Play or Pause.

    The model's Jacobian exercise asks for the passes it fills the Jacobian with; each is
    played here, and the exercise is told when it has played to its end.
    """

    def __init__(self, model: WindowModel, view: GraphView, dock: PlaybackDock, find_bar: FindBar,
                 inspector: InspectorDock, play_action, parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.view, self.dock, self.find_bar = model, view, dock, find_bar
        self.inspector, self.play_action = inspector, play_action
        self._jacobian_pending = None  # the exercise's pass being played, if any
        self._entry: tuple[str, tuple[int, ...]] | None = None  # a convolution parameter's entry clicked
        inspector.entry_clicked.connect(self._on_inspector_entry_clicked)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.setInterval(333)
        self._inspector_due = QTimer(self)
        self._inspector_due.setSingleShot(True)
        self._inspector_due.setInterval(INSPECTOR_DELAY_MS)
        self._inspector_due.timeout.connect(self.update_inspector)
        view.node_clicked.connect(self.on_node_clicked)
        view.picture_ready.connect(self._on_view_picture_ready)
        dock.phase_chosen.connect(self.set_phase)
        dock.seek_requested.connect(self.seek)
        dock.speed_changed.connect(self.set_speed)
        dock.tangent_input_chosen.connect(self.choose_tangent_input)
        find_bar.found.connect(self.on_node_found)
        find_bar.missed.connect(self.on_node_missed)
        model.jacobian.events.pass_requested.connect(self.play_jacobian_pass)
        model.events.shown.connect(self._on_shown)
        model.events.pinned_changed.connect(lambda _node_id: self.update_inspector())

    @property
    def player(self) -> Player | None:
        return self.model.player

    def _on_shown(self, model: WindowModel) -> None:
        """Show a new graph's player: its events drive the picture from now on."""
        self.stop()
        self._jacobian_pending, self._entry = None, None
        player = model.player
        events = player.events
        shown = model.while_shown(player)
        events.phase_changed.connect(shown(self._on_player_phase_changed))
        events.moved.connect(shown(self._on_player_moved))
        events.said.connect(shown(model.say))
        # Training takes the lock: what plays stops; overlays and reveal change what the
        # inspector shows.
        events.navigation_lock_changed.connect(shown(lambda owner: self.stop() if owner is not None else None))
        events.overlay_changed.connect(shown(lambda _overlay: self.update_inspector()))
        events.reveal_changed.connect(shown(lambda _on: self.update_inspector()))
        self.find_bar.set_graph(model.graph)
        self.dock.set_tangent_inputs([(model.graph.id_of(v), v.label) for v in model.built.inputs])
        self.dock.set_phase("forward")

    def _on_view_picture_ready(self) -> None:
        if self.view.presenter is not None:  # items were prepared as they were built
            self.view.presenter.light_current(self.model.cursor)
            self.update_position()

    def set_phase(self, phase: str, position: int = -1) -> None:
        if self.player is not None and phase in PHASE_TITLES:
            self.player.set_phase(phase, position)

    def _on_player_phase_changed(self, phase: str) -> None:
        self.stop()
        self.dock.set_phase(phase)
        self.view.presenter.refresh_all(self.model.cursor)
        self.update_position()
        self.model.say(PHASE_TITLES[phase] + ": Space plays, → steps, ← goes back")

    def seek(self, position: int) -> None:
        if self.player is not None and self.view.presenter is not None:
            with self.view.jumping():  # a jump: no pan
                self.player.seek(position)

    def _on_player_moved(self, old_position: int) -> None:
        cursor = self.model.cursor
        self.view.presenter.move(cursor, old_position)
        if cursor.current is not None:  # the camera keeps the current node in view
            self.view.follow(cursor.current.node_id)
        self.update_position()

    def step_forward(self) -> None:
        if self.player is not None and self.player.step_forward():
            self.stop()  # a breakpoint

    def step_back(self) -> None:
        if self.player is not None:
            self.player.step_back()

    def restart(self) -> None:
        self.stop()
        if self.player is not None:
            self.player.restart()

    def to_end(self) -> None:
        if self.player is not None:
            self.player.to_end()

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
            return
        if self.player is None or not self.player.can_play():
            return
        self.timer.start()
        self.play_action.setText("Pause")

    def stop(self) -> None:
        self.timer.stop()
        self.play_action.setText("Play")

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def _on_timer_timeout(self) -> None:
        if self.player is None or not self.player.tick():
            self.stop()

    def set_speed(self, steps_per_second: float) -> None:
        self.timer.setInterval(max(15, int(1000 / steps_per_second)))

    def choose_tangent_input(self, node_id: str) -> None:
        if self.player is not None:
            self.player.choose_tangent_input(node_id)

    def update_position(self) -> None:
        cursor = self.model.cursor
        if cursor is None:
            return
        step = cursor.current
        label = f"{step.node.label} ({step.node_id})" if step else "nothing computed yet"
        self.dock.show_position(cursor.position, len(cursor.recording), label)
        # The inspector follows once the graph's new frame is painted (see INSPECTOR_DELAY_MS).
        self._inspector_due.start()
        if self._jacobian_pending is not None and cursor.at_end:
            jpass, self._jacobian_pending = self._jacobian_pending, None
            self.model.jacobian.pass_finished(jpass)

    def update_inspector(self) -> None:
        """Show the pinned node, or the current step's, in the inspector now."""
        self._inspector_due.stop()
        model = self.model
        if model.graph is None:
            return
        cursor = model.cursor
        node_id = model.pinned or (cursor.current.node_id if cursor and cursor.current else None)
        if node_id is None or node_id.startswith("scope/") or not self.view.presenter.revealed(node_id, cursor):
            self.inspector.show_node(None)
            return
        node = model.graph[node_id]
        # What an example says the node's rows and columns are (an attention map's tokens).
        labels = model.built.axis_labels.get(node) if model.built is not None else None
        self.inspector.show_node(describe(model.graph, node, cursor, model.player.check, labels))
        self._show_entry_terms(node_id)

    def _on_inspector_entry_clicked(self, index: tuple) -> None:
        info = self.inspector.info
        if info is not None:
            self._entry = (info.node_id, tuple(index))
            self._show_entry_terms(info.node_id)

    def _show_entry_terms(self, node_id: str) -> None:
        """For the entry clicked: the terms of a convolution weight's or bias's gradient, or
        where a pool sends its gradient; at the backward pass's cursor while it plays, at its
        end otherwise."""
        model = self.model
        inspector = self.inspector
        inspector.show_conv_terms(None)
        inspector.show_pool_route(None)
        if self._entry is None or self._entry[0] != node_id:
            return
        graph = model.graph
        cursor = model.cursor
        if model.phase != "backward":
            recording = model.player.recording("backward")
            cursor = Cursor(recording, len(recording) - 1)
        node = graph[node_id]
        try:
            if getattr(node, "op", None) is not None and node.op.name in POOLS:
                upstream = cursor.quantity(node_id)
                if upstream is not None:
                    inspector.show_pool_route(route_text(pool_routes(node, upstream), self._entry[1]))
                return
            terms = parameter_terms(graph, node, self._entry[1], lambda conv: cursor.quantity(graph.id_of(conv)))
        except ValueError:  # an entry of another shape (the node's value changed shape)
            terms = ()
        inspector.show_conv_terms(terms[0] if terms else None)

    def on_node_clicked(self, node_id: str) -> None:
        self._pin(None if node_id.startswith("scope/") else node_id)

    def _pin(self, node_id: str | None) -> None:
        if node_id == self.model.pinned:
            self.update_inspector()
        self.model.pinned = node_id  # the inspector follows (pinned_changed)

    def on_node_found(self, node_id: str) -> None:
        self.view.centre_on(node_id)
        self._pin(node_id)
        self.model.say(f"Found {self.model.graph[node_id].label} ({node_id})")

    def on_node_missed(self, text: str) -> None:
        self.model.say(f"No node matches {text!r}")

    def play_jacobian_pass(self, jpass) -> None:
        """Animate the pass the Jacobian exercise asks for; it fills in at its end."""
        if self.player is None or not self.player.record_jacobian_pass(jpass):
            return
        self._jacobian_pending = jpass
        self.toggle_play()
