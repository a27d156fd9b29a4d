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
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .params import Param
from .plan import Plan, plan_call
from .rules import derive_rules

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
    label : str
        Short symbol drawn in the graph ("+", "@", "σ").
    vjp : tuple of callables or None
        One reverse-mode rule per input, ``vjp[i](g, ans, *inputs, **params)``. Derived as
        ``g · derivative[i]`` when left out and the derivative is declared, or is ``chain``.
    jvp : tuple of callables or None
        One forward-mode rule per input, ``jvp[i](d_i, ans, *inputs, **params)``. Derived
        when left out: ``chain`` if declared, the op itself on the tangent for a linear
        input, else ``d_i · derivative[i]``.
    derivative : tuple of callables or None
        Elementwise ops: each input's local derivative ``derivative[i](ans, *inputs,
        **params)``, the array the upstream is multiplied by (the step recorder shows it).
    chain : tuple of callables or None
        Elementwise ops, instead of ``derivative`` where the product is cheaper written out:
        each input's map t ↦ t · derivative ``chain[i](t, ans, *inputs, **params)``, which is
        both its vjp (t the cotangent g) and its jvp (t the tangent dx), since an elementwise
        op's Jacobian is diagonal and so its own transpose (HIPS/autograd's "same"). ``t / x``
        is one pass over the array where ``t · (1 / x)`` takes two, and add's ``t`` none.
    linear : tuple of int
        The inputs the op is linear in, each on its own (both factors of a product, the one
        input of a sum or a transpose): their jvp is the op applied to the tangent.
    vjp_text : tuple of str
        Each input's reverse rule as text, in terms of g, ans, x, y ("g · cos(x)").
    jvp_text : tuple of str
        Each input's forward rule as text ("dx @ y"). For elementwise ops it may be left out:
        it is the vjp text with g replaced by the input's tangent.
    local_text : tuple of str
        Elementwise ops: each input's local derivative as text, in the names of ``vjp_text``
        ("cos(x)"). Derived when left out: the vjp text with g as 1 (see ``local_formula``).
    notation : str
        How a node of this op is written from its inputs, with x, y, z standing for them
        ("xᵀ", "√x"). Derived when left out: ``label(x)`` for a named function, ``x label y``
        for a binary operator sign, the label with ``·`` as the input for ``|·|`` (see
        ``expression``).
    elementwise : bool
        True when the output at an index depends only on the inputs at that index, so the
        local derivative is an array the size of the output (the step recorder shows it).
        Such an op's output shape (broadcasting) and cost (``unit_cost`` per element) are
        derived; it need not declare them.
    unit_cost : int
        The price of one output element when the op declares no cost rule, in the engine's
        unit of about a nanosecond of numpy on float64 (see :class:`Plan`): 1 for add, exp or
        a copy, 12 for sin, 128 for erf, as measured by tests/benchmarks/bench_op_prices.py.
    params : tuple of Param
        Every parameter the op takes, with its type and range (see ``engine/params.py``);
        nothing else is ever passed to the forward.
    shape : callable or None
        ``shape(shapes, params) -> shape`` of the output, from the inputs' shapes alone,
        raising ValueError with the reason when they do not fit; params have their defaults
        filled in. Required unless elementwise.
    cost : callable or None
        ``cost(shapes, params, shape) -> (flops, temporary)``: the forward's price in the
        engine's unit and its largest array in elements. Default: ``unit_cost`` per output
        element, and the output.
    examples : tuple of Example
        Sample points for the registry-wide derivative tests.
    vjp_add : tuple of (callable or None) or None
        Ops whose cotangent is mostly zeros (an index's: g put back where it was taken from)
        may also give, per input, ``vjp_add[i](acc, g, ans, *inputs, **params)``, which adds
        that cotangent into ``acc``, a float64 array of the input's shape, in place. Reverse
        mode then gathers an input's gradient in one array instead of making a zero array
        of the input's shape per consumer: a sequence's 50 steps each taking their row of
        one (T, N, 4H) product cost T² N 4H that way, and T N 4H this way.
    """

    name: str
    arity: int
    forward: Callable[..., np.ndarray]
    label: str
    vjp: tuple[Rule, ...] | None = None
    jvp: tuple[Rule, ...] | None = None
    derivative: tuple[Rule, ...] | None = None
    chain: tuple[Rule, ...] | None = None
    linear: tuple[int, ...] = ()
    vjp_text: tuple[str, ...] = ()
    jvp_text: tuple[str, ...] = ()
    local_text: tuple[str, ...] = ()
    notation: str = ""
    elementwise: bool = False
    params: tuple[Param, ...] = ()
    shape: Callable[[tuple[tuple[int, ...], ...], Mapping[str, Any]], tuple[int, ...]] | None = None
    cost: Callable[..., tuple[int, int]] | None = None
    unit_cost: int = 1
    examples: tuple[Example, ...] = ()
    vjp_add: tuple[Rule | None, ...] | None = None

    def __post_init__(self) -> None:
        vjp, jvp = derive_rules(
            self.arity, self.forward, self.derivative, self.linear, bool(self.params), self.chain
        )
        if self.vjp is None:
            object.__setattr__(self, "vjp", vjp)
        if self.jvp is None:
            object.__setattr__(self, "jvp", jvp)

    def local_derivative(self, i: int, ans: np.ndarray, inputs, params) -> np.ndarray | None:
        """Input ``i``'s elementwise local derivative at these values, of the output's shape;
        None for an op that is not elementwise (matmul, softmax, sums)."""
        if not self.elementwise:
            return None
        if self.derivative is not None:
            d = self.derivative[i](ans, *inputs, **params)
        else:
            d = self.vjp[i](np.ones_like(ans), ans, *inputs, **params)
        return np.array(np.broadcast_to(d, ans.shape), dtype=np.float64)

    @property
    def arg_names(self) -> tuple[str, ...]:
        return ARG_NAMES[: self.arity]

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def plannable(self) -> bool:
        """True when the output shape can be known from shapes alone (every registered op)."""
        return self.elementwise or self.shape is not None

    def plan(
        self, shapes: Sequence[Sequence[int]], params: Mapping[str, Any] | None = None,
        where: str | None = None, dtypes: Sequence[np.dtype] | None = None,
    ) -> Plan:
        """Check a call of this op before computing it: its parameters, output shape and cost.

        Meant for parameters from an untrusted source (a file, typed text): nothing is
        computed and nothing the size of the data is allocated.

        Parameters
        ----------
        shapes : sequence of tuple of int
            The inputs' shapes, one per input.
        params : mapping, optional
            Parameter names to values as read (JSON lists are accepted for tuples).
        where : str, optional
            How to name the call in messages; default ``"sum((2, 3))"``.
        dtypes : sequence of dtype, optional
            The inputs' dtypes when known: the price is for float64 values, and numpy is
            slower on some others (float16, long double; see ``plan.slowdown``).

        Returns
        -------
        Plan
            The checked params (as given, lists made tuples), the output shape, and the
            estimated price (flops) and largest temporary.

        Raises
        ------
        ParamError
            An unknown parameter (numpy's dtype, out, where, ... are never parameters), a
            missing one, or a value of the wrong type or range; one line naming the op, the
            parameter and what is allowed.
        ShapeError
            Inputs whose shapes do not fit the op (or have more than 32 dimensions).
        """
        return plan_call(self, shapes, {} if params is None else params, where, dtypes)

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

    def local_formula(self, i: int) -> str:
        """Input ``i``'s local derivative ∂ans/∂x as text ("cos(x)"), for elementwise ops.

        Declared in ``local_text``, or derived from the vjp text: the rule with the cotangent
        g set to 1 ("g · cos(x)" → "cos(x)", "−g / x²" → "−1 / x²"). Empty for an op that is
        not elementwise: its local derivative is no array of the output's shape.
        """
        if self.local_text:
            return self.local_text[i]
        if not (self.elementwise and self.vjp_text):
            return ""
        text = re.sub(r"(?<![A-Za-z_])g(?![A-Za-z_0-9])", "1", self.vjp_text[i])
        text = re.sub(r"^(−?)1 · ", r"\1", text)
        return text[1:-1] if enclosed(text) else text

    @property
    def expression(self) -> str:
        """How a node of this op is written from its inputs x, y, z: ``notation`` or derived."""
        if self.notation:
            return self.notation
        args = ", ".join(self.arg_names)
        if "·" in self.label and self.arity == 1:
            return self.label.replace("·", "x")
        if self.arity == 2 and len(self.label) == 1 and not self.label.isalnum():
            return f"x {self.label} y"
        return f"{self.label}({args})"

    def __repr__(self) -> str:
        return f"Op({self.name!r}, arity={self.arity})"


def enclosed(text: str) -> bool:
    """Whether the whole text is one bracketed group: "(1 − tanh²(x))", not "(a) · (b)"."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for k, c in enumerate(text):
        depth += (c == "(") - (c == ")")
        if depth == 0 and k < len(text) - 1:
            return False
    return True


_REGISTRY: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add an op to the registry at import time and return it.

    Raises
    ------
    ValueError
        If an op of that name exists already, the rule tuples do not match the arity, an op
        that is not elementwise declares a chain rule, or declares no shape rule.
    """
    if op.name in _REGISTRY:
        raise ValueError(f"op {op.name!r} is registered twice")
    for kind in ("vjp", "jvp", "derivative", "chain", "vjp_add"):
        rules = getattr(op, kind)
        if rules is not None and len(rules) != op.arity:
            raise ValueError(
                f"op {op.name!r} has {len(rules)} {kind} rules for {op.arity} inputs"
            )
    if op.chain is not None and not op.elementwise:
        raise ValueError(
            f"op {op.name!r} declares a chain rule but is not elementwise: only a diagonal Jacobian "
            "is its own transpose; write its vjp and jvp, or declare elementwise=True"
        )
    if not op.plannable:
        raise ValueError(
            f"op {op.name!r} declares no output shape rule: give shape=(shapes, params) -> shape "
            "(elementwise ops derive it)"
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
