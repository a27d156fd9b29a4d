"""Scene items built from a Layout: nodes, and edges with arrowheads.

Shapes are plain Qt items made by the scene itself, painted in C++ without a Python call;
only a node's text is painted in Python, and only when the view is close enough to read it
(:mod:`.level_of_detail` decides: all of it, the name alone, or none). A fitted view of a
thousand-node graph then draws, and is first drawn, quickly. Scopes' boxes are in
:mod:`.scope_items`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QGraphicsPixmapItem,
                               QGraphicsScene, QStyleOptionGraphicsItem)

from ...layout import EdgePath, NodeBox
from ...session.box_detail import brief_quantity, readable_scale, symbol_line
from .level_of_detail import READABLE_PIXELS, Detail, detail_at, fit_text, font_pixels, text_pixels
from .node_thumbnail import NodeThumbnail
from .theme import Theme

QUANTITY_PREFIXES = ("= ", "∇ ", "ẋ ")
Flag = QGraphicsItem.GraphicsItemFlag


def title_lines(box: NodeBox) -> tuple[str, ...]:
    """The lines naming a node: its name and op; a collapsed scope's name alone (its count
    comes with its progress, as a quantity)."""
    if box.kind == "scope":
        return box.lines[:1]
    return tuple(line for line in box.lines if not line.startswith(QUANTITY_PREFIXES))


@dataclass(frozen=True, eq=False)
class NodeLook:
    """How a node of one kind and state is drawn."""

    pen: QPen
    brush: QBrush
    back_brush: QBrush  # the cards stacked behind a collapsed scope
    text: QColor
    marker: QBrush  # the fill while no text is drawn: the kind's own colour, solid


def _mix(a: QColor, b: QColor) -> QColor:
    return QColor.fromRgbF((a.redF() + b.redF()) / 2, (a.greenF() + b.greenF()) / 2, (a.blueF() + b.blueF()) / 2)


class Looks:
    """The pens and brushes of one theme, each made once: thousands of items share them.

    Keys are plain values (kind, state, colours as RGBA numbers), so the cache stays as
    small as the number of distinct looks on screen.
    """

    def __init__(self, theme: Theme):
        self.theme = theme
        self._nodes: dict[tuple, NodeLook] = {}
        self._pens: dict[tuple, QPen] = {}
        self._brushes: dict[int, QBrush] = {}
        self.no_pen = QPen(Qt.PenStyle.NoPen)

    def node(self, kind: str, state: str, tint: QColor | None, non_finite: bool) -> NodeLook:
        key = (kind, state, tint.rgba() if tint is not None else None, non_finite)
        look = self._nodes.get(key)
        if look is None:
            look = self._nodes[key] = self._make_node(kind, state, tint, non_finite)
        return look

    def _make_node(self, kind: str, state: str, tint: QColor | None, non_finite: bool) -> NodeLook:
        theme = self.theme
        fill = QColor(theme.bad).lighter(170) if non_finite else QColor(tint or theme.fill(kind))
        border = QColor(theme.bad if non_finite else theme.border(kind))
        if state == "pending":
            fill.setAlphaF(0.45)
            border.setAlphaF(0.5)
        pen = QPen(border, (2.2 if kind in ("variable", "output") else 1.6) * theme.line)
        if kind == "constant":
            pen.setStyle(Qt.PenStyle.DashLine)
        text = QColor("#111111") if not theme.dark or tint else QColor(theme.text)
        if tint is not None and tint.lightnessF() < 0.45:
            text = QColor("#FFFFFF")
        if state == "pending":
            # Dimmed, yet 6.6:1 or more against its fill in every palette (0.55 gave 3.9:1, under
            # the 4.5:1 small text needs to be read on a projector).
            text.setAlphaF(0.72)
        # Without text, a pale fill vanishes on a projector: the marker is half-way to the border's colour.
        solid = QColor(fill) if tint is not None or non_finite else _mix(fill, QColor(theme.border(kind)))
        if state == "pending":
            solid.setAlphaF(0.4)
        return NodeLook(pen, QBrush(fill), QBrush(fill.darker(108)), text, QBrush(solid))

    def brush(self, colour: QColor) -> QBrush:
        brush = self._brushes.get(colour.rgba())
        if brush is None:
            brush = self._brushes[colour.rgba()] = QBrush(colour)
        return brush

    def pen(self, colour: QColor, width: float) -> QPen:
        """A solid pen with round caps (rings, idle edges)."""
        key = (colour.rgba(), width)
        pen = self._pens.get(key)
        if pen is None:
            pen = self._pens[key] = QPen(colour, width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen


class NodeItem(QGraphicsItem):
    """A node: its shape by kind, its name and op, and the quantities the pass has reached.

    ``state`` is "pending" (not yet computed: dimmed), "done", or "current" (the step being
    shown: a thick ring). ``tint`` overrides the fill (gradient magnitude or check colours).

    The node itself paints only its text; its shape, the ring and the breakpoint dot are
    plain Qt items the scene makes, stacked behind it. While the text is too small to read
    the node is marked as having no contents, and drawing it calls no Python at all. So
    that the scene can make its parts, the node adds itself to ``scene``.
    """

    def __init__(self, box: NodeBox, theme: Theme, scene: QGraphicsScene, looks: Looks | None = None,
                 scale: float = 1.0):
        super().__init__()
        self.box, self.theme = box, theme
        self.looks = looks if looks is not None and looks.theme is theme else Looks(theme)
        self.node_id = box.id
        self.titles = title_lines(box)
        self.value_text = ""
        self.second_text = ""
        self.state = "done"
        self.tint: QColor | None = None
        self.non_finite = False
        self.breakpoint = False
        self.ring = theme.forward
        self.setPos(box.x, box.y)
        self.setFlag(Flag.ItemIsSelectable)
        self._fit = fit_text(self.titles, (), box.width, box.height, box.kind)
        self._scale = scale
        self._least = READABLE_PIXELS  # the least text height drawn on screen (more when presenting)
        self.detail = detail_at(self._fit, scale)
        self.setFlag(Flag.ItemHasNoContents, self.detail is Detail.MARKER)
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.tooltip_source = None  # a callable giving the tooltip's HTML, asked on hover
        self._rect = QRectF(-box.width / 2, -box.height / 2, box.width, box.height)
        self._bounds = self._rect.adjusted(-6, -6, 6, 6)
        self._plate = QRectF()  # behind a symbol larger than its box
        self._path = self._outline()
        scene.addItem(self)
        self._card = self._part(scene.addPath(self._path.translated(5, -5))) if box.kind == "scope" else None
        self._body = self._part(scene.addPath(self._path))
        self._ring_item: QGraphicsPathItem | None = None  # made when first needed
        self._dot: QGraphicsEllipseItem | None = None
        self._summary: QGraphicsPixmapItem | None = None  # a collapsed scope's values, zoomed out
        self._thumbnail: NodeThumbnail | None = None  # an image-like value's map, zoomed in
        self._restyle()

    def _part(self, part: QGraphicsItem, z: float = 0.0) -> QGraphicsItem:
        part.setParentItem(self)
        part.setFlag(Flag.ItemStacksBehindParent)
        part.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        part.setZValue(z)
        return part

    def boundingRect(self) -> QRectF:
        return self._bounds

    def hoverEnterEvent(self, event) -> None:
        if self.tooltip_source is not None:
            self.setToolTip(self.tooltip_source())
        super().hoverEnterEvent(event)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._rect)
        return path

    def set_view_scale(self, scale: float, least: float | None = None) -> None:
        """Show as much text as can be read at the view's scale (the view calls this as it
        zooms), none of it less than ``least`` pixels high (by default as before)."""
        self._scale = scale
        self._least = self._least if least is None else least
        detail = detail_at(self._fit, scale, self._least)
        self._place_plate(detail, font_pixels(self._fit, scale, self._least))
        if detail is not self.detail:
            self.detail = detail
            self.setFlag(Flag.ItemHasNoContents, detail is Detail.MARKER)
            self._body.setBrush(self._look.marker if detail is Detail.MARKER else self._look.brush)
            if self._summary is not None:
                self._summary.setVisible(detail is Detail.MARKER)
        if self._thumbnail is not None:
            self._thumbnail.follow(detail, scale)

    @property
    def thumbnail(self) -> NodeThumbnail | None:
        """The map of an image-like value drawn beside the text when zoomed in, or None."""
        return self._thumbnail

    def set_thumbnail_value(self, value) -> None:
        """The value whose map the box shows beside its text when zoomed in and there is room
        (its first sample's first channel, if image-like); None: no map."""
        if self._thumbnail is None:
            if value is None:
                return
            self._thumbnail = NodeThumbnail(self)
        if self._thumbnail.set_value(value):
            self._measure()
        else:       # the same place; a new value's picture is made when next shown
            self._thumbnail.follow(self.detail, self._scale)

    @property
    def summary_shown(self) -> bool:
        """Whether the box shows its values' heatmap (a collapsed scope, zoomed out)."""
        return self._summary is not None and self._summary.isVisible()

    def set_summary(self, picture: QPixmap | None) -> None:
        """What a collapsed scope's box shows while its text cannot be read: a heatmap of the
        values that leave it, in place of a blank box (None: the blank box)."""
        if picture is None:
            if self._summary is not None:
                self._summary.setVisible(False)
            return
        if self._summary is None:
            self._summary = self._part(QGraphicsPixmapItem(), z=0.5)
            self._summary.setTransformationMode(Qt.TransformationMode.FastTransformation)
        inner = self._rect.adjusted(4, 4, -4, -4)
        self._summary.setPixmap(picture)
        self._summary.setScale(min(inner.width() / max(1, picture.width()), inner.height() / max(1, picture.height())))
        shown = self._summary.boundingRect().size() * self._summary.scale()
        self._summary.setPos(-shown.width() / 2, -shown.height() / 2)
        self._summary.setVisible(self.detail is Detail.MARKER)

    def text_pixels_at(self, scale: float) -> float:
        """How high the node's text is on screen at a view scale; 0 when it is not drawn."""
        return text_pixels(self._fit, scale, self._least)

    def readable_scale(self, least: float) -> float:
        """The least view scale at which the box shows some text, none under ``least`` pixels."""
        return readable_scale(self._fit, least)

    @property
    def value_shown(self) -> bool:
        """Whether the box shows numbers now (every line, or its brief line)."""
        return self.detail in (Detail.FULL, Detail.BRIEF) and bool(self.quantity_lines())

    def set_quantities(self, value_text: str, second_text: str) -> None:
        if (value_text, second_text) != (self.value_text, self.second_text):
            self.value_text, self.second_text = value_text, second_text
            self._measure()

    def set_titles(self, titles: tuple[str, ...]) -> None:
        """Name the node otherwise (a long expression's short name over its op: "t16", "×")."""
        if tuple(titles) != self.titles:
            self.titles = tuple(titles)
            self._measure()

    def _measure(self) -> None:
        self._fit = fit_text(self.titles, self.quantity_lines(), self.box.width, self.box.height, self.box.kind,
                             brief=self.brief_line())
        if self._thumbnail is not None:
            self._thumbnail.measure(self._fit, self.box.width, self.box.height, self.box.kind)
        self.set_view_scale(self._scale)
        self.update()

    def brief_line(self) -> str:
        """The numbers in one line ("0.5 | ∇ −1.2"); a collapsed scope's progress."""
        if self.box.kind == "scope":
            return (self.quantity_lines() or [""])[0]
        return brief_quantity(self.value_text, self.second_text)

    def _place_plate(self, detail: Detail, size: int) -> None:
        """Behind a symbol wider or taller than its box, a plate in the box's colours."""
        plate = QRectF()
        if detail is Detail.SYMBOL and size:
            font = QFont()
            font.setPixelSize(size)
            metrics = QFontMetricsF(font)
            width = metrics.horizontalAdvance(symbol_line(self.titles)) + 0.5 * size
            height = metrics.height() + 0.1 * size
            if width > self._rect.width() or height > self._rect.height():
                plate = QRectF(-width / 2, -height / 2, width, height).united(self._rect)
        if plate != self._plate:
            self.prepareGeometryChange()
            self._plate = plate
            self._bounds = self._rect.adjusted(-6, -6, 6, 6).united(plate)
    def quantity_lines(self) -> list[str]:
        """The lines under the name: value and gradient or tangent; for a collapsed scope, one
        line, its progress ("3/31 done") or else its size ("31 nodes"), as its box has room for."""
        if self.box.kind == "scope":
            return [t for t in (self.second_text or self.value_text,) if t]
        return [t for t in (self.value_text, self.second_text) if t]

    def set_state(self, state: str, ring: QColor | None = None) -> None:
        ring = ring or self.ring
        if state != self.state or ring != self.ring:
            self.state, self.ring = state, ring
            self.setZValue(3 if state == "current" else 2)
            self._restyle()

    def set_flags(self, tint: QColor | None = None, non_finite: bool = False, breakpoint: bool | None = None) -> None:
        changed = tint != self.tint or non_finite != self.non_finite
        self.tint, self.non_finite = tint, non_finite
        if breakpoint is not None and breakpoint != self.breakpoint:
            self.breakpoint, changed = breakpoint, True
        if changed:
            self._restyle()

    def _restyle(self) -> None:
        """Hand the parts their pens and brushes: painting then only draws."""
        look = self._look = self.looks.node(self.box.kind, self.state, self.tint, self.non_finite)
        self._pen, self._brush, self._text_colour = look.pen, look.brush, look.text
        self._body.setPen(look.pen)
        self._body.setBrush(look.marker if self.detail is Detail.MARKER else look.brush)
        if self._card is not None:
            self._card.setPen(look.pen)
            self._card.setBrush(look.back_brush)
        self.show_selection()
        if self.breakpoint and self._dot is None:
            r = self._rect
            self._dot = self._part(self.scene().addEllipse(r.left() + 1.5, r.top() + 1.5, 11.0, 11.0,
                                                           self.looks.no_pen), z=2)
        if self._dot is not None:
            self._dot.setBrush(self.looks.brush(self.theme.bad))
            self._dot.setVisible(self.breakpoint)
        self.update()

    @property
    def ringed(self) -> bool:
        """Whether the ring shows: the node is the current step, or selected."""
        return self._ring_item is not None and self._ring_item.isVisible()

    def show_selection(self) -> None:
        """Ring the node when it is the current step or selected (the view calls this when
        the selection changes)."""
        current = self.state == "current"
        if not current and not self.isSelected():
            if self._ring_item is not None:
                self._ring_item.setVisible(False)
            return
        if self._ring_item is None:
            self._ring_item = self._part(self.scene().addPath(self._path), z=1)
        pen = (self.looks.pen(self.ring, 4.5 * self.theme.line ** 0.5) if current
               else self.looks.pen(self.theme.text, 2.0))
        self._ring_item.setPen(pen)
        self._ring_item.setVisible(True)

    def _outline(self) -> QPainterPath:
        r, kind, path = self._rect, self.box.kind, QPainterPath()
        if kind == "function":
            path.addEllipse(r)
        elif kind == "output":
            c = min(r.width(), r.height()) * 0.29
            path.addPolygon(QPolygonF([
                QPointF(r.left() + c, r.top()), QPointF(r.right() - c, r.top()), QPointF(r.right(), r.top() + c),
                QPointF(r.right(), r.bottom() - c), QPointF(r.right() - c, r.bottom()),
                QPointF(r.left() + c, r.bottom()), QPointF(r.left(), r.bottom() - c), QPointF(r.left(), r.top() + c),
            ]))
            path.closeSubpath()
        elif kind == "variable":
            path.addRoundedRect(r, 8, 8)
        else:
            path.addRect(r)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        # Only the text: the shape is the children's. The view stops calling this when no
        # text can be read; other painters (a render at another scale) are checked here.
        scale = option.levelOfDetailFromTransform(painter.worldTransform())
        size = font_pixels(self._fit, scale, self._least)
        if size:
            detail = detail_at(self._fit, scale, self._least)
            shift = self._thumbnail.text_shift(detail, scale) if self._thumbnail is not None else 0.0
            self._paint_text(painter, size, detail, shift)

    def _paint_text(self, painter: QPainter, size: int, detail: Detail, shift: float = 0.0) -> None:
        lines, quantities = list(self.titles), []
        if detail is Detail.FULL:
            quantities = self.quantity_lines()
        elif detail is Detail.BRIEF:
            lines, quantities = [symbol_line(self.titles)], [self.brief_line()]
        elif detail is Detail.SYMBOL:
            lines = [symbol_line(self.titles)]
            if not self._plate.isEmpty():
                painter.setPen(self._pen)
                painter.setBrush(self._brush)
                painter.drawRoundedRect(self._plate, 0.3 * size, 0.3 * size)
        text_colour = self._text_colour
        font = QFont(painter.font())
        font.setPixelSize(size)
        metrics = QFontMetricsF(font)
        all_lines = lines + quantities
        height = metrics.height() * len(all_lines)
        y = -height / 2 + metrics.ascent()
        for i, text in enumerate(all_lines):
            bold = QFont(font)
            bold.setBold(i >= len(lines))
            painter.setFont(bold)
            painter.setPen(text_colour)
            width = QFontMetricsF(bold).horizontalAdvance(text)
            painter.drawText(QPointF(shift - width / 2, y), text)
            y += metrics.height()


class EdgeItem:
    """An edge: the layout's Bezier spline and an arrowhead. An active edge is drawn thick
    in the pass's colour with dashes that flow along it (against the arrow when gradients
    flow back).

    Both parts are plain Qt items made by ``scene``, which draws them without calling
    Python: thousands of edges cost no Python calls per frame, nor on the first one.
    """

    def __init__(self, edge: EdgePath, theme: Theme, scene: QGraphicsScene, looks: Looks | None = None):
        self.edge, self.theme = edge, theme
        self.looks = looks if looks is not None and looks.theme is theme else Looks(theme)
        self.active = False
        self.reverse = False
        self.offset = 0.0
        path = QPainterPath()
        points = [QPointF(x, y) for x, y in edge.points]
        tip = QPointF(*edge.arrow_tip) if edge.arrow_tip else None
        if points:
            path.moveTo(points[0])
            for i in range(1, len(points) - 2, 3):
                path.cubicTo(points[i], points[i + 1], points[i + 2])
        self._colour = theme.edge
        self.line = scene.addPath(path, self._idle_pen())
        self.line.setZValue(1)
        head = self._arrowhead(points[-1], tip) if points and tip else QPolygonF()
        self.arrow = scene.addPolygon(head, self.looks.no_pen, self.looks.brush(self._colour))
        self.arrow.setParentItem(self.line)

    @staticmethod
    def _arrowhead(base: QPointF, tip: QPointF) -> QPolygonF:
        half_x, half_y = -(tip.y() - base.y()) * 0.45, (tip.x() - base.x()) * 0.45
        return QPolygonF([tip, QPointF(base.x() + half_x, base.y() + half_y),
                          QPointF(base.x() - half_x, base.y() - half_y)])

    def _idle_pen(self) -> QPen:
        return self.looks.pen(self._colour, 1.4 * self.theme.line)

    def _apply_pen(self) -> None:
        if self.active:
            pen = QPen(self._colour, 3.6 * self.theme.line ** 0.5)
            pen.setDashPattern([4.0, 2.5])
            pen.setDashOffset(self.offset)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        else:
            pen = self._idle_pen()
        self.line.setPen(pen)
        self.arrow.setBrush(self.looks.brush(self._colour))

    def set_active(self, active: bool, colour: QColor | None = None, reverse: bool = False) -> None:
        colour = colour if active and colour is not None else self.theme.edge
        if active != self.active or colour != self._colour or reverse != self.reverse:
            self.active, self._colour, self.reverse = active, colour, reverse
            self.line.setZValue(1.5 if active else 1)
            self._apply_pen()

    def advance_flow(self, amount: float) -> None:
        self.offset += -amount if not self.reverse else amount
        self._apply_pen()
