"""The numbers of a CSV text, a piece at a time: its separator, its decimal mark, where its
records end, a fast reading and a careful one that names the place.

Files come as spreadsheets write them: separated by commas, semicolons or tabs, with quoted
fields that may hold line breaks, with blank lines, and with decimal commas where the comma
is not the separator (``1,5;2,25;0`` as a European spreadsheet saves it). ``numbers`` reads
a piece of whole records with numpy's parser when it is plain (digits.csv: 19 ms against
90 ms for the ``csv`` module with a ``float`` per cell), cell by cell when not or when
something is wrong, to say where: the line, the column and what was found.
"""

from __future__ import annotations

import csv
import io
import math
from array import array

import numpy as np

SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}

# Larger values are refused: the losses and the standardisation square them, and the square
# of 1.4e154 is already beyond float64 (1.8e308); 1e100 leaves room for sums over many rows.
MAX_MAGNITUDE = 1e100

# A network's input layer as wide as this is already 10,000 x hidden weights; wider headers
# are refused before they are split (3,000,000 names took 370 MB for an 18 MB file).
MAX_COLUMNS = 10_000

# A line longer than this is no table of numbers (10,000 columns of 100 characters).
MAX_LINE_CHARS = 2**20

# numpy's parser holds about 20 bytes per character of a row (a row of 500,000 cells in 1 MB
# took 19 MB): a piece longer than this is looked through for a line wider than the header
# before it is parsed, which bounds what one row can cost.
SCAN_CHARS = 2**18

POINT, COMMA = ".", ","


class CellError(ValueError):
    """A problem at a place in the text: ``line`` (from 1), ``column`` (from 1, or None)."""

    def __init__(self, line: int, column: int | None, reason: str):
        super().__init__(reason)
        self.line, self.column, self.reason = line, column, reason


def separator(text: str) -> str:
    """The separator of the header line: the most frequent of comma, semicolon and tab
    outside quotes (a comma when none occurs: a file of one column)."""
    header = text.split("\n", 1)[0]
    counts = {s: unquoted(header).count(s) for s in SEPARATORS}
    best = max(counts, key=counts.__getitem__)  # a tie goes to the comma, the first
    return best if counts[best] else ","


def unquoted(text: str) -> str:
    """The text outside double quotes (the text must start outside them)."""
    return "".join(text.split('"')[::2]) if '"' in text else text


def lines_in(text: str) -> int:
    """How many line breaks the text holds, as the ``csv`` module counts them."""
    returns = text.count("\r")
    return text.count("\n") + (returns - text.count("\r\n") if returns else 0)


def first_record_end(text: str) -> int | None:
    """The index just after the first line break outside quotes; None when the text does not
    show it yet (no such break, or a carriage return that may be followed by a line feed)."""
    k, quotes, counted = _next_break(text, 0), 0, 0  # quotes before text[counted]
    while k >= 0:
        quotes, counted = quotes + text.count('"', counted, k), k
        if quotes % 2 == 0:
            if text[k] == "\r":
                if k + 1 == len(text):
                    return None
                return k + 2 if text[k + 1] == "\n" else k + 1
            return k + 1
        k = _next_break(text, k + 1)
    return None


def last_record_end(text: str) -> int:
    """The index just after the last line break outside quotes (0 when there is none): the
    text up to it is whole records. A carriage return that ends the text is not a break yet.
    Walks back from the end counting quotes, so that a long piece costs no list of parts."""
    before = text.count('"')  # quotes before the break looked at; even: outside quotes
    end = len(text) - 1 if text.endswith("\r") else len(text)
    k = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end))
    while k >= 0:
        before -= text.count('"', k, end)
        if before % 2 == 0:
            return k + 1
        end = k
        k = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end))
    return 0


def _next_break(text: str, start: int) -> int:
    breaks = [k for k in (text.find("\n", start), text.find("\r", start)) if k >= 0]
    return min(breaks) if breaks else -1


