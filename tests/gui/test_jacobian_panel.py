"""The "Forward vs reverse" dock: the Jacobian fills in column by column or row by row."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLabel, QPushButton, QRadioButton, QTableWidget, QWidget  # noqa: E402

import graphviz_nn as gn  # noqa: E402
from graphviz_nn.gui.docks.jacobian_panel import JacobianPanel  # noqa: E402
from graphviz_nn.session.examples import EXAMPLES  # noqa: E402
from graphviz_nn.session.jacobian import JacobianPass  # noqa: E402
from graphviz_nn.session.jacobian_exercise import JacobianExercise  # noqa: E402


def make_panel(qtbot, key: str = "scalar", mode: str = "forward") -> JacobianPanel:
    built = EXAMPLES[key].build()
    panel = JacobianPanel(JacobianExercise())
    qtbot.addWidget(panel)
    panel.set_problem(built.graph, built.output, built.inputs)
    panel.mode = mode
    show(qtbot, panel)
    return panel


def show(qtbot, panel: JacobianPanel) -> None:
    """Buttons take mouse clicks only when shown."""
    panel.resize(560, 360)
    panel.show()
    qtbot.waitExposed(panel)


def child(panel: JacobianPanel, kind: type, name: str):
    widget = panel.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name!r}"
    return widget


def table(panel: JacobianPanel) -> QTableWidget:
    return child(panel, QTableWidget, "jacobian_table")


def texts(panel: JacobianPanel) -> list[list[str]]:
    t = table(panel)
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def numbers(panel: JacobianPanel) -> np.ndarray:
    """The table read back as numbers, NaN for an empty cell."""
    return np.array([[float(s) if s else np.nan for s in row] for row in texts(panel)])


def passes_text(panel: JacobianPanel) -> str:
    return child(panel, QLabel, "jacobian_passes").text()


def click_next(qtbot, panel: JacobianPanel) -> None:
    qtbot.mouseClick(child(panel, QPushButton, "jacobian_next"), Qt.MouseButton.LeftButton)


def test_the_dock_and_its_parts_are_named(qtbot) -> None:
    panel = make_panel(qtbot)
    assert panel.objectName() == "jacobian" and panel.windowTitle() == "Forward vs reverse"
    assert child(panel, QWidget, "jacobian_mode") is not None
    assert child(panel, QRadioButton, "jacobian_mode_forward").text() == "Forward mode (columns)"
    assert child(panel, QRadioButton, "jacobian_mode_reverse").text() == "Reverse mode (rows)"
    assert child(panel, QPushButton, "jacobian_next").text() == "Next pass"
    assert child(panel, QPushButton, "jacobian_reset").text() == "Reset"
    t = table(panel)
    assert [t.horizontalHeaderItem(c).text() for c in range(3)] == ["x1", "x2", "x3"]
    assert t.verticalHeaderItem(0).text() == "z"
    assert texts(panel) == [["", "", ""]]
    assert passes_text(panel) == "Forward mode: 0 of 3 passes (one per input). Reverse mode would take 1."


def test_next_requests_the_pass_and_pass_finished_fills_that_column(qtbot) -> None:
    panel = make_panel(qtbot)
    plan = panel.current_plan
    with qtbot.waitSignal(panel.pass_requested) as blocker:
        click_next(qtbot, panel)
    requested = blocker.args[0]
    assert isinstance(requested, JacobianPass)
    assert requested is plan.passes[0] and requested.label == "column 1: ẋ1 = 1"
    assert panel.pending is requested and panel.passes_done == 0
    assert texts(panel) == [["", "", ""]]  # nothing until the animation has ended
    assert not child(panel, QPushButton, "jacobian_next").isEnabled()

    panel.pass_finished()
    assert panel.passes_done == 1 and panel.pending is None
    shown = numbers(panel)
    assert shown[0, 0] == pytest.approx(plan.exact[0, 0], rel=1e-3)
    assert np.isnan(shown[0, 1:]).all()
    assert passes_text(panel) == "Forward mode: 1 of 3 passes (one per input). Reverse mode would take 1."

    with qtbot.waitSignal(panel.pass_requested) as blocker:
        click_next(qtbot, panel)
    assert blocker.args[0] is plan.passes[1]
    panel.pass_finished()
    shown = numbers(panel)
    np.testing.assert_allclose(shown[0, :2], plan.exact[0, :2], rtol=1e-3)
    assert np.isnan(shown[0, 2])


def test_the_panel_draws_whatever_changes_its_exercise(qtbot) -> None:
    """The exercise is the truth: changed without the panel's buttons, the panel follows,
    and its pass_requested relays the exercise's."""
    exercise = JacobianExercise()
    panel = JacobianPanel(exercise)
    qtbot.addWidget(panel)
    show(qtbot, panel)
    assert panel.exercise is exercise and not child(panel, QPushButton, "jacobian_next").isEnabled()
    built = EXAMPLES["scalar"].build()
    exercise.set_problem(built.graph, built.output, built.inputs)
    assert texts(panel) == [["", "", ""]] and child(panel, QPushButton, "jacobian_next").isEnabled()
    with qtbot.waitSignal(panel.pass_requested) as blocker:
        requested = exercise.request_next()
    assert blocker.args == [requested] and not child(panel, QPushButton, "jacobian_next").isEnabled()
    exercise.pass_finished(requested)
    assert numbers(panel)[0, 0] == pytest.approx(exercise.current_plan.exact[0, 0], rel=1e-3)
    with qtbot.waitSignal(panel.mode_changed) as blocker:
        exercise.mode = "reverse"
    assert blocker.args == ["reverse"] and child(panel, QRadioButton, "jacobian_mode_reverse").isChecked()
    assert passes_text(panel) == "Reverse mode: 0 of 1 pass (one per output). Forward mode would take 3."
    exercise.clear()
    assert child(panel, QLabel, "jacobian_shape").text() == "No inputs to differentiate with respect to."
    assert not child(panel, QWidget, "jacobian_mode").isEnabled()


