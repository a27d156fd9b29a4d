"""A Qt image or pixmap as the bytes of an image file, so that pictures are written as every
save is (:func:`graphviz_nn.io.write_atomic`) rather than by Qt into the target itself."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QPixmap


def image_bytes(image: QImage | QPixmap, kind: str = "PNG") -> bytes:
    """The image encoded as ``kind`` (a format Qt writes: "PNG", "JPG", "BMP"...).

    Raises
    ------
    ValueError
        When Qt cannot write that format.
    """
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, kind.upper()):
        raise ValueError(f"cannot write a {kind} image; save it as .png instead")
    return bytes(data)
