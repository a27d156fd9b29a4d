"""A training history as a CSV table, one row an epoch, for a spreadsheet or a plot script."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

from ..nn.trainer import EpochRecord
from .atomic import write_atomic

COLUMNS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "seconds")


def history_csv(history: Sequence[EpochRecord]) -> str:
    """The table as text: the fixed columns, then ``grad_norm:<layer>`` for each layer seen.

    Missing measurements (a test loss without test rows, accuracy of a regression) are empty
    cells; numbers are written with ``repr`` so they read back exactly.
    """
    layers: list[str] = []
    for record in history:
        for name, _ in record.gradient_norms:
            if name not in layers:
                layers.append(name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(COLUMNS) + [f"grad_norm:{name}" for name in layers])
    for record in history:
        norms = dict(record.gradient_norms)
        cells = [record.epoch, record.train_loss, record.test_loss, record.train_accuracy,
                 record.test_accuracy, record.seconds] + [norms.get(name) for name in layers]
        writer.writerow(["" if c is None else repr(c) if isinstance(c, float) else str(c) for c in cells])
    return buffer.getvalue()


def export_history(history: Sequence[EpochRecord], path: str | Path) -> Path:
    """Write :func:`history_csv` to ``path`` atomically (UTF-8)."""
    if not history:
        raise ValueError("there is no training history to export yet")
    return write_atomic(path, history_csv(history).encode("utf-8"))
