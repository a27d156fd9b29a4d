"""How much of its label a node shows at a zoom: all of it, its name alone, or nothing.

Text on screen is either readable from the back of a room or not drawn at all: a label
drawn 6 to 8 pixels high reads as grey smudges on a 1280 × 720 projector. So at each zoom
a node shows

- ``FULL``: every line (name, op, value, gradient) at least :data:`READABLE_PIXELS` high;
- ``TITLE``: too far out for that, its name and op alone, enlarged inside its box to
  :data:`TITLE_PIXELS` on screen (a fitted view of a mid-sized graph still says what each
  node is; zooming in shows the numbers);
- ``MARKER``: no text, the node drawn as a solid shape in its kind's colour.

:func:`fit_text` measures a node's lines once (when they change); choosing the detail at a
new zoom is then arithmetic on two font sizes per node.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Sequence

from PySide6.QtGui import QFont, QFontMetricsF

READABLE_PIXELS = 12.0  # the smallest text height drawn on screen, in pixels
TITLE_PIXELS = 15.0     # a name drawn alone is enlarged to this height on screen, if its box allows
FONT_PIXELS = 14        # the label's font in scene units, as Graphviz sized the boxes for it
SMALLEST_FONT = 7       # lines wider than the box shrink, but not below this (scene units)
CAPTION_PIXELS = 18.0   # a scope's name on screen while its nodes show no numbers


class Detail(enum.Enum):
    """How much of a label is drawn."""

    FULL = "full"
    TITLE = "title"
    MARKER = "marker"


@dataclass(frozen=True)
class TextFit:
    """The font sizes (scene units) at which a node's text fits its box.

    Attributes
    ----------
    full : int
        All lines: :data:`FONT_PIXELS`, or less when they would spill out of the box.
    title : float
        The name lines alone: as large as the box allows (0 when there are none).
    """

    full: int
    title: float


def room(width: float, height: float, kind: str) -> tuple[float, float]:
    """The part of a node's box text may fill: less of an ellipse or an octagon than of a box."""
    round_shape = kind in ("function", "output")
    return width * (0.78 if round_shape else 0.92), height * (0.74 if round_shape else 0.86)


def fit_text(titles: Sequence[str], quantities: Sequence[str], width: float, height: float, kind: str,
             font: QFont | None = None) -> TextFit:
    """Measure a node's lines once: the fonts at which all of them, and its name alone, fit."""
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
    title = 0.0
    if titles:
        across = max(plain.horizontalAdvance(t) for t in titles)
        down = plain.height() * len(titles)
        title = 100 * min(room_x / across if across else math.inf, room_y / down)
    return TextFit(full, title)


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def detail_at(fit: TextFit, scale: float) -> Detail:
    """What a node shows at a view scale (screen pixels per scene unit)."""
    if fit.full * scale >= READABLE_PIXELS:
        return Detail.FULL
    if scale > 0 and int(min(fit.title, TITLE_PIXELS / scale)) * scale >= READABLE_PIXELS:
        return Detail.TITLE
    return Detail.MARKER


def font_pixels(fit: TextFit, scale: float) -> int:
    """The font size (scene units) the text is drawn at; 0 when it is not drawn."""
    detail = detail_at(fit, scale)
    if detail is Detail.FULL:
        return fit.full
    if detail is Detail.TITLE:
        return int(min(fit.title, TITLE_PIXELS / scale))
    return 0


def text_pixels(fit: TextFit, scale: float) -> float:
    """How high the text is on screen, in pixels; 0 when it is not drawn."""
    return font_pixels(fit, scale) * scale
