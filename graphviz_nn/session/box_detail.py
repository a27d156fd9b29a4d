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
           "THUMBNAIL_GAP", "THUMBNAIL_PIXELS", "ThumbnailPlace", "brief_quantity", "box_number", "detail_at", "font_pixels", "readable_scale",
           "symbol_line", "text_pixels", "thumbnail_matrix", "thumbnail_place", "thumbnail_shown"]

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
    width : float
        How wide its widest line is at ``full`` (scene units).
    """

    full: int
    title: float
    brief: float = 0.0
    symbol: float = 0.0
    width: float = 0.0


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


THUMBNAIL_PIXELS = 24.0  # a box's map is drawn only this many pixels square or more: an 8 × 8 map's cells 3 px
THUMBNAIL_GAP = 4.0      # scene units between the map and the text beside it
_LEAST_THUMBNAIL = 0.3   # of the box's height: a smaller map is not worth drawing
_ROUND_ROOM = 0.92       # a map's corners stay this far inside an ellipse (1: on its edge)


def thumbnail_matrix(value) -> np.ndarray | None:
    """The map a node's box shows of its value: the first sample's first channel of an
    image-like value (three axes or more, the last two at least 2 long; a conv layer's output
    (N, C, H, W)); None for any other value, which keeps the boxes of dense and recurrent
    networks as they are."""
    a = np.asarray(value)
    if a.ndim < 3 or min(a.shape[-2:]) < 2 or a.size == 0 or not np.issubdtype(a.dtype, np.number):
        return None
    return a[(0,) * (a.ndim - 2)]


@dataclass(frozen=True)
class ThumbnailPlace:
    """Where a box's map goes beside its text (scene units, from the box's centre).

    Attributes
    ----------
    side : float
        The map's side; 0 when there is no room for a useful one.
    left : float
        The map's left edge (it is centred vertically).
    shift : float
        Where the text's centre moves across to make room for the map.
    """

    side: float = 0.0
    left: float = 0.0
    shift: float = 0.0


def thumbnail_place(width: float, height: float, kind: str, text_width: float) -> ThumbnailPlace:
    """The largest square map that fits in a node's box to the left of its text.

    The text keeps to the room :func:`~graphviz_nn.gui.canvas.level_of_detail.room` gives it
    (and so to its box); the map and the text are centred together where they fit so, else
    the text moves to the right of its room. An ellipse's (a function's) or an octagon's (an
    output's) map keeps its corners inside the shape, a box's inside the text's room.
    """
    round_shape = kind in ("function", "output")
    room_x, room_y = (width * 0.78, height * 0.74) if round_shape else (width * 0.92, height * 0.86)

    def inside(side: float, left: float) -> bool:
        if round_shape:
            x, y = left / (width / 2), side / 2 / (height / 2)
            return x * x + y * y <= _ROUND_ROOM ** 2
        return left >= -room_x / 2

    def left_of(side: float) -> float | None:
        """The map's left edge, centred with the text if it fits so, else with the text moved
        right; None where it does not fit."""
        block = side + THUMBNAIL_GAP + text_width
        if side > room_y or text_width > room_x:
            return None
        for left in (-block / 2, room_x / 2 - block):
            if left + block <= room_x / 2 + 1e-9 and inside(side, left):
                return left
        return None

    low, high = 0.0, room_y
    for _ in range(30):    # a bigger map never fits where a smaller one does not: bisect
        middle = (low + high) / 2
        low, high = (middle, high) if left_of(middle) is not None else (low, middle)
    left = left_of(low)
    if low < _LEAST_THUMBNAIL * height or left is None:
        return ThumbnailPlace()
    return ThumbnailPlace(low, left, left + low + THUMBNAIL_GAP + text_width / 2)


def thumbnail_shown(side: float, scale: float, detail: Detail) -> bool:
    """Whether a box's map is drawn at a view scale: beside every line of its text (the map's
    room is measured beside those), and :data:`THUMBNAIL_PIXELS` or more on screen. A fitted
    big graph (boxes drawn as markers) never draws one."""
    return detail is Detail.FULL and side > 0 and side * scale >= THUMBNAIL_PIXELS
