"""A node's value, gradient or tangent in the inspector: a number, or a heatmap with its statistics."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from ...session.map_grid import MapPlan
from ...session.number_text import cell, number
from ..canvas.heatmap import colour_scale, heatmap_pixmap, matrix_view
from .inspector_parts import heading, label, only
from .map_grid_view import MapGridView

__all__ = ["NOT_COMPUTED", "QuantityView"]

NOT_COMPUTED = "not computed yet"
_NUMBERS_UP_TO = 24     # arrays this small also get their entries written out


class _Owner(Protocol):
    """What a quantity view asks of the dock it sits in."""

    number_font: QFont

    def tone(self, label: QLabel, good: bool) -> None: ...

    def heatmap_size(self) -> tuple[int, int]: ...


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


def _entries(a: np.ndarray, most: int | None = None) -> str:
    """Small arrays written out as a right-aligned grid (leading axes stacked as rows); a row
    of more than ``most`` entries goes on over several lines, whole entries to a line."""
    matrix, _ = matrix_view(a)
    cells = [[cell(v) for v in row] for row in matrix]
    width = max(len(c) for row in cells for c in row)
    per_line = max(1, most or len(matrix[0]))
    return "\n".join("  ".join(c.rjust(width) for c in row[i:i + per_line])
                     for row in cells for i in range(0, len(row), per_line))


class EntriesLabel(QLabel):
    """A small array's entries in a fixed-width grid that breaks its rows between entries to
    fit its width: it never asks for more than one entry's width (a row of eight numbers
    made the inspector 846 pixels wide and cut every line at the right of a 426-pixel dock)."""

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setFont(only(fixed=True))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._array: np.ndarray | None = None

    def set_array(self, a: np.ndarray) -> None:
        self._array = a
        self._write()

    def _write(self) -> None:
        if self._array is None:
            return
        widest = max(len(cell(v)) for v in np.ravel(self._array))
        advance = self.fontMetrics().horizontalAdvance("0")
        most = max(1, (self.width() + 2 * advance) // max(1, (widest + 2) * advance))
        text = _entries(self._array, most)
        if text != self.text():
            self.setText(text)

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        if self._array is not None:
            widest = max(len(cell(v)) for v in np.ravel(self._array))
            hint.setWidth(self.fontMetrics().horizontalAdvance("0" * widest))
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._write()


class HeatmapLabel(QLabel):
    """A heatmap pixmap whose tooltip names the entry under the mouse and its value."""

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._array = np.zeros(0)

    def set_array(self, array: np.ndarray, cell_side: int, max_size: int) -> None:
        """Draw the array as a heatmap (see :func:`~graphviz_nn.gui.canvas.heatmap.heatmap_pixmap`)."""
        self._array = np.asarray(array)
        self.setPixmap(heatmap_pixmap(self._array, cell_side, max_size))

    def event(self, event: QEvent) -> bool:
        pixmap = self.pixmap()
        if event.type() == QEvent.Type.ToolTip and self._array.size and not pixmap.isNull():
            matrix, _ = matrix_view(self._array)
            rows, cols = matrix.shape
            size = pixmap.deviceIndependentSize()
            i = int(event.pos().y() * rows / size.height())
            j = int(event.pos().x() * cols / size.width())
            if 0 <= i < rows and 0 <= j < cols:
                index = np.unravel_index(i * cols + j, self._array.shape) if self._array.ndim else ()
                where = ", ".join(str(int(k)) for k in index)
                QToolTip.showText(event.globalPos(), f"[{where}] = {number(matrix[i, j])}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class QuantityView(QWidget):
    """A value, gradient or tangent: a number, or a heatmap with its statistics; an array of
    more than two axes, or a labelled one, as a grid of maps (``maps``, a
    :class:`~graphviz_nn.gui.docks.map_grid_view.MapGridView` named ``inspector_<key>_maps``)."""

    def __init__(self, key: str, owner: _Owner):
        super().__init__()
        self._owner = owner
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading, self.heatmap = heading(key), HeatmapLabel(f"inspector_{key}_heatmap")
        self.text, self.flag = label(f"inspector_{key}"), label(f"inspector_{key}_flag")
        self.note = label(f"inspector_{key}_note")
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.entries = EntriesLabel(f"inspector_{key}_numbers")
        self.maps = MapGridView(f"inspector_{key}_maps")
        for widget in (self.heading, self.text, self.flag, self.heatmap, self.maps, self.note, self.entries):
            layout.addWidget(widget)

    def set_quantity(self, title: str, array: np.ndarray | None, plan: MapPlan | None = None,
                     chosen=None) -> None:
        """Show ``array`` under ``title``; None is "not computed yet". With a ``plan`` for its
        shape (:func:`~graphviz_nn.session.map_grid.plan_maps`) it is drawn as maps, at the
        chooser indices ``chosen`` (a mapping by chooser name)."""
        self.heading.setText(title)
        a = None if array is None else np.asarray(array)
        if a is not None and not np.issubdtype(a.dtype, np.number):
            a = a.astype(float)
        big = a is not None and a.size > 1
        maps = big and plan is not None and a.shape == plan.shape
        self.heatmap.setVisible(big and not maps)
        self.maps.setVisible(maps)
        self.entries.setVisible(big and a.size <= _NUMBERS_UP_TO)
        flag = "" if a is None or a.size == 0 else _non_finite(a.astype(float))
        note = matrix_view(a)[1] if big and not maps else ""
        for widget, words in ((self.flag, flag), (self.note, note)):
            widget.setText(words)
            widget.setVisible(bool(words))
        self._owner.tone(self.flag, good=False)
        # A single number is what the lecture is about: a size up, so it reads from the back.
        self.text.setFont(self._owner.number_font if a is not None and a.size == 1
                          else only(italic=a is None))
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
            if maps:
                self.maps.show_array(a, plan, chosen)
            else:
                cell_side, max_size = self._owner.heatmap_size()
                self.heatmap.set_array(a, cell_side, max_size)
            if a.size <= _NUMBERS_UP_TO:
                self.entries.set_array(a)
