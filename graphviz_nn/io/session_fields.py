"""Reading typed, bounded fields out of decoded JSON, every error naming the file and the place.

Qt-free.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import session_schema as schema
from .json_fields import JsonFields, is_number, is_whole, json_kind, short
from .session_schema import SessionError

__all__ = ["FieldReader", "count", "id_number", "is_index", "is_number", "is_whole", "json_kind", "param_kind", "short"]

_INT64 = 2**63


def param_kind(value: Any) -> str:
    """What a parameter's value is, in words; for a list, what is wrong inside it."""
    if isinstance(value, list):
        wrong = next((v for v in value if not is_index(v)), None)
        return "a list" if wrong is None else f"a list holding {json_kind(wrong)}"
    return json_kind(value)


def is_index(value: Any) -> bool:
    """A whole number numpy can take as an axis or a dimension (it fits in 64 bits)."""
    return is_whole(value) and -_INT64 <= value < _INT64


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


class FieldReader(JsonFields):
    """Typed access to a decoded document; each failure is a :class:`SessionError` whose one
    line starts with the file's path and says where in the file the problem is."""

    @property
    def name_limit(self) -> int:  # read when used: the schema's limits are its constants
        return schema.MAX_NAME_CHARS

    def __init__(self, path: Path):
        self.path = path

    def error(self, message: str) -> SessionError:
        """The error to raise: one line, starting with the file's path."""
        return SessionError(" ".join(f"{self.path}: {message}".splitlines()))

    def scope(self, value: Any, where: str) -> tuple[str, ...]:
        """A scope path: at most ``MAX_SCOPE_DEPTH`` names."""
        return self.texts(value, where, schema.MAX_SCOPE_DEPTH)
