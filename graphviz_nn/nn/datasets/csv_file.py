"""Reading a dataset from a CSV file, with errors that name the line and the column.

The file is checked before it is opened (a regular file, at most ``MAX_BYTES``: a named pipe
would block the reader and a device never ends), read once, decoded as UTF-8 (a byte order
mark is dropped), and its numbers parsed by numpy when the file is plain, cell by cell when
not or when something is wrong, to say where.
"""

from __future__ import annotations

import os
import pathlib
import stat

import numpy as np

from .csv_text import SEPARATORS, CellError, header_and_body, numbers_careful, numbers_fast, separator
from .dataset import Dataset
from .targets import read_target

# 256 MiB holds 1,000,000 rows of 30 numbers of 8 digits; its array is at most 1 GiB.
MAX_BYTES = 256 * 2**20


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

    The separator (comma, semicolon or tab) is the most frequent one in the header line;
    fields may be quoted and hold line breaks; blank lines are skipped.

    Parameters
    ----------
    path : path
        A regular file of at most ``MAX_BYTES`` bytes, UTF-8 (with or without a byte order mark).
    target : str, optional
        The target column's name; the last column by default.
    name : str, optional
        The dataset's name; the file's stem by default.
    source : str
        Where the data came from.
    class_names : tuple of str, optional
        Names of classes 0..k−1 for an integer target.

    Returns
    -------
    Dataset
        A classification set when every target is a whole number and there are at most
        ``targets.MAX_CLASSES`` distinct ones (classes are the sorted distinct values,
        renumbered from 0), else a regression set. Its ``notes`` say which separator was
        found and how the target was read.

    Raises
    ------
    DatasetError
        A file that is not a regular file or is too large; an empty file, fewer than two
        rows of data, a missing target column, a target with one value only; a row of the
        wrong length, a missing, non-numeric, non-finite or too large value (beyond
        ±``csv_text.MAX_MAGNITUDE``), naming the line and column.
    """
    path = pathlib.Path(path)
    text = _read_text(path)
    sep = separator(text)
    try:
        header, body, first_line = header_and_body(text, sep)
    except CellError as error:
        raise DatasetError(f"{path}, line {error.line}: {error.reason}") from None
    if not any(header):
        raise DatasetError(f"{path}: needs a header row and at least two rows of data")
    if target is None:
        target_index = len(header) - 1
    elif target in header:
        target_index = header.index(target)
    else:
        raise DatasetError(f"{path}: no column named {target!r}; the columns are {', '.join(header)}")
    if len(header) < 2:
        raise DatasetError(f"{path}: needs at least one feature column and a target column "
                           f"(the header line has no comma, semicolon or tab)")
    values = _numbers(path, body, sep, header, first_line)
    if len(values) < 2:
        raise DatasetError(f"{path}: needs a header row and at least two rows of data (one to "
                           f"train on, one to test), found {len(values)}")
    features = [i for i in range(len(header)) if i != target_index]
    try:
        read = read_target(values[:, target_index], header[target_index], class_names)
    except ValueError as error:
        raise DatasetError(f"{path}: {error}") from None
    notes = (f"columns separated by {SEPARATORS[sep]}", read.note)
    return Dataset(name or path.stem, np.ascontiguousarray(values[:, features]), read.y,
                   tuple(header[i] for i in features), read.class_names, source=source, notes=notes)


def _numbers(path: pathlib.Path, body: str, sep: str, header: list[str], first_line: int) -> np.ndarray:
    """The body's numbers: numpy's parser first, cell by cell when it cannot."""
    if not body.strip():
        return np.empty((0, len(header)))
    try:
        values = numbers_fast(body, sep, len(header))
        return values if values is not None else numbers_careful(body, sep, header, first_line)
    except CellError as error:
        column = "" if error.column is None else f", column {error.column} ({header[error.column - 1]!r})"
        raise DatasetError(f"{path}, line {error.line}{column}: {error.reason}") from None


def _read_text(path: pathlib.Path) -> str:
    """The file's text, after checking what it is and how large."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror or error})") from None
    if not stat.S_ISREG(info.st_mode):
        raise DatasetError(f"{path}: not a regular file but {_kind(info.st_mode)}: give a CSV file")
    if info.st_size > MAX_BYTES:
        raise DatasetError(_too_large(path, info.st_size))
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror or error})") from None
    if len(data) > MAX_BYTES:  # it grew since it was measured
        raise DatasetError(_too_large(path, len(data)))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DatasetError(f"{path}, line {line}: not UTF-8 text (byte {data[error.start]:#04x}): "
                           "save it as CSV UTF-8") from None


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "something else"


def _too_large(path: pathlib.Path, size: int) -> str:
    return (f"{path}: {_size(size)}, more than the {_size(MAX_BYTES)} a dataset file may have: "
            "take a sample of its rows")


def _size(n: int) -> str:
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.{0 if n % scale == 0 else 1}f} {unit}"
    return f"{n} bytes"
