"""The debugger's commands (breakpoints, run to NaN, the gradient check, gradient magnitudes) with
the debug controller built on a window model, a graph view and the window's actions, no window.
The playback controller is built beside it, as the window builds both: it moves the picture
with the player and says what the player says."""

from __future__ import annotations

import numpy as np

from tests.gui.controller_kit import actions, debug_controller, model, playback_controller, shown, view  # noqa: F401 - fixtures


def _said(model) -> list[str]:
    said: list[str] = []
    model.events.said.connect(said.append)  # what the status bar shows
    return said


def test_a_breakpoint_pauses_playback(qtbot, model, view, actions, layout_worker) -> None:
    debug_controller(model, view, actions)
    playback = playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker, "scalar")
    playback.set_phase("backward")
    target = model.cursor.recording.steps[4].node_id
    view.breakpoint_toggled.emit(target)
    assert view.nodes[target].breakpoint
    playback.dock.speed.setValue(60)
    playback.toggle_play()
    qtbot.waitUntil(lambda: not playback.playing, timeout=5000)
    assert model.cursor.current.node_id == target


def test_run_to_nan_stops_on_the_first_bad_node(qtbot, model, view, actions, layout_worker) -> None:
    debug = debug_controller(model, view, actions)
    playback_controller(qtbot, model, view, actions)
    said = _said(model)
    with np.errstate(all="ignore"):  # the example's log of a negative number, on purpose
        shown(qtbot, model, view, layout_worker, "nan")
    debug.run_to_nan()
    step = model.cursor.current
    assert model.phase == "forward" and step.node.label == "log"
    assert view.nodes[step.node_id].non_finite
    assert model.pinned == step.node_id  # the inspector shows it
    assert any("First non-finite value: log" in text for text in said)


def test_check_gradients_colours_the_variables(qtbot, model, view, actions, layout_worker) -> None:
    debug_controller(model, view, actions)
    playback_controller(qtbot, model, view, actions)
    said = _said(model)
    shown(qtbot, model, view, layout_worker, "layer_net")
    actions["check"].trigger()
    assert model.player.overlay.value == "check"
    variables = [model.graph.id_of(v) for v in model.graph.variables]
    assert set(model.player.check) == set(variables)
    for node_id in variables:
        error, _ = model.player.check[node_id]
        assert error < 1e-6
        assert view.nodes[node_id].tint.name() == "#009e73"
    assert "all agree with finite differences" in said[-1]
    actions["check"].trigger()  # unchecked: the colours go
    assert model.player.overlay.value != "check" and not actions["check"].isChecked()
    assert all(item.tint is None for item in view.nodes.values())


def test_a_gradient_check_that_meets_nan_fails(qtbot, model, view, actions, layout_worker) -> None:
    debug_controller(model, view, actions)
    playback_controller(qtbot, model, view, actions)
    said = _said(model)
    with np.errstate(all="ignore"):  # the example's log of a negative number, on purpose
        shown(qtbot, model, view, layout_worker, "nan")
    actions["check"].trigger()
    text = said[-1]
    assert "all agree" not in text and "not a number" in text


def test_gradient_magnitudes_colour_every_node_with_a_gradient(qtbot, model, view, actions, layout_worker) -> None:
    debug_controller(model, view, actions)
    playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker, "layer_net")
    actions["magnitude"].trigger()
    assert model.phase == "backward" and actions["magnitude"].isChecked()
    tinted = [k for k, item in view.nodes.items() if item.tint is not None]
    with_grad = [model.graph.id_of(n) for n in model.graph.nodes if n.grad is not None]
    assert sorted(tinted) == sorted(with_grad)
    actions["magnitude"].trigger()
    assert all(item.tint is None for item in view.nodes.values())
