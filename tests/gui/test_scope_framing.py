"""Opening or closing a scope frames it: centred, whole, and large enough to read, in the
1,307-node PerceptronNet [30, 10, 10, 1] as in the gallery's small one."""

from __future__ import annotations

from graphviz_nn.gui.canvas.level_of_detail import Detail
from graphviz_nn.session.examples import big_perceptron_net

from .conftest import ready

PROJECTOR = (1280, 720)


def _wait(window, qtbot, done) -> None:
    qtbot.waitUntil(lambda: done() and window.jobs.job is None and ready(window) and not window.view.building,
                    timeout=60000)
    qtbot.wait(50)


def _framed(view, box, whole: bool = True) -> bool:
    """The box's middle near the view's, and the box wholly in view (or the view in the box,
    for a scope too big to show whole and readable)."""
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    off = box.center() - shown.center()
    centred = abs(off.x()) < 0.1 * shown.width() and abs(off.y()) < 0.1 * shown.height()
    return centred and (shown.contains(box) if whole else box.intersects(shown))


def test_opening_a_scope_of_a_big_net_frames_it_readably(open_window, qtbot) -> None:
    window = open_window("scalar", size=PROJECTOR)
    built = big_perceptron_net()
    window.loading.load(lambda: built, "PerceptronNet [30, 10, 10, 1]")
    _wait(window, qtbot, lambda: window.model.graph is built.graph)
    scope = min(s for s in window.model.collapsed if len(s) == 2)  # one perceptron of a layer
    window.loading.toggle_scope(scope)
    _wait(window, qtbot, lambda: scope not in window.model.collapsed)
    view = window.view
    cluster = next(c for c in view.clusters if c.cluster.scope == scope)
    assert _framed(view, cluster.boundingRect(), whole=False)
    on_screen = set(view.nodes_on_screen())
    inside = [item for key, item in view.nodes.items()
              if key in on_screen and cluster.boundingRect().contains(item.sceneBoundingRect())]
    assert len(inside) >= 5 and all(item.detail is not Detail.MARKER for item in inside)  # each says what it is
    window.loading.toggle_scope(scope)  # closed again: its box is framed
    _wait(window, qtbot, lambda: scope in window.model.collapsed)
    assert _framed(view, view.nodes["scope/" + "/".join(scope)].sceneBoundingRect())


def test_opening_a_scope_of_a_small_net_zooms_to_it(open_window, qtbot) -> None:
    window = open_window("perceptron_net", size=PROJECTOR)
    fitted = window.view.transform().m11()
    scope = ("layer 1",)
    window.loading.toggle_scope(scope)
    _wait(window, qtbot, lambda: scope in window.model.collapsed)
    window.loading.toggle_scope(scope)
    _wait(window, qtbot, lambda: scope not in window.model.collapsed)
    view = window.view
    cluster = next(c for c in view.clusters if c.cluster.scope == scope)
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(cluster.boundingRect()) and view.transform().m11() > 1.2 * fitted
