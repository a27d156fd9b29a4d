"""The window as a whole, driven through real widgets and keys, offscreen: what it opens with,
its keys reaching the controllers, its docks, closing, and its parts working together. What one
controller does alone is tested on a window model and that controller's widgets
(tests/gui/test_playback_controller.py, test_debug_controller.py, test_loading_controller.py,
test_jacobian_controller.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ..window_probe import EXPANDING_PROBE, OPENING_PROBE
from .conftest import ready
from .controller_kit import GRAPH_ON_A_PROJECTOR


def _key(window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(window.view, key, modifier)


def test_launch_shows_the_demo_with_every_node_on_screen(open_window) -> None:
    window = open_window("scalar")
    assert len(window.view.nodes) == len(window.model.graph) == 9
    assert sorted(window.view.nodes_on_screen()) == sorted(window.view.nodes)
    assert window.model.phase == "forward" and window.model.cursor.position == -1
    assert all(item.state == "pending" for item in window.view.nodes.values())


def test_the_graph_keeps_what_the_projector_tests_give_it(open_window) -> None:
    """The tests of scopes and captions draw the graph on a view of GRAPH_ON_A_PROJECTOR, the
    graph's share of a 1280 x 720 window: the window must give it at least that much."""
    window = open_window("scalar", size=(1280, 720))
    size = window.view.size()
    assert size.width() >= GRAPH_ON_A_PROJECTOR[0] and size.height() >= GRAPH_ON_A_PROJECTOR[1]


@pytest.mark.parametrize("forward, back", [(Qt.Key.Key_Right, Qt.Key.Key_Left),
                                           (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)],  # a presentation clicker's
                         ids=["arrows", "page keys"])
def test_keys_step_forward_and_back_and_space_plays_and_pauses(open_window, forward, back) -> None:
    window = open_window("scalar")
    _key(window, forward)
    _key(window, forward)
    assert window.model.cursor.position == 1
    _key(window, back)
    assert window.model.cursor.position == 0
    _key(window, Qt.Key.Key_Space)
    _key(window, Qt.Key.Key_Space)
    assert window.actions["play"].text() == "Play"


def test_f_fits_the_graph(open_window) -> None:
    window = open_window("layer_net")
    for _ in range(12):
        window.view.zoom(1.3)
    assert len(window.view.nodes_on_screen()) < len(window.view.nodes)
    _key(window, Qt.Key.Key_F)
    assert sorted(window.view.nodes_on_screen()) == sorted(window.view.nodes)


def test_ctrl_f_opens_the_find_bar_whose_node_the_inspector_shows(open_window, qtbot) -> None:
    """The key reaches the find bar above the graph, and what it finds reaches the inspector's
    dock (centring and pinning: tests/gui/test_playback_controller.py)."""
    window = open_window("layer_net")
    _key(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.edit, "W2")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    node_id = window.model.graph.id_of(next(n for n in window.model.graph.nodes if n.name == "W2"))
    assert window.model.pinned == node_id
    assert "W2" in window.findChild(object, "inspector_title").text()
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()


