"""Live training plots: loss and accuracy curves, and the decision boundary of 2-D sets."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QVBoxLayout, QWidget

from ...nn import EpochRecord
from ...nn.datasets import Dataset
from ...session.training import Boundary
from .fitting_labels import WrappedLabel

# Okabe-Ito: train solid blue, test dashed vermillion; class colours for the points.
TRAIN, TEST = "#0072B2", "#D55E00"
CLASSES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#882255"]


DRAWN_POINTS = 400  # a curve of more epochs is drawn through the extremes of its stretches
#: px: the least height of each curve plot. At 80 px (a 1280 x 720 dock's share) the accuracy
#: axis read only "50%" and the key covered the curves; 120 leaves both end ticks room.
PLOT_HEIGHT = 120


def decimate(x: np.ndarray, y: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about ``limit`` points that draw like (x, y): each stretch of consecutive points
    becomes its lowest and its highest, in order, so spikes survive. Cheap however long the
    run: a curve of 100,000 epochs costs the window what 2,000 do."""
    n = len(x)
    if n <= limit:
        return x, y
    size = int(np.ceil(2 * n / limit))
    whole = n - n % size
    stretches = y[:whole].reshape(-1, size)
    low, high = stretches.argmin(axis=1), stretches.argmax(axis=1)
    starts = np.arange(0, whole, size)
    picked = np.column_stack([starts + np.minimum(low, high), starts + np.maximum(low, high)]).ravel()
    # The first and the latest epoch always show, so the curve starts and ends where it should.
    picked = np.unique(np.concatenate([[0], picked, np.arange(whole, n), [n - 1]]))
    return x[picked], y[picked]


