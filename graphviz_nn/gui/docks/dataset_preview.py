"""A dataset at a glance: a 2-D set's points, a few images, or a summary of its rows."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedWidget, QWidget

from ...nn.datasets import Dataset, preview
from ..canvas.heatmap import heatmap_image
from .training_plots import BoundaryView

POINTS_SHOWN = 2000
IMAGES_SHOWN = 24
IMAGES_PER_ROW = 8


class DatasetPreview(QStackedWidget):
    """Shows a dataset: the points of a 2-D classification set (with the decision boundary
    drawn under them as training goes), a strip of images, or its size and classes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.boundary = BoundaryView()
        self.images = FittedImage()
        self.images.setObjectName("dataset_images")
        self.summary = QLabel()
        self.summary.setObjectName("dataset_summary")
        self.summary.setWordWrap(True)
        for widget in (self.boundary, self.images, self.summary):
            self.addWidget(widget)
        self.setMinimumHeight(110)

    def show_data(self, data: Dataset) -> None:
        """Show a dataset; a big one through a fixed sample of its rows (a million points
        cost gigabytes as scatter items)."""
        if data.n_features == 2 and data.is_classification:
            self.boundary.show_data(preview(data, POINTS_SHOWN))
            self.setCurrentWidget(self.boundary)
        elif data.image_shape is not None:
            self.images.set_image(heatmap_image(_image_grid(data), cell=6, max_size=420))
            self.setCurrentWidget(self.images)
        else:
            counts = ", ".join(f"{name}: {int(np.sum(data.y == k)):,}" for k, name in enumerate(data.class_names or ()))
            notes = "".join(f"<br>{html.escape(n)}" for n in data.notes)
            self.summary.setText(f"<b>{html.escape(data.name)}</b>: {len(data):,} rows × {data.n_features} features"
                                 f"<br>{html.escape(counts)}{notes}<br><small>{html.escape(str(data.source))}</small>")
            self.setCurrentWidget(self.summary)

    def show_text(self, text: str) -> None:
        """Words in place of a picture: a set of sequences, as a model reads it."""
        self.summary.setText(html.escape(text))
        self.setCurrentWidget(self.summary)


class FittedImage(QWidget):
    """An image drawn as large as its room allows, keeping its proportions. Unlike a label's
    pixmap it asks for no width of its own: the digits' 360-pixel strip widened the
    training dock past a 1280 × 720 screen's column."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = QImage()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.image.size() if not self.image.isNull() else QSize(120, 80)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(40, 30)

    def drawn_rect(self) -> QRectF:
        """Where the image is drawn: centred, as large as fits, its proportions kept."""
        if self.image.isNull():
            return QRectF()
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2,
                      size.width(), size.height())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.image.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self.drawn_rect(), self.image)
        painter.end()


def _image_grid(data: Dataset) -> np.ndarray:
    """The first images side by side, a blank column between two, in rows of eight."""
    rows, cols = data.image_shape
    tiles = [data.X[i].reshape(rows, cols) for i in range(min(IMAGES_SHOWN, len(data)))]
    pad = np.full((rows, 1), np.nan)
    strip = [np.hstack([t for pair in zip(tiles[k:k + IMAGES_PER_ROW], [pad] * IMAGES_PER_ROW) for t in pair])
             for k in range(0, len(tiles), IMAGES_PER_ROW)]
    width = max(s.shape[1] for s in strip)
    grid = np.vstack([np.hstack([s, np.full((rows, width - s.shape[1]), np.nan)]) for s in strip])
    return np.nan_to_num(grid, nan=0.0)
