"""Datasets: the shipped real sets, the original program's letters, generated 2-D sets and user CSVs."""

from __future__ import annotations

import os
import pathlib
from typing import Callable

from .builtin import breast_cancer, digits, iris, letters
from .csv_file import DatasetError, ReadCancelled, read_csv
from .dataset import Dataset, Standardisation, preview, principal_components, split, standardise
from .generated import blobs, circles, moons, spiral, xor
from .images import images
from .sequences import (
    ADDING_BASELINE_MSE, SEQUENCE_TASKS, Sequences, adding_problem, copy_task, parity, reverse_task,
    sine_continuation,
)
from .source import Cancel, refusal

BUILTIN: dict[str, Callable[..., Dataset]] = {
    "breast_cancer": breast_cancer, "digits": digits, "iris": iris, "letters": letters,
    "xor": xor, "moons": moons, "circles": circles, "spiral": spiral, "blobs": blobs,
}


def load(name_or_path: str | pathlib.Path, target: str | None = None, seed: int = 0, *,
         deadline: float | None = None, cancel: Cancel = None) -> Dataset:
    """A built-in dataset by name, or a CSV file by path (``target`` names its target column).

    A file is read as :func:`read_csv` reads it: refused when the path leads into the
    system's folders or to anything but a regular file, stopped by ``deadline`` (a
    ``time.monotonic()`` value) or ``cancel`` (a callable or a ``threading.Event``).
    """
    key = str(name_or_path)
    if key in BUILTIN:
        maker = BUILTIN[key]
        return maker(seed=seed) if key in ("letters", "xor", "moons", "circles", "spiral", "blobs") else maker()
    path = pathlib.Path(key)
    if path.suffix.lower() == ".csv" or os.path.lexists(path):
        return read_csv(path, target=target, deadline=deadline, cancel=cancel)
    raise DatasetError(
        f"no dataset {key!r}: give a CSV file or one of {', '.join(BUILTIN)}"
    )


__all__ = [
    "BUILTIN", "Dataset", "DatasetError", "ReadCancelled", "Standardisation", "blobs", "breast_cancer",
    "circles", "digits", "images", "iris", "letters", "load", "moons", "preview",
    "principal_components", "read_csv", "refusal", "spiral", "split", "standardise", "xor",
    # sequence tasks, time first as torch's recurrent layers read them
    "ADDING_BASELINE_MSE", "SEQUENCE_TASKS", "Sequences", "adding_problem", "copy_task", "parity",
    "reverse_task", "sine_continuation",
]
