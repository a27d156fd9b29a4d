"""The window keeps its document on its model: what it shows is the model's, every change
is announced by the model's events, and nobody writes the window's copy."""

from __future__ import annotations

import pytest

from .conftest import ready


def test_the_window_reads_its_document_from_the_model_and_cannot_be_written_past_it(open_window) -> None:
    window = open_window("scalar")
    model = window.model
    assert window.model.graph is model.graph is window.model.player.graph and window.model.built is model.built
    assert window.model.collapsed is model.collapsed and window.model.expression_text is model.expression_text is None
    assert not model.busy and model.title
    for name in ("graph", "player", "built", "collapsed", "expression_text"):
        with pytest.raises(AttributeError):
            setattr(window, name, getattr(window, name))


def test_opening_an_example_and_toggling_a_scope_are_announced_by_the_model(open_window, qtbot) -> None:
    window = open_window("scalar")
    heard: list = []
    events = window.model.events
    events.shown.connect(lambda model: heard.append(("shown", model.title)))
    events.busy_changed.connect(lambda busy: heard.append(("busy", busy)))
    events.collapsed_changed.connect(lambda collapsed: heard.append(("collapsed", collapsed)))
    old = window.model.player
    window.load_example("layer_net")
    qtbot.waitUntil(lambda: ready(window) and window.model.player is not old, timeout=30000)
    assert heard == [("busy", True), ("busy", False), ("shown", window.model.title)]
    assert window.view.presenter is not None and len(window.view.nodes) > 0
    heard.clear()
    window.view.scope_toggled.emit(("layer 1",))
    qtbot.waitUntil(lambda: ready(window) and "scope/layer 1" in window.view.nodes, timeout=20000)
    assert heard == [("busy", True), ("busy", False), ("collapsed", window.model.collapsed)]
    assert ("layer 1",) in window.model.collapsed
