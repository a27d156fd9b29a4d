"""A training history as a CSV table, one row an epoch, for a spreadsheet or a plot script."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..nn.trainer import EpochRecord
from .atomic import write_atomic

COLUMNS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "seconds")
#: Rows written between two calls of ``progress``: 40,000 epochs report 40 times.
PROGRESS_ROWS = 1000


def layer_names(history: Iterable[EpochRecord]) -> list[str]:
    """Every layer a history measures, in order of first appearance, gathered in one pass.

    A list searched for each name made a history that names a new layer in each record
    quadratic (12,000 epochs: 7 s); a dict's keys keep the order and are found at once.
    """
    return list(dict.fromkeys(name for record in history for name, _ in record.gradient_norms))


def _cell(value) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def history_csv(history: Sequence[EpochRecord], layers: Sequence[str] | None = None,
                progress: Callable[[int, int], None] | None = None) -> str:
    """The table as text: the fixed columns, then ``grad_norm:<layer>`` for each layer.

    Missing measurements (a test loss without test rows, accuracy of a regression) are empty
    cells; numbers are written with ``repr`` so they read back exactly.

    Parameters
    ----------
    history : sequence of EpochRecord
    layers : sequence of str, optional
        The gradient-norm columns: the network's layers. A norm of any other name is left
        out, so the table costs ``len(history) * len(layers)`` cells whatever the records
        name. By default every layer the history names (:func:`layer_names`).
    progress : callable, optional
        Called as ``progress(rows_done, rows)`` every :data:`PROGRESS_ROWS` rows and at the end.
    """
    layers = layer_names(history) if layers is None else list(dict.fromkeys(layers))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(COLUMNS) + [f"grad_norm:{name}" for name in layers])
    total = len(history)
    for done, record in enumerate(history, 1):
        norms = dict(record.gradient_norms)
        cells = [record.epoch, record.train_loss, record.test_loss, record.train_accuracy,
                 record.test_accuracy, record.seconds] + [norms.get(name) for name in layers]
        writer.writerow([_cell(c) for c in cells])
        if progress is not None and (done % PROGRESS_ROWS == 0 or done == total):
            progress(done, total)
    return buffer.getvalue()


def export_history(history: Sequence[EpochRecord], path: str | Path, layers: Sequence[str] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Path:
    """Write :func:`history_csv` to ``path`` atomically (UTF-8); ``layers`` and ``progress``
    as there."""
    if not history:
        raise ValueError("there is no training history to export yet")
    return write_atomic(path, history_csv(history, layers, progress).encode("utf-8"))
