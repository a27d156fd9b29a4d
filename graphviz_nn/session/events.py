"""The event of the window's Qt-free model: what a model announces and views subscribe to."""

from __future__ import annotations

from typing import Callable


class Event:
    """Callbacks run, in the order they were connected, each time the event is emitted."""

    def __init__(self) -> None:
        self._callbacks: list[Callable] = []

    def connect(self, callback: Callable) -> None:
        """Run ``callback(*args)`` at every ``emit(*args)``, after those connected before."""
        self._callbacks.append(callback)

    def emit(self, *args) -> None:
        """Run every connected callback with ``args``."""
        for callback in list(self._callbacks):
            callback(*args)
