"""A scope's box with its name, and its name in large type beside it while the view is too far
out to read its nodes.

At the fitted view of a network the nodes show no numbers and the scope's own label would
be a few pixels high; the caption says, readable from the back of a room, which part of the
network each box is ("layer 1", "loss"); a nested scope has one too while some of its boxes are
dots. It stays on its box: inside it, or hanging from its top or bottom edge, where it hides none
of the scope's text if it can, and never another scope's text nor another caption (one that finds
no room is left out). Zoomed in, the ordinary label takes over.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from ...layout import ClusterBox
from .items import NodeItem
from .level_of_detail import CAPTION_PIXELS, READABLE_PIXELS, Detail
from .theme import Theme

LABEL_PIXELS = 13  # a scope's own label, in scene units
PADDING = 5.0      # screen pixels around the caption's text
#: The caption's heights tried on screen, largest first: it shrinks to the least readable size
#: before it covers a node of its own scope.
CAPTION_SIZES = (CAPTION_PIXELS, (CAPTION_PIXELS + READABLE_PIXELS) / 2, READABLE_PIXELS)
SLIDES = 9  # places tried along each edge: the corners, the middle and between
LABEL_INSET = (8, 3)  # the label's distance from the box's left and top edges, in scene units


class ClusterItem(QGraphicsItem):
    """A scope's box with its name; double-clicking it collapses the scope."""

    LABEL_PIXELS = LABEL_PIXELS

    def __init__(self, cluster: ClusterBox, theme: Theme):
        super().__init__()
        self.cluster, self.theme = cluster, theme
        self._rect = QRectF(cluster.x, cluster.y, cluster.width, cluster.height)
        self._bounds = self._rect.adjusted(-2, -2, 2, 2)
        self._pen = QPen(theme.cluster_border, 1.2 * theme.line)
        self._brush = QBrush(theme.cluster_fill)
        self._label_colour = theme.muted.darker(150) if not theme.dark else theme.muted.lighter(150)
        self.setZValue(0)
        self.setToolTip(f"{' / '.join(cluster.scope)}: double-click to collapse")

    def boundingRect(self) -> QRectF:
        return self._bounds

    def text_pixels_at(self, scale: float) -> float:
        """How high the scope's own label is on screen at a view scale; 0 when it is not drawn."""
        return self.LABEL_PIXELS * scale if self.LABEL_PIXELS * scale >= READABLE_PIXELS else 0.0

    def label_rect(self) -> QRectF:
        """Where the scope's own label is drawn (scene units), when it is drawn."""
        font = QFont()
        font.setPixelSize(self.LABEL_PIXELS)
        metrics = QFontMetricsF(font)
        room = self._rect.adjusted(LABEL_INSET[0], LABEL_INSET[1], -4, -4)
        return QRectF(room.left(), room.top(), min(metrics.horizontalAdvance(self.cluster.scope[-1]), room.width()),
                      min(metrics.height(), room.height()))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen)
        painter.setBrush(self._brush)
        painter.drawRoundedRect(self._rect, 8, 8)
        # A label too small to read is not drawn (further out, a caption of its own shows the
        # name of an outermost scope); the first text drawn at a new scale costs more than
        # all the boxes, as its glyphs are rendered then.
        if not self.text_pixels_at(option.levelOfDetailFromTransform(painter.worldTransform())):
            return
        font = QFont(painter.font())
        font.setPixelSize(self.LABEL_PIXELS)
        painter.setFont(font)
        painter.setPen(self._label_colour)
        painter.drawText(self._rect.adjusted(*LABEL_INSET, -4, -4),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self.cluster.scope[-1])


