"""Training with the window showing it, against the headless Trainer on the same settings.

Run from the repository root::

    python tests/benchmarks/bench_training_window.py [--quick]

For each dataset's default settings (xor, spiral with mini-batches of 16, digits), the
same network trains for a fixed time headless and then in the window with live curves,
decision boundary and graph colours; the ratio of epochs per second is the figure (target:
at least 70 %). While each trains, a 10 ms timer measures the longest the window's event
loop went unserved (target: at most 50 ms). Then 10,000 epochs of xor run in the window and
the peak memory of the window (traced) and of the training process (resident), and the number
of kept snapshots, are reported (curves downsample, snapshots thin out).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from graphviz_nn.gui.app import application, scratch_settings, wait_until  # noqa: E402
from graphviz_nn.gui.main_window import MainWindow  # noqa: E402
from graphviz_nn.session.training import TrainingRun, defaults_for  # noqa: E402


def headless_rate(settings, seconds: float) -> float:
    run = TrainingRun.create(settings)
    start, epochs = time.perf_counter(), 0
    for _ in run.trainer.fit(run.train, run.test, 10_000_000):
        epochs += 1
        if time.perf_counter() - start >= seconds:
            break
    return epochs / (time.perf_counter() - start)


def window_rate(window, settings, seconds: float) -> tuple[float, float]:
    """Epochs per second in the window, and the longest the event loop went unserved (ms)."""
    dock = window.training
    dock.show_settings(settings)
    dock.dataset.setCurrentIndex(dock.dataset.findData(settings.dataset))
    dock.show_settings(replace(settings, epochs=10_000_000))
    dock.train()
    wait_until(lambda: window.training_control.running, 30)
    wait_until(lambda: bool(window.training_control.run.history), 30)
    first = window.training_control.run.history[0]
    ticks: list[float] = []
    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe.start()
    _serve(seconds)
    probe.stop()
    window.training_control.sequence.stop(wait=5)
    wait_until(lambda: not window.training_control.running, 5)
    wait_until(lambda: False, 0.3)
    last = window.training_control.run.history[-1]
    return (last.epoch - first.epoch) / (last.seconds - first.seconds), 1000 * max(np.diff(ticks))


def _serve(seconds: float) -> None:
    """Run the event loop itself (not a polling loop) for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _peak_rss_mb(pid: int | None) -> float | None:
    """The peak resident memory of a process (Linux), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, TypeError):
        return None
    kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return None if kb is None else kb / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    seconds = 2.0 if args.quick else 5.0
    app = application()
    stack = ExitStack()
    window = MainWindow("scalar", settings=stack.enter_context(scratch_settings()), autosave=False)
    window.resize(1600, 1000)
    window.show()
    window.show_training_dock()
    wait_until(lambda: window.view.presenter is not None and window.idle, 30)
    print(f"{'settings':<34}{'headless ep/s':>15}{'window ep/s':>13}{'ratio':>8}  target >= 70 %"
          f"{'longest stall':>16}  target <= 50 ms")
    cases = [defaults_for("xor"), replace(defaults_for("spiral"), batch_size=16), defaults_for("digits")]
    for settings in cases:
        alone = headless_rate(settings, seconds)
        shown, stall = window_rate(window, settings, seconds)
        label = f"{settings.dataset} {list(settings.spec.hidden)} batch {settings.batch_size or 'full'}"
        print(f"{label:<34}{alone:>15.0f}{shown:>13.0f}{100 * shown / alone:>7.0f} %  "
              f"{'yes' if shown >= 0.7 * alone else 'NO':<14}{stall:>14.0f} ms  {'yes' if stall <= 50 else 'NO'}")
    dock = window.training
    dock.dataset.setCurrentIndex(dock.dataset.findData("xor"))
    dock.show_settings(replace(defaults_for("xor"), epochs=2_000 if args.quick else 10_000))
    tracemalloc.start()
    dock.train()
    wait_until(lambda: window.training_control.running, 30)
    wait_until(lambda: not window.training_control.running, 600)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    run = window.training_control.run
    child = _peak_rss_mb(window.training_control.sequence.client.pid)
    print(f"\n{len(run.history)} epochs in the window: peak traced memory {peak / 2**20:.1f} MB in the window, "
          + (f"training process peak resident {child:.0f} MB, " if child is not None else "")
          + f"{len(run.snapshots.snapshots)} snapshots kept (every {run.snapshots.spacing} epochs late on)")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
