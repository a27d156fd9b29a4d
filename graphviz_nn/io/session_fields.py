"""Reading typed, bounded fields out of decoded JSON, every error naming the file and the place.

Qt-free.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import session_schema as schema
from .session_schema import SessionError

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


def param_kind(value: Any) -> str:
    """What a parameter's value is, in words; for a list, what is wrong inside it."""
    if isinstance(value, list):
        wrong = next((v for v in value if not is_index(v)), None)
        return "a list" if wrong is None else f"a list holding {json_kind(wrong)}"
    return json_kind(value)


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_index(value: Any) -> bool:
    """A whole number numpy can take as an axis or a dimension (it fits in 64 bits)."""
    return is_whole(value) and -_INT64 <= value < _INT64


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def count(n: int) -> str:
    """A count for a message; a declared size can be too long to print."""
    return str(n) if n < 10**30 else "more than 10**30"


def id_number(node_id: str) -> int | None:
    """k for an id written ``n<k>`` as the graph writes it (no sign, no leading zeros), else None."""
    digits = node_id[1:]
    if node_id[:1] == "n" and digits.isascii() and digits.isdecimal() and len(digits) < 10:
        if node_id == f"n{int(digits)}":
            return int(digits)
    return None


class FieldReader:
    """Typed access to a decoded document; each failure is a :class:`SessionError` whose one
    line starts with the file's path and says where in the file the problem is."""

    def __init__(self, path: Path):
        self.path = path

    def error(self, message: str) -> SessionError:
        """The error to raise: one line, starting with the file's path."""
        return SessionError(" ".join(f"{self.path}: {message}".splitlines()))

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
        """Text of at most ``limit`` characters (``MAX_NAME_CHARS`` unless given)."""
        if isinstance(value, str):
            limit = schema.MAX_NAME_CHARS if limit is None else limit
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

    def scope(self, value: Any, where: str) -> tuple[str, ...]:
        """A scope path: at most ``MAX_SCOPE_DEPTH`` names."""
        return self.texts(value, where, schema.MAX_SCOPE_DEPTH)

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