class CurvesView(QWidget):
    """Train and test loss and accuracy by epoch; hover reads an epoch, a click picks it.

    Parameters
    ----------
    footer : bool
        Lay out the readout and the log scale box under the plots; False leaves :attr:`footer`
        for the owner to place (the training dock runs it under the data and the curves both,
        where the readout has the dock's whole width).

    Signals
    -------
    epoch_clicked(int)
    """

    epoch_clicked = Signal(int)

    def __init__(self, parent=None, footer: bool = True):
        super().__init__(parent)
        self.setObjectName("curves")
        pg.setConfigOptions(antialias=True)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = pg.PlotWidget(background="w")
        self.loss_plot.setObjectName("loss_plot")
        self.accuracy_plot = pg.PlotWidget(background="w")
        self.accuracy_plot.setObjectName("accuracy_plot")
        for plot in (self.loss_plot, self.accuracy_plot):
            readable_axes(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            # Downsampling and clipping keep 10,000 epochs as cheap to draw as 100.
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.setMinimumHeight(PLOT_HEIGHT)
            column.addWidget(plot, 1)
        self.accuracy_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "50%"), (1.0, "100%")]])
        self.accuracy_plot.getPlotItem().vb.sigResized.connect(self._fit_accuracy_range)
        self._fit_accuracy_range()
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.disableAutoRange()
        solid, dashed = pg.mkPen(TRAIN, width=2.5), pg.mkPen(TEST, width=2.5, style=pg.QtCore.Qt.PenStyle.DashLine)
        self.curves = {
            "train_loss": self.loss_plot.plot(pen=solid), "test_loss": self.loss_plot.plot(pen=dashed),
            "train_accuracy": self.accuracy_plot.plot(pen=solid), "test_accuracy": self.accuracy_plot.plot(pen=dashed),
        }
        # Each plot's name and its key in one line above it, never over the curves: axis
        # titles were cut, a two-line legend hid the test entry, and a key in a corner of an
        # 80-pixel plot covered the curves that passed there.
        self.keys = {"loss": CurveKey("loss", self.loss_plot), "accuracy": CurveKey("accuracy", self.accuracy_plot)}
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#777777", width=1))
        self.loss_plot.addItem(self.marker, ignoreBounds=True)
        self.footer = QWidget()
        self.footer.setObjectName("curves_footer")
        below = QHBoxLayout(self.footer)
        below.setContentsMargins(0, 0, 0, 0)
        self.position_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#333333", width=2))
        self.later = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(128, 128, 128, 50),
                                         pen=pg.mkPen(None))
        for item in (self.position_line, self.later):
            self.loss_plot.addItem(item, ignoreBounds=True)
        self._position: int | None = None
        # Wrapped, whole, and at least two lines tall: hovering changes the text, and only a
        # text that needs a third line re-lays the plots out.
        self.readout = WrappedLabel(READOUT_HINT, lines=2)
        self.readout.setObjectName("curves_readout")
        below.addWidget(self.readout, 1)
        self.log_scale = QCheckBox("log scale")
        self.log_scale.setObjectName("log_scale")
        self.log_scale.toggled.connect(self._on_log_scale_toggled)
        below.addWidget(self.log_scale, 0, pg.QtCore.Qt.AlignmentFlag.AlignTop)
        if footer:
            column.addWidget(self.footer)
        self.set_records([])
        self.loss_plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.loss_plot.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self.accuracy_plot.scene().sigMouseClicked.connect(self._on_accuracy_mouse_clicked)

    def set_dark(self, dark: bool) -> None:
        """Follow the window's light or dark scheme (the plots were always white)."""
        for plot in (self.loss_plot, self.accuracy_plot):
            set_plot_scheme(plot, dark)

    def set_position(self, epoch: int | None) -> None:
        """Mark the epoch whose weights the network holds, the epochs after it shaded as what
        came later; None: the latest weights, nothing marked."""
        self._position = epoch
        self.position_line.setVisible(epoch is not None)
        self.later.setVisible(epoch is not None)
        if epoch is None:
            self.readout.setText(READOUT_HINT)
            return
        end = float(self._epochs[-1]) if len(self._epochs) else float(epoch)
        self.position_line.setValue(epoch)
        self.later.setRegion((epoch, max(end, epoch)))
        self.readout.setText(self.describe(epoch))

    @property
    def position(self) -> int | None:
        return self._position

    def set_records(self, records: list[EpochRecord]) -> None:
        self.set_position(None)
        self.records = []
        self._x_end, self._y_end = 0, 0.0
        self._epochs = np.empty(0)
        self._values: dict[str, np.ndarray] = {key: np.empty(0) for key in self.curves}
        self.add(records)

    def redraw(self) -> None:
        self._redraw()

    def add(self, records, redraw: bool = True) -> None:
        """Append epochs: only the new records are read, so a long run stays cheap."""
        self.records.extend(records)
        self._epochs = np.concatenate([self._epochs, np.fromiter((r.epoch for r in records), float, len(records))])
        for key, values in self._values.items():
            new = np.fromiter((np.nan if getattr(r, key) is None else getattr(r, key) for r in records), float,
                              len(records))
            self._values[key] = np.concatenate([values, new])
        if redraw:
            self._redraw()

    def _redraw(self) -> None:
        epochs = self._epochs
        for key, curve in self.curves.items():
            values = self._values[key]
            finite = np.isfinite(values)
            curve.setData(*decimate(epochs[finite], values[finite], DRAWN_POINTS))
        self._fit_ranges(epochs)

    def _fit_ranges(self, epochs: np.ndarray) -> None:
        """Grow the axes in steps (x to the next power of two, loss to 10 % over its peak)
        rather than every epoch: an axis that changes is re-rendered, text and all, which is
        most of what drawing the plots costs while training."""
        if not len(epochs):
            return
        x_end = 2 ** int(np.ceil(np.log2(max(epochs[-1], 8))))
        if self._x_end != x_end:
            self._x_end = x_end
            for plot in (self.loss_plot, self.accuracy_plot):
                plot.setXRange(0, x_end, padding=0.02)
        if not self.log_scale.isChecked():
            peaks = [np.nanmax(self._values[k]) for k in ("train_loss", "test_loss")
                     if np.isfinite(self._values[k]).any()]
            if peaks:
                peak = float(max(peaks)) * 1.1 or 1.0
                if peak > self._y_end or peak < self._y_end / 8:
                    self._y_end = peak
                    self.loss_plot.setYRange(0, peak, padding=0)

    def _fit_accuracy_range(self, *_) -> None:
        """Half a line of room below 0 and above 100 %, however tall the plot: pyqtgraph drops
        a tick label that would stand past the plot, and a fixed margin left a 120-pixel plot
        only "50%"."""
        tall = self.accuracy_plot.getPlotItem().vb.height()
        room = self.accuracy_plot.fontMetrics().height() / 2 + 3
        pad = room / max(tall - 2 * room, room)
        self.accuracy_plot.setYRange(-pad, 1 + pad, padding=0)

    def _on_log_scale_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self.loss_plot.enableAutoRange(axis="y", enable=on)
        self._y_end = 0.0
        self._redraw()

    def _epoch_at(self, plot, scene_pos) -> int | None:
        if not self.records or not plot.sceneBoundingRect().contains(scene_pos):
            return None
        x = plot.plotItem.vb.mapSceneToView(scene_pos).x()
        return int(self._epochs[np.argmin(np.abs(self._epochs - x))])

    def describe(self, epoch: int) -> str:
        """"epoch 12: train loss …, test loss …; accuracy train … %, test … %" ("" if unknown)."""
        figures = self.figures(epoch)
        return f"epoch {epoch}: {figures}" if figures else ""

    def figures(self, epoch: int) -> str:
        """An epoch's losses and accuracies, without its number ("" if unknown)."""
        index = int(np.searchsorted(self._epochs, epoch))
        record = self.records[index] if index < len(self.records) and self.records[index].epoch == epoch else None
        if record is None:
            return ""
        def pct(v):
            return "—" if v is None else f"{100 * v:.1f} %"
        test = "" if record.test_loss is None else f", test loss {record.test_loss:.4g}"
        return (f"train loss {record.train_loss:.4g}{test}; accuracy train "
                f"{pct(record.train_accuracy)}, test {pct(record.test_accuracy)}")

    def _on_scene_mouse_moved(self, pos) -> None:
        epoch = self._epoch_at(self.loss_plot, pos)
        if epoch is not None:
            self.marker.setValue(epoch)
            self.readout.setText(self.describe(epoch))

    def _on_scene_mouse_clicked(self, event) -> None:
        epoch = self._epoch_at(self.loss_plot, event.scenePos())
        if epoch is not None:
            self.epoch_clicked.emit(epoch)

    def _on_accuracy_mouse_clicked(self, event) -> None:
        epoch = self._epoch_at(self.accuracy_plot, event.scenePos())
        if epoch is not None:
            self.epoch_clicked.emit(epoch)


