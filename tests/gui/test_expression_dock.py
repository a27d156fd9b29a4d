"""The expression dock, driven with real key presses and cell edits."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QLabel, QLineEdit, QTableWidget  # noqa: E402

from graphviz_nn.session.expression import ExpressionDocument
from graphviz_nn.engine import Parsed  # noqa: E402
from graphviz_nn.gui.docks.expression_dock import DEBOUNCE_MS, HINT, ExpressionDock  # noqa: E402
from graphviz_nn.engine.values import format_value, read_value  # noqa: E402

SEED = "sin(x1 + x2) + x2**2 * x3"
SEED_VALUE = np.sin(0.5 - 1.2) + 1.2**2 * 2     # 2.235782...


@pytest.fixture
def dock(qtbot) -> ExpressionDock:
    widget = ExpressionDock(ExpressionDocument())
    qtbot.addWidget(widget)
    widget.resize(560, 420)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def emitted(dock) -> list[Parsed]:
    found: list[Parsed] = []
    dock.expression_changed.connect(found.append)
    return found


def editor(dock) -> QLineEdit:
    return dock.findChild(QLineEdit, "expression_text")


def table(dock) -> QTableWidget:
    return dock.findChild(QTableWidget, "expression_variables")


def label(dock, name: str) -> QLabel:
    return dock.findChild(QLabel, name)


def rows(dock) -> list[tuple[str, str]]:
    t = table(dock)
    return [(t.item(r, 0).text(), t.item(r, 1).text()) for r in range(t.rowCount())]


def type_in(qtbot, dock, text: str) -> None:
    edit = editor(dock)
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def _open_editor(t) -> QLineEdit | None:
    """The cell editor in use: an editor of an earlier edit may still await its deletion."""
    editors = [e for e in t.findChildren(QLineEdit) if e.isVisible()]
    return editors[-1] if editors else None


def edit_cell(qtbot, dock, name: str, text: str) -> None:
    """Edit a value cell as a user does: select it, type over it, press Enter."""
    t = table(dock)
    row = [t.item(r, 0).text() for r in range(t.rowCount())].index(name)
    t.setFocus()
    t.setCurrentCell(row, 1)
    t.editItem(t.item(row, 1))
    qtbot.waitUntil(lambda: _open_editor(t) is not None)
    cell_editor = _open_editor(t)
    cell_editor.selectAll()
    qtbot.keyClick(cell_editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(cell_editor, text)
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _open_editor(t) is None)
    settle(qtbot, dock)


def settle(qtbot, dock) -> None:
    """Until the dock's parse (off the window's thread) has ended and been shown."""
    qtbot.waitUntil(lambda: not dock.parsing, timeout=10000)


def press(qtbot, widget, key, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, key, modifiers)
    dock = widget
    while not isinstance(dock, ExpressionDock):
        dock = dock.parent()
    settle(qtbot, dock)


def output(parsed: Parsed) -> float:
    return float(np.asarray(parsed.output.value))


@pytest.fixture
def seeded(qtbot, dock, emitted) -> ExpressionDock:
    """The first example typed in and drawn, then x1, x2 and x3 set in the table."""
    dock.activateWindow()
    qtbot.waitUntil(dock.isActiveWindow)
    type_in(qtbot, dock, SEED)
    qtbot.waitUntil(lambda: len(emitted) == 1, timeout=2000)
    for name, value in (("x1", "0.5"), ("x2", "-1.2"), ("x3", "2")):
        edit_cell(qtbot, dock, name, value)
    assert len(emitted) == 4
    return dock


def test_the_dock_is_named_and_starts_with_a_hint(dock) -> None:
    assert dock.objectName() == "expression"
    assert dock.windowTitle() == "Expression"
    assert label(dock, "expression_status").text() == HINT
    assert label(dock, "expression_status").isVisibleTo(dock)
    assert not label(dock, "expression_error").isVisibleTo(dock)
    assert editor(dock).property("invalid") is False
    assert dock.last_good is None and dock.expression == "" and dock.values == {}
    assert [table(dock).horizontalHeaderItem(c).text() for c in (0, 1)] == ["name", "value"]


def test_typing_emits_once_after_the_debounce_with_the_variables_in_order(qtbot, dock, emitted) -> None:
    type_in(qtbot, dock, SEED)
    assert emitted == []                    # nothing while typing, nor on each valid prefix
    qtbot.waitUntil(lambda: len(emitted) == 1, timeout=2000)
    qtbot.wait(2 * DEBOUNCE_MS)
    assert len(emitted) == 1
    parsed = emitted[0]
    assert list(parsed.variables) == ["x1", "x2", "x3"]
    assert rows(dock) == [("x1", "0.0"), ("x2", "0.0"), ("x3", "0.0")]
    assert dock.values == {"x1": 0.0, "x2": 0.0, "x3": 0.0}
    assert dock.last_good is parsed and dock.expression == SEED
    assert output(parsed) == pytest.approx(0.0)
    assert label(dock, "expression_status").text().endswith("output = 0")


def test_setting_values_in_the_table_reparses_and_emits(qtbot, seeded, emitted) -> None:
    assert rows(seeded) == [("x1", "0.5"), ("x2", "-1.2"), ("x3", "2")]
    assert seeded.values == {"x1": 0.5, "x2": -1.2, "x3": 2.0}
    assert output(emitted[-1]) == pytest.approx(SEED_VALUE) == pytest.approx(2.235782, abs=1e-6)
    assert emitted[-1] is seeded.last_good
    assert float(emitted[-1].variables["x2"].value) == -1.2


def test_enter_parses_at_once(qtbot, dock, emitted) -> None:
    type_in(qtbot, dock, "sigmoid(w1*x + b)")
    qtbot.keyClick(editor(dock), Qt.Key.Key_Return)
    settle(qtbot, dock)
    assert len(emitted) == 1                # no waiting for the debounce
    assert list(emitted[0].variables) == ["w1", "x", "b"]
    qtbot.wait(2 * DEBOUNCE_MS)
    assert len(emitted) == 1                # and the debounce does not draw it twice
    assert output(emitted[0]) == pytest.approx(0.5)


def test_invalid_text_shows_a_caret_under_the_failing_character(qtbot, dock, emitted) -> None:
    dock.set_expression(SEED)
    settle(qtbot, dock)
    good = dock.last_good
    assert len(emitted) == 1
    type_in(qtbot, dock, "sin(x1 +* x2)")
    qtbot.keyClick(editor(dock), Qt.Key.Key_Return)
    settle(qtbot, dock)
    qtbot.wait(2 * DEBOUNCE_MS)
    error = label(dock, "expression_error")
    assert error.isVisibleTo(dock)
    text, caret, reason = error.text().split("\n")
    assert text == "sin(x1 +* x2)"
    assert caret == " " * text.index("*") + "^"
    assert reason == dock.error.reason and "syntax" in reason
    assert editor(dock).property("invalid") is True
    assert "#" in editor(dock).styleSheet() and editor(dock).styleSheet().count("solid") == 1
    assert not label(dock, "expression_status").isVisibleTo(dock)
    assert len(emitted) == 1 and dock.last_good is good
    assert rows(dock) == [("x1", "0.0"), ("x2", "0.0"), ("x3", "0.0")]     # the table stays

    type_in(qtbot, dock, "sin(x1 + x2)")    # fixed: the red goes, the graph is drawn
    qtbot.waitUntil(lambda: len(emitted) == 2, timeout=2000)
    assert not error.isVisibleTo(dock) and editor(dock).property("invalid") is False
    assert list(dock.last_good.variables) == ["x1", "x2"]


def test_the_error_frame_is_red(qtbot, dock) -> None:
    type_in(qtbot, dock, "1 +")
    qtbot.keyClick(editor(dock), Qt.Key.Key_Return)
    settle(qtbot, dock)
    image = editor(dock).grab().toImage()
    border = QColor(image.pixelColor(image.width() // 2, 0))
    assert border.red() > 150 and border.green() < 80 and border.blue() < 80


def test_empty_text_is_a_hint_not_an_error(qtbot, dock, emitted) -> None:
    dock.set_expression("x + 1")
    settle(qtbot, dock)
    type_in(qtbot, dock, "")
    qtbot.keyClick(editor(dock), Qt.Key.Key_Backspace)
    qtbot.keyClick(editor(dock), Qt.Key.Key_Return)
    settle(qtbot, dock)
    assert dock.expression == "" and dock.error is None
    assert label(dock, "expression_status").text() == HINT
    assert not label(dock, "expression_error").isVisibleTo(dock)
    assert editor(dock).property("invalid") is False
    assert len(emitted) == 1 and dock.last_good is emitted[0]


def test_python_that_is_no_expression_is_refused_by_the_parser(qtbot, dock, emitted) -> None:
    type_in(qtbot, dock, "__import__('os')")
    qtbot.keyClick(editor(dock), Qt.Key.Key_Return)
    settle(qtbot, dock)
    assert emitted == [] and dock.last_good is None
    assert dock.error is not None and dock.error.position == 0
    lines = label(dock, "expression_error").text().split("\n")
    assert lines[1] == "^" and "__import__" in lines[2] and "not allowed" in lines[2]
    dock.set_expression("x.__class__")
    settle(qtbot, dock)
    assert "attribute" in dock.error.reason


def test_array_values_in_the_table(qtbot, dock, emitted) -> None:
    dock.set_expression("sum((W @ x - y)**2)")
    settle(qtbot, dock)
    assert [name for name, _ in rows(dock)] == ["W", "x", "y"]
    edit_cell(qtbot, dock, "W", "[[1,2],[3,4]]")
    edit_cell(qtbot, dock, "x", "[1, 1]")
    edit_cell(qtbot, dock, "y", "[0, 0]")
    assert output(emitted[-1]) == 58.0
    assert dock.values == {"W": [[1.0, 2.0], [3.0, 4.0]], "x": [1.0, 1.0], "y": [0.0, 0.0]}
    assert emitted[-1].variables["W"].value.shape == (2, 2)


@pytest.mark.parametrize("bad, why", [("abc", "not a number"), ("[1, [2]]", "rectangular"),
                                      ("1e999", "finite"), ("NaN", "finite"), ("true", "not a number"),
                                      ("[]", "empty"), ("[1, \"2\"]", "not a number"), ("", "empty")])
def test_a_bad_value_cell_is_refused_and_marked(qtbot, seeded, emitted, bad, why) -> None:
    edit_cell(qtbot, seeded, "x2", bad)
    cell = table(seeded).item(1, 1)
    assert cell.text() == bad                           # kept, so it can be corrected
    assert why in cell.toolTip()
    background = cell.background().color()
    assert background.red() > background.green() + 40  # red
    assert len(emitted) == 4 and seeded.values["x2"] == -1.2    # not applied
    note = label(seeded, "expression_value_error")
    assert note.isVisibleTo(seeded) and note.text().startswith("x2: ") and why in note.text()
    assert seeded.undo_stack.count() == 4               # refused edits are not undo steps

    edit_cell(qtbot, seeded, "x2", "-1.2")              # corrected: the mark goes
    assert cell.toolTip() == "" and not note.isVisibleTo(seeded)
    assert cell.data(Qt.ItemDataRole.BackgroundRole) is None


def test_names_that_drop_out_keep_their_values(qtbot, seeded, emitted) -> None:
    type_in(qtbot, seeded, "x1 * y")
    qtbot.waitUntil(lambda: len(emitted) == 5, timeout=2000)
    assert rows(seeded) == [("x1", "0.5"), ("y", "0.0")]
    assert seeded.values == {"x1": 0.5, "y": 0.0}
    type_in(qtbot, seeded, "x3 + y")
    qtbot.keyClick(editor(seeded), Qt.Key.Key_Return)
    settle(qtbot, seeded)
    assert rows(seeded) == [("x3", "2"), ("y", "0.0")]
    assert output(emitted[-1]) == 2.0


def test_undo_and_redo_a_value_edit(qtbot, seeded, emitted) -> None:
    undo_text = seeded.undo_action.text()
    assert "x3 = 2" in undo_text
    press(qtbot, table(seeded), Qt.Key.Key_Z)
    assert rows(seeded)[2] == ("x3", "0.0") and seeded.values["x3"] == 0.0
    assert len(emitted) == 5 and output(emitted[-1]) == pytest.approx(np.sin(0.5 - 1.2))
    press(qtbot, table(seeded), Qt.Key.Key_Y)
    assert rows(seeded)[2] == ("x3", "2") and len(emitted) == 6
    assert output(emitted[-1]) == pytest.approx(SEED_VALUE)
    press(qtbot, table(seeded), Qt.Key.Key_Z)
    press(qtbot, table(seeded), Qt.Key.Key_Z,
          Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert output(emitted[-1]) == pytest.approx(SEED_VALUE) and len(emitted) == 8


def test_undo_goes_back_to_the_previous_committed_expression(qtbot, seeded, emitted) -> None:
    edit = editor(seeded)
    edit.setFocus()
    edit.end(False)
    qtbot.keyClicks(edit, " + x1")          # one burst of typing: one graph, one undo step
    qtbot.waitUntil(lambda: len(emitted) == 5, timeout=2000)
    qtbot.keyClicks(edit, " * 3")
    qtbot.waitUntil(lambda: len(emitted) == 6, timeout=2000)
    assert seeded.expression == SEED + " + x1 * 3"
    assert output(emitted[-1]) == pytest.approx(SEED_VALUE + 1.5)

    press(qtbot, edit, Qt.Key.Key_Z)        # the editor's own undo would take the key
    assert seeded.expression == SEED + " + x1"
    assert len(emitted) == 7 and output(emitted[-1]) == pytest.approx(SEED_VALUE + 0.5)
    assert edit.cursorPosition() == len(SEED + " + x1")
    press(qtbot, edit, Qt.Key.Key_Z)
    assert seeded.expression == SEED and output(emitted[-1]) == pytest.approx(SEED_VALUE)
    press(qtbot, edit, Qt.Key.Key_Z,
          Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert seeded.expression == SEED + " + x1" and len(emitted) == 9
    assert seeded.last_good is emitted[-1]


def test_undoing_a_half_typed_text_restores_the_drawn_one(qtbot, seeded, emitted) -> None:
    edit = editor(seeded)
    edit.setFocus()
    edit.end(False)
    qtbot.keyClicks(edit, " +")             # does not read: no graph, still one undo step
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    settle(qtbot, seeded)
    assert seeded.error is not None and len(emitted) == 4
    press(qtbot, edit, Qt.Key.Key_Z)
    assert seeded.expression == SEED and seeded.error is None
    assert len(emitted) == 5 and output(emitted[-1]) == pytest.approx(SEED_VALUE)
    press(qtbot, edit, Qt.Key.Key_Y)
    assert seeded.expression == SEED + " +" and seeded.error is not None and len(emitted) == 5


def test_set_expression_is_one_undoable_command_with_its_values(qtbot, dock, emitted) -> None:
    dock.set_expression("sum((W @ x - y)**2)", {"W": np.array([[1, 2], [3, 4]]), "x": [1, 1], "y": "[0, 0]"})
    assert dock.parsing  # off the window's thread
    settle(qtbot, dock)
    parsed = emitted[-1]
    assert parsed is dock.last_good and output(parsed) == 58.0
    assert rows(dock) == [("W", "[[1, 2], [3, 4]]"), ("x", "[1, 1]"), ("y", "[0, 0]")]
    dock.set_expression(SEED, {"x1": 0.5, "x2": -1.2, "x3": 2})
    settle(qtbot, dock)
    assert output(emitted[-1]) == pytest.approx(SEED_VALUE)
    dock.undo_action.trigger()
    settle(qtbot, dock)
    assert dock.expression == "sum((W @ x - y)**2)" and output(emitted[-1]) == 58.0
    dock.undo_action.trigger()
    settle(qtbot, dock)
    assert dock.expression == "" and len(emitted) == 3 and dock.last_good is emitted[-1]
    dock.redo_action.trigger()
    settle(qtbot, dock)
    dock.redo_action.trigger()
    settle(qtbot, dock)
    assert rows(dock) == [("x1", "0.5"), ("x2", "-1.2"), ("x3", "2.0")]
    assert output(emitted[-1]) == pytest.approx(SEED_VALUE)
    with pytest.raises(ValueError, match="'x1'"):
        dock.set_expression("x1", {"x1": float("nan")})
        settle(qtbot, dock)
    assert dock.expression == SEED and dock.undo_stack.count() == 2


def test_read_value_and_format_value() -> None:
    assert read_value(" 0.5 ") == 0.5 and read_value(".5") == 0.5 and read_value("2") == 2.0
    assert read_value("[[1, 2], [3, 4]]") == [[1.0, 2.0], [3.0, 4.0]]
    for bad in ("abc", "[1, [2]]", "1e999", "-Infinity", "inf", "nan", "{}", "null", "[[1, 2], [3]]",
                "__import__('os')", "[" * 5000 + "]" * 5000, "1" * 400):
        with pytest.raises(ValueError):
            read_value(bad)
    assert format_value(0.0) == "0.0" and format_value([[1.0, 2.5]]) == "[[1, 2.5]]"