class ScopeCaption(QGraphicsItem):
    """The caption of one scope, drawn above the nodes, taking no mouse input: an outermost
    scope's whenever the view is zoomed out, a nested one's while some of its boxes are dots.

    It stays on its own box, inside it or hanging from its top or bottom edge, and never covers
    a node of another scope ("tangent dx1" above its box hid the "2" of the scope above, and
    "tangent dx2" below its box read as the name of the nodes under it). Where the largest font
    finds no room it is drawn smaller, down to :data:`READABLE_PIXELS`, before it covers a node
    of its own scope that shows text, or the box of a scope drawn inside it. A scope drawn as
    dots with no free place may cover other scopes' dots (they hide no text); a caption is left
    out only where every place would hide another scope's text or caption.

    Parameters
    ----------
    cluster : ClusterBox
    theme : Theme
    obstacles : sequence of QRectF
        The nodes' boxes (scene units). Those inside the scope's box are its own, which the
        caption avoids covering; the others it never covers.
    bounds : QRectF, optional
        Where captions may go (the layout's box: fitting shows no more).
    """

    def __init__(self, cluster: ClusterBox, theme: Theme, obstacles: Sequence[QRectF] = (),
                 bounds: QRectF | None = None):
        super().__init__()
        self.cluster = cluster
        self.text = cluster.scope[-1]
        self._rect = QRectF(cluster.x, cluster.y, cluster.width, cluster.height)
        self._bounds = bounds
        self._text_colour = QColor(theme.text)
        self._fill = QColor(theme.cluster_fill)
        self._fill.setAlphaF(0.88)
        self._border = QColor(theme.cluster_border)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(100)
        metrics = QFontMetricsF(font)
        self._per_pixel = (metrics.horizontalAdvance(self.text) / 100, metrics.height() / 100)
        # Graphviz draws no other scope's node inside a scope's box.
        inside = [self._rect.contains(r) for r in obstacles]
        self._own = _corners([r for r, own in zip(obstacles, inside) if own])
        self._others = _corners([r for r, own in zip(obstacles, inside) if not own])
        self._back = QRectF()  # where the caption is drawn at the view's scale
        self._size = 0         # its font, in scene units
        self._scale = 1.0      # the view's scale it was placed for
        self._places: dict[tuple[float, int], list] = {}  # by scale and dots: hundreds of nodes to avoid
        self._members: list[NodeItem] | None = None  # the scope's boxes, found in the scene once
        self._nested: list[QRectF] = []               # and the boxes of the scopes inside it
        self.setZValue(4)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    def boundingRect(self) -> QRectF:
        return self._back

    def font_pixels(self, scale: float) -> int:
        """The caption's largest font (scene units) at a view scale: :data:`CAPTION_PIXELS` on
        screen; 0 while the ordinary label is readable, and for a nested scope while each of
        its boxes shows some text."""
        if scale <= 0 or LABEL_PIXELS * scale >= READABLE_PIXELS:
            return 0
        if len(self.cluster.scope) > 1 and not self.dotted:
            return 0
        return math.ceil(CAPTION_PIXELS / scale)

    @property
    def dotted(self) -> bool:
        """True when some box of the scope is drawn as a dot, without text: then only the
        caption says what it is (one opened perceptron of a 1,307-node net, fitted, was a faint
        box of dots). The boxes' level of detail is chosen before captions are placed."""
        return any(item.detail is Detail.MARKER for item in self._parts()[0])

    def _parts(self) -> tuple[list[NodeItem], list[QRectF]]:
        """The scope's boxes, and the boxes of the scopes drawn inside it, found in the scene
        once (none while the caption is in no scene)."""
        scene = self.scene()
        if self._members is None and scene is not None:
            scope, found = self.cluster.scope, scene.items(self._rect)
            self._members = [item for item in found
                             if isinstance(item, NodeItem) and self._rect.contains(item.pos())]
            self._nested = [QRectF(c.x, c.y, c.width, c.height) for c in
                            (item.cluster for item in found if isinstance(item, ClusterItem))
                            if len(c.scope) > len(scope) and c.scope[:len(scope)] == scope]
        return self._members or [], self._nested

    def places(self, scale: float,
               least: float = READABLE_PIXELS) -> list[tuple[tuple[float, float], int, QRectF, int]]:
        """The places the caption may go at a view scale, best first: (what it covers: the area
        of its scope's boxes that show text, then of the scopes drawn inside its box; the order
        of preference; the box in scene units; the font in scene units). None covers another
        scope's node or leaves the caption's own box, and none is less than ``least`` pixels high
        (18 in presentation mode)."""
        if not self.font_pixels(scale):
            return []
        members = self._parts()[0]
        key = (scale, least, sum(item.detail is Detail.MARKER for item in members))  # dots hide nothing
        if key not in self._places:
            if len(self._places) > 64:  # a long zoom: the scales met on the way are not needed again
                self._places.clear()
            self._places[key] = self._rank(scale, least)
        return self._places[key]

    def _rank(self, scale: float, least: float) -> list[tuple[tuple[float, float], int, QRectF, int]]:
        spots = [spot for spot in self._all_spots(scale, least)
                 if self._bounds is None or self._bounds.contains(spot[0])]
        if not spots:
            return []
        reach = QRectF(spots[0][0])
        for box, _ in spots:
            reach = reach.united(box)
        members, nested = self._parts()
        texts = (_corners([_box_rect(item) for item in members if item.detail is not Detail.MARKER])
                 if self._members is not None else self._own)
        # Of hundreds of nodes, those the caption may cover.
        texts, nested, others = _near(texts, reach), _near(_corners(nested), reach), _near(self._others, reach)
        boxes = _corners([box for box, _ in spots])
        clear, text, inner = _covered(boxes, others) == 0, _covered(boxes, texts), _covered(boxes, nested)
        ranked = [((float(text[i]), float(inner[i])), i, box, size)
                  for i, (box, size) in enumerate(spots) if clear[i]]
        return sorted(ranked, key=lambda entry: entry[:2])

    def _all_spots(self, scale: float, least: float) -> list[tuple[QRectF, int]]:
        """Every place and font (scene units) tried at a view scale, largest font first."""
        sizes = dict.fromkeys(math.ceil(max(pixels, least) / scale) for pixels in CAPTION_SIZES)
        return [(box, size) for size in sizes for box in self._spots(size, PADDING / scale)]

    def _spots(self, size: int, pad: float) -> list[QRectF]:
        """Where a caption in a ``size`` font may go, best first: inside the box, along its top
        then its bottom, then hanging from its top or bottom edge (touching it, as a tab); one
        wider than its box hangs across the box's whole width."""
        c = self._rect
        width, height = self._per_pixel[0] * size + 2 * pad, self._per_pixel[1] * size + pad
        spots = []
        if width + 2 * pad <= c.width() and height + 2 * pad <= c.height():
            inside = _steps(c.left() + pad, c.right() - width - pad)
            spots += [(x, c.top() + pad) for x in inside] + [(x, c.bottom() - height - pad) for x in inside]
        hanging = _steps(c.left(), c.right() - width)  # right to left when wider than the box
        spots += [(x, c.top() - height) for x in hanging] + [(x, c.bottom()) for x in hanging]
        return [QRectF(x, y, width, height) for x, y in spots]

    def set_view_scale(self, scale: float, taken: list[QRectF], nodes: _Boxes | None = None,
                       least: float = READABLE_PIXELS) -> None:
        """Follow the view's zoom (the view calls this for all its captions in turn): the best
        place that no caption in ``taken`` covers, added to it; none, and not drawn, if all are.
        ``nodes`` are the scene's boxes, whose dots a scope drawn as dots may cover; no caption
        is less than ``least`` pixels high."""
        free = next(((box, size) for _, _, box, size in self.places(scale, least)
                     if not any(box.intersects(t) for t in taken)), None)
        if free is None and nodes is not None and self.font_pixels(scale) and self.dotted:
            free = self._over_dots(scale, taken, nodes, least)
        self.prepareGeometryChange()
        self._scale = scale
        self._back = free[0] if free else QRectF()
        self._size = free[1] if free else 0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, not free)
        if free:
            taken.append(self._back)

    def _over_dots(self, scale: float, taken: list[QRectF], nodes: _Boxes, least: float) -> tuple[QRectF, int] | None:
        """For a scope drawn as dots that finds no free place (four scopes within 45 × 30 pixels
        of a fitted 1,307-node net): the place covering the least of other scopes' boxes that
        are dots themselves, which hide no text; None if every place covers some text."""
        spots = [(box, size) for box, size in self._all_spots(scale, least)
                 if (self._bounds is None or self._bounds.contains(box)) and not any(box.intersects(t) for t in taken)]
        if not spots:
            return None
        reach = QRectF(spots[0][0])
        for box, _ in spots:
            reach = reach.united(box)
        c = self._rect
        x, y = nodes.centres[:, 0], nodes.centres[:, 1]
        others = ~((c.left() <= x) & (x <= c.right()) & (c.top() <= y) & (y <= c.bottom()))
        texts, dots = _near(nodes.edges[others & ~nodes.dots], reach), _near(nodes.edges[others & nodes.dots], reach)
        boxes = _corners([box for box, _ in spots])
        clear, area = _covered(boxes, texts) == 0, _covered(boxes, dots)
        if not clear.any():
            return None
        best = int(np.argmin(np.where(clear, area, np.inf)))  # the first of equals: the largest font
        return spots[best]

    @property
    def text_pixels(self) -> float:
        """How high the caption is on screen as last placed; 0 when it is not drawn."""
        return self._size * self._scale

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if not self._size:
            return
        pad = self._back.height() - self._per_pixel[1] * self._size
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(self._size)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._border)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(self._back, 2 * pad, 2 * pad)
        painter.setFont(font)
        painter.setPen(self._text_colour)
        painter.drawText(self._back, Qt.AlignmentFlag.AlignCenter, self.text)


