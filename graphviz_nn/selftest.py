"""``graphviz-nn --self-test``: does this installation work, from end to end?

It reads the package's datasets and icon as the installed (or frozen) app reads them, opens
the window offscreen on the first example (laid out by Graphviz in the worker process, never
in the window's), plays the forward and the backward pass to their ends, trains one epoch,
saves a session and opens it again, then exits 0;
each check prints ``ok  <what>`` or ``FAIL <what>: <why>`` and the first failure ends the
run with exit status 1. A watchdog ends a run that hangs, so it always comes back.

Nothing of the user's is touched: the window's settings, its recent files and the saved
session live in a temporary folder that is removed at the end (also when the watchdog ends a
run that hangs), and autosave is off.
"""

from __future__ import annotations

import faulthandler
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, TextIO

import numpy as np

TIMEOUT = 120.0  # seconds for the whole run; a pass or a training epoch takes well under one
STEP_TIMEOUT = 60.0


class CheckFailed(Exception):
    """A check found something wrong; its message says what."""


def _watchdog(seconds: float, out: TextIO, on_expiry: Callable[[], None]) -> threading.Timer:
    """A timer that reports the hang and ends the process: the Qt event loop may be the
    thing that hangs, so nothing that runs in it could."""

    def expire() -> None:
        try:
            print(f"FAIL self-test: not finished after {seconds:g} s; where each thread was:",
                  file=out, flush=True)
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
            on_expiry()
        finally:
            os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def _wait(condition: Callable[[], bool], what: str, window, timeout: float = STEP_TIMEOUT) -> float:
    """Seconds until ``condition()`` held, processing Qt events meanwhile; CheckFailed after
    ``timeout`` with the window's status line, which says what it was doing or what failed."""
    from .gui.app import wait_until

    started = time.perf_counter()
    if not wait_until(condition, timeout):
        raise CheckFailed(f"{what} did not happen within {timeout:g} s "
                          f"(the status bar says: {window.status.text()!r})")
    return time.perf_counter() - started


def _without_offscreen_noise(mode, context, message: str) -> None:
    """Qt's messages on standard error, less the offscreen platform's note that it cannot
    propagate size hints (it says so for every dock, and nothing is wrong)."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def _idle(window) -> bool:
    return window.view.presenter is not None and window.idle


def _leaves(graph) -> dict:
    """Each input node's id and a copy of its value: what a saved session must give back."""
    return {graph.id_of(node): node.value.copy() for node in graph if not node.inputs}


