"""The expression dock's parts: its undo commands, its line editor, and the error label with a
caret under the failing character."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import (QAction, QContextMenuEvent, QFont, QFontDatabase, QFontInfo, QKeyEvent, QKeySequence,
                           QUndoCommand)
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy

TYPING = 1     # the undo id of typing commands, which merge with each other


def changed_span(old: str, new: str) -> tuple[int, int]:
    """Where an edit ends in the old and in the new text: the cursor after undo and redo."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(old), len(new)) - prefix
           and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]):
        suffix += 1
    return len(old) - suffix, len(new) - suffix


def fixed_font(base: QFont, factor: float = 1.0) -> QFont:
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


class TextCommand(QUndoCommand):
    """A change of the expression (and, from :meth:`ExpressionDock.set_expression`, of values).

    Typing commands share an id and merge, unless the new one is ``fresh`` (it follows a
    commit, an undo or another command): so one command spans the typing between commits.
    """

    def __init__(self, dock, old: str, new: str, *, typing: bool,
                 fresh: bool = True, old_values: dict | None = None, new_values: dict | None = None):
        super().__init__("typing" if typing else "set expression")
        self._dock, self._old, self._new = dock, old, new
        self._typing, self._fresh = typing, fresh
        self._old_values, self._new_values = old_values or {}, new_values or {}
        # Typing is already in the editor when the command is pushed; its debounce commits it.
        self._skip_first_redo = typing

    def id(self) -> int:
        return TYPING if self._typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, TextCommand) or not other._typing or other._fresh:
            return False
        self._new = other._new
        # Typing that returns to where it began is no change: the stack drops the command.
        self.setObsolete(self._new == self._old and not self._old_values)
        return True

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._dock._restore(self._new, self._new_values, changed_span(self._old, self._new)[1])

    def undo(self) -> None:
        self._dock._restore(self._old, self._old_values, changed_span(self._old, self._new)[0])


class ValueCommand(QUndoCommand):
    """A variable's value set in the table: (text, value) entries before and after."""

    def __init__(self, dock, name: str, old: tuple | None, new: tuple):
        super().__init__(f"{name} = {new[0]}")
        self._dock, self._name, self._old, self._new = dock, name, old, new

    def redo(self) -> None:
        self._dock._restore_value(self._name, self._new)

    def undo(self) -> None:
        self._dock._restore_value(self._name, self._old)


class ExpressionEdit(QLineEdit):
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


class ErrorLabel(QLabel):
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