def place_captions(captions: Sequence[ScopeCaption], scale: float, least: float = READABLE_PIXELS) -> None:
    """Place every caption for a view scale, each clear of those placed before it: first those
    of scopes drawn as dots (nothing else names them), the one with the fewest free places
    first, and last those with none, which may cover other scopes' dots. None is drawn less
    than ``least`` pixels high (18 in presentation mode)."""
    taken: list[QRectF] = []
    scene = captions[0].scene() if captions else None
    nodes = _Boxes([item for item in scene.items() if isinstance(item, NodeItem)]) if scene is not None else None

    def urgency(caption: ScopeCaption) -> tuple[bool, bool, int]:
        count = len(caption.places(scale, least))
        return not caption.dotted, count == 0, count

    for caption in sorted(captions, key=urgency):
        caption.set_view_scale(scale, taken, nodes, least)


def _steps(first: float, last: float, count: int = SLIDES) -> list[float]:
    """``count`` places from ``first`` to ``last``, the two ends first (a caption at a corner
    of its box reads best), then the middle and between."""
    if abs(last - first) < 1e-9:
        return [first]
    order = [0, count - 1, count // 2] + [i for i in range(1, count - 1) if i != count // 2]
    return [first + (last - first) * i / (count - 1) for i in order]


def _box_rect(item: NodeItem) -> QRectF:
    box = item.box
    return QRectF(box.x - box.width / 2, box.y - box.height / 2, box.width, box.height)


class _Boxes:
    """The scene's node boxes as arrays, made once for all captions at a scale: their corners,
    their centres, and which are dots."""

    def __init__(self, items: Sequence[NodeItem]):
        self.edges = _corners([_box_rect(item) for item in items])
        self.centres = np.array([(item.pos().x(), item.pos().y()) for item in items], dtype=float).reshape(-1, 2)
        self.dots = np.array([item.detail is Detail.MARKER for item in items], dtype=bool)


def _near(edges: np.ndarray, reach: QRectF) -> np.ndarray:
    """The rectangles (rows of corners) that overlap ``reach``."""
    keep = ((edges[:, 0] < reach.right()) & (reach.left() < edges[:, 2])
            & (edges[:, 1] < reach.bottom()) & (reach.top() < edges[:, 3]))
    return edges[keep]


def _corners(rects: Sequence[QRectF]) -> np.ndarray:
    """Rectangles as rows of left, top, right, bottom."""
    return np.array([(r.left(), r.top(), r.right(), r.bottom()) for r in rects], dtype=float).reshape(-1, 4)


def _covered(boxes: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """How much of ``rects`` each of ``boxes`` covers (scene units squared; rows of corners),
    all at once: a thousand dots around a hundred places, one by one, took 0.2 s a zoom step."""
    across = (np.minimum(boxes[:, None, 2], rects[None, :, 2]) - np.maximum(boxes[:, None, 0], rects[None, :, 0]))
    down = (np.minimum(boxes[:, None, 3], rects[None, :, 3]) - np.maximum(boxes[:, None, 1], rects[None, :, 1]))
    return (np.clip(across, 0, None) * np.clip(down, 0, None)).sum(axis=1)
