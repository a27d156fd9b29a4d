"""graphviz_nn.show opens the window on a graph built in Python."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import shiboken6

import graphviz_nn as gn

from .conftest import ready

ROOT = Path(__file__).resolve().parents[2]


def test_show_without_blocking_returns_the_window(qtbot) -> None:
    W = gn.Variable(np.array([[0.5, -1.0], [2.0, 0.25]]), "W")
    x = gn.Constant([1.0, 2.0], "x")
    loss = gn.sum(gn.tanh(W @ x))
    loss.name = "loss"
    window = gn.show(loss, block=False)
    qtbot.waitUntil(lambda: ready(window), timeout=60000)  # its own layout worker starts first
    assert window.model.graph.outputs == (loss,) and len(window.view.nodes) == len(window.model.graph)
    window.stepping.set_phase("backward")
    window.stepping.to_end()
    assert window.view.nodes[window.model.graph.id_of(W)].second_text.startswith("∇ ")
    window.close()  # a window shown from Python frees itself when closed (notebooks show again)
    qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=5000)


def test_show_refuses_other_things() -> None:
    with pytest.raises(TypeError, match="takes a Graph or a Node"):
        gn.show(42, block=False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a display is always there elsewhere")
def test_show_without_a_display_raises_instead_of_aborting(tmp_path) -> None:
    """Qt aborts the process without a display (status 134), and a notebook's kernel with it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    code = textwrap.dedent("""
        import sys
        import graphviz_nn as gn
        try:
            gn.show(gn.sin(gn.Variable(0.5, "x")))
        except RuntimeError as error:
            print(error)
        print(sorted(m for m in sys.modules if m in ("PySide6.QtGui", "PySide6.QtWidgets")))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "graphviz_nn.show: cannot open the window: no display: set DISPLAY (X11) or WAYLAND_DISPLAY, "
        "or run headless with QT_QPA_PLATFORM=offscreen",
        "[]",  # Qt was not started
    ]
