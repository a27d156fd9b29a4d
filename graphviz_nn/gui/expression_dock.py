"""The expression dock: type a formula, see it parsed, set its variables, undo and redo.

The user types e.g. ``sin(x1 + x2) + x2**2 * x3`` into one line; a quarter of a second after
the typing stops (or at once on Enter) the dock parses it with
:func:`graphviz_nn.engine.parse`, off the window's thread (the parser's budget bounds the work,
up to about a second), and, when it reads, emits ``expression_changed`` with the
:class:`~graphviz_nn.engine.Parsed` graph for the window to draw. A parse that a newer text
or value overtook is dropped. A text that does not read
is marked where it fails, and the last good graph stays. Every free name gets a row in a
table of values (numbers or small array literals, read with :func:`json.loads`, never
``eval``).

Undo works on a :class:`QUndoStack`. Consecutive typing merges into one command until the
text is *committed* (parsed and emitted), so one undo goes back to the previous committed
expression, i.e. to the previous graph the window drew, never to a half-typed word. Value
edits and :meth:`ExpressionDock.set_expression` are commands of their own.
"""

from __future__ import annotations

import ast
import copy
import html
import json
import math
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (QAction, QBrush, QColor, QContextMenuEvent, QFont, QFontDatabase, QFontInfo,
                           QFontMetrics, QKeyEvent, QKeySequence, QPalette, QUndoCommand, QUndoStack)