class _Run:
    """The checks, in order, sharing one window."""

    def __init__(self, folder: Path, out: TextIO):
        from PySide6.QtCore import QSettings

        from .gui.app import application
        from .gui.main_window import MainWindow

        self.folder, self.out = folder, out
        self.app = application()
        self.settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow("scalar", settings=self.settings, autosave=False)
        self.window.resize(1280, 800)
        self.window.show()

    def qt_started(self) -> str:
        from PySide6 import __version__ as pyside

        platform = self.app.platformName()
        if platform != "offscreen":
            raise CheckFailed(f"Qt runs on the {platform!r} platform, not offscreen")
        return f"Qt {pyside} started offscreen"

    def assets_found(self) -> str:
        """The files the package carries, read as an installed or frozen app reads them."""
        from .gui.icons import ICON_SIZES, app_icon
        from .nn.datasets import load
        from .nn.datasets.builtin import SHIPPED

        rows = {name: len(load(name)) for name in SHIPPED}
        sizes = sorted(size.width() for size in app_icon().availableSizes())
        if sizes != sorted(ICON_SIZES):
            raise CheckFailed(f"the icon has the sizes {sizes}, not {list(ICON_SIZES)}")
        shipped = ", ".join(f"{name} ({n} rows)" for name, n in rows.items())
        return f"the package's assets: datasets {shipped}; the icon in {len(sizes)} sizes"

    def example_opened(self) -> str:
        seconds = _wait(lambda: _idle(self.window), "opening the first example", self.window)
        drawn = len(self.window.view.nodes)
        if drawn == 0:
            raise CheckFailed("the layout came back with no nodes drawn")
        if "pygraphviz" in sys.modules:
            # Its wheel's own libxcb beside Qt's crashes the X11 plugin: Graphviz belongs
            # in the worker process (a frozen build may import it at start-up by a hook).
            raise CheckFailed("pygraphviz was loaded into the window's process; it must run "
                              "only in the layout worker")
        return (f"the first example laid out by Graphviz in the worker process and drawn: "
                f"{drawn} nodes in {seconds:.1f} s")

    def _play_to_end(self, phase: str) -> str:
        window = self.window
        window.playback.speed.setValue(window.playback.speed.maximum())
        window.stepping.toggle_play()
        if not window.stepping.playing:
            raise CheckFailed(f"Play did not start the {phase} pass")
        seconds = _wait(lambda: window.model.phase == phase and window.model.cursor.at_end and not window.stepping.playing,
                        f"the end of the {phase} pass", window)
        steps = len(window.model.cursor.recording)
        if steps == 0 or window.model.cursor.position != steps - 1:
            raise CheckFailed(f"the {phase} pass stopped at step {window.model.cursor.position + 1} of {steps}")
        return f"{steps} steps in {seconds:.1f} s"

    def forward_played(self) -> str:
        done = self._play_to_end("forward")
        output = self.window.model.built.output
        last = self.window.model.cursor.recording.steps[-1]
        if not (last.node is output and float(last.value) == float(output.value)):
            raise CheckFailed("the forward pass's last step is not the output's value")
        return f"forward pass played to its end: {done}, z = {float(output.value):.6f}"

    def backward_played(self) -> str:
        done = self._play_to_end("backward")
        graph = self.window.model.graph
        ungraded = [graph.id_of(v) for v in graph.variables if v.grad is None]
        if ungraded:
            raise CheckFailed(f"no gradient for {', '.join(ungraded)} at the end of the backward pass")
        return f"backward pass played to its end: {done}"

    def epoch_trained(self) -> str:
        window, dock, training = self.window, self.window.training, self.window.training_control
        stopped: list[str] = []
        training.sequence.events.ended.connect(stopped.append)  # after the window's own callback
        dock.show()
        dock.one_epoch()
        seconds = _wait(lambda: bool(stopped) and _idle(window), "one epoch of training", window)
        if stopped[0] != "done":
            raise CheckFailed(f"training stopped: {stopped[0]}")
        if window.model.graph is not training.run.network.graph:
            raise CheckFailed("the window does not show the network it trained")
        record = training.run.history[-1]
        if record.epoch != 1 or not record.train_loss == record.train_loss:  # nan != nan
            raise CheckFailed(f"training reported epoch {record.epoch}, loss {record.train_loss}")
        return (f"one epoch trained on {training.run.data.name}: loss {record.train_loss:.4g}, "
                f"network drawn with {len(window.model.graph)} nodes, in {seconds:.1f} s")

    def session_saved_and_reopened(self) -> str:
        window = self.window
        before, leaves = window.model.graph, _leaves(window.model.graph)
        started = time.perf_counter()
        path = Path(window.sessions.save_session(self.folder / "self-test.gnn"))
        if not path.is_file() or path.stat().st_size == 0:
            raise CheckFailed(f"save_session returned {path}, which is not a file with content")
        failures: list[str] = []
        window.session_failed.connect(failures.append)
        window.sessions.open_session(path)
        _wait(lambda: bool(failures) or (window.sessions.session_path == path and window.model.graph is not before
                                         and _idle(window)), "reopening the session", window)
        if failures:
            raise CheckFailed(f"the saved session did not open again: {failures[0]}")
        after = _leaves(window.model.graph)
        if len(window.model.graph) != len(before):
            raise CheckFailed(f"{len(before)} nodes saved, {len(window.model.graph)} reopened")
        if after.keys() != leaves.keys():
            raise CheckFailed(f"the inputs saved were {sorted(leaves)}, reopened {sorted(after)}")
        changed = [k for k in leaves if not np.array_equal(after[k], leaves[k])]
        if changed:
            raise CheckFailed(f"the values of {', '.join(changed)} changed on the way")
        return (f"session saved ({path.stat().st_size / 1024:.0f} KiB) and reopened: {len(before)} nodes, "
                f"{len(leaves)} inputs equal, in {time.perf_counter() - started:.1f} s")

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        self.app.processEvents()
        self.settings.sync()  # written now, into the folder about to be removed, not at exit


def self_test(out: TextIO | None = None, timeout: float = TIMEOUT) -> int:
    """Run every check, printing one line each; 0 when all passed, 1 at the first failure.

    Qt is told to draw offscreen, so it runs without a display; it must not have started
    in this process on another platform already.
    """
    out = out or sys.stdout
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    run: _Run | None = None

    def stop_worker() -> None:
        if run is not None:
            run.window.worker.cancel()

    # Made by hand rather than as a context: the watchdog's exit skips every cleanup, so
    # it removes the folder itself before it ends the process.
    folder = tempfile.mkdtemp(prefix="graphviz-nn-self-test-")

    def give_up() -> None:
        stop_worker()
        shutil.rmtree(folder, ignore_errors=True)

    watchdog = _watchdog(timeout, out, give_up)
    failed = None
    try:
        from PySide6.QtCore import qInstallMessageHandler

        previous = qInstallMessageHandler(_without_offscreen_noise)
        try:
            run = _Run(Path(folder), out)
            checks = [run.qt_started, run.assets_found, run.example_opened, run.forward_played, run.backward_played,
                      run.epoch_trained, run.session_saved_and_reopened]
            for check in checks:
                what = check.__name__.replace("_", " ")
                try:
                    print(f"ok  {check()}", file=out, flush=True)
                except Exception as error:  # each failure is reported, whatever it was
                    reason = str(error) if isinstance(error, CheckFailed) else f"{type(error).__name__}: {error}"
                    print(f"FAIL {what}: {reason}", file=out, flush=True)
                    failed = what
                    break
        except Exception as error:
            print(f"FAIL the window opens: {type(error).__name__}: {error}", file=out, flush=True)
            failed = "the window opens"
        finally:
            if run is not None:
                run.close()
            qInstallMessageHandler(previous)
        watchdog.cancel()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - started
    if failed:
        print(f"self-test failed ({failed}) after {seconds:.1f} s", file=out, flush=True)
        return 1
    print(f"self-test passed in {seconds:.1f} s", file=out, flush=True)
    return 0
