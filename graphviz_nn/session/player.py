"""The rules of stepping through a graph's passes, as a debugger steps through code. Qt-free.

A :class:`Player` holds one graph's recorded passes and a cursor over the one on screen. It
owns what "next" means (the forward pass runs on into the backward pass, playback pauses at
a breakpoint and stops at the end), run-to-NaN, which input a tangent pass starts from, the
overlay (gradient check or gradient magnitudes), reveal, and the lock that training puts on
all of it. Views subscribe to its events and call its methods; they never decide. The lock,
the overlay and reveal are set only through methods that announce the change (napari's
``Dims.lock_navigation(owner)``): who holds the lock, and what releases it, is one place.
"""

from __future__ import annotations

import enum

import numpy as np

from ..engine import check_gradients
from .events import Event
from .built import Built
from .gradient_check import check_summary
from .jacobian import JacobianPass
from .playback import PHASES, Cursor, Recording, record

TRAINING_LOCK = "Training is running: pause or stop it to step through the passes"


class Overlay(enum.Enum):
    """What the nodes are coloured by, besides their kind."""

    PLAIN = "plain"
    CHECK = "check"  # variables by the relative error of their gradient
    MAGNITUDE = "magnitude"  # every node by log10 of its gradient's norm


class PlayerEvents:
    """``phase_changed(phase)``: a new pass is on screen (everything may have changed);
    ``moved(old_position)``: the cursor moved within the pass; ``overlay_changed(overlay)``;
    ``reveal_changed(on)``; ``navigation_lock_changed(owner)``: the lock was taken (its
    owner) or released (None); ``breakpoint_toggled(node_id)``; ``said(text)``: one line for
    the status bar."""

    def __init__(self) -> None:
        self.phase_changed = Event()
        self.moved = Event()
        self.overlay_changed = Event()
        self.reveal_changed = Event()
        self.navigation_lock_changed = Event()
        self.breakpoint_toggled = Event()
        self.said = Event()


