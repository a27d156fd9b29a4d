"""The graph view's items: what they draw, and what drawing them costs. The view is drawn on a
window model with no window; the playback and debug controllers step it and set breakpoints."""

from __future__ import annotations

from PySide6.QtGui import QColor

from graphviz_nn.gui.canvas.items import NodeItem
from tests.gui.controller_kit import (actions, debug_controller, model, playback_controller,  # noqa: F401
                                      shown, view_on_screen)


def _count_text_paints(monkeypatch) -> list[str]:
    """Node ids, appended each time a node paints its text (installed before any item is
    drawn: the bindings keep the method they first found)."""
    calls: list[str] = []
    original = NodeItem.paint

    def paint(item, painter, option, widget=None):
        calls.append(item.node_id)
        original(item, painter, option, widget)

    monkeypatch.setattr(NodeItem, "paint", paint)
    return calls


def _painted(view, calls: list[str]) -> list[str]:
    calls.clear()
    view.grab()
    return sorted(set(calls))


def _colours(view) -> set[int]:
    image = view.grab().toImage()
    return {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}


def test_text_is_drawn_only_while_it_can_be_read(qtbot, model, layout_worker, monkeypatch) -> None:
    calls = _count_text_paints(monkeypatch)
    view = view_on_screen(qtbot)
    shown(qtbot, model, view, layout_worker)
    assert _painted(view, calls) == sorted(view.nodes)
    view.place(0.03, (0.0, 0.0))  # far out: even a symbol on its plate would be a few pixels high
    assert _painted(view, calls) == []  # no Python call per node while drawing
    assert len(_colours(view)) > 2  # the shapes are still drawn
    view.fit()
    assert _painted(view, calls) == sorted(view.nodes)


def test_the_current_step_and_a_selected_node_are_ringed(qtbot, model, actions, layout_worker) -> None:
    view = view_on_screen(qtbot)
    playback = playback_controller(qtbot, model, view, actions)
    shown(qtbot, model, view, layout_worker)
    assert not any(item.ringed for item in view.nodes.values())
    playback.step_forward()
    current = model.cursor.current.node_id
    assert [k for k, item in view.nodes.items() if item.ringed] == [current]
    other = next(k for k in view.nodes if k != current)
    view.nodes[other].setSelected(True)
    assert {k for k, item in view.nodes.items() if item.ringed} == {current, other}
    view.scene().clearSelection()
    assert [k for k, item in view.nodes.items() if item.ringed] == [current]


def test_a_breakpoint_shows_as_a_dot_on_its_node(qtbot, model, actions, layout_worker) -> None:
    view = view_on_screen(qtbot)
    debug_controller(model, view, actions)
    shown(qtbot, model, view, layout_worker)
    item = view.nodes["n0"]
    before = view.grab().toImage()
    view.breakpoint_toggled.emit("n0")
    assert item.breakpoint
    after = view.grab().toImage()
    bad = QColor(view.theme.bad).rgb()
    corner = view.mapFromScene(item.mapToScene(item.boundingRect().topLeft()))
    near = {after.pixel(corner.x() + dx, corner.y() + dy) for dx in range(0, 24) for dy in range(0, 24)}
    assert bad in {QColor(c).rgb() for c in near}
    assert before != after
