"""The chain rule in the inspector: its lines, each term's arrays, and one entry worked out.

The text comes from :mod:`graphviz_nn.session.chain_text`. When the node or a term is an
array, each term gets a row of arrays: local derivative ⊙ upstream = term (backward), or
local derivative ⊙ input tangent = term (tangent); an op that is not elementwise shows the
upstream and the term. Tables (up to 6 × 6) highlight the entries that make the entry being
explained; clicking any entry explains the node's entry it feeds, shown as its own scalar
chain rule under the arrays.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...session.chain_rule import ChainRule, ChainTerm
from ...session.chain_text import entry_text
from ...session.number_text import shape_text
from ...session.symbols import at
from .array_view import ArrayView
from .inspector_parts import ChainLabel, heading, scaled

__all__ = ["ChainView", "TermPanel"]


def _caption(words: str, array) -> str:
    shape = np.shape(array)
    return f"{words}  ({shape_text(shape)})" if shape else words


class TermPanel(QWidget):
    """One term's arrays: as many to a row as the dock's width takes, each operator kept
    with the array after it ("⊙ upstream", "= term").

    ``entry_clicked(key, index)`` says which array ("local", "upstream", "value") and which
    of its entries was clicked.
    """

    entry_clicked = Signal(str, tuple)

    def __init__(self, name: str, term: ChainTerm, phase: str, cell: int, max_size: int,
                 font: QFont):
        super().__init__()
        self.setObjectName(name)
        self.setFont(font)          # the dock's, before the panel is in it: sizes are measured now
        self.term = term
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self.views: dict[str, ArrayView] = {}
        self.operators: list[QLabel] = []
        incoming = "upstream gradient" if phase == "backward" else "input tangent"
        if term.local is not None:
            summed = np.shape(term.value) != np.shape(term.local)
            words = "term" if not summed else ("sum of all entries" if np.size(term.value) == 1
                                               else "summed over the broadcast axes")
            parts = [("", "local", "local derivative", term.local_symbol, term.local),
                     ("⊙", "upstream", incoming, term.upstream_symbol, term.upstream),
                     ("=", "value", words, term.rule, term.value)]
        else:
            parts = [("", "upstream", incoming, term.upstream_symbol, term.upstream),
                     ("→", "value", "term", term.rule, term.value)]
        self._units: list[tuple[QLabel | None, ArrayView]] = []
        for sign_text, key, words, symbol, array in parts:
            sign = None
            if sign_text:
                sign = QLabel(sign_text, self)
                sign.setFont(scaled(self.font(), 1.4))
                sign.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.operators.append(sign)
            view = ArrayView(f"{name}_{key}")
            view.setParent(self)    # children before the panel is shown: shown with it, not later
            view.set_array(_caption(words, array), array, (), cell, max_size)
            view.setToolTip(symbol)
            view.entry_clicked.connect(lambda index, key=key: self.entry_clicked.emit(key, index))
            self.views[key] = view
            self._units.append((sign, view))
        self._width = -1
        self.fit(10 ** 6)

    @property
    def rows(self) -> int:
        """How many rows the arrays take at the last :meth:`fit`."""
        return self._rows.count()

    def fit(self, width: int) -> None:
        """Put as many arrays in each row as fit in ``width`` pixels."""
        if width == self._width:
            return
        self._width = width
        while self._rows.count():
            row = self._rows.takeAt(0).layout()
            while row is not None and row.count():
                row.takeAt(0)
        spacing, row, used = 8, None, 0
        for sign, view in self._units:
            if isinstance(view, ArrayView):
                view.fit(width - (sign.sizeHint().width() + spacing if sign else 0))
            need = view.sizeHint().width() + (sign.sizeHint().width() + spacing if sign else 0)
            if row is None or used + need > width:
                row, used = QHBoxLayout(), 0
                row.setSpacing(spacing)
                self._rows.addLayout(row)
            if sign is not None:
                row.addWidget(sign, 0, Qt.AlignmentFlag.AlignVCenter)
            row.addWidget(view, 0, Qt.AlignmentFlag.AlignTop)
            used += need + spacing
        for k in range(self._rows.count()):
            self._rows.itemAt(k).layout().addStretch(1)
        self._rows.invalidate()
        self.updateGeometry()       # the dock's layout learns the new height now


class ChainView(QWidget):
    """The chain-rule lines, each term's arrays and the entry being explained.

    Named children: ``inspector_chain`` (the lines), ``inspector_chain_term<k>`` (a term's
    arrays, each an :class:`~graphviz_nn.gui.docks.array_view.ArrayView` named
    ``inspector_chain_term<k>_local``, ``_upstream`` and ``_value``), and
    ``inspector_chain_entry`` with its heading (one entry's scalar chain rule).
    """

    entry_selected = Signal(tuple)

    def __init__(self):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = ChainLabel("inspector_chain")
        self._terms = QWidget()
        self._terms.setObjectName("inspector_chain_arrays")
        QVBoxLayout(self._terms).setContentsMargins(0, 0, 0, 0)
        self.entry_heading = heading("chain_entry")
        self.entry = ChainLabel("inspector_chain_entry")
        for widget in (self.text, self._terms, self.entry_heading, self.entry):
            layout.addWidget(widget)
        self._chain: ChainRule | None = None
        self._panels: list[TermPanel] = []
        self._selected: tuple[int, ...] | None = None
        self._width = 0

    @property
    def selected(self) -> tuple[int, ...] | None:
        """The node's entry being explained, or None (a scalar node, or no chain)."""
        return self._selected

    @property
    def panels(self) -> tuple[TermPanel, ...]:
        """The arrays of each term, in the order of the chain rule's terms."""
        return tuple(self._panels)

    def show_chain(self, chain: ChainRule | None, text: str, cell: int, max_size: int) -> None:
        """Show a chain rule (its lines given as ``text``); the first entry is explained."""
        keep = self._selected if self._chain is not None and chain is not None \
            and np.shape(self._chain.total) == np.shape(chain.total) else None
        self._chain = chain
        self.text.set_plain(text)
        for panel in self._panels:
            panel.setParent(None)
            panel.deleteLater()
        self._panels = []
        arrays = chain is not None and chain.terms and (
            np.size(chain.total) > 1 or any(np.size(t.value) > 1 or np.size(t.upstream) > 1
                                            for t in chain.terms))
        self._terms.setVisible(bool(arrays))
        if arrays:
            for k, term in enumerate(chain.terms):
                panel = TermPanel(f"inspector_chain_term{k}", term, chain.phase, cell, max_size, self.font())
                panel.entry_clicked.connect(lambda key, index, k=k: self._on_panel_entry_clicked(k, key, index))
                self._terms.layout().addWidget(panel)
                panel.setVisible(True)      # now, not when the event loop next runs
                self._panels.append(panel)
        self._selected = None
        if chain is not None and chain.entries:
            self.select_entry(keep if keep is not None else chain.entries[0].index)
        else:
            self._show_entry()
        self.fit(self._width)

    def fit(self, width: int) -> None:
        """Lay each term's arrays out for this width (the dock's, less its margins)."""
        self._width = width
        for panel in self._panels:
            panel.fit(width)

    def select_entry(self, index: tuple[int, ...]) -> None:
        """Explain the node's entry at ``index``: highlight what makes it, show its rule."""
        chain = self._chain
        if chain is None or chain.entry(index) is None:
            return
        self._selected = tuple(index)
        rule = chain.entry(index)
        for k, panel in enumerate(self._panels):
            feeding = {p.position for p in rule.pieces if p.term == k}
            own = {self._selected}
            spaces = {"value": own, "local": feeding if chain.phase == "backward" else own,
                      "upstream": feeding}
            for key, view in panel.views.items():
                view.highlight(spaces[key])
        self._show_entry()
        self.entry_selected.emit(self._selected)

    def _show_entry(self) -> None:
        chain, index = self._chain, self._selected
        shown = chain is not None and index is not None
        self.entry_heading.setVisible(shown)
        self.entry.setVisible(shown)
        if not shown:
            self.entry.set_plain("")
            return
        symbol = at(chain.node_symbol or chain.node_label, index)
        self.entry_heading.setText(f"Entry {symbol}  (click any entry above)" if index
                                   else f"{symbol}, product by product")
        self.entry.set_plain(entry_text(chain, chain.entry(index)))

    def _on_panel_entry_clicked(self, term: int, key: str, index: tuple[int, ...]) -> None:
        chain = self._chain
        if chain is None or not chain.entries:
            return
        own_space = key == "value" or (key == "local" and chain.phase == "tangent")
        if own_space:
            self.select_entry(index)
            return
        for rule in chain.entries:      # the first of the node's entries this one feeds
            if any(p.term == term and p.position == index for p in rule.pieces):
                self.select_entry(rule.index)
                return
