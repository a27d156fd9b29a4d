"""The "Model builder" dock: a Sequential model's layers, added, removed, reordered and sized
in place, checked as you type.

The dock shows a :class:`~graphviz_nn.session.model_builder.ModelBuilder` it is handed:
every button, key and box calls the builder, and the dock redraws at its events. A size that
does not fit is refused in the message line, naming the layer and the two shapes, while the
builder keeps the last model that fitted; "Build" asks for that model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QFont, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDockWidget, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from ...nn.layer_types import LAYER_TYPES, Arg
from ...nn.spec_shapes import shown
from ...session.layer_drafts import offered_types, read_text, shown_value
from ...session.model_builder import ModelBuilder
from ..canvas.theme import Theme, system_theme
from .number_box import NumberBox
from .summary_dock import readable_font

#: The keys of the dock's actions (each also a button or the type box).
KEYS = {"move_up": "Ctrl+Up", "move_down": "Ctrl+Down", "remove": "Delete", "undo": "Ctrl+Z",
        "redo": "Ctrl+Shift+Z", "build": "Ctrl+B"}


def _signature(type_name: str) -> str:
    """``Linear(in_features, out_features, bias)``: what a type's tooltip says."""
    return f"{type_name}({', '.join(a.name for a in LAYER_TYPES[type_name].args)})"


