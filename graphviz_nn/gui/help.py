"""Help: the keyboard shortcuts and About graphviz-nn."""

from __future__ import annotations

import platform

import numpy as np
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget


def about_text() -> str:
    """What Help > About says."""
    from ..version import __version__

    return (f"<b>graphviz-nn {__version__}</b><p>See how neural networks compute and learn: a graph "
            "engine with forward and reverse mode, drawn with Graphviz's layout.</p>"
            f"<p>MIT licence.</p><p>Python {platform.python_version()}, Qt {qVersion()} "
            f"(PySide6 {PySide6.__version__}), numpy {np.__version__}, on {platform.system()}.</p>")




def show_about(parent: QWidget) -> None:
    """Help > About: the version, the licence and what it runs on."""
    QMessageBox.about(parent, "About graphviz-nn", about_text())


def show_shortcuts(parent: QWidget, actions) -> None:
    """Help > Keyboard shortcuts: every action that has keys, with its keys."""
    lines = [f"{a.text().replace('&', '')}: {', '.join(k.toString() for k in a.shortcuts())}"
             for a in actions.values() if a.shortcuts()]
    QMessageBox.information(parent, "Keyboard shortcuts", "\n".join(lines))