READOUT_HINT = "Click a curve to go back to that epoch"


def set_plot_scheme(plot: pg.PlotWidget, dark: bool) -> None:
    """A plot's background, axes and text in the light or dark scheme."""
    background, ink = ("#1E1E1E", "#DDDDDD") if dark else ("w", "#333333")
    plot.setBackground(background)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(pg.mkPen(ink))
        axis.setTextPen(pg.mkPen(ink))
    key = getattr(plot, "curve_key", None)
    if key is not None:
        key.set_dark(dark)


def readable_axes(plot: pg.PlotWidget) -> None:
    """Axes for a small plot read from afar: the widget's own font, major ticks only (two or
    three of them), no titles (the plot's key names it; the x axis is epochs throughout)."""
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setTickFont(plot.font())
        axis.setStyle(maxTickLevel=0, tickTextOffset=3, autoExpandTextSpace=True)
        axis.enableAutoSIPrefix(False)
        # An axis (with its grid lines) is drawn again only when its range changes;
        # replaying it at every repaint was most of what drawing the plots cost.
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    plot.getAxis("left").setWidth(plot.fontMetrics().horizontalAdvance("100%") + 10)


class CurveKey(pg.LabelItem):
    """A plot's name and its curves' key on one line above the plot, in the title's place:
    "loss  ━ train  ╌ test", the lines in the curves' colours and styles."""

    def __init__(self, title: str, plot: pg.PlotWidget):
        super().__init__("", justify="right")
        self.title, self.dark = title, False
        self.entries = ("train", "test")
        item = plot.getPlotItem()
        item.layout.removeItem(item.titleLabel)
        item.titleLabel.hide()
        item.layout.addItem(self, 0, 1)
        self.item.document().setDocumentMargin(1)  # 4 by default: the text stood into the plot
        height = plot.fontMetrics().height() + 4
        item.layout.setRowFixedHeight(0, height)
        self.setMaximumHeight(height)
        plot.curve_key = self
        self._font_size = plot.font().pointSizeF()
        self._box = plot.getPlotItem().vb
        self._box.sigResized.connect(self._show)
        self._show()

    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        self._show()

    def _show(self, *_) -> None:
        """The whole key where the plot is wide enough; in a narrow one (a 720-line projector's
        dock) the entries alone, so the key never runs past the plot's width."""
        ink = "#DDDDDD" if self.dark else "#333333"
        entries = (f"<span style='color:{TRAIN}'>━━</span>&nbsp;train"
                   f"&nbsp;&nbsp;<span style='color:{TEST}'>╍╍</span>&nbsp;test")
        tight = f"<span style='color:{TRAIN}'>━</span>train <span style='color:{TEST}'>╍</span>test"
        room = self._box.width() - 8
        size = self._font_size
        for text, points in ((f"<b>{self.title}</b>&nbsp;&nbsp;" + entries, size), (entries, size),
                             (tight, size), (tight, 0.8 * size)):
            self.setText(text, color=ink, size=f"{points:g}pt")
            if self.item.boundingRect().width() <= room or room <= 0:
                break


