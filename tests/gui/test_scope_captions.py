"""A scope's name stays on its own box and never covers another scope's node: at the fitted
view (its large caption) and zoomed in to 1 (its own label), on every example of the gallery
at 1280 × 720, and for any boxes a layout can give (hypothesis). The graphs are opened by the
loading controller on a window model, drawn on a graph view the size of the graph's share of a
1280 × 720 window; presenting, which the whole window takes part in, is tested on the window."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRectF

from graphviz_nn.gui.canvas.scope_items import READABLE_PIXELS, ScopeCaption, place_captions
from graphviz_nn.gui.canvas.theme import system_theme
from graphviz_nn.layout import ClusterBox
from graphviz_nn.session import EXAMPLES
from tests.gui.controller_kit import loading_controller, model, opened, status_bar, view_on_screen, wait_idle  # noqa: F401

PROJECTOR = (1280, 720)
TOUCH = 3.0  # screen pixels: a name this close to its box's edge touches it


def _node_rect(box) -> QRectF:
    return QRectF(box.x - box.width / 2, box.y - box.height / 2, box.width, box.height)


def on_its_box(name: QRectF, box: QRectF, tolerance: float) -> bool:
    """Inside the box, or hanging from its top or bottom edge (touching it), within its width
    or, when wider than the box, across its whole width."""
    if box.adjusted(-tolerance, -tolerance, tolerance, tolerance).contains(name):
        return True
    within = box.left() - tolerance <= name.left() and name.right() <= box.right() + tolerance
    spans = name.left() <= box.left() + tolerance and box.right() - tolerance <= name.right()
    across = within or spans
    return across and min(abs(name.bottom() - box.top()), abs(name.top() - box.bottom())) <= tolerance


def _names_drawn(view) -> list[tuple[tuple[str, ...], QRectF, float]]:
    """Each scope's name as drawn at the view's scale: its caption, else its own label."""
    scale = view.transform().m11()
    captions = {c.cluster.scope: c for c in view.captions}
    drawn = []
    for item in view.clusters:
        caption = captions.get(item.cluster.scope)
        if caption is not None and caption.text_pixels > 0:
            drawn.append((item.cluster.scope, caption.boundingRect(), caption.text_pixels))
        elif item.text_pixels_at(scale) > 0:
            drawn.append((item.cluster.scope, item.label_rect(), item.text_pixels_at(scale)))
    return drawn


def _misplaced(view) -> list[str]:
    scale = view.transform().m11()
    boxes = {item.cluster.scope: item.cluster for item in view.clusters}
    problems = []
    for scope, name, pixels in _names_drawn(view):
        c = boxes[scope]
        own = QRectF(c.x, c.y, c.width, c.height)
        where = f"{' / '.join(scope)} at scale {scale:.3f}"
        if pixels < READABLE_PIXELS:
            problems.append(f"{where}: drawn {pixels:.1f} pixels high")
        if not on_its_box(name, own, TOUCH / scale):
            problems.append(f"{where}: name {name.getRect()} is off its box {own.getRect()}")
        for node_id, node in view.nodes.items():
            member = node.box.scope[:len(scope)] == scope
            if not member and name.intersects(_node_rect(node.box)):
                problems.append(f"{where}: name covers {node_id} {node.box.lines[:1]} of another scope")
    return problems


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_scope_names_stay_on_their_boxes_and_off_other_scopes_nodes(qtbot, model, status_bar, layout_worker,
                                                                   example) -> None:
    view = view_on_screen(qtbot)
    opened(qtbot, model, loading_controller(model, view, layout_worker, status_bar), example)
    view.fit()
    fitted = _names_drawn(view)
    assert _misplaced(view) == []
    # Every outermost scope is named at the fitted view.
    outermost = {item.cluster.scope for item in view.clusters if len(item.cluster.scope) == 1}
    assert outermost <= {scope for scope, _, _ in fitted}
    view.place(1.0, (0.0, 0.0))
    assert _misplaced(view) == []
    assert {scope for scope, _, _ in _names_drawn(view)} == {item.cluster.scope for item in view.clusters}


def _rects(draw, around: QRectF, inside: bool, count: int) -> list[QRectF]:
    rects = []
    for _ in range(count):
        w, h = draw(st.floats(10, 120)), draw(st.floats(10, 60))
        if inside:
            x = draw(st.floats(around.left(), max(around.left(), around.right() - w)))
            y = draw(st.floats(around.top(), max(around.top(), around.bottom() - h)))
            rect = QRectF(x, y, min(w, around.width()), min(h, around.height()))
        else:
            x, y = draw(st.floats(-400, 1400)), draw(st.floats(-400, 1000))
            rect = QRectF(x, y, w, h)
            if rect.intersects(around):
                continue
        rects.append(rect)
    return rects


@st.composite
def scenes(draw):
    """A scope's box, its own nodes inside it, other nodes around it, and a view scale."""
    box = QRectF(draw(st.floats(0, 600)), draw(st.floats(0, 400)), draw(st.floats(60, 900)), draw(st.floats(50, 400)))
    own = _rects(draw, box, True, draw(st.integers(0, 8)))
    others = _rects(draw, box, False, draw(st.integers(0, 30)))
    name = draw(st.text(st.sampled_from("abcdefghij ∇△0123456789"), min_size=1, max_size=20).filter(str.strip))
    return box, own, others, name, draw(st.floats(0.05, 0.9))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scene=scenes())