def test_zoom_scales_the_graph_and_its_text_not_the_panels(open_window) -> None:
    window = open_window("scalar")
    scale, size = window.view.transform().m11(), window.inspector.font().pointSizeF()
    _key(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.view.transform().m11() > scale
    assert window.inspector.font().pointSizeF() == size  # the panels have keys of their own


def test_geometry_is_remembered(open_window, settings) -> None:
    window = open_window("scalar", size=(1111, 777))
    window.close()
    assert settings.value("window/geometry") is not None


def test_opening_a_big_expanded_graph_never_blocks() -> None:
    """The expanded [30, 10, 10, 1] PerceptronNet: graph, layout and items are built while a
    10 ms timer keeps ticking; the longest gap between ticks must stay under 100 ms. It runs
    in a fresh process, as the app does, away from the objects earlier tests left behind."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", OPENING_PROBE], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    gap = seen["gap"]
    assert seen["items"] == seen["nodes"] > 1000
    assert seen["progress_shown"] is True  # progress is shown while the layout runs
    # Never frozen: building, recording and laying out run off the window's thread. How
    # short the turns are (20-45 ms idle on two cores) is tests/benchmarks/bench_window.py's
    # to measure; a loaded test machine stretches them.
    assert gap < 1.0, f"the event loop was blocked for {gap * 1000:.0f} ms"


def test_opening_and_expanding_a_10000_node_graph_never_blocks() -> None:
    """The [40, 40, 40, 1] PerceptronNet (9,927 nodes) opened collapsed, then one of its scopes
    opened, in a fresh window process while a 10 ms timer ticks: no gap over 1 s in either.
    (Asking each collapsed scope which member leaves it once scanned every node per member:
    13 s frozen.) The figures themselves are tests/benchmarks/bench_window.py's."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", EXPANDING_PROBE], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["nodes"] > 9000 and seen["boxes_after"] > seen["boxes"]
    assert seen["open_gap"] < 1.0, f"opening blocked the event loop for {seen['open_gap'] * 1000:.0f} ms"
    assert seen["gap"] < 1.0, f"expanding blocked the event loop for {seen['gap'] * 1000:.0f} ms"




def test_the_jacobian_panel_behind_another_tab_waits_until_it_is_shown(open_window, qtbot) -> None:
    window = open_window("scalar")
    assert window.jacobian.isVisible()  # Qt says so for a tab behind another: not enough
    window.inspector.raise_()
    window.load_example("layer_net")
    qtbot.waitUntil(lambda: ready(window) and window.model.graph is not None, timeout=20000)
    qtbot.wait(100)
    assert window.jacobian.current_plan is None  # no passes spent on a panel nobody sees
    window.jacobian.raise_()
    qtbot.waitUntil(lambda: window.jacobian.current_plan is not None
                    and window.jacobian.current_plan.graph is window.model.graph, timeout=5000)


def test_a_typed_expression_becomes_the_graph(open_window, qtbot) -> None:
    window = open_window("scalar")
    window.expression.set_expression("sigmoid(w1*x + b)", {"w1": 0.5, "x": 2.0, "b": -0.25})
    qtbot.waitUntil(lambda: ready(window) and window.model.built.note.startswith("f = sigmoid"), timeout=20000)
    labels = {n.label for n in window.model.graph.nodes}
    assert {"w1", "x", "b"} <= labels
    assert window.model.built.output.op.name == "sigmoid"
    assert window.model.built.output.value == pytest.approx(1 / (1 + np.exp(-0.75)))
    window.stepping.set_phase("backward")
    window.stepping.to_end()
    w1 = next(n for n in window.model.graph.nodes if n.name == "w1")
    assert window.view.nodes[window.model.graph.id_of(w1)].second_text.startswith("∇ ")




def test_a_dock_layout_saved_by_another_version_is_not_restored(qtbot, settings, layout_worker) -> None:
    from graphviz_nn.gui.main_window import STATE_VERSION, MainWindow

    first = MainWindow(None, settings=settings, worker=layout_worker)
    qtbot.addWidget(first)
    settings.setValue("window/state", first.saveState(STATE_VERSION - 1))
    second = MainWindow(None, settings=settings, worker=layout_worker)
    qtbot.addWidget(second)
    assert second.tabifiedDockWidgets(second.expression)  # the fresh layout: a tab, not a pane
    assert not second.restoreState(settings.value("window/state"), STATE_VERSION)


def test_the_window_fits_a_720_line_screen(qtbot, settings, layout_worker) -> None:
    from PySide6.QtCore import QRect, QSize

    from graphviz_nn.gui.controllers.presentation import fitted_size
    from graphviz_nn.gui.main_window import MainWindow

    assert fitted_size(QSize(1280, 800), QRect(0, 0, 1280, 720)) == QSize(1280, 680)
    assert fitted_size(QSize(1000, 600), QRect(0, 0, 1920, 1080)) == QSize(1000, 600)
    window = MainWindow(None, settings=settings, worker=layout_worker, autosave=False)
    qtbot.addWidget(window)
    room = window.screen().availableGeometry()  # offscreen: 800 x 800, narrower than the docks need
    width = max(room.width(), window.minimumSizeHint().width())
    assert window.width() <= width and window.height() <= room.height()
    window.show()
    window.presentation.toggle_full_screen()
    window.presentation.toggle_full_screen()  # back from full screen: still no taller than the screen
    assert window.height() <= room.height() and window.width() <= width

