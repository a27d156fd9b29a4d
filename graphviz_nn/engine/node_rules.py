"""Derivative rules on nodes: what ``create_graph`` runs, so derivatives can be differentiated.

The registry's rules take and return arrays. Run on nodes instead (``g``, ``ans`` and the
inputs all graph nodes), a rule builds its cotangent out of engine ops, and the result is a
graph like any other: it can be drawn, stepped through and differentiated again.

Many registry rules are plain arithmetic on their arguments, and Node overloads + − × ÷, so
they run on nodes unchanged: those ops are listed in ``RULES_RUN_ON_NODES`` (checked by the
tests, which compare each one with its array rule). The others call numpy (``np.cos``,
``np.where``, ``np.expand_dims``, ``float(y)``, ...) and get a rule on nodes here. An op with
neither raises RuleError rather than silently treat part of its derivative as a constant.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .errors import RuleError
from .node import Constant, Function, Node, apply
from .ops import cos, exp, log, matmul, reshape, sigmoid, sin, transpose
from .ops import sum as total
from .registry import Op

NodeRule = Callable[..., Node]

# Ops whose registry vjp rules, and jvp rules of inputs they are not linear in, are arithmetic
# on their arguments alone (no numpy call, no float()); a linear input's jvp is the op itself.
RULES_RUN_ON_NODES = frozenset({"add", "sub", "mul", "div", "neg", "exp", "log", "sqrt", "tanh", "sigmoid"})


def spread(t: Node, shape: tuple[int, ...]) -> Node:
    """``t`` broadcast to ``shape`` (multiplied by ones), or ``t`` itself if it has that shape."""
    if t.shape == shape:
        return t
    spread_out = t * Constant(np.ones(shape), name="1")
    if spread_out.shape != shape:
        raise ValueError(f"a tangent of shape {t.shape} does not broadcast to {shape}")
    return spread_out


def unbroadcast(g: Node, shape: tuple[int, ...]) -> Node:
    """Sum a cotangent node over the axes broadcasting added or stretched (see broadcast.py).

    Raises
    ------
    ValueError
        When ``g`` cannot come from ``shape`` by broadcasting.
    """
    if g.shape == shape:
        return g
    lead = len(g.shape) - len(shape)
    if lead < 0:
        raise ValueError(f"a cotangent of shape {g.shape} cannot come from an input of shape {shape}")
    if lead:
        g = total(g, axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = total(g, axis=stretched, keepdims=True)
    if g.shape != shape:
        raise ValueError(
            f"a cotangent of shape {g.shape} cannot come from an input of shape {shape} by broadcasting"
        )
    return g


def _swap(a: Node) -> Node:
    """The last two axes exchanged: the matrix transpose of each matrix of a stack."""
    axes = list(range(len(a.shape)))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return transpose(a) if len(axes) == 2 else transpose(a, axes)


def _matmul_vjp(g: Node, x: Node, y: Node, wrt: int) -> Node:
    """g @ yᵀ or xᵀ @ g, a vector operand promoted to a matrix (a row x, a column y) as numpy does."""
    x_vec, y_vec = len(x.shape) == 1, len(y.shape) == 1
    if x_vec and y_vec:  # x · y: a number
        return g * (y if wrt == 0 else x)
    if y_vec and len(x.shape) == 2 and wrt == 1:  # A @ v: the cotangent of v is Aᵀ g
        return matmul(transpose(x), g)
    if x_vec and len(y.shape) == 2 and wrt == 0:  # v @ B: the cotangent of v is B g
        return matmul(y, g)
    x2 = reshape(x, (1,) + x.shape) if x_vec else x
    y2 = reshape(y, y.shape + (1,)) if y_vec else y
    g_shape = g.shape + (1,) if y_vec else g.shape
    if x_vec:
        g_shape = g_shape[:-1] + (1,) + g_shape[-1:]
    g2 = reshape(g, g_shape) if g_shape != g.shape else g
    if wrt == 0:
        result = unbroadcast(matmul(g2, _swap(y2)), x2.shape)
        return reshape(result, x.shape) if x_vec else result
    result = unbroadcast(matmul(_swap(x2), g2), y2.shape)
    return reshape(result, y.shape) if y_vec else result


def _reduced_spread(g: Node, x: Node, axis, keepdims: bool) -> Node:
    """A reduced cotangent copied back along the axes a sum or mean removed."""
    if axis is not None and not keepdims:
        axes = {a % len(x.shape) for a in (axis if isinstance(axis, tuple) else (axis,))}
        g = reshape(g, tuple(1 if i in axes else n for i, n in enumerate(x.shape)))
    return spread(g, x.shape)


def _count(x: Node, axis) -> int:
    if axis is None:
        return int(np.prod(x.shape))
    return int(np.prod([x.shape[a] for a in (axis if isinstance(axis, tuple) else (axis,))]))


def _pow_base(t: Node, ans: Node, x: Node, y: Node) -> Node:
    """t · y · x^(y−1); a constant exponent e is read as a number: 2 gives t · (2 · x)."""
    if isinstance(y, Constant) and y.value.ndim == 0:
        e = float(y.value)
        if e == 0.0:
            return t * Constant(np.zeros(x.shape), name="0")
        return t if e == 1.0 else t * (e * x if e == 2.0 else e * x ** (e - 1.0))
    return t * (y * x ** (y - 1.0))


def _inverse(axes: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """The permutation that puts transposed axes back (axes may count from the end)."""
    return tuple(int(i) for i in np.argsort([a % ndim for a in axes]))


def _expanded(g: Node) -> Node:
    return reshape(g, g.shape + (1,))


# Rules on nodes, by op name: each input's vjp(g, ans, *inputs, **params) and jvp(dx, ...).
# An elementwise op's two rules are its local derivative times g or dx, as in rules.py.
_DERIVATIVES: dict[str, tuple[NodeRule, ...]] = {
    "sin": (lambda ans, x: cos(x),),
    "cos": (lambda ans, x: -sin(x),),
    "softplus": (lambda ans, x: sigmoid(x),),
    "logsigmoid": (lambda ans, x: sigmoid(-x),),
}

_VJP: dict[str, tuple[NodeRule, ...]] = {
    "pow": (_pow_base, lambda g, ans, x, y: g * (log(x) * ans)),
    "sum": (lambda g, ans, x, axis=None, keepdims=False: _reduced_spread(g, x, axis, keepdims),),
    "mean": (lambda g, ans, x, axis=None, keepdims=False:
             _reduced_spread(g, x, axis, keepdims) / _count(x, axis),),
    "matmul": (lambda g, ans, x, y: _matmul_vjp(g, x, y, 0), lambda g, ans, x, y: _matmul_vjp(g, x, y, 1)),
    "dot": (lambda g, ans, x, y: _expanded(g) * y, lambda g, ans, x, y: _expanded(g) * x),
    "transpose": (lambda g, ans, x, axes=None:
                  transpose(g, None if axes is None else _inverse(axes, len(x.shape))),),
    "reshape": (lambda g, ans, x, shape: reshape(g, x.shape),),
    "softmax": (lambda g, ans, x, axis=-1: ans * (g - total(g * ans, axis=axis, keepdims=True)),),
    "log_softmax": (lambda g, ans, x, axis=-1: g - exp(ans) * total(g, axis=axis, keepdims=True),),
}

_JVP: dict[str, tuple[NodeRule, ...]] = {
    "pow": (_pow_base, lambda dy, ans, x, y: dy * (log(x) * ans)),
    "softmax": (lambda dx, ans, x, axis=-1: ans * (dx - total(dx * ans, axis=axis, keepdims=True)),),
    "log_softmax": (lambda dx, ans, x, axis=-1: dx - total(exp(ans) * dx, axis=axis, keepdims=True),),
}


def _times(d: NodeRule) -> NodeRule:
    return lambda t, ans, *inputs, **params: t * d(ans, *inputs, **params)


def _linear(op: Op, i: int) -> NodeRule:
    """The op itself with input ``i`` replaced by its tangent."""
    def rule(d: Node, ans: Node, *inputs: Node, **params) -> Function:
        args = list(inputs)
        args[i] = d
        return apply(op, *args, **params)
    return rule


def _missing(op: Op, kind: str) -> RuleError:
    return RuleError(
        f"op {op.name!r} has no {kind} rule on nodes, so create_graph cannot differentiate through "
        "it: its array rule calls numpy; add a rule written with engine ops in engine/node_rules.py"
    )


def vjp_on_nodes(op: Op) -> tuple[NodeRule, ...]:
    """The op's reverse rules as functions of nodes.

    Raises
    ------
    RuleError
        When the op has none (relu, abs and leaky_relu: their derivative is a step
        function, which no engine op computes yet).
    """
    if op.name in RULES_RUN_ON_NODES and op.vjp is not None:
        return op.vjp
    if op.name in _VJP:
        return _VJP[op.name]
    if op.name in _DERIVATIVES:
        return tuple(_times(d) for d in _DERIVATIVES[op.name])
    raise _missing(op, "vjp")


def jvp_on_nodes(op: Op) -> tuple[NodeRule, ...]:
    """The op's forward rules as functions of nodes; a linear input's is the op itself.

    Raises
    ------
    RuleError
        When the op has none.
    """
    special = _JVP.get(op.name)
    if special is not None:
        return special
    rules = []
    for i in range(op.arity):
        if i in op.linear:
            rules.append(_linear(op, i))
        elif op.name in RULES_RUN_ON_NODES and op.jvp is not None:
            rules.append(op.jvp[i])
        elif op.name in _DERIVATIVES:
            rules.append(_times(_DERIVATIVES[op.name][i]))
        else:
            raise _missing(op, "jvp")
    return tuple(rules)
