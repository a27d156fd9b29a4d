"""Ctrl+C in the terminal closes the window, as it ends any other program started there.

Qt's event loop runs in C++ and Python only gets to see a signal when some Python code runs;
a timer that calls into Python every ``TICK_MS`` lets the handler run promptly. Works with
SIGINT on Windows, macOS and Linux alike.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator

TICK_MS = 200  # how late Ctrl+C may be noticed, at the cost of five wake-ups a second


@contextmanager
def interrupt_closes_windows(app) -> Iterator[list[int]]:
    """While inside, SIGINT closes every window (each saves its state as when closed by
    hand) and ends the event loop; the list yielded records the signals received."""
    from PySide6.QtCore import QTimer

    received: list[int] = []

    def on_interrupt(signum: int, frame) -> None:
        received.append(signum)
        app.closeAllWindows()
        app.quit()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    tick = QTimer()
    tick.timeout.connect(lambda: None)  # a moment of Python, where the handler runs
    tick.start(TICK_MS)
    try:
        yield received
    finally:
        tick.stop()
        signal.signal(signal.SIGINT, previous)
