"""The inspector dock: one node's value, gradient, tangent, derivative rule and chain rule.

Everything it shows comes from a :class:`~graphviz_nn.session.inspect.NodeInfo`, so the dock
holds no engine state. Texts are plain (the tests and the app read them back from the child
labels by objectName); fonts derive from the dock's font, so the app scales them all at once.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ...session.chain_text import chain_text
from ...session.conv_chain import ConvTerms
from ...session.inspect import NodeInfo
from ...session.map_grid import plan_maps
from ...session.number_text import magnitude
from ...session.symbols import derivative, dotted
from ..wheel_guard import WheelGuard
from .chain_view import ChainView
from .conv_terms_view import ConvTermsView
from .inspector_parts import heading, label, scaled
from .quantity_view import NOT_COMPUTED, QuantityView

__all__ = ["CHECK_TOLERANCE", "HINT", "NOT_COMPUTED", "InspectorDock"]

HINT = "Click a node, or step through a pass, to see its value, gradient and chain rule here."
CHECK_TOLERANCE = 1e-5


class InspectorDock(QDockWidget):
    """A dock showing one node: header, check, chain rule, value, gradient, tangent and rule.

    Child widgets with objectNames carry the texts: ``inspector_hint``, ``inspector_title``,
    ``inspector_details``, ``inspector_value``, ``inspector_gradient``, ``inspector_tangent``
    (each with ``_heading``, ``_heatmap``, ``_maps``, ``_flag``, ``_note`` and ``_numbers``
    siblings; ``_maps`` draws arrays of more than two axes, and labelled ones, as grids of
    heatmaps, whose chosen sample, head or input channel stays as the user leaves it from node
    to node and is shared by the value, gradient and tangent),
    ``inspector_formula``, ``inspector_chain`` (with the arrays and the entry of
    :class:`~graphviz_nn.gui.docks.chain_view.ChainView`) and ``inspector_check``. At a step of a
    pass the chain rule comes right after the title: it is what the step is about.
    A convolution's weight or bias also shows, for the entry clicked in its maps, the terms
    its gradient is the sum of (``conv_terms``, a :class:`ConvTermsView`); a pool, where the
    gradient of the entry clicked goes (``inspector_pool_route``).

    Signals
    -------
    entry_clicked(tuple)
        An entry of the value's or the gradient's maps was clicked: its index in the array.
    """

    entry_clicked = Signal(tuple)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Inspector", parent)
        self.setObjectName("inspector")
        self._info: NodeInfo | None = None
        self._chosen: dict[str, int] = {}   # the maps' sample, head, input channel: as the user left them
        self._scroll = scroll = QScrollArea()
        scroll.setObjectName("inspector_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Lines wrap to the dock's width: a horizontal bar cut every long chain rule at the right.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("inspector_content")
        layout = QVBoxLayout(content)
        self._hint = label("inspector_hint", selectable=False)
        self._hint.setText(HINT)
        self._hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._body = QWidget()
        body = QVBoxLayout(self._body)
        body.setContentsMargins(0, 0, 0, 0)
        self._title = label("inspector_title")
        self._details = label("inspector_details")
        self._details.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        self._value = QuantityView("value", self)
        self._gradient = QuantityView("gradient", self)
        self._tangent = QuantityView("tangent", self)
        self._formula_heading, self._formula = heading("formula"), label("inspector_formula")
        self._chain_heading, self.chain_view = heading("chain"), ChainView()
        self._check_heading, self._check = heading("check"), label("inspector_check")
        self._terms_heading, self.conv_terms = heading("conv_terms"), ConvTermsView()
        self._route_heading, self._route = heading("pool_route"), label("inspector_pool_route")
        self._route_heading.setText("Where this gradient goes")
        self._check_heading.setText("Gradient check  (finite differences)")
        # The check sits right under the title: when it is on, it is what the user is after.
        for widget in (self._title, self._details, rule, self._check_heading, self._check,
                       self._chain_heading, self.chain_view, self._value, self._gradient,
                       self._terms_heading, self.conv_terms, self._route_heading, self._route, self._tangent,
                       self._formula_heading, self._formula):
            body.addWidget(widget)
        layout.addWidget(self._hint)
        layout.addWidget(self._body)
        layout.addStretch(1)
        scroll.setWidget(content)
        self.setWidget(scroll)
        # The wheel over an unfocused sample or head chooser scrolls the dock, not the choice.
        self._wheel = WheelGuard(scroll)
        for view in (self._value, self._gradient, self._tangent):
            view.maps.choice_changed.connect(self._on_maps_choice_changed)
            view.maps.entry_clicked.connect(self.entry_clicked)
        self._apply_fonts()
        self.show_node(None)

    @property
    def info(self) -> NodeInfo | None:
        """The node shown, or None."""
        return self._info

    def sizeHint(self) -> QSize:
        em = self.fontMetrics().horizontalAdvance("M")
        return QSize(28 * em, 40 * self.fontMetrics().height())

    def show_node(self, info: NodeInfo | None) -> None:
        """Show this node, or the hint when None.

        Parameters
        ----------
        info : NodeInfo or None
            What :func:`graphviz_nn.session.inspect.describe` says about the node at the
            cursor's position.
        """
        self._info = info
        self._hint.setVisible(info is None)
        self._body.setVisible(info is not None)
        if info is None:
            self.chain_view.show_chain(None, "", *self.heatmap_size())
            self.show_conv_terms(None)
            self.show_pool_route(None)
            return
        # An unnamed op's label is one symbol ("^", "@"): its op name makes it readable.
        also = info.name if info.name else info.op
        self._title.setText(info.label + (f"  ({also})" if also and also != info.label else ""))
        parts = [info.kind] + ([f"op {info.op}"] if info.op else [])
        parts += ["scalar" if info.shape == () else f"shape {info.shape}", info.node_id]
        details = "  ·  ".join(parts)
        if info.symbol and info.symbol != info.label and info.node_id not in info.symbol:
            details += f"\nwritten {info.symbol}"
        if info.scope:
            details += "\nscope: " + " › ".join(info.scope)
        self._details.setText(details)
        x = info.symbol or info.label
        output = info.output_symbol
        plan = plan_maps(info.shape, info.kind, info.name, info.axis_labels)
        self._value.set_quantity("Value", info.value, plan, self._chosen)
        self._gradient.set_quantity(f"Gradient  {derivative(output, x)}", info.gradient, plan, self._chosen)
        self._tangent.set_quantity(f"Tangent  {dotted(x)}", info.tangent, plan, self._chosen)
        for view in (self._value, self._gradient, self._tangent):
            self._wheel.guard_children(view.maps)
        # A pass computes gradients or tangents, never both: once one is known, the other's
        # "not computed yet" would only be noise on the projector.
        self._gradient.setVisible(info.gradient is not None or info.tangent is None)
        self._tangent.setVisible(info.tangent is not None or info.gradient is None)
        self._formula_heading.setText(f"Derivative rule  ({info.op})" if info.op else "Derivative rule")
        self._formula.setText(info.formula)
        self._show(self._formula_heading, self._formula, bool(info.formula))
        chain = info.chain
        if chain is not None:
            mode = "reverse mode" if chain.phase == "backward" else "forward mode"
            self._chain_heading.setText(f"Chain rule  ({mode})")
        self.chain_view.show_chain(chain, chain_text(chain) if chain is not None else "",
                                   *self.heatmap_size())
        self.chain_view.fit(self._room())
        self._show(self._chain_heading, self.chain_view, chain is not None)
        self._show_check(info)

    def show_conv_terms(self, terms: ConvTerms | None) -> None:
        """The terms of a convolution parameter's entry (hidden when None)."""
        visible = terms is not None
        if visible:
            entry = ", ".join(map(str, terms.entry))
            self._terms_heading.setText(f"Sum over positions  {terms.parameter_label}[{entry}]")
        self.conv_terms.show_terms(terms, self._info.output_symbol if self._info is not None else "L")
        self._show(self._terms_heading, self.conv_terms, visible)

    def show_pool_route(self, text: str | None) -> None:
        """Where a pool sends the gradient of the entry clicked, in words (hidden when None)."""
        self._route.setText(text or "")
        self._show(self._route_heading, self._route, text is not None)

    def _show_check(self, info: NodeInfo) -> None:
        error = info.check_error
        self._show(self._check_heading, self._check, error is not None)
        self._check.setProperty("passed", None)
        if error is None:
            self._check.setText("")
            return
        passed = bool(error < CHECK_TOLERANCE)     # NaN fails
        verdict = "✓ passes" if passed else "✗ fails"
        lines = [f"relative error {error:.2e}   {verdict} (tolerance {CHECK_TOLERANCE:.0e})"]
        if info.check_numeric is not None:
            lines.append(f"numeric gradient {magnitude(info.check_numeric)}")
        self._check.setText("\n".join(lines))
        self._check.setProperty("passed", passed)
        self.tone(self._check, good=passed)

    def _on_maps_choice_changed(self, name: str, index: int) -> None:
        self._chosen[name] = index
        for view in (self._value, self._gradient, self._tangent):
            if view.maps.isVisibleTo(self):
                view.maps.choose(self._chosen)

    @staticmethod
    def _show(heading: QLabel, text: QWidget, visible: bool) -> None:
        heading.setVisible(visible)
        text.setVisible(visible)

    def tone(self, label: QLabel, good: bool) -> None:
        """Colour a label green or red, in shades that read on both light and dark themes."""
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        colour = ("#3DDC97" if dark else "#00774F") if good else ("#FF6B6B" if dark else "#C00000")
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        label.setPalette(palette)

    def _room(self) -> int:
        """The width the chain rule's arrays may take: the scroll area's, less the margins."""
        margins = self._scroll.widget().layout().contentsMargins()
        # The vertical scroll bar is reserved even while hidden: the arrays it would push
        # wider than the dock appear with it (a row laid out before it came would not fit).
        bar = self._scroll.verticalScrollBar()
        reserve = 0 if bar.isVisible() else bar.sizeHint().width()
        return self._scroll.viewport().width() - reserve - margins.left() - margins.right() - 4

    def heatmap_size(self) -> tuple[int, int]:
        """Cell and maximum side of heatmaps, growing with the font (a projector needs both)."""
        line = self.fontMetrics().height()
        return max(14, round(1.4 * line)), max(240, 16 * line)

    def _apply_fonts(self) -> None:
        title = scaled(self.font(), 1.5)
        title.setBold(True)
        self._title.setFont(title)
        self.number_font = scaled(self.font(), 1.25)
        line = self.fontMetrics().height()
        self._body.layout().setSpacing(round(0.25 * line))
        # Air above each heading, none below: a heading visibly belongs to what follows.
        for widget in self.findChildren(QLabel, options=Qt.FindChildOption.FindChildrenRecursively):
            if widget.objectName().endswith("_heading"):
                widget.setContentsMargins(0, round(0.7 * line), 0, 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.chain_view.fit(self._room())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange) and hasattr(self, "_body"):
            # Heatmap cells and the title follow the font; check colours follow the theme.
            self._apply_fonts()
            self.show_node(self._info)
