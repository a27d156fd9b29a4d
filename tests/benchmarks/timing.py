"""What the benchmarks share: timing a piece of work."""

from __future__ import annotations

import statistics
from time import perf_counter
from typing import Callable


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """The median wall time of ``repeats`` calls of ``run``, in seconds."""
    times = []
    for _ in range(repeats):
        start = perf_counter()
        run()
        times.append(perf_counter() - start)
    return statistics.median(times)
