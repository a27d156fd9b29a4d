"""Colours of the window: light and dark schemes, node kinds, highlights, colour scales.

Node colours follow the Okabe-Ito palette of the exported drawings, so the window and the
exports match and both read for colour-blind viewers; each kind also has its own shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication

from ..layout.style import STYLES


@dataclass(frozen=True)
class Theme:
    dark: bool
    background: QColor
    text: QColor
    muted: QColor
    cluster_fill: QColor
    cluster_border: QColor
    edge: QColor
    forward: QColor     # edges carrying values forward, and the current node's ring
    backward: QColor    # edges carrying gradients back
    tangent: QColor
    bad: QColor         # non-finite values, failed checks, breakpoints

    def fill(self, kind: str) -> QColor:
        colour = QColor(STYLES[kind].fill)
        return colour.darker(330) if self.dark else colour

    def border(self, kind: str) -> QColor:
        colour = QColor(STYLES[kind].border)
        return colour.lighter(135) if self.dark else colour


LIGHT = Theme(False, QColor("#FFFFFF"), QColor("#111111"), QColor("#9A9A9A"), QColor("#F5F5F5"),
              QColor("#B4B4B4"), QColor("#555555"), QColor("#E69F00"), QColor("#CC79A7"),
              QColor("#56B4E9"), QColor("#D00000"))
DARK = Theme(True, QColor("#1E1E1E"), QColor("#EEEEEE"), QColor("#7A7A7A"), QColor("#2A2A2A"),
             QColor("#5A5A5A"), QColor("#B0B0B0"), QColor("#F0B429"), QColor("#E58BC2"),
             QColor("#7CC7F2"), QColor("#FF5050"))


def system_theme() -> Theme:
    """The theme matching the system's light or dark scheme."""
    app = QGuiApplication.instance()
    if app is not None and app.styleHints().colorScheme() == Qt.ColorScheme.Dark:
        return DARK
    return LIGHT


# A sequential, colour-blind-safe scale (viridis, sampled) for gradient magnitudes.
_VIRIDIS = np.array([
    [68, 1, 84], [72, 36, 117], [65, 68, 135], [53, 95, 141], [42, 120, 142], [33, 145, 140],
    [34, 168, 132], [68, 191, 112], [122, 209, 81], [189, 223, 38], [253, 231, 37]], dtype=float)


def scale_colour(t: float) -> QColor:
    """A colour of the sequential scale for t in [0, 1]."""
    t = float(np.clip(t, 0.0, 1.0)) * (len(_VIRIDIS) - 1)
    i = min(int(t), len(_VIRIDIS) - 2)
    r, g, b = _VIRIDIS[i] + (t - i) * (_VIRIDIS[i + 1] - _VIRIDIS[i])
    return QColor(int(r), int(g), int(b))


def check_colour(relative_error: float) -> QColor:
    """Green where the gradient check passes, amber where it is doubtful, red where it fails."""
    if relative_error < 1e-6:
        return QColor("#009E73")
    if relative_error < 1e-3:
        return QColor("#E69F00")
    return QColor("#D00000")