class Player:
    """Playback and debugging over one graph.

    Parameters
    ----------
    built : Built
        The graph, the output the backward pass starts from, and the inputs a tangent pass
        may start from.
    forward : Recording, optional
        The forward pass, when it was recorded already (off the UI thread).
    """

    def __init__(self, built: Built, forward: Recording | None = None):
        self.built, self.graph = built, built.graph
        self.events = PlayerEvents()
        self.recordings: dict[str, Recording] = {"forward": forward} if forward is not None else {}
        leaves = [self.graph.id_of(v) for v in built.inputs]
        self.tangent_leaf: str | None = leaves[0] if leaves else None
        self.breakpoints: set[str] = set()
        self._reveal = False
        self._overlay = Overlay.PLAIN
        self.check: dict[str, tuple[float, np.ndarray]] = {}
        self._lock: tuple[object, str] | None = None  # (owner, what to say when a step is refused)
        self.cursor = Cursor(self.recording("forward"))

    # --- what others may set, each through one method that announces it ----------------------
    @property
    def navigation_lock(self) -> object | None:
        """Who holds the lock on stepping (a training run), or None."""
        return self._lock[0] if self._lock is not None else None

    @property
    def locked(self) -> bool:
        return self._lock is not None

    def lock_navigation(self, owner: object, reason: str = TRAINING_LOCK) -> None:
        """Refuse every step, seek and pass until ``owner`` releases the lock, saying
        ``reason`` when one is asked for. Taking a lock another owner holds is an error."""
        if self._lock is not None and self._lock[0] is not owner:
            raise RuntimeError(f"the player is locked by {self._lock[0]!r}")
        if self._lock is None:
            self._lock = (owner, reason)
            self.events.navigation_lock_changed.emit(owner)

    def release_navigation(self, owner: object) -> None:
        """Give the lock back; only its owner can (anyone else's release changes nothing)."""
        if self._lock is not None and self._lock[0] is owner:
            self._lock = None
            self.events.navigation_lock_changed.emit(None)

    @property
    def overlay(self) -> Overlay:
        return self._overlay

    def set_overlay(self, overlay: Overlay) -> None:
        """Colour the nodes by ``overlay`` (announced even when it is the same: a run's epochs
        colour the nodes again)."""
        self._overlay = overlay
        self.events.overlay_changed.emit(overlay)

    @property
    def reveal(self) -> bool:
        """Every number stays hidden until the pass being played reaches its node."""
        return self._reveal

    def set_reveal(self, on: bool) -> None:
        if bool(on) != self._reveal:
            self._reveal = bool(on)
            self.events.reveal_changed.emit(self._reveal)

    # --- passes ------------------------------------------------------------------------------
    @property
    def phase(self) -> str:
        return self.cursor.recording.phase

    def recording(self, phase: str) -> Recording:
        """The pass of that phase, recorded on first use."""
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, not {phase!r}")
        if phase not in self.recordings:
            built = self.built
            if phase == "backward":
                self.recordings[phase] = record(self.graph, "backward", built.output, built.cotangent)
            elif phase == "tangent":
                leaf = self.graph[self.tangent_leaf] if self.tangent_leaf else None
                seeds = {leaf: np.ones(leaf.value.shape)} if leaf is not None else {}
                self.recordings[phase] = record(self.graph, "tangent", seeds=seeds)
            else:
                self.recordings[phase] = record(self.graph, "forward")
        return self.recordings[phase]

    def _blocked(self) -> bool:
        if self._lock is not None:
            self.events.said.emit(self._lock[1])
        return self._lock is not None

    def set_phase(self, phase: str, position: int = -1) -> bool:
        """Show a pass at a position (−1: before its first step). False while training."""
        if phase not in PHASES or self._blocked():
            return False
        self.cursor = Cursor(self.recording(phase), position)
        self.events.phase_changed.emit(phase)
        return True

    def seek(self, position: int) -> None:
        if self._blocked():
            return
        old = self.cursor.position
        if self.cursor.seek(position) != old:
            self.events.moved.emit(old)

    # --- stepping ----------------------------------------------------------------------------
    def step_forward(self) -> bool:
        """One step on; the end of the forward pass runs on into the backward pass (a
        clicker's "next"). True when the step reached a breakpoint."""
        if self.cursor.at_end and self.phase == "forward":
            if not self.set_phase("backward"):
                return False
        self.seek(self.cursor.position + 1)
        return self._at_breakpoint()

    def step_back(self) -> None:
        self.seek(self.cursor.position - 1)

    def restart(self) -> None:
        self.seek(-1)

    def to_end(self) -> None:
        self.seek(self.cursor.last)

    def can_play(self) -> bool:
        """Ready the cursor for playing: at the end of a pass the next one (forward runs on
        into backward) or the same one again plays. False while training."""
        if self._blocked():
            return False
        if self.cursor.at_end:
            if self.phase == "forward":
                self.set_phase("backward")
            else:
                self.seek(-1)
        return True

    def tick(self) -> bool:
        """One step of playing; False when playing must stop (end of the pass, breakpoint)."""
        if self._lock is not None or self.cursor.at_end:
            return False
        if self.step_forward():
            return False
        if self.cursor.at_end:
            if self.phase == "forward":
                self.events.said.emit("Forward pass done: Space plays the backward pass")
            return False
        return True

    def _at_breakpoint(self) -> bool:
        step = self.cursor.current
        if step is not None and step.node_id in self.breakpoints:
            self.events.said.emit(f"Breakpoint: {step.node.label} ({step.node_id})")
            return True
        return False

    def toggle_breakpoint(self, node_id: str) -> None:
        self.breakpoints.symmetric_difference_update({node_id})
        self.events.breakpoint_toggled.emit(node_id)
        on = "set on" if node_id in self.breakpoints else "removed from"
        self.events.said.emit(f"Breakpoint {on} {self.graph[node_id].label} ({node_id})")

    def choose_tangent_input(self, node_id: str) -> None:
        """The input the tangent pass starts from (its seed is all ones)."""
        if not node_id or node_id == self.tangent_leaf:
            return
        self.tangent_leaf = node_id
        self.recordings.pop("tangent", None)
        if self.phase == "tangent":
            self.set_phase("tangent")

    def run_to_nan(self) -> str | None:
        """Go to the first step, forward pass first, that produced inf or nan; its node id."""
        for phase in ("forward", "backward"):
            index = self.recording(phase).first_non_finite()
            if index is not None and self.set_phase(phase, index):
                step = self.cursor.current
                what = "value" if phase == "forward" else "gradient"
                self.events.said.emit(f"First non-finite {what}: {step.node.label} ({step.node_id}), "
                                      f"step {index + 1} of the {phase} pass")
                return step.node_id
        self.events.said.emit("No inf or nan anywhere in the forward and backward passes")
        return None

    def record_jacobian_pass(self, jpass: JacobianPass) -> bool:
        """Put one pass of the Jacobian panel on screen, ready to play."""
        if jpass.mode == "forward":
            self.recordings["tangent"] = record(self.graph, "tangent", seeds=jpass.seeds)
        else:
            self.recordings["backward"] = record(self.graph, "backward", self.built.output, jpass.cotangent)
        if not self.set_phase(jpass.phase):
            return False
        self.events.said.emit(f"{jpass.label}: one {'forward' if jpass.mode == 'forward' else 'reverse'} "
                              "pass; the panel fills in when it ends")
        return True

    # --- overlays -----------------------------------------------------------------------------
    def check_gradients(self) -> None:
        """Compare every variable's gradient with central differences (the overlay shows it)."""
        if self._blocked():
            return
        with np.errstate(all="ignore"):
            report = check_gradients(self.built.output, cotangent=self.built.cotangent)
        self.check = {self.graph.id_of(v): (c.relative_error, c.numeric) for v, c in report.items()}
        self.recordings.pop("backward", None)  # the check ran backward again: record it afresh
        self.set_overlay(Overlay.CHECK)
        self.events.said.emit(check_summary(e for e, _ in self.check.values()))

    def show_magnitudes(self) -> None:
        """Colour by gradient magnitude, at the end of the backward pass."""
        self._overlay = Overlay.MAGNITUDE  # before the pass is shown: it is drawn coloured
        if self.phase != "backward":
            self.set_phase("backward", len(self.recording("backward")) - 1)
        self.recording("backward")
        self.set_overlay(Overlay.MAGNITUDE)

    def clear_overlay(self) -> None:
        self.set_overlay(Overlay.PLAIN)
        self.events.said.emit("Colours back to node kinds")

    def weights_changed(self) -> None:
        """The graph's parameters changed (training): record the passes again, backward shown."""
        self.recordings = {}
        self.check = {}
        self.set_phase("backward")
        if self.overlay is Overlay.MAGNITUDE:
            self.set_overlay(Overlay.MAGNITUDE)
