"""The gradient through time beside an unrolled recurrence: ‖∂L/∂hₜ‖ at each step on a log
scale, one row per layer (an RNN and an LSTM on the same sequence, so the vanishing gradient
and the cell path that avoids it are side by side), the gates as heatmaps over time, and a
control for the recurrent weights' scale. It shows what it is handed and asks for a new
scale by a signal: it never changes a model."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QScrollArea, QSlider, QVBoxLayout, QWidget)

from ...session.box_detail import READABLE_PIXELS
from ...session.recurrence import GateValues, GradientStrip
from .fitting_labels import WrappedLabel
from .training_plots import readable_axes, set_plot_scheme

HIDDEN, CELL = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermillion, as the training curves
#: px: the least height of a strip, and of a gate's map. At 1280 x 720 a dock beside the graph
#: holds two strips, a row of gates and the controls in about 560 pixels.
STRIP_HEIGHT, GATE_HEIGHT = 110, 100
SCALES = (0.1, 10.0)      # the recurrent weights' scale, from a tenth to ten times
SLIDER_STEPS = 100         # slider positions per decade of scale
GATE_COLOURS = pg.colormap.get("viridis")  # sequential and colour-blind safe: 0 closed, 1 open
STRIPS_HINT = "No recurrent layer in this graph: open the example “rnn vs lstm”"
READOUT_HINT = "Point at a step to read its gradient"


def _positive(values: np.ndarray) -> np.ndarray:
    """The values a log axis can draw; the rest (unknown, zero, inf) become gaps."""
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def _log_range(strips: Sequence[GradientStrip]) -> tuple[float, float]:
    """Whole decades around every known norm, the same for every row so decays compare."""
    known = np.concatenate([_positive(a) for s in strips for a in (s.hidden, s.cell) if a is not None] or
                           [np.empty(0)])
    known = known[np.isfinite(known)]
    if not known.size:
        return -1.0, 1.0
    low, high = math.floor(np.log10(known.min())), math.ceil(np.log10(known.max()))
    return float(low), float(max(high, low + 1))


def _draw(curve: pg.PlotDataItem, norms: np.ndarray) -> None:
    """Norms by step t, unknown ones as gaps; none known: nothing drawn (pyqtgraph warns of
    a curve all of gaps)."""
    shown = _positive(norms)
    if np.isnan(shown).all():
        curve.setData([], [])
    else:
        curve.setData(np.arange(len(norms), dtype=float), shown, connect="finite")


def _number(value: float) -> str:
    return "not reached yet" if math.isnan(value) else f"{value:.3g}"


class _Plot(pg.PlotWidget):
    """A plot that asks for its least height, and grows from there when there is room
    (pyqtgraph's asks for 640 x 480: one strip took a whole projector's dock)."""

    def __init__(self, height: int):
        super().__init__(background="w")
        self.setMinimumHeight(height)
        self.ranges: tuple | None = None  # the x and y ranges last set

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(160, self.minimumHeight())


class RecurrenceView(QWidget):
    """‖∂L/∂hₜ‖ per step and layer, gates over time, and the recurrent weights' scale.

    Hand it :class:`~graphviz_nn.session.recurrence.GradientStrip` records (again at every step
    of a backward pass being played: the steps not reached yet are gaps) and
    :class:`~graphviz_nn.session.recurrence.GateValues`.

    Attributes
    ----------
    strip_plots : list of pg.PlotWidget
        One per layer, in the order the strips were given; time t on x, log₁₀ of the norm on y.
    hidden_curves, cell_curves : list of pg.PlotDataItem
        ‖∂L/∂hₜ‖ of each row, and ‖∂L/∂cₜ‖ (None for a layer without a cell state).
    gate_images : dict of (layer label, gate name) to pg.ImageItem
        Each gate's values, units by time (row-major: row = unit, column = t).
    scale_box, scale_slider, scale_reset, sample_box
        The controls: the scale typed or slid (on a log scale), put back to 1, and the gates
        of the batch's mean or one sequence.

    Signals
    -------
    scale_requested(float)
        The user asked for the recurrent weights times this factor (of their values as they
        were: 1 puts them back).
    """

    scale_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("recurrence_view")
        if QFontInfo(self.font()).pixelSize() < READABLE_PIXELS:
            font = self.font()
            font.setPixelSize(round(READABLE_PIXELS))
            self.setFont(font)
        self._dark = False
        self.strips: tuple[GradientStrip, ...] = ()
        self.gates: tuple[GateValues, ...] = ()
        self.strip_plots: list[pg.PlotWidget] = []
        self.hidden_curves: list[pg.PlotDataItem] = []
        self.cell_curves: list[pg.PlotDataItem | None] = []
        self.row_titles: list[QLabel] = []
        self.gate_images: dict[tuple[str, str], pg.ImageItem] = {}
        self.gate_titles: list[QLabel] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        body = QWidget()
        # Strips above gates in a dock beside the graph; side by side in a wide one below it.
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom, body)
        self._body.setContentsMargins(0, 0, 0, 0)
        self.hint = WrappedLabel(STRIPS_HINT)
        self.strip_area, self.gate_area, rows, gate_maps = QWidget(), QWidget(), QWidget(), QWidget()
        self._strip_rows, self._gate_grid = QVBoxLayout(rows), QGridLayout(gate_maps)
        strips = QVBoxLayout(self.strip_area)
        strips.addWidget(self.hint)
        strips.addWidget(rows, 1)
        self.gate_key = QLabel("gates: <span style='color:#440154'>■</span> 0 closed … "
                               "<span style='color:#FDE725;background:#555'>■</span> 1 open")
        gates = QVBoxLayout(self.gate_area)
        gates.addWidget(self.gate_key)
        gates.addWidget(gate_maps, 1)
        for layout in (self._strip_rows, self._gate_grid, strips, gates):
            layout.setContentsMargins(0, 0, 0, 0)
        self._body.addWidget(self.strip_area, 2)
        self._body.addWidget(self.gate_area, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        column.addWidget(scroll, 1)
        self.readout = WrappedLabel(READOUT_HINT)
        self.readout.setObjectName("recurrence_readout")
        column.addWidget(self.readout)
        column.addLayout(self._scale_controls())
        column.addLayout(self._sample_controls())
        self.show_strips(())
        self.show_gates(())

    # --- the controls ---------------------------------------------------------------------------
    def _scale_controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("recurrent weights"))
        self.scale_slider = QSlider(Qt.Orientation.Horizontal)
        self.scale_slider.setObjectName("recurrent_scale_slider")
        self.scale_slider.setRange(*(round(math.log10(end) * SLIDER_STEPS) for end in SCALES))
        self.scale_slider.setToolTip("Scale Wₕₕ: above 1 the gradient can explode back through time, "
                                     "below it vanishes")
        self.scale_box = QDoubleSpinBox()
        self.scale_box.setObjectName("recurrent_scale")
        self.scale_box.setRange(*SCALES)
        self.scale_box.setDecimals(2)
        self.scale_box.setSingleStep(0.1)
        self.scale_box.setPrefix("× ")
        self.scale_box.setKeyboardTracking(False)  # one request per typed number, not per key
        self.scale_box.setValue(1.0)
        self.scale_reset = QPushButton("× 1")
        self.scale_reset.setToolTip("The recurrent weights as they were")
        self.scale_slider.valueChanged.connect(self._on_scale_slider_value_changed)
        self.scale_box.valueChanged.connect(self._on_scale_box_value_changed)
        self.scale_reset.clicked.connect(lambda: self.scale_box.setValue(1.0))
        row.addWidget(self.scale_slider, 1)
        row.addWidget(self.scale_box)
        row.addWidget(self.scale_reset)
        return row

    def _sample_controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("gates of"))
        self.sample_box = QComboBox()
        self.sample_box.setObjectName("gate_sample")
        self.sample_box.addItem("the batch's mean")
        self.sample_box.currentIndexChanged.connect(lambda _: self._draw_gates())
        row.addWidget(self.sample_box, 1)
        return row

    @property
    def scale(self) -> float:
        """The scale the control shows."""
        return self.scale_box.value()

    def set_scale(self, factor: float) -> None:
        """Show the scale the weights have (the model's), without asking for it again."""
        for widget in (self.scale_box, self.scale_slider):
            widget.blockSignals(True)
        self.scale_box.setValue(factor)
        self.scale_slider.setValue(round(math.log10(self.scale_box.value()) * SLIDER_STEPS))
        for widget in (self.scale_box, self.scale_slider):
            widget.blockSignals(False)

    def _on_scale_slider_value_changed(self, position: int) -> None:
        self.scale_box.setValue(10 ** (position / SLIDER_STEPS))  # the box asks, once

    def _on_scale_box_value_changed(self, factor: float) -> None:
        self.scale_slider.blockSignals(True)
        self.scale_slider.setValue(round(math.log10(factor) * SLIDER_STEPS))
        self.scale_slider.blockSignals(False)
        self.scale_requested.emit(factor)

    @property
    def sample(self) -> int | None:
        """The sequence whose gates are drawn, or None for the batch's mean."""
        index = self.sample_box.currentIndex()
        return None if index <= 0 else index - 1

    # --- the strips ----------------------------------------------------------------------------
    def show_strips(self, strips: Sequence[GradientStrip], extent: Sequence[GradientStrip] = ()) -> None:
        """Draw ‖∂L/∂hₜ‖ (and an LSTM's ‖∂L/∂cₜ‖) of each layer, one row each, on one log scale.

        Parameters
        ----------
        strips : sequence of GradientStrip
            One per row, as far as the backward pass has reached (NaN: not yet).
        extent : sequence of GradientStrip, optional
            The norms the scale spans: the whole pass's, so the axes stand still while it is
            played; by default the strips shown.
        """
        strips = tuple(strips)
        if [(s.label, s.kind) for s in strips] != [(s.label, s.kind) for s in self.strips] or not self.strip_plots:
            self._build_strip_rows(strips)
        self.strips = strips
        self.hint.setVisible(not strips)
        low, high = _log_range(tuple(extent) or strips)
        for strip, plot, hidden, cell in zip(strips, self.strip_plots, self.hidden_curves, self.cell_curves):
            _draw(hidden, strip.hidden)
            if cell is not None and strip.cell is not None:
                _draw(cell, strip.cell)
            # NOTE: set only when they change, as an axis given a range repaints its ticks: most
            # of what a step of a pass being played costs. An RNN and an LSTM of T = 50 played
            # with the scale following the norms shown: 13.0 ms a step; with the whole pass's
            # as the extent, the axes still: 3.4 ms (tests/benchmarks/bench_recurrence.py).
            ranges = ((-0.5, max(len(strip) - 0.5, 0.5)), (low, high))
            if plot.ranges != ranges:
                plot.ranges = ranges
                plot.setXRange(*ranges[0], padding=0)
                plot.setYRange(*ranges[1], padding=0.05)

    def _build_strip_rows(self, strips: tuple[GradientStrip, ...]) -> None:
        _empty(self._strip_rows)
        self.strip_plots, self.hidden_curves, self.cell_curves, self.row_titles = [], [], [], []
        for strip in strips:
            key = f"by step t:&nbsp;&nbsp;<span style='color:{HIDDEN}'>━━</span>&nbsp;‖∂L/∂hₜ‖"
            if strip.cell is not None:
                key += f"&nbsp;&nbsp;<span style='color:{CELL}'>╍╍</span>&nbsp;‖∂L/∂cₜ‖"
            title = QLabel(f"<b>{strip.label}</b>&nbsp;&nbsp;{key}")
            title.setWordWrap(True)
            plot = self._plot(STRIP_HEIGHT)
            plot.setLogMode(y=True)
            plot.showGrid(x=False, y=True, alpha=0.25)
            hidden = plot.plot(pen=pg.mkPen(HIDDEN, width=2.5), symbol="o", symbolSize=7,
                               symbolBrush=HIDDEN, symbolPen=None)
            cell = None
            if strip.cell is not None:
                cell = plot.plot(pen=pg.mkPen(CELL, width=2.5, style=Qt.PenStyle.DashLine))
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._on_strip_mouse_moved(p, pos))
            self._strip_rows.addWidget(title)
            self._strip_rows.addWidget(plot, 1)
            self.row_titles.append(title)
            self.strip_plots.append(plot)
            self.hidden_curves.append(hidden)
            self.cell_curves.append(cell)

    def _plot(self, height: int) -> pg.PlotWidget:
        """A small plot read from afar: the widget's font on the axes, major ticks only."""
        plot = _Plot(height)
        plot.setFont(self.font())  # before it has a parent to take it from
        readable_axes(plot)
        plot.getAxis("left").setWidth(None)  # as wide as its ticks: "10⁻⁶", not "100%"
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.setMenuEnabled(False)
        set_plot_scheme(plot, self._dark)
        return plot

    def describe(self, row: int, t: int) -> str:
        """"LSTM, t 12: ‖∂L/∂hₜ‖ 3.2e-05, ‖∂L/∂cₜ‖ 0.004": one step's figures."""
        strip = self.strips[row]
        text = f"{strip.label}, t {t}: ‖∂L/∂hₜ‖ {_number(float(strip.hidden[t]))}"
        if strip.cell is not None:
            text += f", ‖∂L/∂cₜ‖ {_number(float(strip.cell[t]))}"
        return text

    def _on_strip_mouse_moved(self, plot: pg.PlotWidget, pos) -> None:
        row = self.strip_plots.index(plot)
        box = plot.getPlotItem().vb
        if row >= len(self.strips) or not box.sceneBoundingRect().contains(pos):
            return
        t = round(box.mapSceneToView(pos).x())
        if 0 <= t < len(self.strips[row]):
            self.readout.setText(self.describe(row, t))

    # --- the gates -----------------------------------------------------------------------------
    def show_gates(self, gates: Sequence[GateValues]) -> None:
        """Draw each gated layer's gates as heatmaps, time across and units down."""
        gates = tuple(g for g in gates if g.values)
        shape = [(g.label, tuple(g.values)) for g in gates]
        if shape != [(g.label, tuple(g.values)) for g in self.gates] or not self.gate_images:
            self._build_gate_maps(gates)
        self.gates = gates
        self.gate_area.setVisible(bool(gates))
        batch = next((v.shape[1] for g in gates for v in g.values.values()), 1)
        if self.sample_box.count() != batch + 1:
            chosen = self.sample
            self.sample_box.blockSignals(True)
            while self.sample_box.count() > 1:
                self.sample_box.removeItem(1)
            self.sample_box.addItems([f"sequence {n}" for n in range(batch)])
            self.sample_box.setCurrentIndex(chosen + 1 if chosen is not None and chosen < batch else 0)
            self.sample_box.blockSignals(False)
        self._draw_gates()

    def _build_gate_maps(self, gates: tuple[GateValues, ...]) -> None:
        _empty(self._gate_grid)
        self.gate_images, self.gate_titles = {}, []
        for row, layer in enumerate(gates):
            header = QLabel(f"<b>{layer.label}</b> gates: step t across, unit down")
            header.setWordWrap(True)
            self._gate_grid.addWidget(header, 3 * row, 0, 1, len(layer.values))
            self.gate_titles.append(header)
            for column, name in enumerate(layer.values):
                title = QLabel(layer.title(name))
                plot = self._plot(GATE_HEIGHT)
                plot.invertY(True)  # unit 0 on top, as the inspector draws a matrix's row 0
                image = pg.ImageItem(axisOrder="row-major")
                image.setLookupTable(GATE_COLOURS.getLookupTable(nPts=256))
                plot.addItem(image)
                self._gate_grid.addWidget(title, 3 * row + 1, column)
                self._gate_grid.addWidget(plot, 3 * row + 2, column)
                self._gate_grid.setRowStretch(3 * row + 2, 1)
                self.gate_titles.append(title)
                self.gate_images[(layer.label, name)] = image

    def _draw_gates(self) -> None:
        sample = self.sample
        for layer in self.gates:
            for name in layer.values:
                picture = layer.picture(name, sample)  # units x time
                image = self.gate_images[(layer.label, name)]
                image.setImage(picture, levels=(0.0, 1.0), autoLevels=False)
                units, steps = picture.shape
                image.setRect(QRectF(-0.5, -0.5, steps, units))
                box = image.getViewBox()
                if box is not None:
                    box.setRange(xRange=(-0.5, steps - 0.5), yRange=(-0.5, units - 0.5), padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        wide = self.width() > 2 * self.height()
        self._body.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)

    # --- the scheme ----------------------------------------------------------------------------
    def set_dark(self, dark: bool) -> None:
        """Follow the window's light or dark scheme."""
        self._dark = dark
        for plot in self.findChildren(pg.PlotWidget):
            set_plot_scheme(plot, dark)


def _empty(layout) -> None:
    """Take every widget out of a layout, and let it go."""
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
