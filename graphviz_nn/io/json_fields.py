"""Typed, bounded fields of decoded JSON, both ways: reading with checks whose every failure
names the place, and the checks a value passes before it is written. Qt-free.

The session file's reader extends :class:`JsonFields` so that its errors also name the file;
the records' codecs (:mod:`graphviz_nn.io.records`) take either.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_NAME_CHARS = 1_000  # a name: of a node, a layer, a dataset's column, a scope
_INT64 = 2**63


def short(value: Any, limit: int = 100) -> str:
    """A repr cut to ``limit`` characters, for quoting file contents in messages."""
    if isinstance(value, str) and len(value) > limit:
        value = value[:limit]  # repr of a 60 MB string would copy it twice for nothing
    try:
        text = repr(value)
    except ValueError:  # an integer of more digits than Python will print
        return "(a value too large to show)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_kind(value: Any) -> str:
    """What a JSON value is, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number" if -_INT64 <= value < _INT64 else "a whole number beyond 64 bits"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- before writing ------------------------------------------------------------------------------
def whole_out(value: Any, where: str) -> int:
    """``value`` as a JSON whole number (numpy integers too); ValueError naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{where} must be a whole number, got {type(value).__name__}")
    return int(value)


def real_out(value: Any, where: str) -> float:
    """``value`` as a JSON number (numpy scalars too); ValueError naming ``where``."""
    if type(value) is float:  # nearly always: the checks below are for everything else
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where} must be a number, got {type(value).__name__}")
    return float(value)


def optional_real_out(value: Any, where: str) -> float | None:
    return None if value is None else real_out(value, where)


def text_out(value: Any, where: str, limit: int = MAX_NAME_CHARS) -> str:
    """``value`` as text of at most ``limit`` characters; ValueError naming ``where``."""
    if not isinstance(value, str):
        raise ValueError(f"{where} must be text, got {type(value).__name__}")
    if len(value) > limit:
        raise ValueError(f"{where} is {len(value)} characters long; at most {limit} are kept")
    return value


# --- after reading -------------------------------------------------------------------------------
class JsonFields:
    """Typed access to a decoded document; each failure is :meth:`error` of a message that says
    where in the document the problem is (a ``ValueError`` here)."""

    name_limit = MAX_NAME_CHARS

    def error(self, message: str) -> Exception:
        """The error to raise for ``message``."""
        return ValueError(message)

    def field(self, mapping: dict, key: str, where: str) -> Any:
        if key not in mapping:
            raise self.error(f"{where} has no {key!r}")
        return mapping[key]

    def object(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.error(f"{where} must be a JSON object, found {json_kind(value)}")
        return value

    def list(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            raise self.error(f"{where} must be a list, found {json_kind(value)}")
        return value

    def text(self, value: Any, where: str, optional: bool = False, limit: int | None = None) -> Any:
        """Text of at most ``limit`` characters (:attr:`name_limit` unless given)."""
        if isinstance(value, str):
            limit = self.name_limit if limit is None else limit
            if len(value) > limit:
                raise self.error(f"{where} is {len(value)} characters long, more than the limit of {limit} "
                                 f"(it begins {short(value, 40)})")
            return value
        if optional and value is None:
            return value
        wanted = "text or null" if optional else "text"
        raise self.error(f"{where} must be {wanted}, found {json_kind(value)}")

    def texts(self, value: Any, where: str, most: int | None = None) -> tuple[str, ...]:
        """A list of names, of at most ``most`` items when given."""
        items = self.list(value, where)
        if most is not None and len(items) > most:
            raise self.error(f"{where} lists {len(items)} names, more than the limit of {most}")
        return tuple(self.text(v, f"{where}[{i}]") for i, v in enumerate(items))

    def whole(self, value: Any, where: str) -> int:
        if not is_whole(value):
            raise self.error(f"{where} must be a whole number, found {json_kind(value)}")
        return value

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(f"{where} must be true or false, found {json_kind(value)}")
        return value

    def number(self, value: Any, where: str, optional: bool = False) -> float | None:
        if optional and value is None:
            return None
        if not is_number(value):
            wanted = "a number or null" if optional else "a number"
            raise self.error(f"{where} must be {wanted}, found {json_kind(value)}")
        try:
            return float(value)
        except OverflowError:
            raise self.error(f"{where} is too large a number ({len(str(value))} digits)") from None
