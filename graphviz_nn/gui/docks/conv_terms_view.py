"""The terms of one convolution weight entry's gradient: what the filter entry met, where.

A few terms (up to :data:`TABLE_UP_TO`) are a table, one row per sample and position: the
input value the entry multiplied, the upstream gradient, their product, and a last row with
their sum, the entry's gradient. More are two heatmaps with their indices, the input values
that met the entry and the upstream gradient (one sample at a time for 2-D maps), and the
total. Everything shown comes from a :class:`~graphviz_nn.session.conv_chain.ConvTerms`;
fonts follow the widget's, never below 12 pixels (a projector's back row).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontInfo, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QHBoxLayout, QHeaderView, QLabel,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...session.box_detail import READABLE_PIXELS
from ...session.conv_chain import ConvTerms
from ...session.conv_terms_text import (formula, met_text, row_texts, source_text, total_text, upstream_entries_text,
                                        upstream_text)
from ...session.number_text import cell, number, shape_text
from ...session.symbols import at
from .array_view import HeatmapAxes
from .inspector_parts import label, only

__all__ = ["COLUMNS", "HINT", "TABLE_UP_TO", "ConvTermsView"]

TABLE_UP_TO = 64    # terms (samples × positions) written out as rows; more are heatmaps
COLUMNS = ("n", "position", "input", "upstream g", "product")
HINT = "Select an entry of a convolution's weight or bias to see the terms its gradient adds up."


class ConvTermsView(QWidget):
    """One weight entry's gradient as the terms it is the sum of.

    Public children: ``formula_label`` (the sum written out), ``table`` (the terms, total
    last), ``inputs_map`` and ``upstream_map`` (heatmaps with indices) with ``sample_box``
    (which sample they show), and ``total_label``. ``mode`` says which is shown.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conv_terms")
        self._terms: ConvTerms | None = None
        self._output = "L"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.hint = label("conv_terms_hint", selectable=False)
        self.hint.setText(HINT)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.formula_label = label("conv_terms_formula")
        self.legend_label = label("conv_terms_legend")
        self.legend_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.table = self._make_table()
        self.maps = QWidget()
        self.maps.setObjectName("conv_terms_maps")
        maps = QVBoxLayout(self.maps)
        maps.setContentsMargins(0, 0, 0, 0)
        self.sample_box = QSpinBox()
        self.sample_box.setObjectName("conv_terms_sample")
        self._sample_row = QWidget()
        row = QHBoxLayout(self._sample_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Sample n ="))
        row.addWidget(self.sample_box)
        row.addStretch(1)
        self.inputs_caption = label("conv_terms_inputs_caption", selectable=False)
        self.inputs_map = HeatmapAxes("conv_terms_inputs")
        self.upstream_caption = label("conv_terms_upstream_caption", selectable=False)
        self.upstream_map = HeatmapAxes("conv_terms_upstream")
        for widget in (self._sample_row, self.inputs_caption, self.inputs_map, self.upstream_caption,
                       self.upstream_map):
            maps.addWidget(widget)
        self.total_label = label("conv_terms_total")
        self.total_label.setFont(only(bold=True))
        for widget in (self.hint, self.formula_label, self.legend_label, self.table, self.maps, self.total_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.sample_box.valueChanged.connect(self._on_sample_box_value_changed)
        self._readable()
        self.show_terms(None)

    @staticmethod
    def _make_table() -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setObjectName("conv_terms_table")
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.verticalHeader().setVisible(False)     # the n and position columns say which term
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setWordWrap(False)
        table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setHighlightSections(False)
        return table

    @property
    def terms(self) -> ConvTerms | None:
        """The terms shown, or None."""
        return self._terms

    @property
    def mode(self) -> str:
        """Which is shown: "table", "heatmaps", or "none" before any terms."""
        if self._terms is None:
            return "none"
        return "table" if self._terms.count <= TABLE_UP_TO else "heatmaps"

    @property
    def sample(self) -> int | None:
        """The sample the heatmaps show, or None when they show every sample (1-D) or none."""
        return self.sample_box.value() if self._per_sample() else None

    @property
    def shown_inputs(self) -> np.ndarray | None:
        """The input values drawn in the heatmap, or None (a table, or a bias: it meets no input)."""
        if self.mode != "heatmaps" or self._terms.parameter == "bias":
            return None
        return self._slice(self._terms.inputs)

    @property
    def shown_upstream(self) -> np.ndarray | None:
        """The upstream gradient drawn in the heatmap, or None in a table."""
        return self._slice(self._terms.upstream) if self.mode == "heatmaps" else None

    @property
    def total_cell(self) -> str:
        """The text of the table's total (its last row's product), "" when no table is shown."""
        if self.mode != "table":
            return ""
        return self.table.item(self.table.rowCount() - 1, len(COLUMNS) - 1).text()

    def show_terms(self, terms: ConvTerms | None, output: str = "L") -> None:
        """Show these terms (the hint when None); ``output`` names what is differentiated."""
        self._terms, self._output = terms, output
        mode = self.mode
        self.hint.setVisible(mode == "none")
        for widget in (self.formula_label, self.legend_label, self.total_label):
            widget.setVisible(mode != "none")
        self.table.setVisible(mode == "table")
        self.maps.setVisible(mode == "heatmaps")
        if terms is None:
            self.table.setRowCount(0)
            return
        self.formula_label.setText(formula(terms, output))
        self.legend_label.setText(upstream_text(terms, output))
        if mode == "table":
            self._fill_table(terms)
        else:
            self._sample_row.setVisible(self._per_sample())
            self.sample_box.blockSignals(True)
            self.sample_box.setRange(0, terms.inputs.shape[0] - 1)
            self.sample_box.blockSignals(False)
            self._draw_maps()
        self._write_total()

    def set_sample(self, n: int) -> None:
        """Show sample ``n`` in the heatmaps (clamped to the samples there are)."""
        self.sample_box.setValue(n)

    def _fill_table(self, terms: ConvTerms) -> None:
        table = self.table
        table.setRowCount(terms.count + 1)
        faint = self.palette().color(QPalette.ColorRole.PlaceholderText)
        for row, (n, *position) in enumerate(np.ndindex(terms.inputs.shape)):
            source = source_text(terms, n, position)
            for col, text in enumerate(row_texts(terms, n, position)):
                item = self._item(text)
                if col == 2:
                    item.setToolTip(source)
                    if terms.parameter == "weight" and terms.source(n, position) is None:
                        item.setForeground(faint)       # a zero from the padding, not the input
                table.setItem(row, col, item)
        last = terms.count
        for col, text in enumerate(("Σ", "", "", "", cell(terms.total))):
            item = self._item(text)
            item.setData(Qt.ItemDataRole.FontRole, only(bold=True))
            table.setItem(last, col, item)
        table.item(last, 4).setToolTip(total_text(terms, self._output))
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        table.updateGeometry()

    @staticmethod
    def _item(text: str) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def _per_sample(self) -> bool:
        """2-D maps are drawn one sample at a time; 1-D ones as samples × positions."""
        return self.mode == "heatmaps" and len(self._terms.positions) == 2

    def _slice(self, array: np.ndarray) -> np.ndarray:
        return array[self.sample_box.value()] if self._per_sample() else array

    def _draw_maps(self) -> None:
        terms = self._terms
        cell_side, max_size = self._heatmap_size()
        n = str(self.sample_box.value()) if self._per_sample() else "n"
        axes = "" if self._per_sample() else "samples n × positions t: "
        bias = terms.parameter == "bias"
        self.inputs_caption.setVisible(not bias)
        self.inputs_map.setVisible(not bias)
        if not bias:
            inputs = self.shown_inputs
            self.inputs_caption.setText(f"{met_text(terms, n)}, met by {at(terms.parameter_label, terms.entry)}"
                                        f"  ({axes}{shape_text(inputs.shape)})")
            self._draw(self.inputs_map, inputs, cell_side, max_size)
        upstream = self.shown_upstream
        self.upstream_caption.setText(f"{upstream_entries_text(terms, n)}, the upstream gradient"
                                      f"  ({axes}{shape_text(upstream.shape)})")
        self._draw(self.upstream_map, upstream, cell_side, max_size)

    @staticmethod
    def _draw(heatmap: HeatmapAxes, array: np.ndarray, cell_side: int, max_size: int) -> None:
        heatmap.set_array(array, cell_side, max_size)
        heatmap.setMinimumSize(heatmap.sizeHint())   # never squeezed: its indices would be cut off

    def _heatmap_size(self) -> tuple[int, int]:
        """Cell and longest side of the heatmaps, growing with the font, as the inspector's."""
        line = self.fontMetrics().height()
        return max(14, round(1.4 * line)), max(240, 16 * line)

    def _write_total(self) -> None:
        terms = self._terms
        text = total_text(terms, self._output)
        if self.sample is not None:
            n = self.sample
            text += f"\nsample {n} adds {number(terms.products[n].sum())} of it"
        self.total_label.setText(text)

    def _on_sample_box_value_changed(self, _value: int) -> None:
        if self.mode == "heatmaps":
            self._draw_maps()
            self._write_total()

    def _readable(self) -> None:
        """Never smaller than :data:`READABLE_PIXELS`: the app's font may be set small."""
        if QFontInfo(self.font()).pixelSize() < READABLE_PIXELS:
            font = self.font()
            font.setPixelSize(round(READABLE_PIXELS))
            self.setFont(font)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "table"):
            self._readable()
            self.show_terms(self._terms, self._output)      # heatmap cells follow the font
