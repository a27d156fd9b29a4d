"""The inspector's arrays in a chain rule: tables, highlighting, clicking an entry, hovering a
heatmap, and forward mode's zero tangents. Expected numbers are computed here by hand or by
central differences."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, Qt  # noqa: E402
from PySide6.QtGui import QFont, QHelpEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402

from graphviz_nn.gui.docks.array_view import ArrayView  # noqa: E402
from graphviz_nn.gui.docks.inspector import InspectorDock  # noqa: E402
from graphviz_nn.session import EXAMPLES, Cursor, record  # noqa: E402
from graphviz_nn.session.inspect import describe  # noqa: E402

A = np.array([[1.0, 0.5, 0.0], [0.2, 1.5, 0.3], [0.0, 0.4, 2.0]])
B, C, X = np.array([1.0, -1.0, 0.5]), np.array([0.2, 0.1, -0.3]), 0.5


def y_of(M: np.ndarray) -> float:
    """The solve example's output as a function of M = A Aᵀ + x I, written out."""
    r = np.linalg.solve(M, B) - C
    return float(r @ r)


def dy_dM() -> np.ndarray:
    M, h = A @ A.T + X * np.eye(3), 1e-6
    grad = np.zeros((3, 3))
    for i, j in np.ndindex(3, 3):
        E = np.zeros((3, 3))
        E[i, j] = h
        grad[i, j] = (y_of(M + E) - y_of(M - E)) / (2 * h)
    return grad


def cell(v: float) -> str:
    return f"{v + 0.0:.4g}"


@pytest.fixture
def dock(inspector_dock) -> InspectorDock:
    inspector_dock.resize(460, 900)  # room for the arrays' tables
    return inspector_dock


def backward_at(key: str, node_id: str):
    built = EXAMPLES[key].build()
    recording = record(built.graph, "backward", built.output)
    cursor = Cursor(recording, len(recording) - 1)
    return built.graph, describe(built.graph, built.graph[node_id], cursor)


def view(dock: InspectorDock, name: str) -> ArrayView:
    found = dock.findChild(ArrayView, name)
    assert found is not None, name
    return found


def test_a_small_matrix_term_is_three_tables_of_its_numbers(dock) -> None:
    _, info = backward_at("solve", "n5")            # x × I, whose consumer is A Aᵀ + x I
    dock.show_node(info)
    local, upstream, term = (view(dock, f"inspector_chain_term0_{k}") for k in ("local", "upstream", "value"))
    for v in (local, upstream, term):
        assert v.table.isVisibleTo(dock) and not v.heatmap.isVisibleTo(dock)
    expected = dy_dM()                               # ∂y/∂M, and ∂M/∂(x I) = 1 entry by entry
    for index in np.ndindex(3, 3):
        assert local.table.text_at(index) == "1"
        assert upstream.table.text_at(index) == cell(expected[index])
        assert term.table.text_at(index) == cell(expected[index])
    assert local.caption.text() == "local derivative  (3 × 3)"
    assert upstream.caption.text() == "upstream gradient  (3 × 3)"


def test_the_explained_entry_and_what_makes_it_are_highlighted(dock) -> None:
    _, info = backward_at("solve", "n5")
    dock.show_node(info)
    assert dock.chain_view.selected == (0, 0)
    for key in ("local", "upstream", "value"):
        assert view(dock, f"inspector_chain_term0_{key}").table.highlighted == {(0, 0)}
    # The solve's output feeds on every entry of its matrix: its whole upstream row lights up.
    _, info = backward_at("solve", "n6")
    dock.show_node(info)
    assert view(dock, "inspector_chain_term0_upstream").table.highlighted == {(0,), (1,), (2,)}
    assert view(dock, "inspector_chain_term0_value").table.highlighted == {(0, 0)}