class BuilderDock(QDockWidget):
    """A view of a model builder: its layers as a tree (each layer's arguments as its rows,
    edited in place), the type box and Add, the buttons, the message line and Build.

    Parameters
    ----------
    builder : ModelBuilder
        The document drawn here; never created by the dock.
    parent : QWidget, optional
    theme : Theme, optional
        Colours; the system's light or dark theme by default (a refusal in its "bad" colour).

    Signals
    -------
    build_requested(ModelSpec)
        Build pressed: the builder's last good spec, to build, draw and train.
    """

    build_requested = Signal(object)

    def __init__(self, builder: ModelBuilder, parent: QWidget | None = None, theme: Theme | None = None):
        super().__init__("Model builder", parent)
        self.setObjectName("builder")
        self.builder = builder
        self.theme = theme if theme is not None else system_theme()
        self._types: list[str] = []  # the layer types the tree holds, in order
        self._editors: dict[tuple[int, str], QWidget] = {}

        body = QWidget(self)
        body.setFont(readable_font(body.font()))
        self._type_box = QComboBox(body)
        self._type_box.setObjectName("builder_type")
        for name in offered_types():
            self._type_box.addItem(name)
            self._type_box.setItemData(self._type_box.count() - 1, _signature(name), Qt.ItemDataRole.ToolTipRole)
        self._tree = QTreeWidget(body)
        self._tree.setObjectName("builder_layers")
        self._tree.setColumnCount(2)
        self._tree.setHeaderLabels(["Layer", "Output shape / size"])
        self._tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        self._message = QLabel(body)
        self._message.setObjectName("builder_message")
        self._message.setWordWrap(True)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.actions_by_name: dict[str, QAction] = {}
        requests = (("add", "Add", self._on_add_clicked), ("move_up", "Up", lambda: self._move(-1)),
                    ("move_down", "Down", lambda: self._move(1)), ("remove", "Remove", self._on_remove_clicked),
                    ("undo", "Undo", lambda: self.builder.undo()), ("redo", "Redo", lambda: self.builder.redo()),
                    ("build", "Build", self._on_build_clicked))
        buttons = {name: self._button(body, name, text, slot) for name, text, slot in requests}
        self._buttons = buttons
        self.actions_by_name["redo"].setShortcuts([QKeySequence(KEYS["redo"]), QKeySequence("Ctrl+Y")])
        self._buttons["build"].setToolTip("Build the last model that fitted (Ctrl+B)")

        layout = QVBoxLayout(body)
        top = QHBoxLayout()
        top.addWidget(self._type_box, 1)
        top.addWidget(buttons["add"])
        layout.addLayout(top)
        layout.addWidget(self._tree, 1)
        row = QHBoxLayout()
        for name in ("move_up", "move_down", "remove", "undo", "redo"):
            row.addWidget(buttons[name])
        layout.addLayout(row)
        layout.addWidget(self._message)
        layout.addWidget(buttons["build"])
        self.setWidget(body)

        builder.events.layers_changed.connect(self._on_builder_layers_changed)
        builder.events.input_changed.connect(lambda shape, tokens: self._on_builder_layers_changed())
        self._on_builder_layers_changed()

    def _button(self, body: QWidget, name: str, text: str, slot) -> QPushButton:
        button = QPushButton(text, body)
        button.setObjectName(f"builder_{name}")
        button.clicked.connect(slot)
        if name in KEYS:
            action = QAction(text, self)
            action.setObjectName(f"builder_{name}_action")
            action.setShortcut(QKeySequence(KEYS[name]))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            # Delete acts on the layer list only: in a size box it deletes a digit.
            (self._tree if name == "remove" else self).addAction(action)
            self.actions_by_name[name] = action
            button.setToolTip(f"{text} ({QKeySequence(KEYS[name]).toString(QKeySequence.SequenceFormat.NativeText)})")
        return button

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        em = self.fontMetrics().horizontalAdvance("M")
        return QSize(26 * em, 24 * self.fontMetrics().height())

    @property
    def current_layer(self) -> int | None:
        """The layer selected (the one an argument row selected belongs to), or None."""
        item = self._tree.currentItem()
        if item is None:
            return None
        top = item if item.parent() is None else item.parent()
        return self._tree.indexOfTopLevelItem(top)

    def select_layer(self, index: int) -> None:
        """Select layer ``index`` (clamped to the layers there are)."""
        if self._tree.topLevelItemCount():
            index = min(max(index, 0), self._tree.topLevelItemCount() - 1)
            self._tree.setCurrentItem(self._tree.topLevelItem(index))

    def editor(self, index: int, name: str) -> QWidget:
        """The box that edits argument ``name`` of layer ``index``."""
        return self._editors[(index, name)]

    @property
    def message(self) -> str:
        """The message line as shown: why the layers are refused, or what they make."""
        return self._message.text()

    def _on_add_clicked(self) -> None:
        current = self.current_layer
        self.select_layer(self.builder.add(self._type_box.currentText(), None if current is None else current + 1))

    def _on_remove_clicked(self) -> None:
        current = self.current_layer
        if current is not None:
            self.builder.remove(current)
            self.select_layer(current)

    def _move(self, offset: int) -> None:
        current = self.current_layer
        if current is not None:
            self.select_layer(self.builder.move(current, offset))

    def _on_build_clicked(self) -> None:
        self.build_requested.emit(self.builder.spec)

    def _on_editor_edited(self, index: int, name: str, value: Any) -> None:
        self.builder.set_arg(index, name, value)

    def _on_tree_current_item_changed(self, *_) -> None:
        # Only the current layer shows its sizes: the others stay one line each, so the
        # whole model reads at a glance (a CNN's ten layers with every size took 40 lines).
        current = self.current_layer
        for index in range(self._tree.topLevelItemCount()):
            self._tree.topLevelItem(index).setExpanded(index == current)
        self._enable_buttons()

    def _on_builder_layers_changed(self) -> None:
        layers = self.builder.layers
        if [layer["type"] for layer in layers] != self._types:
            self._rebuild(layers)
        else:
            for index, layer in enumerate(layers):
                for arg in LAYER_TYPES[layer["type"]].args:
                    _show_value(self._editors[(index, arg.name)], arg, layer[arg.name])
        self._show_shapes()
        self._show_message()
        self._enable_buttons()

    def _rebuild(self, layers) -> None:
        current = self.current_layer
        self._tree.clear()
        self._editors.clear()
        self._types = [layer["type"] for layer in layers]
        for index, layer in enumerate(layers):
            item = QTreeWidgetItem(self._tree, [f"{index}  {layer['type']}", ""])
            item.setToolTip(0, _signature(layer["type"]))
            for arg in LAYER_TYPES[layer["type"]].args:
                row = QTreeWidgetItem(item, [arg.name, ""])
                editor = self._make_editor(index, arg)
                _show_value(editor, arg, layer[arg.name])
                self._tree.setItemWidget(row, 1, editor)
                self._editors[(index, arg.name)] = editor
        self._tree.expandAll()  # measured with every argument's name, then folded to the current layer
        self._tree.resizeColumnToContents(0)
        self.select_layer(current if current is not None else 0)

    def _make_editor(self, index: int, arg: Arg) -> QWidget:
        def edited(value: Any) -> None:
            self._on_editor_edited(index, arg.name, value)

        if arg.kind == "flag":
            editor = QCheckBox()
            editor.toggled.connect(edited)
        elif arg.kind == "choice":
            editor = QComboBox()
            editor.addItems(arg.choices)
            editor.currentTextChanged.connect(edited)
        elif arg.kind in ("whole", "real") and not arg.optional:
            kind = int if arg.kind == "whole" else float
            editor = NumberBox(kind, arg.least, arg.most, 1 if kind is int else 0.05,
                               sample=str(int(arg.most)) if kind is int else "0.125")
            editor.valueChanged.connect(edited)
        else:  # a pair, a shape, or a size that may be left out: typed as "3" or "3, 2"
            editor = QLineEdit()
            editor.setPlaceholderText("as the kernel" if arg.optional else "3 or 3, 2")
            editor.textEdited.connect(edited)
        editor.setObjectName(f"builder_{index}_{arg.name}")
        return editor

    def _show_shapes(self) -> None:
        problem_at = self.builder.problem_index
        bad = QBrush(self.theme.bad)
        for index, shape in enumerate(self.builder.shapes):
            item = self._tree.topLevelItem(index)
            refused = index == problem_at
            item.setText(1, "✗ does not fit" if refused else shown(shape) if shape is not None else "—")
            item.setForeground(1, bad if refused else QBrush())
            item.setToolTip(1, self.builder.problem if refused else "")
            font = QFont(item.font(0))
            font.setBold(refused)
            item.setFont(0, font)

    def _show_message(self) -> None:
        problem, builder = self.builder.problem, self.builder
        if problem is None:
            out = builder.shapes[-1]
            text = f"{len(builder.layers)} layers fit: {shown(builder.input_shape)} → {shown(out)}"
        else:
            text = f"{problem}. Build keeps the last model that fitted ({len(builder.spec.layers)} layers)."
        self._message.setText(text)
        colour = self.theme.bad.name() if problem is not None else self.theme.text.name()
        self._message.setStyleSheet(f"color: {colour}")

    def _enable_buttons(self) -> None:
        current, count = self.current_layer, len(self._types)
        enabled = {"move_up": current is not None and current > 0,
                   "move_down": current is not None and current < count - 1,
                   "remove": current is not None, "undo": self.builder.can_undo, "redo": self.builder.can_redo}
        for name, on in enabled.items():
            self._buttons[name].setEnabled(on)
            self.actions_by_name[name].setEnabled(on)


def _show_value(editor: QWidget, arg: Arg, value: Any) -> None:
    """Put ``value`` in ``editor`` unless it already says it (a box being typed in keeps its
    text: "3," on the way to "3, 2" reads as 3 already), without a signal back."""
    editor.blockSignals(True)
    try:
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        elif isinstance(editor, NumberBox):
            if value != editor.value() and isinstance(value, (int, float)) and not isinstance(value, bool):
                editor.setValue(value)
        elif read_text(arg, editor.text()) != value:
            editor.setText(shown_value(value))
    finally:
        editor.blockSignals(False)