def test_the_column_being_built_is_highlighted(qtbot) -> None:
    panel = make_panel(qtbot)
    t = table(panel)
    panel.show_progress(1)

    def tinted(c: int) -> bool:
        return t.item(0, c).background().color().alpha() > 0

    assert [tinted(c) for c in range(3)] == [False, True, False]
    assert t.horizontalHeaderItem(1).font().bold() and not t.horizontalHeaderItem(0).font().bold()
    assert "column 2" in child(panel, QLabel, "jacobian_current").text()


def test_reverse_mode_fills_row_by_row(qtbot) -> None:
    panel = make_panel(qtbot, "vector", "reverse")
    plan = panel.current_plan
    assert plan.mode == "reverse" and len(plan.passes) == 3
    t = table(panel)
    assert [t.verticalHeaderItem(r).text() for r in range(3)] == ["f[0]", "f[1]", "f[2]"]
    requested = []
    panel.pass_requested.connect(requested.append)
    for k in range(3):
        click_next(qtbot, panel)
        assert requested[-1] is plan.passes[k]
        panel.pass_finished()
        shown = numbers(panel)
        np.testing.assert_allclose(shown[: k + 1], plan.exact[: k + 1], rtol=1e-3)
        assert np.isnan(shown[k + 1:]).all()
    x = 0.8
    np.testing.assert_allclose(numbers(panel)[:, 0], [4 * x ** 3, 2 * x + np.cos(x), -np.cos(x)], rtol=1e-3)


def test_completion_disables_next_and_says_the_matrix_equals_jacobian(qtbot) -> None:
    built = EXAMPLES["scalar"].build()
    panel = make_panel(qtbot)
    panel.auto_fill = True
    for _ in range(3):
        click_next(qtbot, panel)
    assert panel.passes_done == 3 and panel.complete
    assert not child(panel, QPushButton, "jacobian_next").isEnabled()
    assert "complete" in passes_text(panel) and "equals jacobian(z, [x1, x2, x3])" in passes_text(panel)
    expected = gn.jacobian(built.output, list(built.inputs)).matrix
    np.testing.assert_allclose(numbers(panel), expected, rtol=1e-3)
    with qtbot.assertNotEmitted(panel.pass_requested):
        panel._on_next_clicked()  # a click that slipped through does nothing


def test_auto_fill_fills_at_once_and_pass_finished_without_a_request_does_nothing(qtbot) -> None:
    panel = make_panel(qtbot, "vector", "forward")
    panel.pass_finished()
    assert panel.passes_done == 0
    panel.auto_fill = True
    with qtbot.waitSignal(panel.pass_requested):
        click_next(qtbot, panel)
    assert panel.passes_done == 1 and panel.complete
    assert "Reverse mode would take 3." in passes_text(panel)


def test_switching_mode_resets_progress(qtbot) -> None:
    panel = make_panel(qtbot)
    panel.auto_fill = True
    click_next(qtbot, panel)
    click_next(qtbot, panel)
    assert panel.passes_done == 2
    with qtbot.waitSignal(panel.mode_changed) as blocker:
        qtbot.mouseClick(child(panel, QRadioButton, "jacobian_mode_reverse"), Qt.MouseButton.LeftButton)
    assert blocker.args == ["reverse"]
    assert panel.mode == "reverse" and panel.passes_done == 0 and panel.current_plan.mode == "reverse"
    assert texts(panel) == [["", "", ""]]
    assert passes_text(panel) == "Reverse mode: 0 of 1 pass (one per output). Forward mode would take 3."
    assert child(panel, QPushButton, "jacobian_next").isEnabled()
    click_next(qtbot, panel)
    np.testing.assert_allclose(numbers(panel), panel.current_plan.exact, rtol=1e-3)


