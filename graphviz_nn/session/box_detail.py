"""How much of its label a node's box shows at a zoom, decided from the font sizes at which its
lines fit (measured once by the window). Qt-free.

Text on screen is either readable from the back of a room or not drawn at all: a label drawn
6 to 8 pixels high reads as grey smudges on a 1280 × 720 projector. So at each zoom a node
shows the richest of

- ``FULL``: every line (name, op, value, gradient) at least ``least`` pixels high;
- ``BRIEF``: its symbol and its numbers in one line, as micrograd draws ``data | grad``
  ("0.5 | ∇ −1.2"; an array by its shape and range), enlarged inside its box;
- ``TITLE``: its name and op alone, enlarged inside its box;
- ``SYMBOL``: its op's symbol or its name alone ("+", "σ", "w1.11"), at the least readable
  size, on a plate a little larger than the box when the box is smaller than the text: a
  fitted view of the gallery's networks on a projector drew their boxes 18 × 12 pixels, too
  small for any glyph, and left most of them blank;
- ``MARKER``: no text, the node drawn as a solid shape in its kind's colour (a box too small
  even for the plate: a thousand-node network seen whole).

``least`` is 12 pixels at a desk and 18 in presentation mode.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..engine.values import short_number

__all__ = ["Detail", "TextFit", "READABLE_PIXELS", "PRESENTING_PIXELS", "TITLE_PIXELS", "SYMBOL_SPILL",
           "brief_quantity", "box_number", "detail_at", "font_pixels", "readable_scale", "symbol_line",
           "text_pixels"]

READABLE_PIXELS = 12.0    # the smallest text height drawn on screen at a desk, in pixels
PRESENTING_PIXELS = 18.0  # ... and on a projector in presentation mode
TITLE_PIXELS = 15.0       # a name or a brief line drawn alone is enlarged to this height, if its box allows
#: How far a symbol's plate may outgrow its box, across and down: "w1.11" at 12 pixels is 1.9
#: times as wide as its box in the fitted PerceptronNet [3, 2, 1] (scale 0.34).
SYMBOL_SPILL = (2.2, 1.5)


class Detail(enum.Enum):
    """How much of a label is drawn."""

    FULL = "full"
    BRIEF = "brief"
    TITLE = "title"
    SYMBOL = "symbol"
    MARKER = "marker"


@dataclass(frozen=True)
class TextFit:
    """The font sizes (scene units) at which a node's text fits its box.

    Attributes
    ----------
    full : int
        All lines at the label's own size, or less when they would spill out of the box.
    title : float
        The name lines alone: as large as the box allows (0 when there are none).
    brief : float
        The symbol over the one-line numbers (0 when there are no numbers).
    symbol : float
        The symbol alone on its plate, which may outgrow the box by :data:`SYMBOL_SPILL`.
    """

    full: int
    title: float
    brief: float = 0.0
    symbol: float = 0.0


def _enlarged(fits: float, scale: float, least: float) -> int:
    """The font (scene units) of a line enlarged to fill its box, at most the larger of
    :data:`TITLE_PIXELS` and ``least`` on screen; 0 when even that is below ``least``."""
    size = int(min(fits, max(TITLE_PIXELS, least) / scale))
    return size if size * scale >= least else 0


def _chosen(fit: TextFit, scale: float, least: float) -> tuple[Detail, int]:
    if scale <= 0:
        return Detail.MARKER, 0
    if fit.full * scale >= least:
        return Detail.FULL, fit.full
    for detail, fits in ((Detail.BRIEF, fit.brief), (Detail.TITLE, fit.title)):
        size = _enlarged(fits, scale, least)
        if size:
            return detail, size
    size = int(-(-least // scale)) if scale > 0 else 0  # the least readable size, rounded up
    if fit.symbol >= size:
        return Detail.SYMBOL, size
    return Detail.MARKER, 0


def detail_at(fit: TextFit, scale: float, least: float = READABLE_PIXELS) -> Detail:
    """What a node shows at a view scale (screen pixels per scene unit)."""
    return _chosen(fit, scale, least)[0]


def font_pixels(fit: TextFit, scale: float, least: float = READABLE_PIXELS) -> int:
    """The font size (scene units) the text is drawn at; 0 when it is not drawn."""
    return _chosen(fit, scale, least)[1]


def text_pixels(fit: TextFit, scale: float, least: float = READABLE_PIXELS) -> float:
    """How high the text is on screen, in pixels; 0 when it is not drawn."""
    return font_pixels(fit, scale, least) * scale


SHORT_NAME = 5  # characters: a name this short is the box's symbol ("z2", "w1.11", "t16")


def readable_scale(fit: TextFit, least: float = READABLE_PIXELS) -> float:
    """The least view scale at which the box shows some text (inf when it never does)."""
    scales = [least / fit.full if fit.full else math.inf]
    scales += [least / size for size in (fit.brief, fit.title) if size > 0]
    if fit.symbol > 1:
        scales.append(least / (fit.symbol - 1))  # the symbol's size is rounded up to whole units
    return min(scales)


def symbol_line(titles: Sequence[str]) -> str:
    """The one line a box shows when nothing more can be read: its name when short ("z2",
    "t16", the name the chain rule uses), else the shorter of its name and its op ("÷" for
    "normalised X ÷", "softmax" for "prediction softmax")."""
    if titles and len(titles[0]) <= SHORT_NAME:
        return titles[0]
    return min(titles, key=len, default="")


def box_number(value, shape: bool = True) -> str:
    """A quantity as a box writes it: a number to 4 digits, a short vector in full, an array
    as its shape and range ("12×3, ±0.083", "4, 0…2.5"; without ``shape`` its range alone, for a
    gradient under a value that gave the shape)."""
    a = np.asarray(value, dtype=float)
    if a.size == 1:
        return short_number(a, 4)
    if a.ndim == 1 and a.size <= 3:
        return "[" + ", ".join(short_number(v, 3) for v in a) + "]"
    size = "×".join(str(n) for n in a.shape)
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        span = "no finite entry"
    else:
        low, high = finite.min(), finite.max()
        if low < 0 < high:  # as wide as a shape: "±0.083" fits the box "12×3" was laid out for
            span = "±" + short_number(max(-low, high), 2)
        else:
            low, high = short_number(low, 2), short_number(high, 2)
            span = f"{low}…{high}" if low != high else f"all {low}"
    return f"{size}, {span}" if shape else span


def brief_quantity(value_text: str, second_text: str) -> str:
    """The box's numbers in one line, as micrograd writes ``data | grad``: "0.5 | ∇ −1.2";
    either alone when the other is not shown; of an array, its shape and its gradient's (or
    tangent's) range: "12×3 | ∇ ±0.083"."""
    value = value_text.removeprefix("= ")
    if second_text and "," in value:
        return f"{value.split(',')[0]} | {second_text}"  # the shape, and the range the pass brings
    return " | ".join(t for t in (value, second_text) if t)
