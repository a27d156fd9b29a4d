"""Measuring what a call allocates, for the tests that bound it."""

from __future__ import annotations

import tracemalloc
from typing import Any, Callable


def traced_peak(call: Callable[[], Any]) -> tuple[Any, int]:
    """``call()``'s result and the most memory, in bytes, Python held at once while it ran."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
