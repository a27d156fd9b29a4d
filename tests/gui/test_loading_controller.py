"""Opening and closing scopes with the loading controller built on a window model, a graph view
and its jobs, no window: the graph is laid out again off the UI thread and drawn."""

from __future__ import annotations

from tests.gui.controller_kit import loading_controller, model, opened, status_bar, view_on_screen, wait_idle  # noqa: F401


def test_collapse_and_expand_a_scope(qtbot, model, status_bar, layout_worker) -> None:
    view = view_on_screen(qtbot)
    loading = loading_controller(model, view, layout_worker, status_bar)
    opened(qtbot, model, loading, "layer_net")
    before = len(view.nodes)
    view.scope_toggled.emit(("layer 1",))
    wait_idle(qtbot, model, loading, lambda: "scope/layer 1" in view.nodes, timeout=20_000)
    assert len(view.nodes) < before and ("layer 1",) in model.collapsed
    view.scope_toggled.emit(("layer 1",))
    wait_idle(qtbot, model, loading, lambda: "scope/layer 1" not in view.nodes, timeout=20_000)
    assert len(view.nodes) == before and ("layer 1",) not in model.collapsed
