"""The numbers of a CSV text: its separator, a fast reading and a careful one that names the place.

Files come as spreadsheets write them: separated by commas, semicolons (where the comma is
the decimal mark) or tabs, with quoted fields that may hold line breaks, with blank lines.
``numbers_fast`` reads a plain file with numpy's parser (digits.csv: 19 ms against 90 ms for the
``csv`` module with a ``float`` per cell); when it cannot, ``numbers_careful`` reads cell by
cell and says where the first problem is: the line, the column and what was found.
"""

from __future__ import annotations

import csv
import io
import math
import re
from array import array

import numpy as np

SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}

# Larger values are refused: the losses and the standardisation square them, and the square
# of 1.4e154 is already beyond float64 (1.8e308); 1e100 leaves room for sums over many rows.
MAX_MAGNITUDE = 1e100

_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")


class CellError(ValueError):
    """A problem at a place in the text: ``line`` (from 1), ``column`` (from 1, or None)."""

    def __init__(self, line: int, column: int | None, reason: str):
        super().__init__(reason)
        self.line, self.column, self.reason = line, column, reason


def separator(text: str) -> str:
    """The separator of the header line: the most frequent of comma, semicolon and tab
    outside quotes (a comma when none occurs: a file of one column)."""
    header = text.split("\n", 1)[0]
    unquoted = "".join(header.split('"')[::2])
    counts = {s: unquoted.count(s) for s in SEPARATORS}
    best = max(counts, key=counts.__getitem__)  # a tie goes to the comma, the first
    return best if counts[best] else ","


def header_and_body(text: str, sep: str) -> tuple[list[str], str, int]:
    """The header's cells, the text after the header, and the line the body starts on."""
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=sep)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise _csv_error(error, reader.line_num or 1) from None
    return [h.strip() for h in header], text[stream.tell():], reader.line_num + 1


def numbers_fast(body: str, sep: str, width: int) -> np.ndarray | None:
    """The body as an (n, width) array, or None when numpy's parser cannot read it as
    plain finite numbers within bounds (the careful reader then finds out why)."""
    if '"' in body:
        return None
    try:
        values = np.loadtxt(io.StringIO(body), delimiter=sep, ndmin=2, comments=None, dtype=np.float64)
    except ValueError:
        return None
    if values.size == 0:
        return np.empty((0, width))
    if values.shape[1] != width or not _within_bounds(values):
        return None
    return values


def _within_bounds(values: np.ndarray) -> bool:
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(values) <= MAX_MAGNITUDE))  # False for nan too


def numbers_careful(body: str, sep: str, header: list[str], first_line: int) -> np.ndarray:
    """The body read cell by cell; CellError at the first problem, naming its place."""
    width = len(header)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=sep)
    out = array("d")
    line = first_line
    try:
        for row in reader:
            start, line = line, first_line + reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line is no row
            if len(row) != width:
                raise CellError(start, None, f"{len(row)} values, the header has {width}")
            out.extend(_number(cell.strip(), start, c, sep) for c, cell in enumerate(row, start=1))
    except csv.Error as error:
        raise _csv_error(error, line) from None
    return np.frombuffer(out, dtype=np.float64).reshape(-1, width).copy()


def _number(cell: str, line: int, column: int, sep: str) -> float:
    if cell == "":
        raise CellError(line, column, "missing value")
    try:
        number = float(cell)
    except ValueError:
        hint = ""
        if sep != "," and _DECIMAL_COMMA.fullmatch(cell):
            hint = f" (a decimal comma? write {cell.replace(',', '.')})"
        raise CellError(line, column, f"{cell!r} is not a number{hint}") from None
    if not math.isfinite(number):
        raise CellError(line, column, f"{cell!r} is not a finite number")
    if abs(number) > MAX_MAGNITUDE:
        raise CellError(line, column, f"{cell!r} is beyond ±{MAX_MAGNITUDE:g}, which the training "
                        "arithmetic cannot square: rescale the column (other units)")
    return number


def _csv_error(error: csv.Error, line: int) -> CellError:
    if "field larger than field limit" in str(error):
        limit = csv.field_size_limit() // 1024
        return CellError(line, None, f"a field longer than {limit} KiB (an unclosed quote, or not "
                         "a CSV of numbers?)")
    return CellError(line, None, f"not readable as CSV ({error})")
