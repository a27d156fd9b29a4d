"""The window's speed: animation frame time on a big graph, and launch to first picture.

Run from the repository root::

    python tests/benchmarks/bench_window.py [--quick] [--architectures]

Frame: one step of the backward pass on the expanded [30, 10, 10, 1] PerceptronNet
(1307 nodes, all on screen), offscreen: the cursor moves, the node and its edges change,
and the event loop runs until the view has repainted what changed (each frame is checked
to contain a paint). Also shown: a full repaint of every item, as after a zoom or pan.
Targets: median <= 16 ms, 95th percentile <= 33 ms. Launch: from creating the QApplication to the
demo graph drawn, in a fresh process; target <= 2 s. Opening: that graph opened expanded in
a fresh window while a 10 ms timer ticks; the longest gap between ticks (target <= 100 ms,
aim <= 50 ms) and the time until its picture is drawn. Architectures: each gallery example of
an architecture opened in the window, from ``load()`` to its picture drawn (layout included;
target <= 1 s), and a played frame of the backward pass on an unrolled LSTM of 50 steps opened
expanded (721 nodes; target <= 16 ms). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.window_probe import EXPANDING_PROBE, OPENING_PROBE  # noqa: E402

LAUNCH = """
import time
start = time.perf_counter()
import os
from contextlib import ExitStack
from graphviz_nn.gui.app import application, scratch_settings, wait_until
stack = ExitStack()
from graphviz_nn.gui.main_window import MainWindow
app = application()
window = MainWindow("scalar", settings=stack.enter_context(scratch_settings()), autosave=False)
window.show()
wait_until(lambda: window.view.presenter is not None and window.idle, 30)
window.view.viewport().repaint()
print(time.perf_counter() - start)
window.close()
"""

ARCHITECTURES = ("convolution", "cnn_digits", "rnn_vs_lstm", "gru", "attention", "transformer_block",
                 "next_character")


def opening_times(keys: tuple[str, ...], repeats: int) -> dict[str, float]:
    """The median seconds from ``load()`` to the picture drawn, per gallery example, at 1280 x 720."""
    from contextlib import ExitStack

    from graphviz_nn.gui.app import application, scratch_settings, wait_until
    from graphviz_nn.gui.main_window import MainWindow
    from graphviz_nn.session import EXAMPLES

    application()
    stack = ExitStack()
    window = MainWindow("scalar", settings=stack.enter_context(scratch_settings()), autosave=False)
    window.resize(1280, 720)
    window.show()
    wait_until(lambda: window.view.presenter is not None and window.idle, 60)
    drawn: list[float] = []
    window.view.picture_ready.connect(lambda: drawn.append(time.perf_counter()))
    seconds: dict[str, list[float]] = {key: [] for key in keys}
    for _ in range(repeats):
        for key in keys:
            drawn.clear()
            start = time.perf_counter()
            window.loading.load(EXAMPLES[key].build, EXAMPLES[key].title)
            wait_until(lambda: drawn and window.idle, 60)
            seconds[key].append(drawn[0] - start)
    window.close()
    return {key: statistics.median(times) for key, times in seconds.items()}


def frame_times(frames: int, build=None, title: str = "PerceptronNet [30, 10, 10, 1]") -> list[float]:
    """Each played frame's seconds on the graph ``build`` makes (the expanded [30, 10, 10, 1]
    PerceptronNet by default) opened expanded, and full repaints'."""
    from contextlib import ExitStack

    from graphviz_nn.gui.app import application, scratch_settings, wait_until
    from graphviz_nn.gui.main_window import MainWindow
    from graphviz_nn.session import big_perceptron_net

    app = application()
    stack = ExitStack()
    window = MainWindow(None, settings=stack.enter_context(scratch_settings()), autosave=False)
    window.resize(1600, 1000)
    window.show()
    window.loading.load(build or big_perceptron_net, title, expanded=True)
    wait_until(lambda: window.view.presenter is not None and window.idle, 120)
    window.stepping.set_phase("backward")
    wait_until(lambda: False, 0.3)
    from PySide6.QtCore import QEvent, QObject

    paints = []

    class PaintCounter(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                paints.append(1)
            return False

    counter = PaintCounter()
    window.view.viewport().installEventFilter(counter)
    times, full = [], []
    for _ in range(frames):
        if window.model.cursor.at_end:
            window.stepping.seek(-1)
            app.processEvents()
        before = len(paints)
        start = time.perf_counter()
        window.stepping.step_forward()
        while len(paints) == before and time.perf_counter() - start < 1:
            app.processEvents()
        times.append(time.perf_counter() - start)
    for _ in range(max(5, frames // 20)):
        start = time.perf_counter()
        window.view.viewport().repaint()
        full.append(time.perf_counter() - start)
    window.view.viewport().removeEventFilter(counter)
    window.close()
    return times, full


def _row(measure: str, value: float, unit: str, target: float) -> str:
    scale = 1e3 if unit == "ms" else 1.0
    shown = f"{value * scale:>8.1f} ms" if unit == "ms" else f"{value:>9.2f} s"
    goal = f"{target:>8g} ms" if unit == "ms" else f"{target:>9g} s"
    return f"{measure:<44}{shown}{goal}  {'yes' if value * scale <= target else 'NO'}"


def _frame_rows(measure: str, times: list[float]) -> list[str]:
    """A played frame's median and 95th percentile against 16 and 33 ms."""
    times = sorted(times)
    return [_row(f"{measure}, median", statistics.median(times), "ms", 16),
            _row("  frame, 95th percentile", times[int(0.95 * (len(times) - 1))], "ms", 33)]


def dense_rows(quick: bool) -> list[str]:
    """Launch, opening and expanding big PerceptronNets, and their frames."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    launches, stalls, opened, huge = [], [], [], []
    for _ in range(2 if quick else 5):
        out = subprocess.run([sys.executable, "-c", LAUNCH], capture_output=True, text=True,
                             cwd=ROOT, env=env, check=True)
        launches.append(float(out.stdout.strip().splitlines()[-1]))
        out = subprocess.run([sys.executable, "-c", OPENING_PROBE], capture_output=True, text=True,
                             cwd=ROOT, env=env, check=True)
        seen = json.loads(out.stdout.strip().splitlines()[-1])
        stalls.append(seen["gap"])
        opened.append(seen["drawn"])
        out = subprocess.run([sys.executable, "-c", EXPANDING_PROBE], capture_output=True, text=True,
                             cwd=ROOT, env=env, check=True)
        huge.append(json.loads(out.stdout.strip().splitlines()[-1]))
    times, full = frame_times(60 if quick else 400)
    return [
        *_frame_rows("frame (1307 nodes, backward pass)", times),
        f"{'full repaint of all items, median':<44}{statistics.median(full) * 1e3:>8.1f} ms",
        _row("launch to demo drawn, median", statistics.median(launches), "s", 2),
        _row("opening it expanded: longest stall, worst", max(stalls), "ms", 100),
        _row("  the same, median of the runs", statistics.median(stalls), "ms", 50),
        f"{'  from load() to its picture, median':<44}{statistics.median(opened):>9.2f} s",
        _row("10,000 nodes collapsed: open, median", statistics.median(h["opened"] for h in huge), "s", 2),
        f"{'  one scope opened: to its picture, median':<44}{statistics.median(h['expanded'] for h in huge):>9.2f} s",
        _row("  while it opens: longest stall, worst", max(h["open_gap"] for h in huge), "ms", 100),
        _row("  while a scope opens: longest stall, worst", max(h["gap"] for h in huge), "ms", 100),
    ]


def architecture_rows(quick: bool) -> list[str]:
    """Frames on the expanded 50-step LSTM, and each architecture of the gallery opened."""
    from graphviz_nn.session.architecture_examples import long_lstm

    times, _ = frame_times(60 if quick else 400, long_lstm, "LSTM of 50 steps")
    opened = opening_times(ARCHITECTURES, 1 if quick else 3)
    return [*_frame_rows("LSTM of 50 steps expanded: frame", times),
            *(_row(f"open {key}, median", seconds, "s", 1) for key, seconds in opened.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames and launches")
    parser.add_argument("--architectures", action="store_true",
                        help="only the gallery's architectures and the 50-step LSTM")
    args = parser.parse_args(argv)
    rows = [] if args.architectures else dense_rows(args.quick)
    rows += architecture_rows(args.quick)
    print(f"{'measure':<44}{'value':>10}{'target':>10}  meets")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