def _rgb(hex_colour: str) -> np.ndarray:
    c = QColor(hex_colour)
    return np.array([c.red(), c.green(), c.blue()], dtype=float)


class BoundaryView(pg.PlotWidget):
    """A 2-D dataset's points over the network's decision regions, as TensorFlow Playground
    shows them: each class's colour, fainter where the network is less sure."""

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setObjectName("boundary")
        self.setAspectLocked(True)
        self.hideButtons()
        self.image = pg.ImageItem()
        self.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#222222", width=0.8))
        self.addItem(self.points)
        self.last_rgb: np.ndarray | None = None

    def set_dark(self, dark: bool) -> None:
        set_plot_scheme(self, dark)

    def show_data(self, data: Dataset) -> None:
        brushes = [pg.mkBrush(CLASSES[int(k) % len(CLASSES)]) for k in data.y]
        self.points.setData(data.X[:, 0], data.X[:, 1], brush=brushes)
        self.image.clear()
        self.last_rgb = None
        low, high = data.X.min(axis=0), data.X.max(axis=0)
        pad = 0.15 * (high - low + 1e-9)
        self.setRange(xRange=(low[0] - pad[0], high[0] + pad[0]), yRange=(low[1] - pad[1], high[1] + pad[1]),
                      padding=0)

    def show_boundary(self, shown: Boundary) -> None:
        colours = np.array([_rgb(c) for c in CLASSES])
        base = colours[shown.classes % len(CLASSES)]
        k = max(int(shown.classes.max()) + 1, 2)
        # Certainty from chance (1/k) to sure (1) fades each region from white to its colour.
        strength = np.clip((shown.confidence - 1 / k) / (1 - 1 / k), 0, 1)[..., None] * 0.55
        rgb = (255 * (1 - strength) + base * strength).astype(np.uint8)
        self.last_rgb = rgb
        self.image.setImage(np.transpose(rgb, (1, 0, 2)), levels=(0, 255))
        dx, dy = shown.xs[1] - shown.xs[0], shown.ys[1] - shown.ys[0]
        self.image.setRect(pg.QtCore.QRectF(shown.xs[0] - dx / 2, shown.ys[0] - dy / 2,
                                            dx * len(shown.xs), dy * len(shown.ys)))
