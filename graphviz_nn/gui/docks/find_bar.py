"""Ctrl+F: find a node by name, label or id, and centre it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QWidget

from ...engine import Graph


def find_node(graph: Graph, text: str) -> str | None:
    """The id of the node best matching ``text``: an id, then an exact name or label,
    then one that starts with it, then one that contains it (case-insensitive)."""
    wanted = text.strip().lower()
    if not wanted:
        return None
    if wanted in {f"n{i}" for i in range(len(graph))}:
        return wanted
    labelled = [(graph.id_of(n), (n.name or n.label).lower()) for n in graph.nodes]
    for test in (lambda s: s == wanted, lambda s: s.startswith(wanted), lambda s: wanted in s):
        for node_id, label in labelled:
            if test(label):
                return node_id
    return None


class FindBar(QWidget):
    """A line to type a node's name into; Enter finds it, Escape closes the bar."""

    found = Signal(str)
    missed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("find_bar")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(QLabel("Find node:"))
        self.edit = QLineEdit()
        self.edit.setObjectName("find_text")
        self.edit.setPlaceholderText("name, op or id (n4); Enter to go, Esc to close")
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        row.addWidget(self.edit, 1)
        self.graph: Graph | None = None
        self.hide()

    def set_graph(self, graph: Graph) -> None:
        self.graph = graph
        names = sorted({n.name or n.label for n in graph.nodes})
        completer = QCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.edit.setCompleter(completer)

    def open(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def _on_edit_return_pressed(self) -> None:
        text = self.edit.text()
        node_id = find_node(self.graph, text) if self.graph else None
        (self.found if node_id else self.missed).emit(node_id or text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            self.parentWidget().setFocus() if self.parentWidget() else None
            return
        super().keyPressEvent(event)