def header_cells(text: str, sep: str) -> list[str]:
    """The header record's cells, stripped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        return [h.strip() for h in next(reader, [])]
    except csv.Error as error:
        raise _csv_error(error, reader.line_num or 1) from None


def decimal_mark(piece: str, sep: str, mark: str | None) -> str | None:
    """The file's decimal mark once a piece shows it: a comma when the separator is a
    semicolon or a tab and a comma comes before any point; a point when a point comes first
    or the separator is the comma; None while only whole numbers have been seen."""
    if mark is not None:
        return mark
    if sep == ",":
        return POINT
    comma, point = piece.find(","), piece.find(".")
    if comma < 0 and point < 0:
        return None
    return COMMA if point < 0 or 0 <= comma < point else POINT


def numbers(piece: str, sep: str, header: list[str], first_line: int, mark: str | None) -> np.ndarray:
    """A piece of whole records (starting on ``first_line``) as an (n, width) array;
    CellError at the first problem, naming its place."""
    width = len(header)
    wide = _first_wide_line(piece, sep, width)
    if wide is not None:  # never handed whole to a parser: 3,000,000 cells are 150 MB of lists
        numbers_careful(piece[:wide], sep, header, first_line, mark)  # an earlier problem first
        raise CellError(first_line + lines_in(piece[:wide]), None, f"more than {width} values, "
                        f"the header has {width}")
    values = numbers_fast(piece, sep, width, mark)
    return values if values is not None else numbers_careful(piece, sep, header, first_line, mark)


def _first_wide_line(piece: str, sep: str, width: int) -> int | None:
    """Where the first line with more separators than a row has starts, if any. Only a piece
    longer than ``SCAN_CHARS`` is looked at: a shorter one holds too few cells to matter."""
    if len(piece) <= SCAN_CHARS or piece.count(sep) < width:
        return None
    start = 0
    for line in piece.splitlines(keepends=True):
        if line.count(sep) >= width:
            return start
        start += len(line)
    return None


def numbers_fast(piece: str, sep: str, width: int, mark: str | None = POINT) -> np.ndarray | None:
    """The piece as an (n, width) array, or None when numpy's parser cannot read it as
    plain finite numbers within bounds (the careful reader then finds out why)."""
    if '"' in piece:
        return None
    if not piece.strip():  # blank lines only: numpy would warn that it read no data
        return np.empty((0, width))
    if mark == COMMA:
        if "." in piece:
            return None
        piece = piece.replace(",", ".")
    try:
        values = np.loadtxt(io.StringIO(piece), delimiter=sep, ndmin=2, comments=None, dtype=np.float64)
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


def numbers_careful(piece: str, sep: str, header: list[str], first_line: int,
                    mark: str | None = POINT) -> np.ndarray:
    """The piece read cell by cell; CellError at the first problem, naming its place."""
    width = len(header)
    reader = csv.reader(io.StringIO(piece, newline=""), delimiter=sep)
    out = array("d")
    line = first_line
    try:
        for row in reader:
            start, line = line, first_line + reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line is no row
            if len(row) != width:
                raise CellError(start, None, f"{len(row)} values, the header has {width}")
            out.extend(_number(cell.strip(), start, c, sep, mark) for c, cell in enumerate(row, start=1))
    except csv.Error as error:
        raise _csv_error(error, line) from None
    return np.frombuffer(out, dtype=np.float64).reshape(-1, width)


def _number(cell: str, line: int, column: int, sep: str, mark: str | None) -> float:
    if cell == "":
        raise CellError(line, column, "missing value")
    if mark == COMMA and "." in cell:
        raise CellError(line, column, f"{cell!r} has a decimal point, the numbers before it decimal "
                        "commas: write every number one way")
    try:
        number = float(cell.replace(",", ".") if mark == COMMA else cell)
    except ValueError:
        hint = ""
        if sep != "," and "," in cell and mark == POINT:
            hint = f" (a decimal comma, the numbers before it decimal points? write {cell.replace(',', '.')})"
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
