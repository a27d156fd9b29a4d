"""Rules an op need not write: derived from its local derivative or its linearity.

As in HIPS/autograd: an elementwise op's two rules are its local derivative times the
cotangent or the tangent, so it declares the derivative once, or the one map t ↦ t · d that
serves both modes (autograd's "same": an elementwise op's Jacobian is diagonal, so it is its
own transpose); an op linear in an input (a sum, a transpose, either factor of a product) has
that input's tangent rule for free: it is the op itself applied to the tangent.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Rule = Callable[..., np.ndarray]


def times_derivative(d: Rule, arity: int, has_params: bool) -> Rule:
    """``t · d(ans, x, ...)`` for a cotangent or tangent ``t``: an elementwise op's rule.

    Written out for one and two inputs without parameters, the usual case: a rule runs once
    per node and pass, and packing ``*inputs`` cost a fifth of a microsecond each time.
    """
    if not has_params and arity == 1:
        return lambda t, ans, x: t * d(ans, x)
    if not has_params and arity == 2:
        return lambda t, ans, x, y: t * d(ans, x, y)
    return lambda t, ans, *inputs, **params: t * d(ans, *inputs, **params)


def jvp_of_linear(forward: Callable[..., np.ndarray], i: int, arity: int) -> Rule:
    """The op itself with input ``i`` replaced by its tangent: the jvp of a linear input."""
    if arity == 1:
        return lambda dx, ans, x, **params: forward(dx, **params)
    if arity == 2 and i == 0:
        return lambda dx, ans, x, y, **params: forward(dx, y, **params)
    if arity == 2 and i == 1:
        return lambda dy, ans, x, y, **params: forward(x, dy, **params)
    return lambda d, ans, *inputs, **params: forward(*inputs[:i], d, *inputs[i + 1:], **params)


def derive_rules(
    arity: int,
    forward: Callable[..., np.ndarray],
    derivative: tuple[Rule, ...] | None,
    linear: tuple[int, ...],
    has_params: bool,
    chain: tuple[Rule, ...] | None = None,
) -> tuple[tuple[Rule, ...] | None, tuple[Rule, ...] | None]:
    """The (vjp, jvp) rules derivable from a record's declarations; None where one is not.

    ``chain[i](t, ans, *inputs, **params)`` is input ``i``'s t ↦ t · d written out, used as
    it is in both modes; ``derivative[i](ans, *inputs, **params)`` is d alone.
    """
    if chain:
        return chain, chain
    vjp = tuple(times_derivative(d, arity, has_params) for d in derivative) if derivative else None
    jvp: list[Rule] = []
    for i in range(arity):
        if i in linear:
            jvp.append(jvp_of_linear(forward, i, arity))
        elif derivative:
            jvp.append(times_derivative(derivative[i], arity, has_params))
        else:
            return vjp, None
    return vjp, tuple(jvp)
