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

import copy
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeySequence, QPalette, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QDockWidget, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...engine.parse import MAX_LENGTH, ParseError, Parsed
from ...engine.values import format_value, read_value, short_number, value_entry
from ...session.expression import ExpressionDocument, free_names, parse_request
from ..canvas.theme import DARK, LIGHT
from ..jobs import Job
from .expression_widgets import ErrorLabel, ExpressionEdit, TextCommand, ValueCommand, fixed_font

__all__ = ["DEBOUNCE_MS", "EXAMPLE", "HINT", "ExpressionDock", "format_value", "free_names", "read_value"]

DEBOUNCE_MS = 250
EXAMPLE = "sin(x1 + x2) + x2**2 * x3"
HINT = ("Type an expression of names, numbers and [lists], with + − * / ** @ and functions "
        "such as sin, exp, sigmoid, sum. It is drawn as you type; Enter draws it at once.")
_FRAME = 2      # the editor's border, in pixels
_LINE_EDIT_MARGIN = 2   # QLineEdit's own space between its contents rectangle and the text
_ITEM_TEXT_MARGIN = 3   # the style's space before an item view cell's text (focus frame + 1)


def _summary(parsed: Parsed) -> str:
    value = np.asarray(parsed.output.value)
    count = len(parsed.variables)
    names = f"{count} variable{'s' if count != 1 else ''}"
    if value.size == 1:
        return f"✓ {names} · output = {short_number(value, 6)}"
    return f"✓ {names} · output of shape {value.shape}"


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

    def __init__(self, document: ExpressionDocument, parent: QWidget | None = None):
        super().__init__("Expression", parent)
        self.setObjectName("expression")
        self.document = document
        document.replaced.connect(self._on_document_replaced)
        self._rows: list[str] = []
        self._text = ""             # the editor's text as the undo stack knows it
        self._fresh = True          # the next typing starts a new undo command
        self._quiet = False         # the table is being filled, not edited
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
        self._edit = ExpressionEdit()
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

        self._error_label = ErrorLabel("expression_error")
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
        return self.document.last_good

    @property
    def error(self) -> ParseError | None:
        """Why the current text does not read, or None."""
        return self.document.error

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
                new_values[name] = value_entry(value)
            except (TypeError, ValueError, RecursionError) as error:
                raise ValueError(f"the value of {name!r}: {error}") from None
        memory = self.document.memory
        new_values = {n: e for n, e in new_values.items() if memory.get(n) != e}
        old_values = {name: memory.get(name) for name in new_values}
        self._timer.stop()
        self._emit_next = emit
        if text == self._edit.text() and not new_values:
            self._fresh = True
            self._commit(force=True)
            return
        self.undo_stack.push(TextCommand(self, self._edit.text(), text, typing=False,
                                          old_values=old_values, new_values=new_values))

    def _on_document_replaced(self, text: str, values: dict) -> None:
        """The window put another text here: a reopened session's expression (undoable, its
        graph not handed back), or "" when the graph shown is no expression's (the undo steps
        go with the text they belonged to)."""
        if text:
            try:
                self.set_expression(text, values, emit=False)
            except ValueError:
                pass  # the editor cannot show it; the graph on screen is still the session's
            return
        if self.expression:
            self.set_expression("", emit=False)
        self.undo_stack.clear()

    def sizeHint(self) -> QSize:
        em = self.fontMetrics().horizontalAdvance("M")
        return QSize(34 * em, 16 * self.fontMetrics().height())

    # -- slots ---------------------------------------------------------------------------

    def _on_edit_text_edited(self, text: str) -> None:
        self.document.overtake()  # a parse under way is of an older text: its result is dropped
        self._parsing = None
        fresh, self._fresh = self._fresh, False
        old, self._text = self._text, text
        if old != text:
            self.undo_stack.push(TextCommand(self, old, text, typing=True, fresh=fresh))
        self._timer.start()

    def _on_edit_return_pressed(self) -> None:
        self._timer.stop()
        self._commit(force=False)

    def _on_timer_timeout(self) -> None:
        self._commit(force=False)

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._quiet or item.column() != 1 or not 0 <= item.row() < len(self._rows):
            return
        name = self._rows[item.row()]
        old = self.document.memory.get(name)
        try:
            entry = self.document.typed_value(name, item.text())
        except ValueError as error:
            # Refused, not applied: the cell keeps the text, red, so it can be corrected.
            self._mark(item, str(error))
            self._show_value_errors()
            return
        if entry is None:  # the value held
            self._mark(item, None)
            self._show_value_errors()
            return
        self.undo_stack.push(ValueCommand(self, name, old, entry))

    # -- what the commands do ------------------------------------------------------------

    def _restore(self, text: str, values: dict, cursor: int) -> None:
        """Show this text (and these values; None removes one) and commit it."""
        self._timer.stop()
        for name, entry in values.items():
            self.document.put(name, entry)
        self._text = text
        if self._edit.text() != text:
            self._edit.setText(text)
        self._edit.setCursorPosition(min(cursor, len(text)))
        self._fresh = True
        self._commit(force=True)

    def _restore_value(self, name: str, entry: tuple | None) -> None:
        self._timer.stop()
        self.document.put(name, entry)
        self._fresh = True
        self._commit(force=True)

    def _commit(self, force: bool) -> None:
        """Parse the editor's text with the values, off the window's thread; the graph is
        emitted when it reads (see :meth:`_on_parsed`)."""
        emit, self._emit_next = self._emit_next, True
        request = self.document.request(self._edit.text(), force, emit)
        if request is None:  # empty: a hint, not an error
            self._parsing = None
            self._show_state()
            return
        job = Job(lambda: parse_request(request), self)
        job.finished.connect(lambda result: self._on_parsed(request, result))
        job.failed.connect(lambda message: self._on_parsed(request, ParseError(message, 0)))
        self._parsing = job
        job.start()

    def _on_parsed(self, request, result) -> None:
        """The parse has ended: show its graph or its error, and emit the graph to draw."""
        answer = self.document.accept(request, result)
        if answer is None:
            return  # a newer text or value was asked for meanwhile
        self._parsing = None
        self._fill_table(answer.names or self._rows)
        if self.document.error is None:
            self._fresh = True      # typing from here on is a new undo step
        self._show_state()
        if answer.draw is not None:
            self.expression_changed.emit(answer.draw)

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
                shown, reason = self.document.refused.get(name, (self._entry(name)[0], None))
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
        lines = [f"{name}: {reason} (not applied)" for name, (_, reason) in self.document.refused.items()
                 if name in self._rows]
        self._value_error.setText("\n".join(lines))
        self._value_error.setVisible(bool(lines))

    def _show_state(self) -> None:
        invalid = self.document.error is not None
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
        elif self.document.last_good is not None:
            # The output's value is a result, not a hint: full contrast, for the back rows.
            self._status.setText(_summary(self.document.last_good))
            self._status.setForegroundRole(QPalette.ColorRole.WindowText)

    def _render_error(self) -> None:
        """The text, a caret under the failing character, the reason; a long text is cut
        to a window around the caret, so the caret stays on the screen."""
        error = self.document.error
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
        return self.document.entry(name)

    def _dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Window).lightness() < 128

    def _apply_look(self) -> None:
        """Fonts from the dock's font, colours from the palette: the app scales and themes both."""
        bad = (DARK if self._dark() else LIGHT).bad.name()
        fixed = fixed_font(self.font(), 1.25)
        self._edit.setFont(fixed)
        self._error_label.code_font = fixed
        self._table.setFont(fixed_font(self.font(), 1.1))
        heading = fixed_font(self.font())
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