def test_reset_and_show_progress(qtbot) -> None:
    panel = make_panel(qtbot)
    panel.show_progress(2)
    assert panel.passes_done == 2
    assert np.isnan(numbers(panel)[0, 2]) and not np.isnan(numbers(panel)[0, :2]).any()
    reset = child(panel, QPushButton, "jacobian_reset")
    assert reset.isEnabled()
    qtbot.mouseClick(reset, Qt.MouseButton.LeftButton)
    assert panel.passes_done == 0 and texts(panel) == [["", "", ""]]
    click_next(qtbot, panel)  # a pending pass is forgotten by show_progress
    panel.show_progress(3)
    assert panel.pending is None and panel.complete


def test_array_inputs_label_the_columns(qtbot) -> None:
    w, b = gn.Variable([0.3, -1.1], "w"), gn.Variable(0.7, "b")
    f = gn.tanh(gn.Constant([[1.0, 2.0], [-0.5, 0.25]]) @ w + b)
    f.name = "f"
    panel = JacobianPanel(JacobianExercise())
    qtbot.addWidget(panel)
    panel.set_problem(gn.Graph(f), f, [w, b])
    show(qtbot, panel)
    t = table(panel)
    assert [t.horizontalHeaderItem(c).text() for c in range(3)] == ["w[0]", "w[1]", "b"]
    assert passes_text(panel) == (
        "Forward mode: 0 of 3 passes (one per input component). Reverse mode would take 2."
    )
    panel.auto_fill = True
    for _ in range(3):
        click_next(qtbot, panel)
    np.testing.assert_allclose(numbers(panel), gn.jacobian(f, [w, b]).matrix, rtol=1e-3)


def test_without_a_problem_nothing_can_be_clicked(qtbot) -> None:
    panel = JacobianPanel(JacobianExercise())
    qtbot.addWidget(panel)
    assert panel.current_plan is None
    assert not child(panel, QPushButton, "jacobian_next").isEnabled()
    panel.show_progress(2)
    panel.pass_finished()
    assert panel.passes_done == 0
    with pytest.raises(ValueError):
        panel.mode = "sideways"


def test_a_big_jacobian_shows_its_corner_at_once_and_still_fills_exactly(qtbot) -> None:
    import time

    from graphviz_nn.gui.docks.jacobian_panel import MAX_SHOWN

    W = gn.Variable(np.arange(64 * 32, dtype=float).reshape(64, 32) / 1000, name="W")
    loss = gn.sum(gn.tanh(W))
    graph = gn.Graph(loss)
    panel = JacobianPanel(JacobianExercise())
    qtbot.addWidget(panel)
    show(qtbot, panel)
    started = time.perf_counter()
    panel.set_problem(graph, loss, [W])
    panel.mode = "reverse"  # one pass fills the 1 × 2048 gradient
    qtbot.wait(10)
    assert time.perf_counter() - started < 2.0  # a full 2048-column table took over a minute
    table = child(panel, QTableWidget, "jacobian_table")
    assert (table.rowCount(), table.columnCount()) == (1, MAX_SHOWN)
    assert f"first 1 × {MAX_SHOWN} entries" in child(panel, QLabel, "jacobian_shape").text()
    panel.auto_fill = True  # without the window animating the pass
    child(panel, QPushButton, "jacobian_next").click()
    assert panel.complete
    expected = 1 - np.tanh(W.value.ravel()) ** 2
    shown = [float(table.item(0, c).toolTip().rsplit("= ", 1)[1]) for c in range(MAX_SHOWN)]
    np.testing.assert_allclose(shown, expected[:MAX_SHOWN], rtol=1e-9)


WIDEST = 400  # pixels the panel may ask for: the right-hand dock beside a projector's graph

names = st.text(st.sampled_from("abcxyzWΔθ_0123456789"), min_size=1, max_size=60)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(out=names, inputs=st.lists(st.tuples(names, st.integers(1, 50)), min_size=1, max_size=5),
       mode=st.sampled_from(["forward", "reverse"]), done=st.integers(0, 60))
def test_the_panel_never_asks_for_more_width_than_a_dock_has(qtbot, out, inputs, mode, done) -> None:
    """Whatever the names and sizes, every line wraps and the table scrolls: the panel asked
    for 513 pixels on every example and 1,575 on the LayerNet's, past a 1280-pixel window."""
    xs = [gn.Variable(np.linspace(0.1, 1.0, size), name) for name, size in inputs]
    f = gn.tanh(xs[0])
    for x in xs[1:]:
        f = f + gn.sum(x)
    f.name = out
    panel = JacobianPanel(JacobianExercise())
    qtbot.addWidget(panel)
    panel.set_problem(gn.Graph(f), f, xs)
    panel.mode = mode
    panel.show_progress(done)
    show(qtbot, panel)
    for hint in (panel.minimumSizeHint(), panel.sizeHint(), panel.widget().sizeHint()):
        assert hint.width() <= WIDEST, (hint, out, inputs)


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_no_example_makes_the_panel_wider_than_a_dock(qtbot, key) -> None:
    panel = make_panel(qtbot, key)
    for done in (0, 1, len(panel.current_plan.passes)):
        panel.show_progress(done)
        assert max(panel.minimumSizeHint().width(), panel.sizeHint().width()) <= WIDEST
