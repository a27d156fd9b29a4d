"""The checks a settings record's fields pass, written once: the records call them from
``__post_init__``, and the command line, the window, the training process and the session
file's codec all get their answers by building a record.

Each failure is a :class:`SettingsError` whose one-line message begins with the field's name
and says how to put it right; ``field`` lets a caller name the place its own way (the codec
writes ``training.lr``, the command line ``--lr``).
"""

from __future__ import annotations

import math
import os
from typing import Any, Collection

import numpy as np

#: The largest whole number a record holds: JSON readers elsewhere keep 64-bit integers.
MAX_WHOLE = 2**63 - 1


class SettingsError(ValueError):
    """A value a settings record refuses; ``field`` is the field's name."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def kind_of(value: Any) -> str:
    """What a value is, in words a person reads in a message."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown(value: Any, limit: int = 40) -> str:
    """``value`` for a message, cut to ``limit`` characters (a 60 MB path is not quoted whole)."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "..."
    if isinstance(value, int) and not -10**12 < value < 10**12:
        return "a number too large to show"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_whole(field: str, value: Any, least: int, optional: bool = False, meaning: str = "") -> int | None:
    """``value`` as an int from ``least`` to :data:`MAX_WHOLE` (numpy integers too); None
    passes when ``optional``, and ``meaning`` says what None means."""
    if value is None and optional:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise SettingsError(field, f"{field} must be a whole number{meaning}, got {kind_of(value)}")
    if not least <= value <= MAX_WHOLE:
        raise SettingsError(field, f"{field} must be at least {least}{meaning}, found {shown(int(value))}")
    return int(value)


def check_real(field: str, value: Any, least: float, above: bool = False, below: float | None = None,
               advice: str = "") -> float:
    """``value`` as a finite float at least ``least`` (more than it when ``above``) and less
    than ``below`` when given; ``advice`` ends the message."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SettingsError(field, f"{field} must be a number, got {kind_of(value)}")
    try:
        number = float(value)
    except OverflowError:  # a whole number of hundreds of digits, from a file
        number = math.inf
    within = (number > least if above else number >= least) and (below is None or number < below)
    if not (math.isfinite(number) and within):
        if below is not None:
            wanted = f"in [{least:g}, {below:g})"
        else:
            wanted = "a positive number" if above and least == 0 else f"{least:g} or more"
        raise SettingsError(field, f"{field} must be {wanted}, found {shown(value)}{advice}")
    return number


def check_text(field: str, value: Any, limit: int, optional: bool = False, path: bool = False) -> str | None:
    """``value`` as non-empty text of at most ``limit`` characters (a path too when ``path``)."""
    if value is None and optional:
        return None
    if path and isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        wanted = "text or a path" if path else "text"
        raise SettingsError(field, f"{field} must be {wanted}, got {kind_of(value)}")
    if not value:
        raise SettingsError(field, f"{field} is empty: give a name" + (" or a path" if path else ""))
    if len(value) > limit:
        raise SettingsError(field, f"{field} is {len(value)} characters long, more than the limit of {limit} "
                                   f"(it begins {shown(value)})")
    return value


def check_choice(field: str, value: Any, choices: Collection[str], optional: bool = False) -> str | None:
    """``value`` when it is one of ``choices`` (or None when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or value not in choices:
        also = " or None" if optional else ""
        raise SettingsError(field, f"{field} is {shown(value)}; choose one of {', '.join(choices)}{also}")
    return value


def check_flag(field: str, value: Any) -> bool:
    """``value`` as a bool (numpy's too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise SettingsError(field, f"{field} must be true or false, got {kind_of(value)}")
    return bool(value)
