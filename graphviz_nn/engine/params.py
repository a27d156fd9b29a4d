"""What an op's parameters may be: each declared once, with its type and range.

A :class:`Param` reads a value that may come from an untrusted source (a session file, the
expression parser) and returns it in the form the op's forward takes (lists become tuples,
numpy integers plain ints), or refuses it with the reason. Numpy's own keywords (dtype, out,
where, casting, ...) are never parameters: a record declares every name its op takes.
"""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from .errors import EngineError

REQUIRED = object()  # the default of a parameter that must be given
MAX_NDIM = 32  # numpy's broadcasting, einsum and iterators take at most 32 dimensions
_BIG = 2**62  # whole numbers beyond this are no axis or length numpy can take


class ParamError(EngineError, ValueError):
    """An op parameter that is unknown, missing, of the wrong type or out of range.

    The message is one line naming the op, the parameter and what is allowed, e.g.
    ``sum: parameter 'axis' must be an axis of the input (-2..1), a tuple of distinct axes,
    or None; got 5``.
    """


@dataclass(frozen=True)
class Param:
    """One parameter of an op.

    Parameters
    ----------
    name : str
        The keyword ("axis").
    allowed : str
        What it may be, in words, for messages ("true or false").
    read : callable
        ``read(value, ndim) -> value``: the value in the form the forward takes, ``ndim``
        being the first input's number of dimensions; raises ValueError when not allowed.
    default : object
        The value used when it is not given; ``REQUIRED`` when it must be given.
    """

    name: str
    allowed: str
    read: Callable[[Any, int], Any]
    default: Any = REQUIRED


def _whole(value: Any) -> int:
    """A whole number as int (not a bool, a float or text), within what numpy can take."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError
    value = int(value)
    if not -_BIG <= value <= _BIG:
        raise ValueError
    return value


def _whole_tuple(value: Any) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or len(value) > MAX_NDIM:
        raise ValueError
    return tuple(_whole(v) for v in value)


def _one_axis(value: Any, ndim: int) -> int:
    a = _whole(value)
    if not -ndim <= a < ndim:
        raise ValueError
    return a


def axis_of(axis: Any, ndim: int, what: str, name: str) -> int:
    """One axis of an input of ``ndim`` dimensions, made non-negative; a ParamError naming
    ``name`` (the op) and ``what`` (the input) otherwise."""
    try:
        a = _whole(axis)
    except ValueError:
        a = ndim  # refused below
    if not -ndim <= a < ndim:
        raise ParamError(f"{name}: parameter 'axis' must be an axis of {what} ({-ndim}..{ndim - 1}); "
                         f"got {axis!r}")
    return a % ndim


def axis(default: Any = None, several: bool = True) -> Param:
    """``axis``: one axis of the input, or (with ``several``) a tuple of distinct axes or None."""
    def read(value: Any, ndim: int) -> Any:
        if value is None and several:
            return None
        if several and isinstance(value, (tuple, list)):
            axes = tuple(_one_axis(v, ndim) for v in _whole_tuple(value))
            if len({a % max(ndim, 1) for a in axes}) != len(axes):
                raise ValueError
            return axes
        return _one_axis(value, ndim)

    words = "an axis of the input ({axes})"
    if several:
        words += ", a tuple of distinct axes, or None"
    return Param("axis", words, read, default)


def permutation() -> Param:
    """``axes`` of transpose: None (reverse them) or a permutation of the input's axes."""
    def read(value: Any, ndim: int) -> Any:
        if value is None:
            return None
        axes = _whole_tuple(value)
        if sorted(a % max(ndim, 1) if -ndim <= a < ndim else -1 for a in axes) != list(range(ndim)):
            raise ValueError
        return axes

    return Param("axes", "None or a permutation of the input's {ndim} axes (each may count from the end)",
                 read, None)


def flag(name: str, default: bool) -> Param:
    """A true/false parameter (``keepdims``)."""
    def read(value: Any, ndim: int) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError
        return bool(value)

    return Param(name, "true or false", read, default)


def _finite(value: Any) -> float:
    """A finite real number as a float; ValueError for anything else (booleans included)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError
    number = float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


def unit_interval(value: Any, what: str) -> float:
    """``value`` as a float from 0 to 1; ParamError naming ``what`` ("dropout: p ... (the share
    of entries zeroed)") and the value otherwise."""
    try:
        number = _finite(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise ParamError(f"{what}; got {value!r}")
    return number


def real(name: str, default: float, optional: bool = False) -> Param:
    """A finite real number (``alpha``); with ``optional``, None too (a bound of clip)."""
    def read(value: Any, ndim: int) -> float | None:
        return None if optional and value is None else _finite(value)

    return Param(name, "a finite number or None" if optional else "a finite number", read, default)


def new_shape() -> Param:
    """``shape`` of reshape: lengths >= 0, at most one of them -1 (inferred); or one length."""
    def read(value: Any, ndim: int) -> tuple[int, ...]:
        shape = (_whole(value),) if not isinstance(value, (tuple, list)) else _whole_tuple(value)
        if any(n < -1 for n in shape) or shape.count(-1) > 1:
            raise ValueError
        return shape

    return Param("shape", f"a tuple of at most {MAX_NDIM} lengths >= 0, one of them may be -1",
                 read, REQUIRED)


_SHORT = reprlib.Repr()
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxdict = 8
_SHORT.maxstring = _SHORT.maxlong = _SHORT.maxother = 60


def _show(value: Any) -> str:
    # NOTE: reprlib writes the first few items of a list: the repr of 4 M positions took 0.25 s.
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed(param: Param, ndim: int) -> str:
    """What the parameter may be for an input of ``ndim`` dimensions, in words."""
    axes = f"{-ndim}..{ndim - 1}" if ndim else "there is none: the input is a scalar"
    return param.allowed.format(axes=axes, ndim=ndim)


def read_params(where: str, declared: tuple[Param, ...], raw: Any, ndim: int) -> dict[str, Any]:
    """Check a parameter mapping from an untrusted source against an op's declarations.

    ``where`` names the call in messages (the op's name, or ``sum(x (2, 3))``); ``ndim`` is
    the first input's number of dimensions. Returns the given parameters in the form the
    forward takes (defaults are not filled in).

    Raises
    ------
    ParamError
        An unknown or missing name, or a value of the wrong type or range.
    """
    if not raw and isinstance(raw, Mapping) and all(p.default is not REQUIRED for p in declared):
        return {}
    op_name = where.split("(", 1)[0]
    names = ", ".join(p.name for p in declared) or "no parameters"
    if not isinstance(raw, Mapping):
        raise ParamError(f"{where}: parameters must be a mapping of names to values, got {type(raw).__name__}")
    by_name = {p.name: p for p in declared}
    params = {}
    for key, value in raw.items():
        param = by_name.get(key) if isinstance(key, str) else None
        if param is None:
            raise ParamError(f"{where}: unknown parameter {_show(key)}; {op_name} takes {names}")
        try:
            params[key] = param.read(value, ndim)
        except (ValueError, TypeError, OverflowError):
            raise ParamError(f"{where}: parameter {key!r} must be {_allowed(param, ndim)}; "
                             f"got {_show(value)}") from None
    for param in declared:
        if param.default is REQUIRED and param.name not in params:
            raise ParamError(f"{where}: parameter {param.name!r} is required; it must be "
                             f"{_allowed(param, ndim)}")
    return params
