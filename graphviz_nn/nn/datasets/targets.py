"""What a target column asks for: classes to tell apart, or a number to predict."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# More distinct whole numbers than this are prices, years or counts, not labels: one-hot
# encoding 10,000 distinct prices made a 10,000-wide output layer (5.1 GB for 10,000 rows).
MAX_CLASSES = 20


@dataclass(frozen=True)
class Target:
    """A target column read: ``y`` as class indices (int64) or numbers (float64)."""

    y: np.ndarray
    class_names: tuple[str, ...] | None
    note: str


def read_target(raw: np.ndarray, column: str, class_names: tuple[str, ...] | None = None) -> Target:
    """Classes when every value is a whole number and there are at most ``MAX_CLASSES`` of
    them (renumbered 0..k−1 in sorted order), else regression.

    Raises
    ------
    ValueError
        When the column holds one value only: there is nothing to learn from it.
    """
    distinct, y = np.unique(raw, return_inverse=True)
    if len(distinct) == 1:
        raise ValueError(f"the target column {column!r} is {distinct[0]:g} in every row: there is "
                         "nothing to learn; name another column as the target")
    whole = bool(np.all(distinct == np.round(distinct)))
    if whole and len(distinct) <= MAX_CLASSES:
        if class_names is None or len(class_names) != len(distinct):
            class_names = tuple(f"{c:g}" for c in distinct)
        return Target(y.astype(np.int64), tuple(class_names), f"target {column!r}: {len(distinct)} classes")
    if whole:
        return Target(raw, None, f"target {column!r}: {len(distinct)} distinct whole numbers, more than "
                      f"{MAX_CLASSES}: read as a number to predict (regression), not as classes")
    return Target(raw, None, f"target {column!r}: numbers to predict (regression)")
