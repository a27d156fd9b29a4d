"""Measuring a node's lines for the level of detail: the font sizes at which all of them, its
name, its brief line and its symbol fit its box. What is shown at a zoom is decided from those
sizes below Qt, in :mod:`graphviz_nn.session.box_detail`.
"""

from __future__ import annotations

import math
from typing import Sequence

from PySide6.QtGui import QFont, QFontMetricsF

from ...session.box_detail import (PRESENTING_PIXELS, READABLE_PIXELS, SYMBOL_SPILL, TITLE_PIXELS, Detail, TextFit,
                                   detail_at, font_pixels, symbol_line, text_pixels)

__all__ = ["CAPTION_PIXELS", "FONT_PIXELS", "PRESENTING_PIXELS", "READABLE_PIXELS", "TITLE_PIXELS", "Detail", "TextFit",
           "detail_at", "fit_text", "font_pixels", "room", "text_pixels"]

FONT_PIXELS = 14        # the label's font in scene units, as Graphviz sized the boxes for it
SMALLEST_FONT = 7       # lines wider than the box shrink, but not below this (scene units)
CAPTION_PIXELS = 18.0   # a scope's name on screen while its nodes show no numbers


def room(width: float, height: float, kind: str) -> tuple[float, float]:
    """The part of a node's box text may fill: less of an ellipse or an octagon than of a box."""
    round_shape = kind in ("function", "output")
    return width * (0.78 if round_shape else 0.92), height * (0.74 if round_shape else 0.86)


def fit_text(titles: Sequence[str], quantities: Sequence[str], width: float, height: float, kind: str,
             font: QFont | None = None, brief: str = "") -> TextFit:
    """Measure a node's lines once: the fonts at which all of them, its name alone, its symbol
    over its ``brief`` line of numbers, and its symbol alone on its plate fit."""
    font = QFont(font) if font is not None else QFont()
    font.setPixelSize(100)  # measured large, scaled linearly
    plain, bold = QFontMetricsF(font), QFontMetricsF(_bold(font))
    room_x, room_y = room(width, height, kind)
    widths = [plain.horizontalAdvance(t) for t in titles] + [bold.horizontalAdvance(t) for t in quantities]
    widest = max(widths, default=0.0) * FONT_PIXELS / 100
    tallest = plain.height() * len(widths) * FONT_PIXELS / 100
    # Shrink rather than spill out of the box: across, or (more lines than it was laid out for) down.
    shrink = min(room_x / widest if widest else 1.0, room_y / tallest if tallest else 1.0, 1.0)
    full = FONT_PIXELS if shrink >= 1.0 else max(SMALLEST_FONT, int(FONT_PIXELS * shrink))
    title = _largest(plain, titles, room_x, room_y)
    symbol = symbol_line(titles)
    brief_size = 0.0
    if symbol and brief:
        across = max(plain.horizontalAdvance(symbol), bold.horizontalAdvance(brief))
        brief_size = 100 * min(room_x / across if across else math.inf, room_y / (2 * plain.height()))
    # The symbol's plate may outgrow the box, by as much as SYMBOL_SPILL.
    spill_x, spill_y = max(room_x, width * SYMBOL_SPILL[0]), max(room_y, height * SYMBOL_SPILL[1])
    symbol_size = _largest(plain, (symbol,) if symbol else (), spill_x, spill_y)
    return TextFit(full, title, brief_size, symbol_size, widest * full / FONT_PIXELS)


def _largest(metrics: QFontMetricsF, lines: Sequence[str], across: float, down: float) -> float:
    """The largest font (scene units) at which ``lines``, measured at 100, fit across × down."""
    if not lines:
        return 0.0
    widest = max(metrics.horizontalAdvance(t) for t in lines)
    return 100 * min(across / widest if widest else math.inf, down / (metrics.height() * len(lines)))


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


