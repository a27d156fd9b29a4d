"""The README's screenshots, at a 1280 x 720 projector's size.

Run from the repository root on a display of that size with a window manager, so that each
picture shows the window as a lecturer's screen does, its title bar and frame included::

    Xvfb :7 -screen 0 1280x720x24 & DISPLAY=:7 openbox &
    DISPLAY=:7 python assets/screenshots/take_screenshots.py

Each picture is written beside this script. ``--only NAME`` takes one. Offscreen (no window
manager) the pictures show the window without its frame.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QScrollArea, QWidget

from graphviz_nn.gui.app import application, framed_grab, scratch_settings, shot, wait_until
from graphviz_nn.gui.image_bytes import image_bytes
from graphviz_nn.io import write_atomic
from graphviz_nn.gui.main_window import MainWindow
from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.player import Player

HERE = Path(__file__).resolve().parent
SIZE = (1280, 720)


def picture(window: MainWindow, name: str) -> None:
    """The window as the screen shows it, frame included, written beside this script."""
    write_atomic(HERE / name, image_bytes(framed_grab(window)))


def backward_steps(key: str) -> int:
    player = Player(EXAMPLES[key].build())
    player.set_phase("backward")
    return len(player.recording("backward").steps)


def examples() -> None:
    """Each gallery example half-way through its backward pass, fitted."""
    for key in EXAMPLES:
        shot(key, str(HERE / f"example-{key}.png"), "backward", max(1, backward_steps(key) // 2), SIZE,
             frame=True)


def window_pictures() -> None:
    """The pictures the README's window section shows, taken by ``graphviz-nn shot``."""
    shot("scalar", str(HERE / "demo-backward.png"), "backward", 6, SIZE, frame=True)
    shot("scalar", str(HERE / "chain-rule.png"), "backward", None, SIZE, select="x2", frame=True)
    shot("solve", str(HERE / "matrix-chain-rule.png"), "backward", 7, SIZE, select="x", frame=True)
    shot("perceptron", str(HERE / "gradient-check.png"), "backward", None, SIZE, debug="check", frame=True)
    shot("nan", str(HERE / "run-to-nan.png"), None, None, SIZE, debug="nan", frame=True)


def _window(stack: ExitStack, example: str | None) -> MainWindow:
    window = MainWindow(example, settings=stack.enter_context(scratch_settings()), autosave=False)
    window.view.camera.smooth = False
    window.resize(*SIZE)
    window.show()
    wait_until(lambda: False, 0.2)
    window.presentation.keep_on_screen()  # the frame too within the screen
    wait_until(lambda: window.idle and (example is None or window.view.presenter is not None), 60)
    return window


def _presenting(example: str, steps: int, name: str) -> None:
    """Presentation mode ``steps`` steps into the example's backward pass, written as ``name``."""
    with ExitStack() as stack:
        window = _window(stack, example)
        window.stepping.set_phase("backward", steps - 1)
        window.presentation.toggle_presentation()
        wait_until(lambda: False, 1.0)
        picture(window, name)
        window.presentation.toggle_presentation()
        window.close()


def presentation() -> None:
    """Presentation mode, the chain-rule panel on the graph, six steps into the backward pass."""
    _presenting("scalar", 6, "presentation-mode.png")


def presentation_matrix() -> None:
    """Presentation mode on a matrix step of the layer net's backward pass (∂loss/∂W2): the
    panel writes the array's numbers out."""
    _presenting("layer_net", 9, "presentation-matrix.png")