from PySide6.QtWidgets import (QAbstractItemView, QDockWidget, QHeaderView, QLabel, QLineEdit,
                               QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..engine.parse import CONSTANTS, MAX_LENGTH, ParseError, Parsed, parse
from ..engine.registry import registry
from .jobs import Job
from .theme import DARK, LIGHT

__all__ = ["DEBOUNCE_MS", "EXAMPLE", "HINT", "ExpressionDock", "format_value", "free_names",
           "parse_value"]

DEBOUNCE_MS = 250
EXAMPLE = "sin(x1 + x2) + x2**2 * x3"
HINT = ("Type an expression of names, numbers and [lists], with + − * / ** @ and functions "
        "such as sin, exp, sigmoid, sum. It is drawn as you type; Enter draws it at once.")
MAX_VALUE_LENGTH = 20_000
_TYPING = 1     # the undo id of typing commands, which merge with each other
_FRAME = 2      # the editor's border, in pixels
_LINE_EDIT_MARGIN = 2   # QLineEdit's own space between its contents rectangle and the text
_ITEM_TEXT_MARGIN = 3   # the style's space before an item view cell's text (focus frame + 1)


def _check_number(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        shown = json.dumps(x) if isinstance(x, (bool, str, dict, type(None))) else repr(x)
        raise ValueError(f"{shown} is not a number")
    try:
        number = float(x)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError("numbers must be finite")
    return number


def _check(x: Any) -> tuple[float | list, tuple[int, ...]]:
    """A JSON value as floats and nested lists, with its shape; ValueError where it is not one."""
    if isinstance(x, list):
        if not x:
            raise ValueError("an empty list has no value")
        checked = [_check(item) for item in x]
        shapes = {shape for _, shape in checked}
        if len(shapes) != 1:
            raise ValueError("not rectangular: every row must have the same length and depth")
        return [value for value, _ in checked], (len(x),) + shapes.pop()
    return _check_number(x), ()


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a finite number")


def parse_value(text: str) -> float | list:
    """Read a variable's value: a number or a rectangular nested list of finite numbers.

    Parameters
    ----------
    text : str
        E.g. ``"0.5"``, ``"-1.2"``, ``"[1, 1]"``, ``"[[1, 2], [3, 4]]"``. Read with
        :func:`json.loads` (never ``eval``); a lone number may also be written as Python
        writes it (``.5``, ``1.``, ``+2``).

    Returns
    -------
    float or list
        The number as a float, or nested lists of floats.

    Raises
    ------
    ValueError
        With a reason fit to show the user.
    """
    s = text.strip()
    if not s:
        raise ValueError("empty: type a number such as 0.5 or a list such as [1, 2]")
    if len(s) > MAX_VALUE_LENGTH:
        raise ValueError(f"longer than {MAX_VALUE_LENGTH} characters")
    try:
        raw = json.loads(s, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        if not s.startswith("["):
            # float() parses, it does not evaluate: ".5" and "1." are numbers too.
            try:
                return _check_number(float(s))
            except ValueError as number_error:
                if "finite" in str(number_error):
                    raise
        raise ValueError(f"not a number or a list of numbers ({error.msg.lower()} "
                         f"at character {error.pos + 1})") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    try:
        return _check(raw)[0]
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _short(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def format_value(value: Any) -> str:
    """A value as the table shows it: ``0.0``, ``-1.2``, ``[[1, 2], [3, 4.5]]``.

    Whole numbers inside a list lose their ``.0``, so a matrix reads as one on a projector.
    """
    checked, _ = _check(np.asarray(value).tolist() if isinstance(value, np.ndarray) else value)
    if isinstance(checked, float):
        return repr(checked)

    def write(x: float | list) -> str:
        return "[" + ", ".join(write(e) for e in x) + "]" if isinstance(x, list) else _short(x)

    return write(checked)


def _as_entry(value: Any) -> tuple[str, float | list]:
    """(text, value) for a value given to :meth:`ExpressionDock.set_expression`."""
    if isinstance(value, str):
        return value.strip(), parse_value(value)
    if isinstance(value, np.ndarray) or np.isscalar(value):
        value = np.asarray(value).tolist()
    checked, _ = _check(value)
    return format_value(checked), checked


def free_names(text: str) -> list[str] | None:
    """The free names of a text that is Python syntax, in order of first appearance.

    The same names :func:`~graphviz_nn.engine.parse` would make Variables of, found without
    building anything, so they are known even when the values do not fit the expression.
    None for text that is not Python syntax.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    functions = registry()
    found = [node for node in ast.walk(tree)
             if isinstance(node, ast.Name) and id(node) not in called and not node.id.startswith("__")
             and node.id not in CONSTANTS and node.id not in functions]
    found.sort(key=lambda node: (node.lineno, node.col_offset))
    return list(dict.fromkeys(node.id for node in found))


def _changed_span(old: str, new: str) -> tuple[int, int]:
    """Where an edit ends in the old and in the new text: the cursor after undo and redo."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(old), len(new)) - prefix
           and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]):
        suffix += 1
    return len(old) - suffix, len(new) - suffix


def _fixed(base: QFont, factor: float = 1.0) -> QFont:
    """A monospace font of ``factor`` times the size of ``base``."""
    font = QFont(base)
    font.setFamilies(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).families())
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:
        font.setPixelSize(round(base.pixelSize() * factor))
    return font


def _parse_or_error(text: str, values: dict[str, Any]) -> Parsed | ParseError:
    """The parse of ``text`` (in a worker thread): its graph, or why it does not read."""
    try:
        return parse(text, **values)
    except ParseError as error:
        return error


def _summary(parsed: Parsed) -> str:
    value = np.asarray(parsed.output.value)
    count = len(parsed.variables)
    names = f"{count} variable{'s' if count != 1 else ''}"
    if value.size == 1:
        return f"✓ {names} · output = {float(value.reshape(-1)[0]):.6g}"
    return f"✓ {names} · output of shape {value.shape}"


class _TextCommand(QUndoCommand):
    """A change of the expression (and, from :meth:`ExpressionDock.set_expression`, of values).

    Typing commands share an id and merge, unless the new one is ``fresh`` (it follows a
    commit, an undo or another command): so one command spans the typing between commits.
    """

    def __init__(self, dock: ExpressionDock, old: str, new: str, *, typing: bool,
                 fresh: bool = True, old_values: dict | None = None, new_values: dict | None = None):
        super().__init__("typing" if typing else "set expression")
        self._dock, self._old, self._new = dock, old, new
        self._typing, self._fresh = typing, fresh
        self._old_values, self._new_values = old_values or {}, new_values or {}
        # Typing is already in the editor when the command is pushed; its debounce commits it.
        self._skip_first_redo = typing

    def id(self) -> int:
        return _TYPING if self._typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _TextCommand) or not other._typing or other._fresh:
            return False
        self._new = other._new
        # Typing that returns to where it began is no change: the stack drops the command.
        self.setObsolete(self._new == self._old and not self._old_values)
        return True

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._dock._restore(self._new, self._new_values, _changed_span(self._old, self._new)[1])

    def undo(self) -> None:
        self._dock._restore(self._old, self._old_values, _changed_span(self._old, self._new)[0])


