"""The "Model builder" dock, driven as a person does: a size typed that does not fit is refused
in the message line naming the layer and the two shapes, while Build still builds the last
model that fitted; layers are added, removed and reordered with the buttons and the keys."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QFontInfo  # noqa: E402
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QPushButton, QTreeWidget, QWidget  # noqa: E402

from graphviz_nn.gui.docks.builder_dock import BuilderDock  # noqa: E402
from graphviz_nn.nn.model_setup import load_data  # noqa: E402
from graphviz_nn.nn.model_spec import ModelSpec  # noqa: E402
from graphviz_nn.nn.presets import preset  # noqa: E402
from graphviz_nn.session.box_detail import READABLE_PIXELS  # noqa: E402
from graphviz_nn.session.model_builder import ModelBuilder  # noqa: E402

SEED_MLP = ModelSpec.of({"type": "Linear", "in_features": 128, "out_features": 516}, {"type": "ReLU"},
                        {"type": "Linear", "in_features": 516, "out_features": 516}, {"type": "ReLU"},
                        {"type": "Linear", "in_features": 516, "out_features": 1})


def make_dock(qtbot, builder: ModelBuilder) -> BuilderDock:
    dock = BuilderDock(builder)
    qtbot.addWidget(dock)
    dock.resize(420, 680)
    dock.show()
    qtbot.waitExposed(dock)
    dock.activateWindow()  # the keys act in the active window
    qtbot.waitUntil(dock.isActiveWindow)
    return dock


def child(dock: BuilderDock, kind: type, name: str):
    widget = dock.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name!r}"
    return widget


def type_into(qtbot, dock: BuilderDock, index: int, name: str, text: str) -> None:
    """Click into a size box of layer ``index``, select what it holds and type ``text`` key by key."""
    dock.select_layer(index)
    box = dock.editor(index, name)
    line = box.lineEdit() if hasattr(box, "lineEdit") else box
    box.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, text)


def test_a_misfit_typed_is_refused_in_the_message_and_build_builds_the_last_good_model(qtbot):
    builder = ModelBuilder(SEED_MLP, ("N", 128))
    dock = make_dock(qtbot, builder)
    assert dock.message == "5 layers fit: (N, 128) → (N, 1)"

    type_into(qtbot, dock, 2, "in_features", "5")
    assert dock.message.startswith("layer 2 Linear expects (N, 5), gets (N, 516)")
    assert builder.spec == SEED_MLP and builder.layers[2]["in_features"] == 5
    assert dock.editor(2, "in_features").value() == 5  # the box keeps what was typed
    with qtbot.waitSignal(dock.build_requested) as built:
        qtbot.mouseClick(child(dock, QPushButton, "builder_build"), Qt.MouseButton.LeftButton)
    assert built.args == [SEED_MLP]

    qtbot.keyClicks(dock.editor(2, "in_features").lineEdit(), "16")  # "516": fits again
    assert dock.message == "5 layers fit: (N, 128) → (N, 1)" and builder.spec == SEED_MLP
    type_into(qtbot, dock, 4, "out_features", "3")
    assert builder.spec.layers[4]["out_features"] == 3 and dock.message.endswith("→ (N, 3)")
    qtbot.mouseClick(child(dock, QPushButton, "builder_undo"), Qt.MouseButton.LeftButton)
    assert builder.spec.layers[4]["out_features"] == 1 and dock.editor(4, "out_features").value() == 1


def test_a_kernel_typed_as_text_is_read_and_a_shrinking_one_refused(qtbot):
    data = load_data("digits")
    builder = ModelBuilder(preset("cnn", data)[0], data=data)
    dock = make_dock(qtbot, builder)
    good = builder.spec
    type_into(qtbot, dock, 0, "kernel_size", "5, 3")
    assert builder.layers[0]["kernel_size"] == [5, 3]
    assert dock.message.startswith("layer 7 Linear expects (N, 64), gets (N, 32)")  # 8 x 8 now 6 x 8
    assert builder.spec == good
    type_into(qtbot, dock, 0, "kernel_size", "3")
    assert builder.problem is None and dock.editor(0, "kernel_size").text() == "3"


def test_layers_are_added_removed_and_reordered_with_buttons_and_keys(qtbot):
    builder = ModelBuilder(SEED_MLP, ("N", 128))
    dock = make_dock(qtbot, builder)
    types = lambda: [layer["type"] for layer in builder.layers]  # noqa: E731

    dock.select_layer(1)
    child(dock, QComboBox, "builder_type").setCurrentText("Dropout")
    qtbot.mouseClick(child(dock, QPushButton, "builder_add"), Qt.MouseButton.LeftButton)
    assert types() == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear"] and dock.current_layer == 2
    assert builder.problem is None

    tree = child(dock, QTreeWidget, "builder_layers")
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert types()[1:3] == ["Dropout", "ReLU"] and dock.current_layer == 1
    qtbot.mouseClick(child(dock, QPushButton, "builder_move_down"), Qt.MouseButton.LeftButton)
    assert types()[1:3] == ["ReLU", "Dropout"] and dock.current_layer == 2
    tree.setFocus()  # back in the list from the button
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert types() == ["Linear", "ReLU", "Linear", "ReLU", "Linear"] and builder.spec == SEED_MLP

    qtbot.keyClick(tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Dropout" in types()
    qtbot.keyClick(tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert "Dropout" not in types()

    dock.select_layer(0)
    qtbot.mouseClick(child(dock, QPushButton, "builder_remove"), Qt.MouseButton.LeftButton)
    assert dock.message.startswith("layer 1 Linear expects (N, 516), gets (N, 128)")
    assert builder.spec == SEED_MLP
    assert not child(dock, QPushButton, "builder_move_up").isEnabled()  # the first layer is current


def test_a_size_box_keeps_its_keys(qtbot):
    """Delete in a size box deletes a digit, not the layer; the arrows step the size."""
    builder = ModelBuilder(SEED_MLP, ("N", 128))
    dock = make_dock(qtbot, builder)
    dock.select_layer(4)
    box = dock.editor(4, "out_features")
    box.setFocus()
    box.lineEdit().setCursorPosition(0)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Delete)
    assert len(builder.layers) == 5
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert builder.layers[4]["out_features"] == 2


def test_the_dock_is_readable_at_1280_by_720(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    data = load_data("digits")
    dock = BuilderDock(ModelBuilder(preset("cnn", data)[0], data=data), window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.setCentralWidget(QWidget())
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    shown = [w for w in dock.findChildren(QWidget) if w.isVisible() and isinstance(w, (QLabel, QPushButton, QComboBox,
                                                                                       QTreeWidget))]
    assert shown and all(QFontInfo(w.font()).pixelSize() >= READABLE_PIXELS for w in shown)
    assert all(QFontInfo(dock.editor(i, name).font()).pixelSize() >= READABLE_PIXELS for i, name in
               [(0, "in_channels"), (0, "kernel_size"), (0, "bias")])
    assert dock.width() <= 1280 // 2 and dock.height() <= 720
