"""Colours of the window: light and dark schemes, node kinds, highlights, colour scales.

Node colours follow the Okabe-Ito palette of the exported drawings, so the window and the
exports match and both read for colour-blind viewers; each kind also has its own shape.

Three palettes, for a projector as much as a screen (:data:`PALETTES`):

``standard``
    The system's light or dark scheme.
``high-contrast``
    Black on white, saturated fills, lines nearly twice as thick: for washed-out projectors
    and the back row.
``colour-blind``
    Every pair of colours that must be told apart is blue against orange (safe for all
    three kinds of colour blindness): the forward and backward passes, and the gradient
    check's pass, doubt and fail (blue, orange, vermillion, which also differ in lightness).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication

from ...layout.style import STYLES


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
    good: QColor = field(default_factory=lambda: QColor("#009E73"))      # a gradient check passed
    doubtful: QColor = field(default_factory=lambda: QColor("#E69F00"))  # a check in between
    line: float = 1.0   # how much thicker than standard lines are drawn
    fills: tuple[tuple[str, str], ...] = ()  # node fills replacing the standard ones
    name: str = "standard"

    def fill(self, kind: str) -> QColor:
        own = dict(self.fills).get(kind)
        if own is not None:
            return QColor(own)
        colour = QColor(STYLES[kind].fill)
        return colour.darker(330) if self.dark else colour

    def border(self, kind: str) -> QColor:
        if self.name == "high-contrast":
            return QColor("#000000")
        colour = QColor(STYLES[kind].border)
        return colour.lighter(135) if self.dark else colour


LIGHT = Theme(False, QColor("#FFFFFF"), QColor("#111111"), QColor("#9A9A9A"), QColor("#F5F5F5"),
              QColor("#B4B4B4"), QColor("#555555"), QColor("#E69F00"), QColor("#CC79A7"),
              QColor("#56B4E9"), QColor("#D00000"))
DARK = Theme(True, QColor("#1E1E1E"), QColor("#EEEEEE"), QColor("#7A7A7A"), QColor("#2A2A2A"),
             QColor("#5A5A5A"), QColor("#B0B0B0"), QColor("#F0B429"), QColor("#E58BC2"),
             QColor("#7CC7F2"), QColor("#FF5050"))


HIGH_CONTRAST = Theme(False, QColor("#FFFFFF"), QColor("#000000"), QColor("#333333"), QColor("#FFFFFF"),
                      QColor("#000000"), QColor("#000000"), QColor("#D55E00"), QColor("#0050C8"),
                      QColor("#007A55"), QColor("#C00000"), QColor("#007A55"), QColor("#E69F00"), 1.8,
                      (("variable", "#F7B98B"), ("function", "#8FE0C4"), ("constant", "#E0E0E0"),
                       ("output", "#8CC4F0"), ("scope", "#FFE066")), "high-contrast")

PALETTES = ("standard", "high-contrast", "colour-blind")


def system_theme() -> Theme:
    """The theme matching the system's light or dark scheme."""
    app = QGuiApplication.instance()
    if app is not None and app.styleHints().colorScheme() == Qt.ColorScheme.Dark:
        return DARK
    return LIGHT


def palette_theme(palette: str) -> Theme:
    """The theme of a palette of :data:`PALETTES` (ValueError for another name)."""
    if palette == "standard":
        return system_theme()
    if palette == "high-contrast":
        return HIGH_CONTRAST
    if palette == "colour-blind":
        base = system_theme()
        return replace(base, forward=QColor("#E69F00"), backward=QColor("#0072B2"), tangent=QColor("#56B4E9"),
                       good=QColor("#0072B2"), doubtful=QColor("#E69F00"), bad=QColor("#D55E00"),
                       name="colour-blind")
    raise ValueError(f"no palette {palette!r}: choose one of {', '.join(PALETTES)}")


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


def check_colour(relative_error: float, theme: Theme = LIGHT) -> QColor:
    """The theme's pass colour where the gradient check passes (standard: green), its doubt
    colour where it is doubtful (amber), its bad colour where it fails (red)."""
    if relative_error < 1e-6:
        return QColor(theme.good)
    if relative_error < 1e-3:
        return QColor(theme.doubtful)
    return QColor(theme.bad)
