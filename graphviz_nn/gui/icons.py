"""The application's icon, read from the package's assets wherever it is installed."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QIcon, QPixmap

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """graphviz-nn's icon with every PNG size, so no size is scaled from another.

    Raises
    ------
    FileNotFoundError
        When the package was installed without its assets (a broken build).
    """
    icons = resources.files("graphviz_nn.assets") / "icons"
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        # Loaded from bytes: a zipped or frozen package has no file path to give Qt.
        if not pixmap.loadFromData((icons / f"graphviz-nn-{size}.png").read_bytes(), "PNG"):
            raise FileNotFoundError(f"graphviz_nn/assets/icons/graphviz-nn-{size}.png is not a PNG")
        icon.addPixmap(pixmap)
    return icon