class _ValueCommand(QUndoCommand):
    """A variable's value set in the table: (text, value) entries before and after."""

    def __init__(self, dock: ExpressionDock, name: str, old: tuple | None, new: tuple):
        super().__init__(f"{name} = {new[0]}")
        self._dock, self._name, self._old, self._new = dock, name, old, new

    def redo(self) -> None:
        self._dock._restore_value(self._name, self._new)

    def undo(self) -> None:
        self._dock._restore_value(self._name, self._old)


class _ExpressionEdit(QLineEdit):
    """The expression's line editor, whose undo keys and menu entries go to the dock's stack.

    A QLineEdit claims Ctrl+Z for its own undo history, which knows nothing of the table or
    of commits; handing the keys on lets the dock's actions take them.
    """

    def __init__(self) -> None:
        super().__init__()
        self._undo: QAction | None = None
        self._redo: QAction | None = None

    def use_actions(self, undo: QAction, redo: QAction) -> None:
        self._undo, self._redo = undo, redo

    def _action_for(self, event: QKeyEvent) -> QAction | None:
        key = QKeySequence(event.keyCombination())
        for action, standard in ((self._undo, QKeySequence.StandardKey.Undo),
                                 (self._redo, QKeySequence.StandardKey.Redo)):
            if action is not None and (key in action.shortcuts() or event.matches(standard)):
                return action
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._action_for(event) is not None:
            event.ignore()      # not ours: let the shortcut reach the dock's action
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self._action_for(event)
        if action is not None:  # a standard undo key that is no shortcut (Alt+Backspace)
            action.trigger()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu()
        for name, ours in (("edit-undo", self._undo), ("edit-redo", self._redo)):
            theirs = next((a for a in menu.actions() if a.objectName() == name), None)
            if theirs is not None and ours is not None:
                menu.insertAction(theirs, ours)
                menu.removeAction(theirs)
        menu.exec(event.globalPos())
        menu.deleteLater()


class _ErrorLabel(QLabel):
    """The failing text, a caret under the failing character, and the reason.

    Drawn as rich text: the text and the caret in the editor's monospace font, so the caret
    stands under its character, and the reason in the UI font, so a long one wraps as prose.
    ``text()`` returns the three plain lines, for the app and its tests to read.
    """

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The width comes from the dock, never from a long line of text.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.code_font = QFont()
        self._plain = ""

    def text(self) -> str:  # noqa: D102 - the plain text, as documented on the class
        return self._plain

    def set_error(self, code: str, caret: str, reason: str) -> None:
        self._plain = f"{code}\n{caret}\n{reason}"
        font = self.code_font
        size = f"{font.pointSizeF():.2f}pt" if font.pointSizeF() > 0 else f"{font.pixelSize()}px"
        family = QFontInfo(font).family().replace("'", "")
        gap = self.fontMetrics().height() // 4
        super().setText(f'<pre style="font-family: \'{family}\'; font-size: {size}; margin: 0">'
                        f"{html.escape(code)}\n{html.escape(caret)}</pre>"
                        f'<p style="margin-top: {gap}px; margin-bottom: 0"><b>{html.escape(reason)}</b></p>')


