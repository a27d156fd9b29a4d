"""Scene items built from a Layout: nodes, edges with arrowheads, and scope boxes."""

from __future__ import annotations


from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsPolygonItem, QStyleOptionGraphicsItem

from ..layout import ClusterBox, EdgePath, NodeBox
from .theme import Theme

QUANTITY_PREFIXES = ("= ", "∇ ", "ẋ ")
FONT_PIXELS = 14.0


def title_lines(box: NodeBox) -> tuple[str, ...]:
    return tuple(line for line in box.lines if not line.startswith(QUANTITY_PREFIXES))


class NodeItem(QGraphicsItem):
    """A node: its shape by kind, its name and op, and the quantities the pass has reached.

    ``state`` is "pending" (not yet computed: dimmed), "done", or "current" (the step being
    shown: a thick ring). ``tint`` overrides the fill (gradient magnitude or check colours).
    """

    def __init__(self, box: NodeBox, theme: Theme):
        super().__init__()
        self.box, self.theme = box, theme
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
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.tooltip_source = None  # a callable giving the tooltip's HTML, asked on hover
        self._rect = QRectF(-box.width / 2, -box.height / 2, box.width, box.height)
        self._path = self._outline()
        self._restyle()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-6, -6, 6, 6)

    def hoverEnterEvent(self, event) -> None:
        if self.tooltip_source is not None:
            self.setToolTip(self.tooltip_source())
        super().hoverEnterEvent(event)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._rect)
        return path

    def set_quantities(self, value_text: str, second_text: str) -> None:
        if (value_text, second_text) != (self.value_text, self.second_text):
            self.value_text, self.second_text = value_text, second_text
            self.update()

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
        """Work out pens and brushes once per change, so painting only draws."""
        theme, kind = self.theme, self.box.kind
        fill = QColor(theme.bad).lighter(170) if self.non_finite else QColor(self.tint or theme.fill(kind))
        border = QColor(theme.bad if self.non_finite else theme.border(kind))
        if self.state == "pending":
            fill.setAlphaF(0.45)
            border.setAlphaF(0.5)
        pen = QPen(border, (2.2 if kind in ("variable", "output") else 1.6) * theme.line)
        if kind == "constant":
            pen.setStyle(Qt.PenStyle.DashLine)
        self._pen, self._brush = pen, QBrush(fill)
        self._back_brush = QBrush(fill.darker(108))
        self._ring = QPen(self.ring, 4.5 * theme.line ** 0.5)
        self._text_colour = self._pick_text_colour()
        self.update()

    def _pick_text_colour(self) -> QColor:
        colour = QColor("#111111") if not self.theme.dark or self.tint else QColor(self.theme.text)
        if self.tint is not None and self.tint.lightnessF() < 0.45:
            colour = QColor("#FFFFFF")
        if self.state == "pending":
            colour.setAlphaF(0.55)
        return colour

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
        # Antialiasing follows the view's choice (off when zoomed far out).
        if self.box.kind == "scope":  # a stack of cards: several nodes behind one
            painter.setPen(self._pen)
            painter.setBrush(self._back_brush)
            painter.drawPath(self._path.translated(5, -5))
        painter.setPen(self._pen)
        painter.setBrush(self._brush)
        painter.drawPath(self._path)
        if self.state == "current" or self.isSelected():
            painter.setPen(self._ring if self.state == "current" else QPen(self.theme.text, 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._path)
        if self.breakpoint:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(self.theme.bad))
            painter.drawEllipse(QPointF(self._rect.left() + 7, self._rect.top() + 7), 5.5, 5.5)
        # Level of detail: text a few pixels high cannot be read, and skipping it keeps a
        # graph of a thousand nodes fast to draw when the whole of it is in view.
        if option.levelOfDetailFromTransform(painter.worldTransform()) * FONT_PIXELS >= 5:
            self._paint_text(painter)

    def _paint_text(self, painter: QPainter) -> None:
        lines = list(self.titles)
        quantities = [t for t in (self.value_text, self.second_text) if t]
        text_colour = self._text_colour
        font = QFont(painter.font())
        font.setPixelSize(int(FONT_PIXELS))
        metrics = QFontMetricsF(font)
        all_lines = lines + quantities
        widest = max((metrics.horizontalAdvance(t) for t in all_lines), default=0.0)
        room = self._rect.width() * (0.78 if self.box.kind in ("function", "output") else 0.92)
        if widest > room > 0:  # shrink rather than spill out of the box
            font.setPixelSize(max(7, int(FONT_PIXELS * room / widest)))
            metrics = QFontMetricsF(font)
        height = metrics.height() * len(all_lines)
        y = -height / 2 + metrics.ascent()
        for i, text in enumerate(all_lines):
            bold = QFont(font)
            bold.setBold(i >= len(lines))
            painter.setFont(bold)
            painter.setPen(text_colour)
            width = QFontMetricsF(bold).horizontalAdvance(text)
            painter.drawText(QPointF(-width / 2, y), text)
            y += metrics.height()


