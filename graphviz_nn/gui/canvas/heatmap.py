"""Arrays as heatmaps: a diverging, colour-blind-safe picture of any numpy array.

Used by the inspector and by node tooltips. Values are coloured on a scale symmetric about
zero (blue below, white at zero, red above; :mod:`graphviz_nn.session.colour_map`), so the
sign of a gradient reads at a glance and zero is always white. Cells holding NaN or ±inf are drawn black with a light cross:
a colour outside the scale plus a shape, so they are found without relying on colour.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QGuiApplication, QImage, QPainter, QPalette,
                           QPen, QPixmap)

from ...session.colour_map import FLAG_RGB, colour_scale, heatmap_colours, matrix_view

__all__ = ["FLAG_COLOUR", "colour_scale", "draw_colour_key", "heatmap_colours", "heatmap_image", "heatmap_pixmap",
           "heatmap_with_axes", "key_width", "matrix_view", "tick_step"]

FLAG_COLOUR = QColor(*FLAG_RGB)
_CROSS_COLOUR = QColor("#FFE14D")
_GRID_COLOUR = QColor(96, 96, 96, 90)
_BORDER_COLOUR = QColor("#7F7F7F")
_MIN_SIDE = 6       # px: a 1 × 1000 vector still shows as a visible strip
_GRID_FROM = 8      # px: cells at least this big get grid lines and crosses


def _cell_size(rows: int, cols: int, cell: float, max_size: float) -> float:
    size = min(float(cell), float(max_size) / max(rows, cols))
    # Whole pixels where possible, so every cell is the same size and grid lines align.
    return math.floor(size) if size >= 2 else size


def heatmap_image(array, cell: float = 14, max_size: float = 240, scale: float | None = None) -> QImage:
    """The array as a heatmap image; see :func:`heatmap_pixmap`. Needs no QGuiApplication.
    ``scale``: the magnitude drawn in full colour (by default the array's own largest)."""
    matrix, _ = matrix_view(array)
    rows, cols = matrix.shape
    if matrix.size == 0:
        return QImage()
    rgb = np.ascontiguousarray(heatmap_colours(matrix, scale))
    small = QImage(rgb.data, cols, rows, 3 * cols, QImage.Format.Format_RGB888)
    size = _cell_size(rows, cols, cell, max_size)
    thinnest = max(1, min(_MIN_SIDE, round(cell)))
    width, height = max(thinnest, round(cols * size)), max(thinnest, round(rows * size))
    # Nearest-neighbour scaling keeps cells crisp; it also copies out of the numpy buffer.
    image = small.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                         Qt.TransformationMode.FastTransformation)
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    _decorate(image, matrix, width / cols, height / rows)
    return image


