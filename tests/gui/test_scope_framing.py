"""Opening or closing a scope frames it: centred, whole, and large enough to read, in the
1,307-node PerceptronNet [30, 10, 10, 1] as in the gallery's small one. The loading controller
is built on a window model and a graph view the size of the graph's share of a 1280 x 720 window."""

from __future__ import annotations

from graphviz_nn.gui.canvas.level_of_detail import Detail
from graphviz_nn.session.examples import big_perceptron_net

from tests.gui.controller_kit import loading_controller, model, opened, status_bar, view_on_screen, wait_idle  # noqa: F401


def _wait(model, loading, qtbot, done) -> None:
    wait_idle(qtbot, model, loading, done)
    qtbot.wait(50)


def _framed(view, box, whole: bool = True) -> bool:
    """The box's middle near the view's, and the box wholly in view (or the view in the box,
    for a scope too big to show whole and readable)."""
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    off = box.center() - shown.center()
    centred = abs(off.x()) < 0.1 * shown.width() and abs(off.y()) < 0.1 * shown.height()
    return centred and (shown.contains(box) if whole else box.intersects(shown))


def test_opening_a_scope_of_a_big_net_frames_it_readably(qtbot, model, status_bar, layout_worker) -> None:
    view = view_on_screen(qtbot)
    loading = loading_controller(model, view, layout_worker, status_bar)
    built = big_perceptron_net()
    loading.load(lambda: built, "PerceptronNet [30, 10, 10, 1]")
    _wait(model, loading, qtbot, lambda: model.graph is built.graph)
    scope = min(s for s in model.collapsed if len(s) == 2)  # one perceptron of a layer
    loading.toggle_scope(scope)
    _wait(model, loading, qtbot, lambda: scope not in model.collapsed)
    cluster = next(c for c in view.clusters if c.cluster.scope == scope)
    assert _framed(view, cluster.boundingRect(), whole=False)
    on_screen = set(view.nodes_on_screen())
    inside = [item for key, item in view.nodes.items()
              if key in on_screen and cluster.boundingRect().contains(item.sceneBoundingRect())]
    assert len(inside) >= 5 and all(item.detail is not Detail.MARKER for item in inside)  # each says what it is
    loading.toggle_scope(scope)  # closed again: its box is framed
    _wait(model, loading, qtbot, lambda: scope in model.collapsed)
    assert _framed(view, view.nodes["scope/" + "/".join(scope)].sceneBoundingRect())


def test_opening_a_scope_of_a_small_net_zooms_to_it(qtbot, model, status_bar, layout_worker) -> None:
    view = view_on_screen(qtbot)
    loading = loading_controller(model, view, layout_worker, status_bar)
    opened(qtbot, model, loading, "perceptron_net")
    fitted = view.transform().m11()
    scope = ("layer 1",)
    loading.toggle_scope(scope)
    _wait(model, loading, qtbot, lambda: scope in model.collapsed)
    loading.toggle_scope(scope)
    _wait(model, loading, qtbot, lambda: scope not in model.collapsed)
    cluster = next(c for c in view.clusters if c.cluster.scope == scope)
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(cluster.boundingRect()) and view.transform().m11() > 1.2 * fitted