class EdgeItem(QGraphicsPathItem):
    """An edge: the layout's Bezier spline and an arrowhead. An active edge is drawn thick
    in the pass's colour with dashes that flow along it (against the arrow when gradients
    flow back).

    Both parts are stock Qt items painted in C++: thousands of edges cost no Python calls
    per frame.
    """

    def __init__(self, edge: EdgePath, theme: Theme):
        super().__init__()
        self.edge, self.theme = edge, theme
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
        self.setPath(path)
        self.arrow = QGraphicsPolygonItem(self._arrowhead(points[-1], tip) if points and tip else QPolygonF(), self)
        self.arrow.setPen(QPen(Qt.PenStyle.NoPen))
        self.setZValue(1)
        self._colour = theme.edge
        self._apply_pen()

    @staticmethod
    def _arrowhead(base: QPointF, tip: QPointF) -> QPolygonF:
        half_x, half_y = -(tip.y() - base.y()) * 0.45, (tip.x() - base.x()) * 0.45
        return QPolygonF([tip, QPointF(base.x() + half_x, base.y() + half_y),
                          QPointF(base.x() - half_x, base.y() - half_y)])

    def _apply_pen(self) -> None:
        if self.active:
            pen = QPen(self._colour, 3.6 * self.theme.line ** 0.5)
            pen.setDashPattern([4.0, 2.5])
            pen.setDashOffset(self.offset)
        else:
            pen = QPen(self._colour, 1.4 * self.theme.line)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.arrow.setBrush(QBrush(self._colour))

    def set_active(self, active: bool, colour: QColor | None = None, reverse: bool = False) -> None:
        colour = colour if active and colour is not None else self.theme.edge
        if active != self.active or colour != self._colour or reverse != self.reverse:
            self.active, self._colour, self.reverse = active, colour, reverse
            self.setZValue(1.5 if active else 1)
            self._apply_pen()

    def advance_flow(self, amount: float) -> None:
        self.offset += -amount if not self.reverse else amount
        self._apply_pen()


class ClusterItem(QGraphicsItem):
    """A scope's box with its name; double-clicking it collapses the scope."""

    def __init__(self, cluster: ClusterBox, theme: Theme):
        super().__init__()
        self.cluster, self.theme = cluster, theme
        self._rect = QRectF(cluster.x, cluster.y, cluster.width, cluster.height)
        self.setZValue(0)
        self.setToolTip(f"{' / '.join(cluster.scope)}: double-click to collapse")

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.theme.cluster_border, 1.2 * self.theme.line))
        painter.setBrush(QBrush(self.theme.cluster_fill))
        painter.drawRoundedRect(self._rect, 8, 8)
        font = QFont(painter.font())
        font.setPixelSize(13)
        painter.setFont(font)
        painter.setPen(self.theme.muted.darker(150) if not self.theme.dark else self.theme.muted.lighter(150))
        painter.drawText(self._rect.adjusted(8, 3, -4, -4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         self.cluster.scope[-1])