def _decorate(image: QImage, matrix: np.ndarray, cw: float, ch: float) -> None:
    """Grid lines, crosses on non-finite cells and a border, drawn onto the scaled image."""
    rows, cols = matrix.shape
    painter = QPainter(image)
    try:
        if min(cw, ch) >= _GRID_FROM:
            painter.setPen(QPen(_GRID_COLOUR, 1))
            for j in range(1, cols):
                x = round(j * cw)
                painter.drawLine(x, 0, x, image.height())
            for i in range(1, rows):
                y = round(i * ch)
                painter.drawLine(0, y, image.width(), y)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(_CROSS_COLOUR, max(1.0, min(cw, ch) / 9)))
            inset = min(cw, ch) * 0.28
            for i, j in zip(*np.nonzero(~np.isfinite(matrix))):
                left, top = j * cw + inset, i * ch + inset
                right, bottom = (j + 1) * cw - inset, (i + 1) * ch - inset
                painter.drawLine(QPointF(left, top), QPointF(right, bottom))
                painter.drawLine(QPointF(left, bottom), QPointF(right, top))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        # A border, so white (zero) cells still show against a white background.
        painter.setPen(QPen(_BORDER_COLOUR, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(0, 0, image.width() - 1, image.height() - 1)
    finally:
        painter.end()


def heatmap_pixmap(array, cell: float = 14, max_size: float = 240, ratio: float | None = None) -> QPixmap:
    """A heatmap of the array: one square cell per entry, coloured by value.

    Parameters
    ----------
    array : array_like
        Scalar (one cell), vector (one row), matrix, or more axes (reshaped as
        :func:`matrix_view` says).
    cell : float
        Side of a cell in pixels when the array is small enough.
    max_size : float
        The longer side of the picture is at most this many pixels; bigger arrays get
        smaller cells (below a pixel each, for very big ones), keeping the aspect ratio,
        except that no side is thinner than a few pixels.

    Returns
    -------
    QPixmap
        Blue for negative, white for zero, red for positive, on a scale symmetric about 0
        up to :func:`colour_scale`; NaN and ±inf cells black (``FLAG_COLOUR``), crossed when
        cells are big enough. A null pixmap for an empty array. Drawn with ``ratio`` device
        pixels per pixel (default: the screen's), so it stays sharp on a 2x screen.
    """
    if ratio is None:
        screen = QGuiApplication.primaryScreen()
        ratio = screen.devicePixelRatio() if screen is not None else 1.0
    pixmap = QPixmap.fromImage(heatmap_image(array, cell * ratio, max_size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def tick_step(count: int, room: float, need: float) -> int:
    """Label every k-th index so that labels ``need`` pixels apart fit cells ``room`` apart."""
    step = 1
    while step < count and step * room < need:
        step *= 5 if str(step).startswith("2") else 2     # 1, 2, 10, 20, 100, …
    return step


def key_width(metrics: QFontMetricsF, scale: float) -> float:
    """The least width of :func:`draw_colour_key`'s bar: its three labels, and room between."""
    return sum(metrics.horizontalAdvance(t) for t in _key_labels(scale)) + 2 * metrics.height()


def _key_labels(scale: float) -> tuple[str, str, str]:
    return f"−{scale:.3g}", "0", f"+{scale:.3g}"


def draw_colour_key(painter: QPainter, bar: QRectF, scale: float, line: float, ink: QColor) -> None:
    """The colour scale as a bar from −scale (blue) through 0 (white) to +scale (red), its
    three values written under it in ``line``-high text (the painter's font) in ``ink``."""
    ramp = np.ascontiguousarray(heatmap_colours(np.linspace(-1.0, 1.0, 64).reshape(1, -1)))
    painter.drawImage(bar, QImage(ramp.data, 64, 1, 3 * 64, QImage.Format.Format_RGB888).copy())
    painter.setPen(QPen(_BORDER_COLOUR, 1))
    painter.drawRect(bar)
    painter.setPen(ink)
    below = QRectF(bar.left(), bar.bottom(), bar.width(), 1.1 * line)
    for text, align in zip(_key_labels(scale), (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignHCenter,
                                                Qt.AlignmentFlag.AlignRight)):
        painter.drawText(below, int(align | Qt.AlignmentFlag.AlignTop), text)


def heatmap_with_axes(array, font: QFont, cell: float = 14, max_size: float = 240,
                      ratio: float | None = None) -> tuple[QPixmap, QRectF]:
    """A heatmap with its row and column indices and a colour bar labelled with its scale.

    Parameters
    ----------
    array : array_like
        As for :func:`heatmap_pixmap` (more than two axes are stacked as rows).
    font : QFont
        The labels' font (the widget's, so they scale with it).
    cell, max_size, ratio
        As for :func:`heatmap_pixmap`.

    Returns
    -------
    pixmap : QPixmap
        Row indices down the left, column indices along the top (every k-th where cells are
        smaller than a label), the cells, and under them a bar from −s (blue) through 0
        (white) to +s (red), s being :func:`colour_scale`.
    cells : QRectF
        Where the cells are in the pixmap, in its logical pixels (for reading the entry
        under the mouse).
    """
    if ratio is None:
        screen = QGuiApplication.primaryScreen()
        ratio = screen.devicePixelRatio() if screen is not None else 1.0
    matrix, _ = matrix_view(array)
    rows, cols = matrix.shape
    heat = heatmap_pixmap(matrix, cell, max_size, ratio)
    if heat.isNull():
        return QPixmap(), QRectF()
    width, height = heat.width() / ratio, heat.height() / ratio
    metrics = QFontMetricsF(font)
    line = metrics.height()
    left = metrics.horizontalAdvance(str(rows - 1)) + 0.4 * line
    top = line * 1.1
    scale = colour_scale(matrix)
    bar_width = max(width, key_width(metrics, scale))
    bar_top = top + height + 0.5 * line
    size_w = left + max(width, bar_width) + 0.2 * line
    size_h = bar_top + 0.8 * line + line * 1.1
    pixmap = QPixmap(round(size_w * ratio), round(size_h * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setFont(font)
        painter.setPen(QGuiApplication.palette().color(QPalette.ColorRole.WindowText))
        painter.drawPixmap(QPointF(left, top), heat)
        ch, cw = height / rows, width / cols
        for i in range(0, rows, tick_step(rows, ch, line)):
            painter.drawText(QRectF(0, top + i * ch, left - 0.3 * line, max(ch, line)),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), str(i))
        for j in range(0, cols, tick_step(cols, cw, metrics.horizontalAdvance(str(cols - 1)) + 0.5 * line)):
            painter.drawText(QRectF(left + j * cw, 0, max(cw, 3 * line), top),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), str(j))
        draw_colour_key(painter, QRectF(left, bar_top, bar_width, 0.8 * line), scale, line,
                        QGuiApplication.palette().color(QPalette.ColorRole.WindowText))
    finally:
        painter.end()
    return pixmap, QRectF(left, top, width, height)