def test_a_caption_goes_only_on_its_box_and_never_over_another_scopes_node(qapp, scene) -> None:
    box, own, others, name, scale = scene
    cluster = ClusterBox((name,), box.x(), box.y(), box.width(), box.height())
    bounds = QRectF(-500, -500, 2500, 2000)
    caption = ScopeCaption(cluster, system_theme(), [*own, *others], bounds)
    place_captions([caption], scale)
    for _, _, spot, size in caption.places(scale):
        assert on_its_box(spot, box, 1e-6), (spot, box)
        assert not any(spot.intersects(r) for r in others), spot
        assert bounds.contains(spot)
        assert size * scale >= READABLE_PIXELS - 1e-9
    if caption.text_pixels:
        assert caption.boundingRect() == next(spot for _, _, spot, _ in caption.places(scale))


@pytest.mark.parametrize("perceptron", [("layer 1", "perceptron 1"), ("layer 2", "perceptron 4")])
def test_an_opened_scope_of_a_big_net_is_named_where_its_boxes_are_dots(qtbot, model, status_bar, layout_worker,
                                                                        perceptron) -> None:
    """One perceptron of the 1,307-node PerceptronNet [30, 10, 10, 1] opened, then Fit: a box
    is drawn as a dot only when no readable symbol fits it, and then its scope's caption says
    what it is (the opened perceptron was a faint box of unnamed dots)."""
    from graphviz_nn.gui.canvas.level_of_detail import Detail
    from graphviz_nn.session.examples import big_perceptron_net

    view = view_on_screen(qtbot)
    loading = loading_controller(model, view, layout_worker, status_bar)
    loading.load(big_perceptron_net, "PerceptronNet [30, 10, 10, 1]")
    wait_idle(qtbot, model, loading, lambda: model.graph is not None)
    assert perceptron in model.collapsed
    loading.toggle_scope(perceptron)
    qtbot.waitUntil(lambda: perceptron not in model.collapsed, timeout=60000)
    wait_idle(qtbot, model, loading)
    view.fit()  # what F does
    scale = view.transform().m11()
    least = view.least_pixels
    dots = {k: item for k, item in view.nodes.items() if item.detail is Detail.MARKER}
    assert dots, "expected a view too far out for some boxes' text"
    # A dot only where even the symbol on its plate would be smaller than readable.
    assert [k for k, item in dots.items() if item.readable_scale(least) <= scale] == []
    named = {scope: pixels for scope, _, pixels in _names_drawn(view)}
    assert named.get(perceptron, 0) >= READABLE_PIXELS, named
    # Each name stays on its box; it may cover another scope's dots (no text), never its text.
    boxes = {item.cluster.scope: item.cluster for item in view.clusters}
    for scope, name, pixels in _names_drawn(view):
        c = boxes[scope]
        assert on_its_box(name, QRectF(c.x, c.y, c.width, c.height), TOUCH / scale), scope
        covered = [k for k, item in view.nodes.items()
                   if item.box.scope[:len(scope)] != scope and item.detail is not Detail.MARKER
                   and name.intersects(_node_rect(item.box))]
        assert covered == [], (scope, covered)


def test_placing_captions_on_an_expanded_big_net_never_freezes(qtbot, model, status_bar, layout_worker) -> None:
    """The 1,307-node net with every scope open has 25 captions, most over dots: placing them
    for a new zoom took 0.9 s of CPU with the boxes measured one by one."""
    import time

    import numpy as np

    from graphviz_nn.session.examples import big_perceptron_net

    view = view_on_screen(qtbot)
    loading = loading_controller(model, view, layout_worker, status_bar)
    loading.load(big_perceptron_net, "PerceptronNet [30, 10, 10, 1]", expanded=True)
    wait_idle(qtbot, model, loading, lambda: model.graph is not None)
    assert len(view.captions) > 20
    started = time.process_time()
    for scale in np.geomspace(0.03, 0.8, 8):
        place_captions(view.captions, float(scale))
    assert time.process_time() - started < 2.0  # about 0.02 s a zoom on a 2-core machine
    assert any(c.text_pixels and len(c.cluster.scope) > 1 for c in view.captions)


@pytest.mark.parametrize("example", ["newton", "curvature", "layer_net"])
def test_presenting_no_caption_is_drawn_smaller_than_the_back_row_reads(open_window, qtbot, example) -> None:
    from graphviz_nn.session.box_detail import PRESENTING_PIXELS

    window = open_window(example, size=PROJECTOR)
    window.presentation.toggle_presentation()
    qtbot.waitUntil(lambda: window.view.width() >= window.width() - 4, timeout=3000)
    qtbot.wait(50)
    view = window.view
    for step in range(6):  # as placed by the view itself, fitted and zooming out (Ctrl+minus)
        drawn = [c.text_pixels for c in view.captions if c.text_pixels]
        assert drawn and min(drawn) >= PRESENTING_PIXELS - 1e-9, (step, view.transform().m11(), drawn)
        view.zoom(1 / 1.15)
    window.presentation.toggle_presentation()
