"""The inspector dock and the heatmap helper, driven as real widgets."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtGui import QColor, QFont, QPalette  # noqa: E402
from PySide6.QtWidgets import QLabel, QScrollArea  # noqa: E402

from graphviz_nn.gui.canvas.heatmap import FLAG_COLOUR, heatmap_image, heatmap_pixmap, matrix_view  # noqa: E402
from graphviz_nn.gui.docks.inspector import InspectorDock  # noqa: E402
from graphviz_nn.session import EXAMPLES, Cursor, record  # noqa: E402
from graphviz_nn.session.inspect import NodeInfo, describe  # noqa: E402


@pytest.fixture
def dock(inspector_dock) -> InspectorDock:
    return inspector_dock


def text(dock: InspectorDock, name: str) -> str:
    label = dock.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


def visible(dock: InspectorDock, name: str) -> bool:
    return dock.findChild(QLabel, name).isVisibleTo(dock)


def seed_at(phase: str, position: int | None = None, **kwargs):
    built = EXAMPLES["scalar"].build()
    recording = record(built.graph, phase, built.output if phase == "backward" else None, **kwargs)
    cursor = Cursor(recording, len(recording) - 1 if position is None else position)
    return built, recording, cursor


def info_with(**changes) -> NodeInfo:
    fields = dict(node_id="n9", label="a", name="a", kind="variable", op=None, shape=(2, 2), scope=(),
                  value=None, gradient=None, tangent=None, formula="", chain=None)
    fields.update(changes)
    return NodeInfo(**fields)


def test_the_dock_is_named_and_scrolls(dock) -> None:
    assert dock.objectName() == "inspector"
    assert dock.windowTitle() == "Inspector"
    assert dock.findChild(QScrollArea, "inspector_scroll") is dock.widget()


def test_backward_chain_rule_for_x2_fills_in_both_consumers(dock) -> None:
    built, _, cursor = seed_at("backward")
    graph = built.graph
    dock.show_node(describe(graph, graph["n1"], cursor))

    assert "x2" in text(dock, "inspector_title")
    assert "variable" in text(dock, "inspector_details")
    assert text(dock, "inspector_value") == "-1.2"
    assert text(dock, "inspector_gradient") == "-4.03516"
    lines = text(dock, "inspector_chain").splitlines()
    # The graph's names, not the op's g, x, y: z is the output, x2² and x1 + x2 the consumers.
    assert lines[0] == "∂z/∂x2 = Σ over consumers c of ∂c/∂x2 · ∂z/∂c"
    terms = [line.strip() for line in lines if line.strip().startswith("from ")]
    assert len(terms) == 2 and len(lines) == 4
    # d(x2²)/dx2 = 2·x2 = -2.4 at x2 = -1.2; dz/d(x2²) = x3 = 2; dz/d(x1 + x2) = cos(-0.7).
    assert terms[0] == ("from x2²: (∂(x2²)/∂x2 = 2 · x2^(2−1) = 2 · (-1.2)^(2−1) = -2.4)"
                        " × (∂z/∂(x2²) = 2) = -4.8")
    assert terms[1].startswith("from (x1 + x2): (∂(x1 + x2)/∂x2 = 1) × (∂z/∂(x1 + x2) = 0.764842)")
    assert terms[1].endswith("= 0.764842")
    assert lines[-1] == "= -4.03516"
    assert visible(dock, "inspector_chain") and not visible(dock, "inspector_hint")
    assert not visible(dock, "inspector_check")


def test_before_x2s_step_the_gradient_is_not_computed_and_there_is_no_chain(dock) -> None:
    built, recording, _ = seed_at("backward")
    cursor = Cursor(recording, recording.index_of["n1"] - 1)
    dock.show_node(describe(built.graph, built.graph["n1"], cursor))

    assert text(dock, "inspector_gradient") == "not computed yet"
    assert text(dock, "inspector_chain") == ""
    assert not visible(dock, "inspector_chain") and not visible(dock, "inspector_chain_heading")
    cursor.seek(recording.index_of["n1"])
    dock.show_node(describe(built.graph, built.graph["n1"], cursor))
    assert text(dock, "inspector_gradient") == "-4.03516"


def test_the_backward_pass_starts_at_the_output_with_no_terms(dock) -> None:
    built, _, cursor = seed_at("backward")
    dock.show_node(describe(built.graph, built.output, cursor))
    lines = text(dock, "inspector_chain").splitlines()
    assert lines[0].startswith("∂z/∂z = ")
    assert lines[1].strip() == "(no terms: the pass starts here, from its seed ∂z/∂z = 1)"
    assert lines[-1] == "= 1"


def test_a_function_node_shows_its_op_and_derivative_rule(dock) -> None:
    built, _, cursor = seed_at("backward")
    dock.show_node(describe(built.graph, built.graph["n5"], cursor))
    assert "op pow" in text(dock, "inspector_details")
    # The rule in the graph's names: x is x2, y the constant 2, g the gradient of z at x2².
    assert text(dock, "inspector_formula").splitlines()[0] == "∂z/∂x2 = ∂z/∂(x2²) · 2 · x2^(2−1)"
    assert text(dock, "inspector_chain").splitlines()[0].startswith("∂z/∂(x2²) = ")


def test_tangent_pass_sums_what_the_inputs_push_forward(dock) -> None:
    built, _, _ = seed_at("backward")
    x2 = built.inputs[1]
    recording = record(built.graph, "tangent", seeds={x2: 1.0})
    cursor = Cursor(recording, len(recording) - 1)
    dock.show_node(describe(built.graph, built.output, cursor))

    assert text(dock, "inspector_tangent") == "-4.03516"
    assert not visible(dock, "inspector_gradient")      # a tangent pass has no gradients
    lines = text(dock, "inspector_chain").splitlines()
    assert lines[0] == "ż = Σ over inputs u of ∂z/∂u · u̇"
    terms = [line.strip() for line in lines[1:-1]]
    assert terms == ["from sin(x1 + x2): (∂z/∂sin(x1 + x2) = 1) × ((sin(x1 + x2))˙ = 0.764842) = 0.764842",
                     "from (x2² × x3): (∂z/∂(x2² × x3) = 1) × ((x2² × x3)˙ = -4.8) = -4.8"]
    assert lines[-1] == "= -4.03516"
    assert text(dock, "inspector_formula") == "ż = (sin(x1 + x2))˙ + (x2² × x3)˙"


def test_a_matrix_shows_a_heatmap_of_its_shape_and_its_statistics(dock) -> None:
    built = EXAMPLES["layer_net"].build()
    graph = built.graph
    recording = record(graph, "backward", built.output)
    cursor = Cursor(recording, len(recording) - 1)
    w1 = graph["n6"]
    assert w1.label == "W1" and w1.value.shape == (4, 3)
    dock.show_node(describe(graph, w1, cursor))

    pixmap = dock.findChild(QLabel, "inspector_value_heatmap").pixmap()
    assert not pixmap.isNull()
    assert pixmap.height() * 3 == pixmap.width() * 4
    value = w1.value
    stats = text(dock, "inspector_value")
    assert "shape (4, 3)" in stats
    for name, number in (("min", value.min()), ("max", value.max()), ("mean", value.mean()),
                         ("‖·‖", np.linalg.norm(value))):
        assert f"{name} {number:.4g}" in stats
    assert len(text(dock, "inspector_value_numbers").splitlines()) == 4
    assert "scope: layer 1" in text(dock, "inspector_details")
    chain = text(dock, "inspector_chain").splitlines()
    # No local derivative for matmul: the rule ∂loss/∂W1 = Xᵀ g in the graph's names.
    assert chain[1].strip() == ("from ((normalised X) @ W1): (normalised X)ᵀ @ ∂loss/∂((normalised X) @ W1)"
                                " = [4 × 3 array]")
    assert chain[-1] == "= [4 × 3 array]"


def test_a_300_by_30_array_is_quick_and_fits(dock) -> None:
    big = np.random.default_rng(0).normal(size=(300, 30))
    start = time.perf_counter()
    for _ in range(5):
        dock.show_node(info_with(shape=big.shape, value=big, gradient=big))
    assert (time.perf_counter() - start) / 5 < 0.1
    pixmap = dock.findChild(QLabel, "inspector_value_heatmap").pixmap()
    assert pixmap.height() == 10 * pixmap.width() <= max(240, 16 * dock.fontMetrics().height())
    assert not visible(dock, "inspector_value_numbers")


def test_nan_values_are_flagged_in_text_and_heatmap(dock) -> None:
    value = np.array([[1.0, np.nan], [np.inf, -1.0]])
    dock.show_node(info_with(value=value))
    flag = dock.findChild(QLabel, "inspector_value_flag")
    assert not flag.isHidden()
    assert "1 NaN" in flag.text() and "1 +inf" in flag.text()
    text_role = QPalette.ColorRole.WindowText
    assert flag.palette().color(text_role) != dock.palette().color(text_role)
    image = dock.findChild(QLabel, "inspector_value_heatmap").pixmap().toImage()
    cell = image.width() // 2
    assert image.pixelColor(cell + cell // 2, 2) == FLAG_COLOUR            # nan, off the cross
    assert image.pixelColor(cell // 2, 2) != FLAG_COLOUR                  # 1.0
    dock.show_node(info_with(value=np.zeros((2, 2))))
    assert dock.findChild(QLabel, "inspector_value_flag").isHidden()


def test_a_nan_scalar_is_flagged(dock) -> None:
    dock.show_node(info_with(shape=(), value=np.array(np.nan)))
    assert text(dock, "inspector_value") == "nan"
    assert "not a finite number" in text(dock, "inspector_value_flag")


@pytest.mark.parametrize("error, passed", [(3e-9, True), (2e-3, False), (float("nan"), False)])
def test_the_gradient_check_is_green_when_it_passes_and_red_otherwise(dock, error, passed) -> None:
    dock.show_node(info_with(shape=(), value=np.array(2.0), gradient=np.array(1.5),
                             check_error=error, check_numeric=np.array(1.5000001)))
    check = dock.findChild(QLabel, "inspector_check")
    assert not check.isHidden()
    assert f"relative error {error:.2e}" in check.text()
    assert "numeric gradient 1.5" in check.text()
    assert check.property("passed") is passed
    colour = check.palette().color(QPalette.ColorRole.WindowText)
    assert (colour.green() > colour.red()) is passed


def test_no_node_shows_the_hint(dock) -> None:
    built, _, cursor = seed_at("backward")
    dock.show_node(describe(built.graph, built.graph["n1"], cursor))
    dock.show_node(None)
    assert dock.info is None
    assert visible(dock, "inspector_hint")
    assert text(dock, "inspector_hint").startswith("Click a node, or step through a pass")
    assert not dock.findChild(QLabel, "inspector_title").isVisibleTo(dock)


def test_fonts_follow_the_dock_font(dock) -> None:
    built, _, cursor = seed_at("backward")
    dock.show_node(describe(built.graph, built.graph["n1"], cursor))
    font = QFont(dock.font())
    font.setPointSizeF(20)
    dock.setFont(font)
    assert dock.findChild(QLabel, "inspector_chain").font().pointSizeF() == 20
    assert dock.findChild(QLabel, "inspector_title").font().pointSizeF() == pytest.approx(30)


# --- heatmap_pixmap ----------------------------------------------------------------------------

@pytest.mark.parametrize("array, size", [
    (3.0, (14, 14)),                            # a scalar is one cell
    (np.arange(5.0), (70, 14)),                 # a vector is one row
    (np.ones((2, 3)), (42, 28)),                # a constant array: no division by zero
    (np.zeros((2, 3, 4)), (56, 84)),            # leading axes stacked as rows: 6 × 4
    (np.ones((300, 30)), (24, 240)),            # shrunk to max_size, aspect kept
    (np.ones(1000), (240, 6)),                  # but never thinner than a few pixels
])
def test_heatmap_sizes(qtbot, array, size) -> None:
    pixmap = heatmap_pixmap(array)
    assert (pixmap.width(), pixmap.height()) == size


def test_heatmap_colours_sign_zero_and_nan(qtbot) -> None:
    image = heatmap_image(np.array([-2.0, 0.0, 2.0, np.nan, np.inf]), cell=20)
    colour = [image.pixelColor(20 * j + 10, 3) for j in range(5)]
    assert colour[0].blue() > colour[0].red() and colour[2].red() > colour[2].blue()
    assert colour[1] == QColor(247, 247, 247)
    assert colour[3] == colour[4] == FLAG_COLOUR
    assert heatmap_image(np.zeros((2, 2))).pixelColor(7, 7) == QColor(247, 247, 247)
    assert heatmap_pixmap(np.zeros((0, 3))).isNull()


def test_matrix_view_says_how_it_reshaped() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    matrix, note = matrix_view(a)
    assert matrix.shape == (6, 4) and matrix[4].tolist() == a[1, 1].tolist()
    assert "(2, 3, 4)" in note and "6 × 4" in note
    assert matrix_view(np.ones((2, 2)))[1] == ""
