"""Render the icon's PNG sizes from its SVG with QtSvg.

    python packaging/make_icons.py           # write graphviz_nn/assets/icons/graphviz-nn-<size>.png
    python packaging/make_icons.py --check   # exit 1 if a committed PNG differs from the SVG

The PNGs are committed: desktops and installers that cannot read SVG take them as they are.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "graphviz_nn" / "assets" / "icons"
NAME = "graphviz-nn"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Qt's antialiasing may round a channel differently from one release to the next.
TOLERANCE = 8


def png_path(size: int) -> Path:
    return ICONS / f"{NAME}-{size}.png"


def render(svg: Path, size: int):
    """The SVG drawn into a transparent ``size`` x ``size`` QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not an SVG that QtSvg can read")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode the PNG")
    buffer.close()
    return bytes(data.data())


def largest_difference(a, b) -> int:
    """The largest difference of any channel of any pixel of two same-sized images."""
    import numpy as np

    def channels(image) -> np.ndarray:
        from PySide6.QtGui import QImage

        image = image.convertToFormat(QImage.Format.Format_RGBA8888)
        raw = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
        return raw.reshape(image.height(), image.bytesPerLine())[:, : 4 * image.width()].astype(int)

    return int(np.abs(channels(a) - channels(b)).max())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare the committed PNGs with the SVG instead of writing them")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImage

    sys.path.insert(0, str(ROOT))  # the checkout's package, installed or not
    from graphviz_nn.io.atomic import write_atomic

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs it
    svg = ICONS / f"{NAME}.svg"
    stale = []
    for size in SIZES:
        image = render(svg, size)
        target = png_path(size)
        if args.check:
            committed = QImage(str(target))
            if committed.isNull() or committed.size() != image.size():
                stale.append(f"{target.name}: missing or not {size} x {size}")
            elif (difference := largest_difference(committed, image)) > TOLERANCE:
                stale.append(f"{target.name}: differs from the SVG by up to {difference} levels")
        else:
            write_atomic(target, png_bytes(image))
            target.chmod(0o644)  # the temporary file it was written as is private to its owner
            print(f"wrote {target}")
    for problem in stale:
        print(problem, file=sys.stderr)
    if stale:
        print("run: python packaging/make_icons.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