def training() -> None:
    """A digits LayerNet after 15 epochs, at 720 lines, and its backward pass's graph."""
    with ExitStack() as stack:
        window = _window(stack, "scalar")
        window.show_training_dock()
        dock = window.training
        dock.dataset.setCurrentIndex(dock.dataset.findData("digits"))
        dock.epochs.setValue(15)
        dock.settings_toggle.setChecked(False)  # folded to one line: the plots get the room
        stopped = []
        window.training_control.stopped.connect(stopped.append)
        dock.train()
        wait_until(lambda: bool(stopped) and window.idle, 300)
        wait_until(lambda: False, 1.0)
        picture(window, "training-720p.png")
        window.stepping.set_phase("backward", 3)
        window.inspector.raise_()
        wait_until(lambda: False, 0.5)
        picture(window, "trained-digits.png")
        window.close()


def expression() -> None:
    """The Expression tab with a matrix expression, four steps into its backward pass."""
    with ExitStack() as stack:
        window = _window(stack, None)
        window.expression.show()
        window.expression.raise_()
        window.expression.set_expression("sum((W @ x - y)**2)",
                                         {"W": [[1, -0.5], [0.25, 2]], "x": [0.5, -1], "y": [1, 0]})
        wait_until(lambda: window.view.presenter is not None and window.idle, 60)
        window.stepping.set_phase("backward", 3)
        wait_until(lambda: False, 0.5)
        picture(window, "expression-editor.png")
        window.close()


def _pinned(window: MainWindow, node) -> None:
    """The inspector on ``node`` whatever the step, scrolled to what follows its title."""
    window.inspector.raise_()
    window.stepping.on_node_clicked(window.model.graph.id_of(node))


def _scrolled_to(window: MainWindow, widget) -> None:
    """The inspector scrolled so that ``widget`` starts at its top."""
    scroll = window.inspector.findChild(QScrollArea, "inspector_scroll")
    scroll.verticalScrollBar().setValue(widget.mapTo(scroll.widget(), QPoint(0, 0)).y() - 40)
    wait_until(lambda: False, 0.5)


def _named(window: MainWindow, name: str):
    return next(n for n in window.model.graph.nodes if n.name == name)


def architectures() -> None:
    """The architectures' own views: RNN against LSTM with the gradient through time, a filter
    entry's gradient position by position, attention weights with their tokens, the builder."""
    with ExitStack() as stack:
        window = _window(stack, "rnn_vs_lstm")
        steps = len(window.model.player.recording("backward").steps)
        window.stepping.set_phase("backward", steps - 1)
        window.recurrence.raise_()
        wait_until(lambda: False, 0.5)
        picture(window, "recurrence.png")
        window.close()
    with ExitStack() as stack:
        window = _window(stack, "convolution")
        steps = len(window.model.player.recording("backward").steps)
        window.stepping.set_phase("backward", steps - 1)
        _pinned(window, _named(window, "K"))
        window.inspector.entry_clicked.emit((0, 0, 1, 2))
        wait_until(lambda: False, 0.5)
        _scrolled_to(window, window.inspector.conv_terms)
        picture(window, "conv-terms.png")
        window.close()
    with ExitStack() as stack:
        window = _window(stack, "attention")
        window.stepping.set_phase("backward", backward_steps("attention") // 2)
        _pinned(window, next(iter(window.model.built.axis_labels)))
        wait_until(lambda: False, 0.5)
        _scrolled_to(window, window.inspector.findChild(QWidget, "inspector_value_maps"))
        picture(window, "attention-map.png")
        window.close()
    with ExitStack() as stack:
        window = _window(stack, "cnn_digits")
        window.builder.show()
        window.builder.raise_()
        wait_until(lambda: window.summary.summary is not None, 30)
        wait_until(lambda: False, 0.5)
        picture(window, "model-builder.png")
        window.summary.raise_()
        wait_until(lambda: False, 0.5)
        picture(window, "model-summary.png")
        window.close()


TAKES = {"examples": examples, "architectures": architectures, "window": window_pictures, "presentation": presentation,
         "presentation_matrix": presentation_matrix,
         "training": training, "expression": expression}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=TAKES)
    args = parser.parse_args(argv)
    application().setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
    for name, take in TAKES.items():
        if args.only in (None, name):
            take()
            print("taken:", name, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
