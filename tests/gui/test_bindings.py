"""The Qt bindings must not leak references when Python code paints scene items."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene  # noqa: E402


class _Painted(QGraphicsItem):
    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, 10, 10)

    def paint(self, painter, option, widget=None) -> None:
        painter.drawRect(0, 0, 10, 10)


def test_python_paint_overrides_do_not_release_none(qapp) -> None:
    """PySide6 6.12.0 drops a reference to None on each paint() call: on Python 3.11 the
    window then aborts after a few thousand frames ("deallocating None")."""
    scene = QGraphicsScene()
    items = [_Painted() for _ in range(50)]
    for item in items:
        scene.addItem(item)
    image = QImage(100, 100, QImage.Format.Format_ARGB32)
    before = sys.getrefcount(None)
    for _ in range(40):
        painter = QPainter(image)
        scene.render(painter)
        painter.end()
    assert sys.getrefcount(None) - before > -100  # 2000 paints: a leak would show -2000
