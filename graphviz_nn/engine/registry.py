"""The op registry: every op is one frozen record holding all it needs.

A record carries the forward function, one vjp rule and one jvp rule per input, a display
label, the derivative formulas as text, and the sample points the registry-wide tests use.

Rules are written per input (as in HIPS/autograd's ``defvjp``), with the house names:

* ``vjp[i](g, ans, x, y, **params)`` returns the cotangent of input ``i``; the engine
  un-broadcasts it to the input's shape, so a rule may return the output's shape.
* ``jvp[i](dx, ans, x, y, **params)`` returns the tangent of the output caused by the tangent
  of input ``i``; the engine sums the terms of the inputs that carry a tangent.

One rule per input lets reverse mode skip inputs that need no gradient (the data matrix in
``X @ W``), which is what keeps the engine close to hand-written numpy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

Rule = Callable[..., np.ndarray]

ARG_NAMES = ("x", "y", "z")


@dataclass(frozen=True)
class Example:
    """A sample point for the registry-wide tests of an op.

    Parameters
    ----------
    shapes : tuple of tuple of int
        One shape per input; shapes that broadcast against each other test un-broadcasting.
    params : mapping
        Keyword parameters of the op (axis, keepdims, alpha, ...).
    domain : tuple of (low, high)
        Interval to sample each input from (default (-2, 2) for all).
    away_from : float or None
        Push samples at least 0.2 away from this point (the kink of abs or relu).
    """

    shapes: tuple[tuple[int, ...], ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    domain: tuple[tuple[float, float], ...] | None = None
    away_from: float | None = None

    def sample(self, rng: np.random.Generator) -> list[np.ndarray]:
        """Draw one input array per shape from the example's domain."""
        arrays = []
        for i, shape in enumerate(self.shapes):
            low, high = self.domain[i] if self.domain else (-2.0, 2.0)
            x = rng.uniform(low, high, size=shape)
            if self.away_from is not None:
                d = x - self.away_from
                x = self.away_from + np.sign(d) * (0.2 + np.abs(d))
            arrays.append(np.asarray(x, dtype=np.float64))
        return arrays


@dataclass(frozen=True)
class Op:
    """One differentiable operation.

    Parameters
    ----------
    name : str
        Registry key and public function name ("matmul").
    arity : int
        Number of array inputs.
    forward : callable
        ``forward(x, y, **params) -> ndarray``.
    vjp : tuple of callables or None
        One reverse-mode rule per input, ``vjp[i](g, ans, *inputs, **params)``.
    jvp : tuple of callables or None
        One forward-mode rule per input, ``jvp[i](d_i, ans, *inputs, **params)``.
    label : str
        Short symbol drawn in the graph ("+", "@", "σ").
    vjp_text : tuple of str
        Each input's reverse rule as text, in terms of g, ans, x, y ("g · cos(x)").
    jvp_text : tuple of str
        Each input's forward rule as text ("dx @ y"). For elementwise ops it may be left out:
        it is the vjp text with g replaced by the input's tangent.
    elementwise : bool
        True when the output at an index depends only on the inputs at that index, so the
        local derivative is an array the size of the output (the step recorder shows it).
    check : callable or None
        ``check(shapes, params) -> str | None``: a reason the shapes do not fit, or None.
    examples : tuple of Example
        Sample points for the registry-wide derivative tests.
    """

    name: str
    arity: int
    forward: Callable[..., np.ndarray]
    vjp: tuple[Rule, ...] | None
    jvp: tuple[Rule, ...] | None
    label: str
    vjp_text: tuple[str, ...] = ()
    jvp_text: tuple[str, ...] = ()
    elementwise: bool = False
    check: Callable[[tuple[tuple[int, ...], ...], Mapping[str, Any]], str | None] | None = None
    examples: tuple[Example, ...] = ()

    @property
    def arg_names(self) -> tuple[str, ...]:
        return ARG_NAMES[: self.arity]

    @property
    def formula(self) -> str:
        """The reverse-mode rule of every input, one per line: ``dL/dx = g · cos(x)``."""
        if not self.vjp_text:
            return f"{self.name}: no derivative formula recorded"
        return "\n".join(f"dL/d{a} = {t}" for a, t in zip(self.arg_names, self.vjp_text))

    def tangent_formula(self, i: int) -> str:
        """Input ``i``'s forward rule as text ("dx · cos(x)")."""
        if self.jvp_text:
            return self.jvp_text[i]
        if self.elementwise and self.vjp_text:
            return re.sub(r"\bg\b", "d" + self.arg_names[i], self.vjp_text[i])
        return ""

    def __repr__(self) -> str:
        return f"Op({self.name!r}, arity={self.arity})"


_REGISTRY: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add an op to the registry at import time and return it.

    Raises
    ------
    ValueError
        If an op of that name exists already, or the rule tuples do not match the arity.
    """
    if op.name in _REGISTRY:
        raise ValueError(f"op {op.name!r} is registered twice")
    for kind in ("vjp", "jvp"):
        rules = getattr(op, kind)
        if rules is not None and len(rules) != op.arity:
            raise ValueError(
                f"op {op.name!r} has {len(rules)} {kind} rules for {op.arity} inputs"
            )
    _REGISTRY[op.name] = op
    return op


def registry() -> Mapping[str, Op]:
    """A read-only view of every registered op, by name."""
    return MappingProxyType(_REGISTRY)


def get_op(name: str) -> Op:
    """The op of that name; a KeyError lists the known names when there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"no op named {name!r}; known ops: {known}") from None
