"""Reading a dataset from a CSV file, with errors that name the line and the column."""

from __future__ import annotations

import csv
import math
import pathlib

import numpy as np

from .dataset import Dataset


class DatasetError(ValueError):
    """A dataset file that cannot be used; the message names the file, line and column."""


def read_csv(
    path: str | pathlib.Path,
    target: str | None = None,
    name: str | None = None,
    source: str = "",
    class_names: tuple[str, ...] | None = None,
) -> Dataset:
    """Read a CSV of numbers with a header row.

    Parameters
    ----------
    path : path
    target : str, optional
        The target column's name; the last column by default.
    class_names : tuple of str, optional
        Names of classes 0..k−1 for an integer target.

    Returns
    -------
    Dataset
        A classification set when every target is a whole number (classes are the sorted
        distinct values, renumbered from 0), else a regression set.

    Raises
    ------
    DatasetError
        An empty file, a missing target column, a row of the wrong length, a missing or
        non-numeric value (naming the line and column), or a non-finite value.
    """
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"{path}: cannot read the file ({error})") from None
    rows = list(csv.reader(text.splitlines()))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if len(rows) < 2:
        raise DatasetError(f"{path}: needs a header row and at least one row of data")
    header = [h.strip() for h in rows[0]]
    if target is None:
        target_index = len(header) - 1
    elif target in header:
        target_index = header.index(target)
    else:
        raise DatasetError(f"{path}: no column named {target!r}; the columns are {', '.join(header)}")
    if len(header) < 2:
        raise DatasetError(f"{path}: needs at least one feature column and a target column")
    values = np.empty((len(rows) - 1, len(header)))
    for r, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DatasetError(f"{path}, line {r}: {len(row)} values, the header has {len(header)}")
        for c, cell in enumerate(row):
            cell = cell.strip()
            where = f"{path}, line {r}, column {c + 1} ({header[c]!r})"
            if cell == "":
                raise DatasetError(f"{where}: missing value")
            try:
                number = float(cell)
            except ValueError:
                raise DatasetError(f"{where}: {cell!r} is not a number") from None
            if not math.isfinite(number):
                raise DatasetError(f"{where}: {cell!r} is not a finite number")
            values[r - 2, c] = number
    features = [i for i in range(len(header)) if i != target_index]
    X, raw = values[:, features], values[:, target_index]
    names = tuple(header[i] for i in features)
    label = name or path.stem
    if np.all(raw == np.round(raw)):
        classes, y = np.unique(raw, return_inverse=True)
        if class_names is None or len(class_names) != len(classes):
            class_names = tuple(f"{c:g}" for c in classes)
        return Dataset(label, X, y.astype(np.int64), names, class_names, source=source)
    return Dataset(label, X, raw, names, None, source=source)
