"""Labels the inspector is built from: plain and rich-text labels whose fonts follow the dock's."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel

__all__ = ["ChainLabel", "heading", "label", "only", "scaled"]


def label(name: str, selectable: bool = True) -> QLabel:
    """A wrapping, top-left aligned label named ``name`` (so tests and the app find it)."""
    widget = QLabel()
    widget.setObjectName(name)
    widget.setWordWrap(True)
    widget.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if selectable:      # a lecturer can copy a number or a formula into their notes
        widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


def only(bold: bool = False, italic: bool = False, fixed: bool = False) -> QFont:
    """A font that sets just these attributes and inherits the rest (size!) from its parent."""
    font = QFont()
    if bold:
        font.setBold(True)
    if italic:
        font.setItalic(True)
    if fixed:
        font.setFamilies(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).families())
        font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def heading(key: str) -> QLabel:
    """The bold heading ``inspector_<key>_heading``."""
    widget = label(f"inspector_{key}_heading", selectable=False)
    widget.setFont(only(bold=True))
    return widget


def scaled(base: QFont, factor: float) -> QFont:
    """The font ``factor`` times as big."""
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:
        font.setPixelSize(round(base.pixelSize() * factor))
    return font


class ChainLabel(QLabel):
    """A chain rule: drawn as rich text with hanging indents, read back as plain text.

    ``text()`` returns the plain lines (the rule, one per term, the sum last) so the app and
    its tests can read the numbers; on screen a long term wraps under itself, not under the
    rule, which keeps the terms apart at projector font sizes.
    """

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._plain = ""

    def text(self) -> str:  # noqa: D102 - the plain text, as documented on the class
        return self._plain

    def set_plain(self, plain: str) -> None:
        """Show these lines: indented ones as terms under the first, the "= …" last in bold."""
        self._plain = plain
        em = self.fontMetrics().horizontalAdvance("M")
        lines = plain.splitlines()
        blocks = []
        for k, line in enumerate(lines):
            body = html.escape(line.strip())
            left = 2.5 * em if line.startswith("  ") else 1.5 * em    # terms sit under the rule
            if k == len(lines) - 1 and line.startswith("="):
                body = f"<b>{body}</b>"
            blocks.append(f'<p style="margin-top:0; margin-bottom:{em // 4}px; margin-left:{left:.0f}px;'
                          f' text-indent:{-1.5 * em:.0f}px">{body}</p>')
        super().setText("".join(blocks))