class ExpressionDock(QDockWidget):
    """A dock to type an expression into, with a table of its variables' values.

    Child widgets with objectNames: ``expression_text`` (the line editor),
    ``expression_error`` (the failing text, a caret under the failing character and the
    reason; hidden while the text reads), ``expression_status`` (a hint while the text is
    empty, a summary of the graph while it reads), ``expression_variables`` (the table,
    columns "name" and "value") and ``expression_value_error`` (why a value cell was
    refused). The editor's ``invalid`` property is True while its text does not read.

    Signals
    -------
    expression_changed(object)
        A :class:`~graphviz_nn.engine.Parsed` graph: emitted when typed text reads (after
        :data:`DEBOUNCE_MS` of quiet, or on Enter), when a value is set, on
        :meth:`set_expression`, and on undo and redo of a state that reads.

    Attributes
    ----------
    undo_stack : QUndoStack
        Text changes (typing merged up to each commit) and value edits.
    undo_action, redo_action : QAction
        Ctrl+Z; Ctrl+Shift+Z and Ctrl+Y. Added to the dock, so they work wherever the focus
        is inside it.
    """

    expression_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Expression", parent)
        self.setObjectName("expression")
        self._memory: dict[str, tuple[str, float | list]] = {}   # kept when a name drops out
        self._bad: dict[str, tuple[str, str]] = {}                 # name -> (refused text, reason)
        self._rows: list[str] = []
        self._text = ""             # the editor's text as the undo stack knows it
        self._fresh = True          # the next typing starts a new undo command
        self._last_good: Parsed | None = None
        self._emitted: tuple | None = None
        self._error: ParseError | None = None
        self._quiet = False         # the table is being filled, not edited
        self._generation = 0        # counts the parses asked for; only the latest one counts
        self._parsing: Job | None = None
        self._emit_next = True      # False: the next parse shows its graph without emitting it

        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setObjectName("expression_undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setObjectName("expression_redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            # Scoped to the dock: the graph view and other docks keep their own keys.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

        body = QWidget()
        body.setObjectName("expression_body")
        layout = QVBoxLayout(body)
        self._edit = _ExpressionEdit()
        self._edit.setObjectName("expression_text")
        self._edit.setPlaceholderText(f"e.g. {EXAMPLE}")
        self._edit.setMaxLength(MAX_LENGTH)
        self._edit.setClearButtonEnabled(True)
        self._edit.use_actions(self.undo_action, self.redo_action)
        self._edit.setProperty("invalid", False)
        self._edit.textEdited.connect(self._on_edit_text_edited)
        self._edit.returnPressed.connect(self._on_edit_return_pressed)
        self._timer = QTimer(self)
        self._timer.setObjectName("expression_debounce")
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

        self._error_label = _ErrorLabel("expression_error")
        self._status = QLabel(HINT)
        self._status.setObjectName("expression_status")
        self._status.setWordWrap(True)
        self._status.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self._table = QTableWidget(0, 2)
        self._table.setObjectName("expression_variables")
        self._table.setHorizontalHeaderLabels(["name", "value"])
        self._table.verticalHeader().hide()
        self._table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                    | QAbstractItemView.EditTrigger.SelectedClicked
                                    | QAbstractItemView.EditTrigger.EditKeyPressed
                                    | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.itemChanged.connect(self._on_table_item_changed)
        self._value_error = QLabel()
        self._value_error.setObjectName("expression_value_error")
        self._value_error.setWordWrap(True)

        for widget in (self._edit, self._error_label, self._status, self._table, self._value_error):
            layout.addWidget(widget)
        self.setWidget(body)
        self._apply_look()
        self._show_state()

    # -- the API -------------------------------------------------------------------------

    @property
    def expression(self) -> str:
        """The text in the editor (valid or not)."""
        return self._edit.text()

    @property
    def values(self) -> dict[str, float | list]:
        """The current variables' values (floats or nested lists of floats), by name."""
        return {name: copy.deepcopy(self._entry(name)[1]) for name in self._rows}

    @property
    def last_good(self) -> Parsed | None:
        """The graph of the last text that read, or None before the first one."""
        return self._last_good

    @property
    def error(self) -> ParseError | None:
        """Why the current text does not read, or None."""
        return self._error

    @property
    def parsing(self) -> bool:
        """True while the text is being parsed (off the window's thread)."""
        return self._parsing is not None

    def set_expression(self, text: str, values: dict[str, Any] | None = None, emit: bool = True) -> None:
        """Put an expression (and values of its names) in the dock, as one undoable command.

        It is parsed off the window's thread; when it reads, ``expression_changed`` is emitted
        (unless ``emit`` is False: the window shows the graph already, as for a reopened
        session) and :attr:`last_good` is its graph; :attr:`parsing` is True meanwhile.

        Parameters
        ----------
        text : str
            The expression; one that does not read is shown with its error, like typing.
        values : dict of str to object, optional
            Numbers, nested lists, arrays or value texts (``"[1, 2]"``) by name.

        Raises
        ------
        ValueError
            Where a value is not finite real numbers in a rectangular nesting, or the text is
            longer than the parser reads; nothing changes.
        """
        if len(text) > MAX_LENGTH:     # the editor would cut it short
            raise ValueError(f"the expression is longer than {MAX_LENGTH} characters")
        new_values = {}
        for name, value in (values or {}).items():
            try:
                new_values[name] = _as_entry(value)
            except (TypeError, ValueError, RecursionError) as error:
                raise ValueError(f"the value of {name!r}: {error}") from None
        new_values = {n: e for n, e in new_values.items() if self._memory.get(n) != e}
        old_values = {name: self._memory.get(name) for name in new_values}
        self._timer.stop()
        self._emit_next = emit
        if text == self._edit.text() and not new_values:
            self._fresh = True
            self._commit(force=True)
            return
        self.undo_stack.push(_TextCommand(self, self._edit.text(), text, typing=False,
                                          old_values=old_values, new_values=new_values))

    def sizeHint(self) -> QSize:
        em = self.fontMetrics().horizontalAdvance("M")
        return QSize(34 * em, 16 * self.fontMetrics().height())

    # -- slots ---------------------------------------------------------------------------

    def _on_edit_text_edited(self, text: str) -> None:
        self._generation += 1  # a parse under way is of an older text: its result is dropped
        self._parsing = None
        fresh, self._fresh = self._fresh, False
        old, self._text = self._text, text
        if old != text:
            self.undo_stack.push(_TextCommand(self, old, text, typing=True, fresh=fresh))
        self._timer.start()

    def _on_edit_return_pressed(self) -> None:
        self._timer.stop()
        self._commit(force=False)

    def _on_timer_timeout(self) -> None:
        self._commit(force=False)

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._quiet or item.column() != 1 or not 0 <= item.row() < len(self._rows):
            return
        name, text = self._rows[item.row()], item.text().strip()
        old = self._memory.get(name)
        if old is not None and text == old[0]:
            self._bad.pop(name, None)
            self._mark(item, None)
            self._show_value_errors()
            return
        try:
            value = parse_value(text)
        except ValueError as error:
            # Refused, not applied: the cell keeps the text, red, so it can be corrected.
            self._bad[name] = (item.text(), str(error))
            self._mark(item, str(error))
            self._show_value_errors()
            return
        self.undo_stack.push(_ValueCommand(self, name, old, (text, value)))

    # -- what the commands do ------------------------------------------------------------

    def _restore(self, text: str, values: dict, cursor: int) -> None:
        """Show this text (and these values; None removes one) and commit it."""
        self._timer.stop()
        for name, entry in values.items():
            self._bad.pop(name, None)
            if entry is None:
                self._memory.pop(name, None)
            else:
                self._memory[name] = entry
        self._text = text
        if self._edit.text() != text:
            self._edit.setText(text)
        self._edit.setCursorPosition(min(cursor, len(text)))
        self._fresh = True
        self._commit(force=True)

    def _restore_value(self, name: str, entry: tuple | None) -> None:
        self._timer.stop()
        self._bad.pop(name, None)
        if entry is None:
            self._memory.pop(name, None)
        else:
            self._memory[name] = entry
        self._fresh = True
        self._commit(force=True)

    def _commit(self, force: bool) -> None:
        """Parse the editor's text with the values, off the window's thread; the graph is
        emitted when it reads (see :meth:`_on_parsed`)."""
        text = self._edit.text()
        emit, self._emit_next = self._emit_next, True
        self._generation += 1
        if not text.strip():
            self._parsing = None
            self._error = None
            self._show_state()
            return
        generation = self._generation
        values = {name: value for name, (_, value) in self._memory.items()}
        job = Job(lambda: _parse_or_error(text, values), self)
        job.finished.connect(lambda result: self._on_parsed(generation, text, result, force, emit))
        job.failed.connect(lambda message: self._on_parsed(generation, text, ParseError(message, 0), force, emit))
        self._parsing = job
        job.start()

    def _on_parsed(self, generation: int, text: str, result: Parsed | ParseError, force: bool,
                   emit: bool) -> None:
        """The parse of ``text`` has ended: show its graph or its error, and emit the graph.

        Without ``force``, a text and values the window already has are not emitted again
        (a debounce after typing and deleting a space, Enter pressed twice).
        """
        if generation != self._generation:
            return  # a newer text or value was asked for meanwhile
        self._parsing = None
        if isinstance(result, ParseError):
            self._error = result
            # A text that reads but fails on its values (W @ x with W and x still 0) must
            # still list its names, or they could never be given values that fit.
            names = free_names(text)
            for name in names or ():
                self._memory.setdefault(name, ("0.0", 0.0))
            self._fill_table(names or self._rows)
            self._show_state()
            return
        parsed = result
        self._error = None
        names = list(parsed.variables)
        for name in names:
            self._memory.setdefault(name, ("0.0", 0.0))
        self._fill_table(names)
        self._last_good = parsed
        self._fresh = True      # typing from here on is a new undo step
        self._show_state()
        key = ("".join(text.split()), tuple((name, self._memory[name][0]) for name in names))
        if (force or key != self._emitted) and emit:
            self._emitted = key
            self.expression_changed.emit(parsed)
        elif not emit:
            self._emitted = key

    # -- showing the state ---------------------------------------------------------------

    def _fill_table(self, names: list[str]) -> None:
        self._quiet = True
        try:
            if names != self._rows:
                self._table.setRowCount(len(names))
                for row, name in enumerate(names):
                    item = QTableWidgetItem(name)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    self._table.setItem(row, 0, item)
                    self._table.setItem(row, 1, QTableWidgetItem())
                self._rows = list(names)
            for row, name in enumerate(names):
                item = self._table.item(row, 1)
                shown, reason = self._bad.get(name, (self._entry(name)[0], None))
                if item.text() != shown:
                    item.setText(shown)
                self._mark(item, reason)
        finally:
            self._quiet = False
        self._show_value_errors()

    def _mark(self, item: QTableWidgetItem, reason: str | None) -> None:
        """A value cell in red with the reason as its tooltip, or back to normal."""
        quiet = self._quiet
        self._quiet = True      # colouring a cell is no edit of it
        try:
            if reason is None:
                item.setData(Qt.ItemDataRole.BackgroundRole, None)
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip("")
            else:
                dark = self._dark()
                item.setBackground(QBrush(QColor("#7A1F1F" if dark else "#FFB8B8")))
                item.setForeground(QBrush(QColor("#FFFFFF" if dark else "#000000")))
                item.setToolTip(f"Not applied: {reason}")
        finally:
            self._quiet = quiet

    def _show_value_errors(self) -> None:
        lines = [f"{name}: {reason} (not applied)" for name, (_, reason) in self._bad.items()
                 if name in self._rows]
        self._value_error.setText("\n".join(lines))
        self._value_error.setVisible(bool(lines))

    def _show_state(self) -> None:
        invalid = self._error is not None
        if self._edit.property("invalid") != invalid:
            self._edit.setProperty("invalid", invalid)
            self._apply_look()
        self._error_label.setVisible(invalid)
        self._status.setVisible(not invalid)
        if invalid:
            self._render_error()
        elif not self._edit.text().strip():
            self._status.setText(HINT)
            self._status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        elif self._last_good is not None:
            # The output's value is a result, not a hint: full contrast, for the back rows.
            self._status.setText(_summary(self._last_good))
            self._status.setForegroundRole(QPalette.ColorRole.WindowText)

    def _render_error(self) -> None:
        """The text, a caret under the failing character, the reason; a long text is cut
        to a window around the caret, so the caret stays on the screen."""
        error = self._error
        if error is None:
            return
        text = "".join(" " if not c.isprintable() else c for c in self._edit.text())
        position = max(0, min(error.position, len(text)))
        em = max(1, QFontMetrics(self._error_label.code_font).horizontalAdvance("M"))
        width = max(24, (self._error_label.contentsRect().width() or 40 * em) // em - 1)
        start = 0
        if len(text) + 1 > width:
            start = max(0, min(position - width // 2, len(text) + 1 - width))
        shown = text[start:start + width]
        if start > 0:
            shown = "…" + shown[1:]
        if start + width < len(text):
            shown = shown[:-1] + "…"
        caret = " " * (position - start) + "^"
        self._error_label.set_error(shown, caret, error.reason)

    def _entry(self, name: str) -> tuple[str, float | list]:
        # A name can lack a value only after undoing a value given for it by set_expression.
        return self._memory.get(name, ("0.0", 0.0))

    def _dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Window).lightness() < 128

    def _apply_look(self) -> None:
        """Fonts from the dock's font, colours from the palette: the app scales and themes both."""
        bad = (DARK if self._dark() else LIGHT).bad.name()
        fixed = _fixed(self.font(), 1.25)
        self._edit.setFont(fixed)
        self._error_label.code_font = fixed
        self._table.setFont(_fixed(self.font(), 1.1))
        heading = _fixed(self.font())
        # The UI face, set explicitly: a copy of the dock's font would inherit the table's.
        heading.setFamilies(self.font().families() or [self.font().family()])
        heading.setStyleHint(QFont.StyleHint.AnyStyle)
        heading.setFixedPitch(False)
        heading.setBold(True)
        self._table.horizontalHeader().setFont(heading)
        # The frame is always 2px, only its colour changes: marking an error moves no text.
        line = self._edit.fontMetrics().height()
        pad = max(3, line // 5)
        frame = bad if self._edit.property("invalid") else "palette(mid)"
        focus = bad if self._edit.property("invalid") else "palette(highlight)"
        self._edit.setStyleSheet(
            f"QLineEdit {{ border: {_FRAME}px solid {frame}; border-radius: 4px; padding: {pad}px;"
            f" background: palette(base); }}"
            f" QLineEdit:focus {{ border-color: {focus}; }}")
        # The error's copy of the text starts where the editor's text does: the two line up
        # column for column (as long as the editor has not scrolled sideways).
        self._error_label.setContentsMargins(_FRAME + pad + _LINE_EDIT_MARGIN, 0, 0, 0)
        # Cells and column titles share one indent, so each title stands over its column.
        self._table.setStyleSheet(
            f"QTableWidget::item {{ padding: {pad}px {2 * pad}px; }}"
            f" QHeaderView::section {{ padding: {pad}px {2 * pad + _ITEM_TEXT_MARGIN}px; border: none;"
            f" border-bottom: 1px solid palette(mid); background: palette(window); }}")
        for label in (self._error_label, self._value_error):
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(bad))
            label.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange) and hasattr(self, "_table"):
            self._apply_look()
            if self._rows:
                self._fill_table(self._rows)
            self._render_error()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._render_error()    # the window of a long text follows the width
