"""Stepping, scrubbing, playing and finding, with the playback controller built on a window model
and its own widgets (a graph view, the playback dock, the find bar, the inspector), no window."""

from __future__ import annotations

from PySide6.QtCore import Qt

import graphviz_nn as gn
from graphviz_nn.engine.values import short_value
from tests.gui.controller_kit import actions, model, playback_controller, shown, view, view_on_screen  # noqa: F401 - fixtures


def _picture(view) -> dict[str, tuple]:
    return {k: (i.value_text, i.second_text, i.state) for k, i in view.nodes.items()}


def test_every_backward_step_shows_the_engines_gradient(qtbot, model, view, actions, layout_worker) -> None:
    playback = playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker, "scalar")
    expected = gn.Graph(model.built.output)
    expected.backward()
    engine = {expected.id_of(n): n.grad for n in expected.nodes}
    playback.set_phase("backward")
    for _ in range(len(model.cursor.recording)):
        playback.step_forward()
        step = model.cursor.current
        item = view.nodes[step.node_id]
        assert item.state == "current"
        assert item.second_text == "∇ " + short_value(engine[step.node_id])
    for node_id, grad in engine.items():
        if grad is not None:
            assert view.nodes[node_id].second_text == "∇ " + short_value(grad)
    assert model.cursor.at_end


def test_scrubbing_back_restores_the_earlier_picture(qtbot, model, view, actions, layout_worker) -> None:
    playback = playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker, "scalar")
    playback.set_phase("backward")
    for _ in range(3):
        playback.step_forward()
    earlier = _picture(view)
    playback.to_end()
    assert _picture(view) != earlier
    playback.dock.slider.setValue(3)  # the timeline: state after 3 steps
    assert model.cursor.position == 2
    assert _picture(view) == earlier
    playback.step_back()
    playback.step_forward()
    assert _picture(view) == earlier
    playback.seek(-1)
    assert all(i.second_text == "" for i in view.nodes.values())


def test_the_forward_pass_runs_on_into_the_backward_pass(qtbot, model, view, actions, layout_worker) -> None:
    playback = playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker, "scalar")
    playback.to_end()
    playback.step_forward()
    assert model.phase == "backward" and model.cursor.position == 0
    assert playback.dock.phase.currentData() == "backward"


def test_play_stops_at_each_pass_end_and_pauses(qtbot, model, view, actions, layout_worker) -> None:
    playback = playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker, "scalar")
    playback.dock.speed.setValue(60)
    playback.toggle_play()
    assert playback.playing and playback.play_action.text() == "Pause"
    qtbot.waitUntil(lambda: not playback.playing, timeout=5000)  # each pass stops at its end
    assert model.phase == "forward" and model.cursor.at_end
    playback.toggle_play()  # and playing again plays on into the backward pass
    qtbot.waitUntil(lambda: model.phase == "backward" and model.cursor.position > 2, timeout=5000)
    playback.toggle_play()
    assert not playback.playing and playback.play_action.text() == "Play"
    position = model.cursor.position
    qtbot.wait(100)
    assert model.cursor.position == position


def test_finding_a_node_centres_pins_and_inspects_it(qtbot, model, actions, layout_worker) -> None:
    view = view_on_screen(qtbot)
    playback = playback_controller(qtbot, model, view, actions)
    said: list[str] = []
    model.events.said.connect(said.append)
    shown(qtbot, model, view, layout_worker, "layer_net")
    playback.find_bar.open()
    qtbot.keyClicks(playback.find_bar.edit, "W2")
    qtbot.keyClick(playback.find_bar.edit, Qt.Key.Key_Return)
    node_id = model.graph.id_of(next(n for n in model.graph.nodes if n.name == "W2"))
    item = view.nodes[node_id]
    assert item.isSelected() and model.pinned == node_id
    centre = view.mapToScene(view.viewport().rect().center())
    assert (centre - item.sceneBoundingRect().center()).manhattanLength() < 5
    assert "W2" in playback.inspector.findChild(object, "inspector_title").text()
    assert said[-1] == f"Found W2 ({node_id})"


def test_hover_tooltips_show_values_and_matrix_heatmaps(qtbot, model, view, actions, layout_worker) -> None:
    from PySide6.QtGui import QTextDocument

    playback = playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker, "layer_net")
    playback.set_phase("backward")
    playback.to_end()
    W1 = next(n for n in model.graph.nodes if n.name == "W1")
    item = view.nodes[model.graph.id_of(W1)]
    html = item.tooltip_source()
    assert "<b>W1</b>" in html and "shape (4, 3)" in html and "value = 4×3" in html and "∇ ±" in html
    assert html.count('<img src="data:image/png;base64,') == 2  # value and gradient
    doc = QTextDocument()
    doc.setHtml(html)
    assert doc.size().height() > 60  # the heatmaps really render


def test_the_inspector_follows_quick_steps_once_they_pause(qtbot, model, view, actions, layout_worker, monkeypatch) -> None:
    playback = playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker, "scalar")
    playback.set_phase("backward")
    seen = []
    real = playback.inspector.show_node
    monkeypatch.setattr(playback.inspector, "show_node", lambda info: seen.append(info) or real(info))
    seen.clear()
    for _ in range(5):  # faster than the inspector's tables are built: the graph alone keeps up
        playback.step_forward()
    assert seen == []
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    qtbot.wait(100)
    assert len(seen) == 1 and seen[0].node_id == model.cursor.current.node_id
    playback.update_inspector()  # asked for directly, it is shown at once
    assert len(seen) == 2
