"""Reading a dataset from a CSV file, with errors that name the line and the column.

The path is checked before the file is opened (see ``source``: a regular file outside the
system's folders, at most ``MAX_BYTES``), and read in chunks that a deadline or a Cancel
stops, decoded as UTF-8 (a byte order mark is dropped). The header is bounded
(``csv_text.MAX_COLUMNS``) before it is split; the body's numbers go, piece by piece, into
arrays sized from the file's size, so that reading costs at most 4 times the file's size
plus a constant: each cell is at least 2 bytes of the file (a digit and a separator) and
8 bytes of an array.
"""

from __future__ import annotations

import os
import pathlib
from typing import Iterator

import numpy as np

from .csv_text import (COMMA, MAX_COLUMNS, MAX_LINE_CHARS, SEPARATORS, CellError, decimal_mark,
                       first_record_end, header_cells, last_record_end, lines_in, numbers, separator,
                       unquoted)
from .dataset import Dataset
from .source import Cancel, DatasetError, ReadCancelled, Source, Stop
from .targets import read_target

# 256 MiB holds 1,000,000 rows of 30 numbers of 8 digits; its array is at most 1 GiB.
MAX_BYTES = 256 * 2**20

__all__ = ["DatasetError", "MAX_BYTES", "ReadCancelled", "read_csv"]


def read_csv(
    path: str | os.PathLike,
    target: str | None = None,
    name: str | None = None,
    source: str = "",
    class_names: tuple[str, ...] | None = None,
    *,
    deadline: float | None = None,
    cancel: Cancel = None,
) -> Dataset:
    """Read a CSV of numbers with a header row.

    The separator (comma, semicolon or tab) is the most frequent one in the header line;
    fields may be quoted and hold line breaks; blank lines are skipped. With semicolons or
    tabs, numbers may have decimal commas (``1,5;2,25;0``), all of them or none.

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
    deadline : float, optional
        A ``time.monotonic()`` value past which reading stops (ReadCancelled).
    cancel : callable or threading.Event, optional
        Asked between chunks (64 KiB); True, or the event set, stops reading (ReadCancelled).

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
        A path into the system's folders, a file that is not a regular file or is too large,
        a header of more than ``csv_text.MAX_COLUMNS`` columns; an empty file, fewer than two
        rows of data, a missing target column, a target with one value only; a row of the
        wrong length, a missing, non-numeric, non-finite or too large value (beyond
        ±``csv_text.MAX_MAGNITUDE``), naming the line and column. Its subclass
        ReadCancelled when cancelled or past the deadline.
    """
    stop = Stop(deadline, cancel)
    with Source(path, MAX_BYTES, stop) as file:
        texts = file.text()
        header, sep, rest, first_line = _header(path, texts)
        if target is None:
            target_index = len(header) - 1
        elif target in header:
            target_index = header.index(target)
        else:
            raise DatasetError(f"{path}: no column named {target!r}; the columns are {', '.join(header)}")
        if len(header) < 2:
            raise DatasetError(f"{path}: needs at least one feature column and a target column "
                               f"(the header line has no comma, semicolon or tab)")
        # Every row is at least 2 bytes a cell (a digit and a separator, or the line's end).
        room = file.size // (2 * len(header)) + 1
        X, t, mark = _body(path, texts, rest, sep, header, first_line, target_index, room, stop)
    if len(t) < 2:
        raise DatasetError(f"{path}: needs a header row and at least two rows of data (one to "
                           f"train on, one to test), found {len(t)}")
    try:
        read = read_target(t, header[target_index], class_names, in_place=True)
    except ValueError as error:
        raise DatasetError(f"{path}: {error}") from None
    notes = (f"columns separated by {SEPARATORS[sep]}",
             *(("numbers written with decimal commas",) if mark == COMMA else ()), read.note)
    path = pathlib.Path(path)
    return Dataset(name or path.stem, X, read.y, tuple(h for i, h in enumerate(header) if i != target_index),
                   read.class_names, source=source, notes=notes, target_name=header[target_index])


def _header(path: str | os.PathLike, texts: Iterator[str]) -> tuple[list[str], str, str, int]:
    """The header's cells, the separator, the text read past the header, and the line the
    body starts on. The columns are counted before the header is split."""
    text, end = "", None
    for piece in texts:
        text += piece
        end = first_record_end(text)
        line = text if end is None else text[:end]
        columns = unquoted(line).count(separator(line)) + 1
        if columns > MAX_COLUMNS:
            counted = f"{columns:,}" if end is not None else f"at least {columns:,}"
            raise DatasetError(f"{path}: the header has {counted} columns, more than the "
                               f"{MAX_COLUMNS:,} a dataset may have: keep the columns you need")
        if end is not None:
            break
        if len(text) > MAX_LINE_CHARS:
            raise DatasetError(f"{path}, line 1: a header longer than {MAX_LINE_CHARS // 2**20} MiB: "
                               "give a CSV file of numbers with a header row")
    end = len(text) if end is None else end
    sep = separator(text[:end])
    try:
        header = header_cells(text[:end], sep)
    except CellError as error:
        raise DatasetError(f"{path}, line {error.line}: {error.reason}") from None
    if not any(header):
        raise DatasetError(f"{path}: needs a header row and at least two rows of data")
    return header, sep, text[end:], lines_in(text[:end]) + 1


def _body(path: str | os.PathLike, texts: Iterator[str], text: str, sep: str, header: list[str],
          line: int, target: int, room: int, stop: Stop) -> tuple[np.ndarray, np.ndarray, str | None]:
    """The features and the target column, read piece by piece into arrays of ``room`` rows
    (shrunk to the rows read), and the decimal mark found."""
    X, t = np.empty((room, len(header) - 1)), np.empty(room)
    n, mark = 0, None
    try:
        for piece in _records(texts, text):
            stop.check(path)
            mark = decimal_mark(piece, sep, mark)
            block = numbers(piece, sep, header, line, mark)
            rows = len(block)
            if n + rows > room:  # only a file that grew while it was read has more
                raise DatasetError(f"{path}: changed while it was read: read it again")
            X[n:n + rows, :target], X[n:n + rows, target:] = block[:, :target], block[:, target + 1:]
            t[n:n + rows] = block[:, target]
            n += rows
            line += lines_in(piece)
    except CellError as error:
        column = "" if error.column is None else f", column {error.column} ({header[error.column - 1]!r})"
        raise DatasetError(f"{path}, line {error.line or line}{column}: {error.reason}") from None
    X.resize((n, X.shape[1]), refcheck=False)  # in place: no second copy of the numbers
    t.resize(n, refcheck=False)
    return X, t, mark


def _records(texts: Iterator[str], text: str) -> Iterator[str]:
    """The body in pieces of whole records: each piece read is cut after its last record, the
    rest carried to the next. CellError (line 0: the next piece's) for a line longer than
    ``MAX_LINE_CHARS``."""
    for piece in texts:
        text += piece
        end = last_record_end(text)
        if end == 0 and len(text) > MAX_LINE_CHARS:
            raise CellError(0, None, f"a line longer than {MAX_LINE_CHARS // 2**20} MiB (an unclosed "
                            "quote, or not a CSV of numbers?)")
        if end:
            yield text[:end]
            text = text[end:]
    if text:
        yield text
