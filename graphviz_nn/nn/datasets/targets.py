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


# Distinct targets are counted up to this many (80 KB), not all: a note gives the figure.
MAX_COUNTED = 10_000

# Targets are looked at in blocks of this many rows, so that reading them costs a block's
# memory, not another copy of the column (a CSV's numbers already take 4x its size).
BLOCK = 2**13


def read_target(raw: np.ndarray, column: str, class_names: tuple[str, ...] | None = None,
                in_place: bool = False) -> Target:
    """Classes when every value is a whole number and there are at most ``MAX_CLASSES`` of
    them (renumbered 0..k−1 in sorted order), else regression.

    With ``in_place`` (``raw`` a contiguous float64 array of its own), the class indices are
    written over ``raw``'s memory: no copy of the column is made.

    Raises
    ------
    ValueError
        When the column holds one value only: there is nothing to learn from it.
    """
    distinct, whole = _distinct(raw)
    if len(distinct) == 1:
        raise ValueError(f"the target column {column!r} is {distinct[0]:g} in every row: there is "
                         "nothing to learn; name another column as the target")
    if whole and len(distinct) <= MAX_CLASSES:
        if class_names is None or len(class_names) != len(distinct):
            class_names = tuple(f"{c:g}" for c in distinct)
        y = raw.view(np.int64) if in_place else np.empty(len(raw), np.int64)
        for i in range(0, len(raw), BLOCK):
            y[i:i + BLOCK] = np.searchsorted(distinct, raw[i:i + BLOCK])  # read before written
        return Target(y, tuple(class_names), f"target {column!r}: {len(distinct)} classes")
    if whole:
        many = f"{len(distinct)}" if len(distinct) <= MAX_COUNTED else f"over {MAX_COUNTED:,}"
        return Target(raw, None, f"target {column!r}: {many} distinct whole numbers, more than "
                      f"{MAX_CLASSES}: read as a number to predict (regression), not as classes")
    return Target(raw, None, f"target {column!r}: numbers to predict (regression)")


def _distinct(raw: np.ndarray) -> tuple[np.ndarray, bool]:
    """The distinct values, sorted, counted up to past ``MAX_COUNTED`` (a note says how many),
    and whether every value is a whole number."""
    distinct, whole = np.empty(0), True
    for i in range(0, len(raw), BLOCK):
        block = raw[i:i + BLOCK]
        whole = whole and bool(np.all(block == np.round(block)))
        if len(distinct) <= MAX_COUNTED:
            distinct = np.union1d(distinct, block)
        elif not whole:
            break
    return distinct, whole
