"""The inspector dock: one node's value, gradient, tangent, derivative rule and chain rule.

Everything it shows comes from a :class:`~graphviz_nn.session.inspect.NodeInfo`, so the dock
holds no engine state. Texts are plain (the tests and the app read them back from the child
labels by objectName); fonts derive from the dock's font, so the app scales them all at once.
"""

from __future__ import annotations

import html
import unicodedata

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import (QDockWidget, QFrame, QLabel, QScrollArea, QSizePolicy, QToolTip,
                               QVBoxLayout, QWidget)

from ..session.inspect import ChainRule, NodeInfo
from .heatmap import colour_scale, heatmap_pixmap, matrix_view

__all__ = ["CHECK_TOLERANCE", "HINT", "NOT_COMPUTED", "InspectorDock", "brief", "chain_text", "number"]

HINT = "Click a node, or step through a pass, to see its value, gradient and chain rule here."
NOT_COMPUTED = "not computed yet"
CHECK_TOLERANCE = 1e-5
_NUMBERS_UP_TO = 24     # arrays this small also get their entries written out


def number(x) -> str:
    """A scalar with 6 significant digits ("nan" and "inf" as such)."""
    return f"{float(np.asarray(x).real.reshape(-1)[0]):.6g}"


def brief(a) -> str:
    """A scalar as a number; an array by its norm and shape, to fit in one line of arithmetic."""
    a = np.asarray(a)
    if a.size == 1:
        return number(a)
    return f"[‖·‖ = {np.linalg.norm(a.astype(float).ravel()):.4g}, shape {a.shape}]"


def symbol(label: str) -> str:
    """The label as a symbol inside dL/d·: bare when it is a name, bracketed when an operator."""
    return label if label.isidentifier() else f"({label})"


def dotted(label: str) -> str:
    """The tangent's symbol: a dot over the label's first letter (x2 → ẋ2)."""
    s = symbol(label)
    # NFC picks the precomposed letter where there is one (ẋ, ż), which fonts draw better.
    return unicodedata.normalize("NFC", s[0] + "\u0307" + s[1:] if s[0].isalpha() else s + "\u0307")


def chain_text(chain: ChainRule) -> str:
    """The chain rule with the numbers filled in: the rule, one line per term, the sum last."""
    x = symbol(chain.node_label)
    if chain.phase == "backward":
        lines = [f"dL/d{x} = Σ over consumers y of (dy/d{x}) · (dL/dy)"]
        factor, nothing = "upstream", "0 (L does not depend on it)"
    else:
        lines = [f"{dotted(chain.node_label)} = Σ over inputs u of (d{x}/du) · u̇"]
        factor, nothing = "tangent", "0 (it does not depend on the seeded inputs)"
    for t in chain.terms:
        head = f"  from {t.other_label} ({t.other_id}): {t.formula}"
        if t.local is None:     # not elementwise (matmul, softmax, sums): only the result
            lines.append(f"{head} = {brief(t.value)}")
        else:
            times = "×" if np.size(t.local) == 1 and np.size(t.upstream) == 1 else "⊙"
            lines.append(f"{head} → local {brief(t.local)} {times} {factor} {brief(t.upstream)}"
                         f" = {brief(t.value)}")
    if not chain.terms:
        lines.append("  (no terms: the pass starts here, from its seed)")
    lines.append(f"= {brief(chain.total) if chain.total is not None else nothing}")
    return "\n".join(lines)


def _stats(a: np.ndarray) -> str:
    finite = a[np.isfinite(a)]
    lines = [f"shape {a.shape} · {a.size} values"]
    if finite.size:
        lines.append(f"min {finite.min():.4g}    max {finite.max():.4g}    mean {finite.mean():.4g}")
        scale = colour_scale(a)
        lines.append(f"‖·‖ {np.linalg.norm(finite):.4g}    colours −{scale:.3g} … 0 … +{scale:.3g}")
    return "\n".join(lines)


def _non_finite(a: np.ndarray) -> str:
    counts = ((np.isnan(a).sum(), "NaN"), (np.isposinf(a).sum(), "+inf"), (np.isneginf(a).sum(), "−inf"))
    found = ", ".join(f"{n} {what}" for n, what in counts if n)
    if not found:
        return ""
    if a.size == 1:
        return "⚠ not a finite number"
    return f"⚠ {found}: black crossed cells; the statistics use the finite cells only"


def _entries(a: np.ndarray) -> str:
    """Small arrays written out as a right-aligned grid (leading axes stacked as rows)."""
    matrix, _ = matrix_view(a)
    cells = [[f"{v:.4g}" for v in row] for row in matrix]
    width = max(len(c) for row in cells for c in row)
    return "\n".join("  ".join(c.rjust(width) for c in row) for row in cells)


