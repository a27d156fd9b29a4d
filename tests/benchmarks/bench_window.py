"""The window's speed: animation frame time on a big graph, and launch to first picture.

Run from the repository root::

    python tests/benchmarks/bench_window.py [--quick]

Frame: one step of the backward pass on the expanded [30, 10, 10, 1] PerceptronNet
(1307 nodes, all on screen), offscreen: the cursor moves, the node and its edges change,
and the event loop runs until the view has repainted what changed (each frame is checked
to contain a paint). Also shown: a full repaint of every item, as after a zoom or pan.
Targets: median <= 16 ms, 95th percentile <= 33 ms. Launch: from creating the QApplication to the
demo graph drawn, in a fresh process; target <= 2 s. Opening: that graph opened expanded in
a fresh window while a 10 ms timer ticks; the longest gap between ticks (target <= 100 ms,
aim <= 50 ms) and the time until its picture is drawn. Figures are printed, never asserted.
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

def frame_times(frames: int) -> list[float]:
    from contextlib import ExitStack

    from graphviz_nn.gui.app import application, scratch_settings, wait_until
    from graphviz_nn.gui.main_window import MainWindow
    from graphviz_nn.session import big_perceptron_net

    app = application()
    stack = ExitStack()
    window = MainWindow(None, settings=stack.enter_context(scratch_settings()), autosave=False)
    window.resize(1600, 1000)
    window.show()
    window.loading.load(big_perceptron_net, "PerceptronNet [30, 10, 10, 1]", expanded=True)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames and launches")
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    launches, stalls, opened, huge = [], [], [], []
    for _ in range(2 if args.quick else 5):
        out = subprocess.run([sys.executable, "-c", LAUNCH], capture_output=True, text=True,
                             cwd=ROOT, env=env, check=True)
        launches.append(float(out.stdout.strip().splitlines()[-1]))
        out = subprocess.run([sys.executable, "-c", OPENING_PROBE], capture_output=True, text=True,
                             cwd=ROOT, env=env, check=True)
        seen = json.loads(out.stdout.strip().splitlines()[-1])
        stalls.append(seen["gap"] * 1e3)
        opened.append(seen["drawn"])
        out = subprocess.run([sys.executable, "-c", EXPANDING_PROBE], capture_output=True, text=True,
                             cwd=ROOT, env=env, check=True)
        huge.append(json.loads(out.stdout.strip().splitlines()[-1]))
    times, full = frame_times(60 if args.quick else 400)
    times = sorted(times)
    median = statistics.median(times) * 1e3
    p95 = times[int(0.95 * (len(times) - 1))] * 1e3
    print(f"{'measure':<44}{'value':>10}{'target':>10}  meets")
    print(f"{'frame, median (1307 nodes, backward pass)':<44}{median:>8.1f} ms{16:>8} ms  {'yes' if median <= 16 else 'NO'}")
    print(f"{'frame, 95th percentile':<44}{p95:>8.1f} ms{33:>8} ms  {'yes' if p95 <= 33 else 'NO'}")
    print(f"{'full repaint of all items, median':<44}{statistics.median(full) * 1e3:>8.1f} ms")
    launch = statistics.median(launches)
    print(f"{'launch to demo drawn, median':<44}{launch:>9.2f} s{2:>9} s  {'yes' if launch <= 2 else 'NO'}")
    stall = max(stalls)
    print(f"{'opening it expanded: longest stall, worst':<44}{stall:>8.1f} ms{100:>8} ms  "
          f"{'yes' if stall <= 100 else 'NO'}")
    print(f"{'  the same, median of the runs':<44}{statistics.median(stalls):>8.1f} ms{50:>8} ms  "
          f"{'yes' if statistics.median(stalls) <= 50 else 'NO'}")
    print(f"{'  from load() to its picture, median':<44}{statistics.median(opened):>9.2f} s")
    seconds = statistics.median(h["opened"] for h in huge)
    print(f"{'10,000 nodes collapsed: open, median':<44}{seconds:>9.2f} s{2:>9} s  {'yes' if seconds <= 2 else 'NO'}")
    seconds = statistics.median(h["expanded"] for h in huge)
    print(f"{'  one scope opened: to its picture, median':<44}{seconds:>9.2f} s")
    stall = max(h["open_gap"] for h in huge) * 1e3
    print(f"{'  while it opens: longest stall, worst':<44}{stall:>8.1f} ms{100:>8} ms  {'yes' if stall <= 100 else 'NO'}")
    stall = max(h["gap"] for h in huge) * 1e3
    print(f"{'  while a scope opens: longest stall, worst':<44}{stall:>8.1f} ms{100:>8} ms  {'yes' if stall <= 100 else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