def test_clicking_an_entry_shows_its_own_scalar_chain_rule(dock, qtbot) -> None:
    _, info = backward_at("solve", "n5")
    dock.show_node(info)
    table = view(dock, "inspector_chain_term0_value").table
    rect = table.visualItemRect(table.item(1, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dock.chain_view.selected == (1, 2)
    assert table.highlighted == {(1, 2)}
    assert view(dock, "inspector_chain_term0_upstream").table.highlighted == {(1, 2)}
    entry = dock.findChild(QLabel, "inspector_chain_entry").text().splitlines()
    assert entry[0].startswith("∂y/∂(x × I)[1, 2] = Σ over c, k of")
    assert entry[1].strip().startswith("(∂((A @ Aᵀ) + (x × I))[1, 2]/∂(x × I)[1, 2] = 1) × ")
    assert entry[-1] == f"= {dy_dM()[1, 2]:.6g}"
    heading = dock.findChild(QLabel, "inspector_chain_entry_heading").text()
    assert heading.startswith("Entry (x × I)[1, 2]")


def test_clicking_an_upstream_entry_explains_the_entry_it_feeds(dock, qtbot) -> None:
    _, info = backward_at("solve", "n5")
    dock.show_node(info)
    table = view(dock, "inspector_chain_term0_upstream").table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualItemRect(table.item(2, 0)).center())
    assert dock.chain_view.selected == (2, 0)


def test_a_big_term_is_a_heatmap_with_axes_that_reads_out_the_entry_under_the_mouse(dock) -> None:
    graph, info = backward_at("layer_net", "n6")     # W1; its consumer X W1 is 12 × 3
    dock.show_node(info)
    upstream = view(dock, "inspector_chain_term0_upstream")
    assert upstream.heatmap.isVisibleTo(dock) and not upstream.table.isVisibleTo(dock)
    assert upstream.caption.text() == "upstream gradient  (12 × 3)"
    # ∂loss/∂(X W1) by hand: loss = −mean Σ y log softmax(tanh(X W1 + b1) W2 + b2).
    value = {graph.id_of(n): n.value for n in graph.nodes}
    h1, W2, y, p = value["n10"], value["n11"], value["n0"], value["n20"]
    by_hand = ((p - y) / len(y)) @ W2.T * (1 - h1 ** 2)
    label = upstream.heatmap
    point = label.cell_centre((5, 1)).toPoint()
    QApplication.sendEvent(label, QHelpEvent(QEvent.Type.ToolTip, point, label.mapToGlobal(point)))
    assert label.readout == f"[5, 1] = {by_hand[5, 1]:.6g}"
    corner = QPoint(1, 1)                            # on the row indices, not a cell
    QApplication.sendEvent(label, QHelpEvent(QEvent.Type.ToolTip, corner, label.mapToGlobal(corner)))
    assert label.readout == ""
    term = view(dock, "inspector_chain_term0_value")
    assert term.table.isVisibleTo(dock)              # ∂loss/∂W1 itself is 4 × 3: a table


def test_tables_follow_the_dock_font(dock) -> None:
    _, info = backward_at("solve", "n5")
    dock.show_node(info)
    font = QFont(dock.font())
    font.setPointSizeF(20)
    dock.setFont(font)
    assert view(dock, "inspector_chain_term0_value").table.font().pointSizeF() == 20


def test_forward_mode_shows_zero_tangents_and_the_seed_as_the_start(dock) -> None:
    built = EXAMPLES["scalar"].build()
    x1, x2, _ = built.inputs
    recording = record(built.graph, "tangent", seeds={x2: 1.0})
    cursor = Cursor(recording, len(recording) - 1)
    dock.show_node(describe(built.graph, x1, cursor))
    assert dock.findChild(QLabel, "inspector_tangent").text() == "0"
    lines = dock.findChild(QLabel, "inspector_chain").text().splitlines()
    assert lines[1].strip() == "(no terms: not seeded: its tangent is 0)"
    dock.show_node(describe(built.graph, x2, cursor))
    lines = dock.findChild(QLabel, "inspector_chain").text().splitlines()
    assert lines[1].strip() == "(no terms: the pass starts here, from its seed ẋ2 = 1)"
    dock.show_node(describe(built.graph, built.graph["n3"], cursor))
    assert dock.findChild(QLabel, "inspector_formula").text() == "(sin(x1 + x2))˙ = (x1 + x2)˙ · cos(x1 + x2)"
    assert "Chain rule  (forward mode)" == dock.findChild(QLabel, "inspector_chain_heading").text()


def test_tables_are_not_cut_off_at_a_projectors_font(dock, qtbot) -> None:
    _, info = backward_at("solve", "n5")
    dock.show_node(info)
    qtbot.wait(20)          # laid out at the usual font first, as when a lecturer zooms in
    font = QFont(dock.font())
    font.setPointSizeF(20)
    dock.setFont(font)
    qtbot.wait(50)          # the new font reaches every child, and the tables are measured again
    for key in ("local", "upstream", "value"):
        table = view(dock, f"inspector_chain_term0_{key}").table
        assert table.font().pointSizeF() == 20
        assert table.height() >= 4 * table.fontMetrics().height(), key   # header and 3 rows