def _label(name: str, selectable: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if selectable:      # a lecturer can copy a number or a formula into their notes
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _only(bold: bool = False, italic: bool = False, fixed: bool = False) -> QFont:
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


def _heading(key: str) -> QLabel:
    heading = _label(f"inspector_{key}_heading", selectable=False)
    heading.setFont(_only(bold=True))
    return heading


def _scaled(base: QFont, factor: float) -> QFont:
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:
        font.setPixelSize(round(base.pixelSize() * factor))
    return font


class _ChainLabel(QLabel):
    """The chain rule: drawn as rich text with hanging indents, read back as plain text.

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


class _HeatmapLabel(QLabel):
    """A heatmap pixmap whose tooltip names the entry under the mouse and its value."""

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._array = np.zeros(0)

    def set_array(self, array: np.ndarray, cell: int, max_size: int) -> None:
        self._array = np.asarray(array)
        self.setPixmap(heatmap_pixmap(self._array, cell, max_size))

    def event(self, event: QEvent) -> bool:
        pixmap = self.pixmap()
        if event.type() == QEvent.Type.ToolTip and self._array.size and not pixmap.isNull():
            matrix, _ = matrix_view(self._array)
            rows, cols = matrix.shape
            i = int(event.pos().y() * rows / pixmap.height())
            j = int(event.pos().x() * cols / pixmap.width())
            if 0 <= i < rows and 0 <= j < cols:
                index = np.unravel_index(i * cols + j, self._array.shape) if self._array.ndim else ()
                where = ", ".join(str(int(k)) for k in index)
                QToolTip.showText(event.globalPos(), f"[{where}] = {number(matrix[i, j])}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class _QuantityView(QWidget):
    """A value, gradient or tangent: a number, or a heatmap with its statistics."""

    def __init__(self, key: str, owner: InspectorDock):
        super().__init__()
        self._owner = owner
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading, self.heatmap = _heading(key), _HeatmapLabel(f"inspector_{key}_heatmap")
        self.text, self.flag = _label(f"inspector_{key}"), _label(f"inspector_{key}_flag")
        self.note = _label(f"inspector_{key}_note")
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.entries = _label(f"inspector_{key}_numbers")
        self.entries.setWordWrap(False)
        self.entries.setFont(_only(fixed=True))
        for widget in (self.heading, self.text, self.flag, self.heatmap, self.note, self.entries):
            layout.addWidget(widget)

    def set_quantity(self, heading: str, array: np.ndarray | None) -> None:
        self.heading.setText(heading)
        a = None if array is None else np.asarray(array)
        if a is not None and not np.issubdtype(a.dtype, np.number):
            a = a.astype(float)
        big = a is not None and a.size > 1
        self.heatmap.setVisible(big)
        self.entries.setVisible(big and a.size <= _NUMBERS_UP_TO)
        flag = "" if a is None or a.size == 0 else _non_finite(a.astype(float))
        note = matrix_view(a)[1] if big else ""
        for label, words in ((self.flag, flag), (self.note, note)):
            label.setText(words)
            label.setVisible(bool(words))
        self._owner._tone(self.flag, good=False)
        # A single number is what the lecture is about: a size up, so it reads from the back.
        self.text.setFont(self._owner._number_font if a is not None and a.size == 1
                          else _only(italic=a is None))
        self.text.setForegroundRole(QPalette.ColorRole.PlaceholderText if a is None
                                    else QPalette.ColorRole.WindowText)
        if a is None:
            self.text.setText(NOT_COMPUTED)
        elif a.size == 0:
            self.text.setText(f"empty array, shape {a.shape}")
        elif a.size == 1:
            self.text.setText(number(a) + ("" if a.ndim == 0 else f"    shape {a.shape}"))
        else:
            a = a.astype(float)
            self.text.setText(_stats(a))
            cell, max_size = self._owner._heatmap_size()
            self.heatmap.set_array(a, cell, max_size)
            if a.size <= _NUMBERS_UP_TO:
                self.entries.setText(_entries(a))


class InspectorDock(QDockWidget):
    """A dock showing one node: header, value, gradient, tangent, rule, chain rule and check.

    Child labels with objectNames carry the texts: ``inspector_hint``, ``inspector_title``,
    ``inspector_details``, ``inspector_value``, ``inspector_gradient``, ``inspector_tangent``
    (each with ``_heading``, ``_heatmap``, ``_flag``, ``_note`` and ``_numbers`` siblings),
    ``inspector_formula``, ``inspector_chain`` and ``inspector_check``.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Inspector", parent)
        self.setObjectName("inspector")
        self._info: NodeInfo | None = None
        scroll = QScrollArea()
        scroll.setObjectName("inspector_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        content.setObjectName("inspector_content")
        layout = QVBoxLayout(content)
        self._hint = _label("inspector_hint", selectable=False)
        self._hint.setText(HINT)
        self._hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._body = QWidget()
        body = QVBoxLayout(self._body)
        body.setContentsMargins(0, 0, 0, 0)
        self._title = _label("inspector_title")
        self._details = _label("inspector_details")
        self._details.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        self._value = _QuantityView("value", self)
        self._gradient = _QuantityView("gradient", self)
        self._tangent = _QuantityView("tangent", self)
        self._formula_heading, self._formula = _heading("formula"), _label("inspector_formula")
        self._chain_heading, self._chain = _heading("chain"), _ChainLabel("inspector_chain")
        self._check_heading, self._check = _heading("check"), _label("inspector_check")
        self._check_heading.setText("Gradient check  (finite differences)")
        # The check sits right under the title: when it is on, it is what the user is after.
        for widget in (self._title, self._details, rule, self._check_heading, self._check,
                       self._value, self._gradient, self._tangent,
                       self._formula_heading, self._formula, self._chain_heading, self._chain):
            body.addWidget(widget)
        layout.addWidget(self._hint)
        layout.addWidget(self._body)
        layout.addStretch(1)
        scroll.setWidget(content)
        self.setWidget(scroll)
        self._apply_fonts()
        self.show_node(None)

    @property
    def info(self) -> NodeInfo | None:
        """The node shown, or None."""
        return self._info

    def sizeHint(self) -> QSize:
        em = self.fontMetrics().horizontalAdvance("M")
        return QSize(28 * em, 40 * self.fontMetrics().height())

    def show_node(self, info: NodeInfo | None) -> None:
        """Show this node, or the hint when None.

        Parameters
        ----------
        info : NodeInfo or None
            What :func:`graphviz_nn.session.inspect.describe` says about the node at the
            cursor's position.
        """
        self._info = info
        self._hint.setVisible(info is None)
        self._body.setVisible(info is not None)
        if info is None:
            return
        # An unnamed op's label is one symbol ("^", "@"): its op name makes it readable.
        also = info.name if info.name else info.op
        self._title.setText(info.label + (f"  ({also})" if also and also != info.label else ""))
        parts = [info.kind] + ([f"op {info.op}"] if info.op else [])
        parts += ["scalar" if info.shape == () else f"shape {info.shape}", info.node_id]
        details = "  ·  ".join(parts)
        if info.scope:
            details += "\nscope: " + " › ".join(info.scope)
        self._details.setText(details)
        x = symbol(info.label)
        self._value.set_quantity("Value", info.value)
        self._gradient.set_quantity(f"Gradient  dL/d{x}", info.gradient)
        self._tangent.set_quantity(f"Tangent  {dotted(info.label)}", info.tangent)
        # A pass computes gradients or tangents, never both: once one is known, the other's
        # "not computed yet" would only be noise on the projector.
        self._gradient.setVisible(info.gradient is not None or info.tangent is None)
        self._tangent.setVisible(info.tangent is not None or info.gradient is None)
        self._formula_heading.setText(f"Derivative rule  ({info.op})" if info.op else "Derivative rule")
        self._formula.setText(info.formula)
        self._show(self._formula_heading, self._formula, bool(info.formula))
        chain = info.chain
        if chain is not None:
            mode = "reverse mode" if chain.phase == "backward" else "forward mode"
            self._chain_heading.setText(f"Chain rule  ({mode})")
        self._chain.set_plain(chain_text(chain) if chain is not None else "")
        self._show(self._chain_heading, self._chain, chain is not None)
        self._show_check(info)

    def _show_check(self, info: NodeInfo) -> None:
        error = info.check_error
        self._show(self._check_heading, self._check, error is not None)
        self._check.setProperty("passed", None)
        if error is None:
            self._check.setText("")
            return
        passed = bool(error < CHECK_TOLERANCE)     # NaN fails
        verdict = "✓ passes" if passed else "✗ fails"
        lines = [f"relative error {error:.2e}   {verdict} (tolerance {CHECK_TOLERANCE:.0e})"]
        if info.check_numeric is not None:
            lines.append(f"numeric gradient {brief(info.check_numeric)}")
        self._check.setText("\n".join(lines))
        self._check.setProperty("passed", passed)
        self._tone(self._check, good=passed)

    @staticmethod
    def _show(heading: QLabel, text: QLabel, visible: bool) -> None:
        heading.setVisible(visible)
        text.setVisible(visible)

    def _tone(self, label: QLabel, good: bool) -> None:
        """Colour a label green or red, in shades that read on both light and dark themes."""
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        colour = ("#3DDC97" if dark else "#00774F") if good else ("#FF6B6B" if dark else "#C00000")
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        label.setPalette(palette)

    def _heatmap_size(self) -> tuple[int, int]:
        """Cell and maximum side of heatmaps, growing with the font (a projector needs both)."""
        line = self.fontMetrics().height()
        return max(14, round(1.4 * line)), max(240, 16 * line)

    def _apply_fonts(self) -> None:
        title = _scaled(self.font(), 1.5)
        title.setBold(True)
        self._title.setFont(title)
        self._number_font = _scaled(self.font(), 1.25)
        line = self.fontMetrics().height()
        self._body.layout().setSpacing(round(0.25 * line))
        # Air above each heading, none below: a heading visibly belongs to what follows.
        for heading in self.findChildren(QLabel, options=Qt.FindChildOption.FindChildrenRecursively):
            if heading.objectName().endswith("_heading"):
                heading.setContentsMargins(0, round(0.7 * line), 0, 0)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange) and hasattr(self, "_body"):
            # Heatmap cells and the title follow the font; check colours follow the theme.
            self._apply_fonts()
            self.show_node(self._info)
