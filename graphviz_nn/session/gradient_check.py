"""What a gradient check says, in one line. Qt-free.

A relative error that is not a number (a gradient or its finite-difference estimate that is
inf or nan) is a failure, never "all agree".
"""

from __future__ import annotations

import math
from typing import Iterable

#: Relative errors below this agree with finite differences.
AGREES = 1e-6


def agrees(relative_error: float) -> bool:
    return relative_error < AGREES  # False for nan


def check_summary(errors: Iterable[float]) -> str:
    """The status line of a gradient check of several variables."""
    errors = list(errors)
    failing = [e for e in errors if not agrees(e)]
    unknown = sum(1 for e in errors if math.isnan(e))
    finite = [e for e in errors if not math.isnan(e)]
    worst = max(finite, default=0.0) if not unknown else math.nan
    text = f"Gradient check: {len(errors)} variables, worst relative error {worst:.1e}"
    if not failing:
        return text + ", all agree with finite differences"
    text += f", {len(failing)} above {AGREES:g}" if len(failing) > unknown else ""
    if unknown:
        text += (f", {unknown} not a number (a gradient or its finite-difference estimate is "
                 "not finite: Run to NaN finds where)")
    return text
