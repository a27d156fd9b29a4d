"""Stepping, breakpoints, run-to-NaN, tangent inputs, overlays and the training lock,
without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.jacobian import JacobianPlan
from graphviz_nn.session.player import TRAINING_LOCK, Overlay, Player


def _player(example: str = "scalar") -> tuple[Player, list]:
    with np.errstate(all="ignore"):  # the nan example takes the log of a negative on purpose
        player = Player(EXAMPLES[example].build())
    heard: list = []
    events = player.events
    events.phase_changed.connect(lambda phase: heard.append(("phase", phase)))
    events.moved.connect(lambda old: heard.append(("moved", old, player.cursor.position)))
    events.said.connect(lambda text: heard.append(("said", text)))
    events.overlay_changed.connect(lambda overlay: heard.append(("overlay", overlay)))
    return player, heard


def test_the_forward_pass_runs_on_into_the_backward_pass() -> None:
    player, heard = _player()
    player.to_end()
    assert player.phase == "forward" and player.cursor.at_end
    heard.clear()
    player.step_forward()
    assert player.phase == "backward" and player.cursor.position == 0
    assert heard[0] == ("phase", "backward") and heard[1][0] == "moved"
    player.step_back()
    assert player.cursor.position == -1


def test_playing_stops_at_the_end_and_plays_on_from_there() -> None:
    player, heard = _player()
    assert player.can_play()
    ticks = 0
    while player.tick():
        ticks += 1
    assert player.cursor.at_end and player.phase == "forward"
    assert ticks == len(player.cursor.recording) - 1
    assert ("said", "Forward pass done: Space plays the backward pass") in heard
    assert player.can_play() and player.phase == "backward" and player.cursor.position == -1
    while player.tick():
        pass
    assert player.can_play() and player.phase == "backward" and player.cursor.position == -1


def test_playing_pauses_at_a_breakpoint() -> None:
    player, heard = _player()
    target = player.recording("forward").steps[4].node_id
    player.toggle_breakpoint(target)
    assert player.can_play()
    while player.tick():
        pass
    assert player.cursor.current.node_id == target
    assert any(h[0] == "said" and h[1].startswith("Breakpoint: ") for h in heard)
    player.toggle_breakpoint(target)
    assert target not in player.breakpoints


def test_run_to_nan_finds_the_first_non_finite_step() -> None:
    player, _ = _player("nan")
    node_id = player.run_to_nan()
    step = player.cursor.current
    assert step.node_id == node_id and not np.all(np.isfinite(step.value))
    earlier = player.cursor.recording.steps[:step.index]
    assert all(np.all(np.isfinite(s.value)) for s in earlier)
    clean, heard = _player("scalar")
    assert clean.run_to_nan() is None and heard[-1][1].startswith("No inf or nan")


def test_training_locks_stepping_and_says_so() -> None:
    player, heard = _player()
    run, stranger = object(), object()
    locks = []
    player.events.navigation_lock_changed.connect(locks.append)
    player.lock_navigation(run)
    assert player.navigation_lock is run and locks == [run]
    assert not player.set_phase("backward") and player.phase == "forward"
    player.seek(3)
    assert player.cursor.position == -1 and not player.can_play() and not player.tick()
    assert ("said", TRAINING_LOCK) in heard
    player.release_navigation(stranger)  # only the owner releases it
    assert player.locked
    with pytest.raises(RuntimeError, match="locked by"):
        player.lock_navigation(stranger)
    player.release_navigation(run)
    assert not player.locked and locks == [run, None]
    player.seek(3)
    assert player.cursor.position == 3


def test_overlay_and_reveal_announce_themselves() -> None:
    player, _ = _player()
    heard = []
    player.events.overlay_changed.connect(lambda o: heard.append(("overlay", o)))
    player.events.reveal_changed.connect(lambda on: heard.append(("reveal", on)))
    player.set_overlay(Overlay.MAGNITUDE)
    player.set_reveal(True)
    player.set_reveal(True)  # no change, nothing said
    assert (player.overlay, player.reveal) == (Overlay.MAGNITUDE, True)
    assert heard == [("overlay", Overlay.MAGNITUDE), ("reveal", True)]
    with pytest.raises(AttributeError):
        player.overlay = Overlay.PLAIN  # noqa: B010 - set only through the method that says so


def test_the_tangent_pass_starts_from_the_chosen_input() -> None:
    player, _ = _player()
    x3 = player.graph.id_of(next(v for v in player.graph.variables if v.name == "x3"))
    player.set_phase("tangent")
    player.choose_tangent_input(x3)
    assert player.phase == "tangent" and player.tangent_leaf == x3
    player.to_end()
    assert player.cursor.quantity(x3) == 1.0  # the seed sits on x3 alone
    x1 = player.graph.id_of(next(v for v in player.graph.variables if v.name == "x1"))
    assert not player.cursor.quantity(x1)


def test_gradient_check_and_magnitudes_are_overlays() -> None:
    player, heard = _player("perceptron")
    player.check_gradients()
    assert player.overlay is Overlay.CHECK and set(player.check) == {
        player.graph.id_of(v) for v in player.graph.variables}
    assert "all agree" in heard[-1][1]
    player.show_magnitudes()
    assert player.overlay is Overlay.MAGNITUDE and player.phase == "backward" and player.cursor.at_end
    player.clear_overlay()
    assert player.overlay is Overlay.PLAIN


def test_a_jacobian_pass_is_put_on_screen_as_the_panel_computes_it() -> None:
    built = EXAMPLES["vector"].build()
    player = Player(built)
    plan = JacobianPlan(built.graph, built.output, list(built.inputs), "forward")
    jpass = plan.passes[0]
    assert player.record_jacobian_pass(jpass)
    assert player.phase == "tangent"
    player.to_end()
    output = built.graph.id_of(built.output)
    np.testing.assert_allclose(np.ravel(player.cursor.quantity(output)), plan.result_of(jpass))


def test_gradient_magnitudes_sit_on_one_log_scale() -> None:
    from graphviz_nn.session.magnitudes import magnitude_scale

    scale = magnitude_scale({"a": 1e-3, "b": 1.0, "c": 10.0, "d": 0.0, "e": float("nan")})
    assert (scale.low, scale.high) == (-3.0, 1.0)
    assert scale.positions == {"a": 0.0, "b": 0.75, "c": 1.0, "d": None, "e": None}
    assert magnitude_scale({"z": 0.0}).positions == {}
