"""The inspector's grids of heatmaps: how long a conv layer's feature maps take to draw.

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_heatmaps.py [--quick]

Offscreen, in a 420 x 720 inspector (the window's right-hand column at 1280 x 720). The maps
of a conv layer with 16 channels of 8 x 8, a batch of 32 (the digits CNN's second layer):

a. the maps drawn from nothing: the grid worked out, its sixteen pictures made, and the
   widget painted into an image (target <= 16 ms, a frame at 60 a second);
b. another sample chosen and painted again (what a spin box's arrow costs; target <= 16 ms);
c. the whole inspector showing the node, value and gradient, each as a grid, painted once
   its layout has settled, for comparison with the inspector's other arrays;
d. the same maps for 64 channels of 28 x 28, for scale.

Also the map a node's box draws when zoomed in: made the first time it shows. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

import numpy as np  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from graphviz_nn.session.map_grid import plan_maps  # noqa: E402
from tests.benchmarks.timing import median_seconds  # noqa: E402

TARGET_MS = 16.0


def paint(widget) -> None:
    """Paint the widget into an image, as a screen update would (layout already settled)."""
    image = QImage(widget.size(), QImage.Format.Format_ARGB32_Premultiplied)
    widget.render(image)


def grid_figures(shape: tuple[int, ...], repeats: int) -> tuple[float, float]:
    """Median seconds to draw ``shape``'s maps from nothing, and to choose another sample."""
    from graphviz_nn.gui.docks.map_grid_view import MapGridView

    value = np.random.default_rng(0).normal(size=shape)
    plan = plan_maps(shape, "function")
    view = MapGridView("maps")
    view.resize(400, 900)
    view.show()
    QApplication.processEvents()

    def fresh() -> None:
        view.canvas.set_grid(None)
        view.show_array(value, plan, {"sample": 0})
        paint(view.canvas)

    samples = iter(range(10**9))

    def choose() -> None:
        view.choose({"sample": next(samples) % shape[0]})
        paint(view.canvas)

    fresh()
    QApplication.processEvents()    # the canvas's height settled, as on screen
    figures = median_seconds(fresh, repeats), median_seconds(choose, repeats)
    view.close()
    return figures


def inspector_figure(shape: tuple[int, ...], repeats: int) -> float:
    """Median seconds for the inspector to show a node whose value and gradient are maps."""
    from graphviz_nn.gui.docks.inspector import InspectorDock
    from graphviz_nn.session.inspect import NodeInfo

    value = np.random.default_rng(1).normal(size=shape)
    info = NodeInfo("n3", "conv2d", None, "function", "conv2d", shape, ("Conv2d",), value, value, None, "", None)
    dock = InspectorDock()
    dock.resize(420, 720)
    dock.show()

    def show() -> None:
        dock.show_node(info)
        QApplication.processEvents()    # the layout settles and the dock paints
        paint(dock)

    show()
    seconds = median_seconds(show, repeats)
    dock.close()
    return seconds


def thumbnail_figure(repeats: int) -> float:
    """Median seconds for a box to make and show the map of a (32, 16, 8, 8) value."""
    from PySide6.QtWidgets import QGraphicsScene

    from graphviz_nn.gui.canvas.items import NodeItem
    from graphviz_nn.gui.canvas.theme import LIGHT
    from graphviz_nn.layout import NodeBox

    scene = QGraphicsScene()
    box = NodeBox("n0", 0.0, 0.0, 180.0, 85.0, ("conv2d",), "function", (), ())  # as laid out for its lines
    value = np.random.default_rng(0).normal(size=(32, 16, 8, 8))

    def make() -> None:
        item = NodeItem(box, LIGHT, scene, scale=0.2)
        item.set_quantities("= 32×16×8×8", "∇ ±1.2")
        item.set_thumbnail_value(value)
        item.set_view_scale(1.5)
        assert item.thumbnail.shown
        scene.removeItem(item)

    return median_seconds(make, repeats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeats = 10 if args.quick else 60
    app = QApplication.instance() or QApplication([])  # noqa: F841 - kept alive while measuring
    fresh, choose = grid_figures((32, 16, 8, 8), repeats)
    big_fresh, big_choose = grid_figures((32, 64, 28, 28), max(5, repeats // 6))
    whole = inspector_figure((32, 16, 8, 8), max(5, repeats // 3))
    thumb = thumbnail_figure(repeats)
    print(f"{'measure':<52}{'value':>10}{'target':>10}  meets")
    for text, seconds, target in (
            ("a. 16 channels of 8 × 8: drawn from nothing", fresh, TARGET_MS),
            ("b. 16 channels of 8 × 8: another sample chosen", choose, TARGET_MS),
            ("c. the inspector: value and gradient as grids", whole, None),
            ("d. 64 channels of 28 × 28: drawn from nothing", big_fresh, None),
            ("   64 channels of 28 × 28: another sample chosen", big_choose, None),
            ("a box's map of a (32, 16, 8, 8) value: first shown", thumb, None)):
        ms = seconds * 1e3
        meets = "" if target is None else ("yes" if ms <= target else "NO")
        goal = "" if target is None else f"{target:>7.0f} ms"
        print(f"{text:<52}{ms:>7.2f} ms{goal:>10}  {meets}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
