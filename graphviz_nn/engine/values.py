"""Values as text, both ways: reading a variable's value (a number or a rectangular nested list
of finite numbers, read with :func:`json.loads`, never ``eval``), the one value reader of the
expression editor, the command line and scripts; and the short forms the graph, the inspector
and the Jacobian table show numbers in."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

MAX_VALUE_LENGTH = 20_000


def _check_number(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        shown = json.dumps(x) if isinstance(x, (bool, str, dict, type(None))) else repr(x)
        raise ValueError(f"{shown} is not a number")
    try:
        number = float(x)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError("numbers must be finite")
    return number


def _check(x: Any) -> tuple[float | list, tuple[int, ...]]:
    """A JSON value as floats and nested lists, with its shape; ValueError where it is not one."""
    if isinstance(x, list):
        if not x:
            raise ValueError("an empty list has no value")
        checked = [_check(item) for item in x]
        shapes = {shape for _, shape in checked}
        if len(shapes) != 1:
            raise ValueError("not rectangular: every row must have the same length and depth")
        return [value for value, _ in checked], (len(x),) + shapes.pop()
    return _check_number(x), ()


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a finite number")


def read_value(text: str) -> float | list:
    """Read a variable's value: a number or a rectangular nested list of finite numbers.

    Parameters
    ----------
    text : str
        E.g. ``"0.5"``, ``"-1.2"``, ``"[1, 1]"``, ``"[[1, 2], [3, 4]]"``. Read with
        :func:`json.loads` (never ``eval``); a lone number may also be written as Python
        writes it (``.5``, ``1.``, ``+2``).

    Returns
    -------
    float or list
        The number as a float, or nested lists of floats.

    Raises
    ------
    ValueError
        With a reason fit to show the user.
    """
    s = text.strip()
    if not s:
        raise ValueError("empty: type a number such as 0.5 or a list such as [1, 2]")
    if len(s) > MAX_VALUE_LENGTH:
        raise ValueError(f"longer than {MAX_VALUE_LENGTH} characters")
    try:
        raw = json.loads(s, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        if not s.startswith("["):
            # float() parses, it does not evaluate: ".5" and "1." are numbers too.
            try:
                return _check_number(float(s))
            except ValueError as number_error:
                if "finite" in str(number_error):
                    raise
        raise ValueError(f"not a number or a list of numbers ({error.msg.lower()} "
                         f"at character {error.pos + 1})") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    try:
        return _check(raw)[0]
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _short(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def format_value(value: Any) -> str:
    """A value as the table shows it: ``0.0``, ``-1.2``, ``[[1, 2], [3, 4.5]]``.

    Whole numbers inside a list lose their ``.0``, so a matrix reads as one on a projector.
    """
    checked, _ = _check(np.asarray(value).tolist() if isinstance(value, np.ndarray) else value)
    if isinstance(checked, float):
        return repr(checked)

    def write(x: float | list) -> str:
        return "[" + ", ".join(write(e) for e in x) + "]" if isinstance(x, list) else _short(x)

    return write(checked)


def value_entry(value: Any) -> tuple[str, float | list]:
    """(text, value) for a value given as text, a number, nested lists or an array."""
    if isinstance(value, str):
        return value.strip(), read_value(value)
    if isinstance(value, np.ndarray) or np.isscalar(value):
        value = np.asarray(value).tolist()
    checked, _ = _check(value)
    return format_value(checked), checked


# --- numbers as the window shows them ------------------------------------------------------------
def short_number(x: Any, digits: int = 4) -> str:
    """A scalar to ``digits`` significant digits ("nan", "inf" as such, −0 as 0); the real
    part of a complex one, the first entry of an array."""
    return f"{float(np.asarray(x).real.reshape(-1)[0]) + 0.0:.{digits}g}"


def short_value(value: Any) -> str:
    """A node's value in a graph's box: a number to 4 significant digits, a small vector in
    full, else the size or shape."""
    if value is None:
        return "—"
    value = np.asarray(value)
    if value.size == 1:
        return short_number(value)
    if value.ndim == 1 and value.size <= 3:
        return "[" + ", ".join(short_number(v, 3) for v in value) + "]"
    if value.ndim == 1:
        return f"{value.size} values"  # a bare "4" would read as the number four
    return "×".join(str(n) for n in value.shape)
