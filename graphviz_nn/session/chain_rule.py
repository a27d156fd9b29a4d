"""The chain rule at one node, in the graph's names and with its numbers. Qt-free.

Reverse mode: ∂L/∂x = Σ over the consumers c of x of ∂c/∂x · ∂L/∂c. Forward mode: ẋ = Σ over
the inputs u of x of ∂x/∂u · u̇. Each term is built from the recorded pass (its numbers) and
the op record's rules (its symbols, bound by :mod:`graphviz_nn.session.symbols`). One entry
of an array's chain rule is worked out in :mod:`graphviz_nn.session.entry_rule`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Function, Graph, Node, Step
from .number_text import brief
from .number_text import number as _number_text
from .symbols import bind, derivative, dotted, node_symbol, output_symbol, param_names

__all__ = ["TABLE_SIDE", "ChainRule", "ChainTerm", "EntryPiece", "EntryRule", "build_chain", "fits_table", "numbers_of",
           "rule_text", "table_shape", "with_params"]


@dataclass(frozen=True, eq=False)
class ChainTerm:
    """One term of the chain rule: the one that ``other`` contributes.

    Backward: ``other`` is a consumer c of the node x and the term is ∂c/∂x · ∂L/∂c, with
    ``local`` (elementwise ops) times ``upstream`` giving ``value``. Tangent: ``other`` is an
    input u and the term is ∂x/∂u · u̇.

    Attributes
    ----------
    other_id, other_label, argument, formula
        The other node's id and label, which input of the op the pair is ("x", "y"), and the
        op's rule as the record writes it ("g · cos(x)").
    local, upstream, value : ndarray
        The recorded numbers (``local`` None for ops that are not elementwise).
    other_symbol : str
        The other node in the graph's names ("x2²").
    local_symbol : str
        "∂(x2²)/∂x2" (backward) or "∂z/∂(x2²)" (tangent).
    local_rule : str
        Elementwise ops: the local derivative in the graph's names ("2 · x2^(2−1)").
    local_numbers : str
        The same with the numbers in, when every quantity in it is a single number.
    upstream_symbol : str
        "∂z/∂(x2²)" (backward) or a tangent "ẋ2".
    rule : str
        The whole term in the graph's names: the vjp or jvp rule bound ("ẋ2 · cos(x2)").
    rule_numbers : str
        The rule with the numbers in, when every quantity in it is a single number.
    """

    other_id: str
    other_label: str
    argument: str
    formula: str
    local: np.ndarray | None
    upstream: np.ndarray
    value: np.ndarray
    other_symbol: str = ""
    local_symbol: str = ""
    local_rule: str = ""
    local_numbers: str = ""
    upstream_symbol: str = ""
    rule: str = ""
    rule_numbers: str = ""


@dataclass(frozen=True)
class EntryPiece:
    """One product of one entry's chain rule: coefficient × upstream at ``position``.

    Backward: ∂c[k]/∂x[i] × ∂L/∂c[k], k the ``position`` in the consumer. Tangent:
    ∂x[i]/∂u[k] × u̇[k], k in the input u. ``numbers`` is the local rule with that entry's
    numbers in (elementwise ops), else empty.
    """

    term: int
    position: tuple[int, ...]
    coefficient: float
    upstream: float
    numbers: str = ""

    @property
    def value(self) -> float:
        return self.coefficient * self.upstream


@dataclass(frozen=True)
class EntryRule:
    """The scalar chain rule of one entry of an array node: its pieces and their sum."""

    index: tuple[int, ...]
    pieces: tuple[EntryPiece, ...]
    total: float


@dataclass(frozen=True, eq=False)
class ChainRule:
    """∂L/∂x = Σ terms (backward), or ẋ = Σ terms (tangent), with the sum.

    ``node_symbol`` is x in the graph's names, ``output_symbol`` the differentiated output
    (backward; "L" when unknown). ``start`` is True only where the pass starts: the output of
    a backward pass, a seeded input of a tangent pass. ``note`` says why there are no terms.
    """

    phase: str
    node_label: str
    terms: tuple[ChainTerm, ...]
    total: np.ndarray | None
    node_symbol: str = ""
    output_symbol: str = "L"
    start: bool = False
    note: str = ""
    entries: tuple[EntryRule, ...] = ()

    def entry(self, index: tuple[int, ...]) -> EntryRule | None:
        """The worked-out rule of the entry at ``index`` (``()`` for a scalar), when the node
        is small enough to have them (see :func:`~graphviz_nn.session.entry_rule.entries`)."""
        for rule in self.entries:
            if rule.index == tuple(index):
                return rule
        return None

    @property
    def symbol(self) -> str:
        """What the rule computes: "∂z/∂x2" or "ẋ2"."""
        if self.phase == "backward":
            return derivative(self.output_symbol, self.node_symbol or self.node_label)
        return dotted(self.node_symbol or self.node_label)


TABLE_SIDE = 6     # arrays up to 6 × 6 are written out as tables, entry by entry


def table_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """Rows and columns an array is drawn with: a vector is one row; more than two axes
    stack the leading ones as rows (as the heatmaps do)."""
    if len(shape) <= 1:
        return 1, int(np.prod(shape))
    return int(np.prod(shape[:-1])), shape[-1]


def fits_table(shape: tuple[int, ...]) -> bool:
    """Whether an array of this shape is shown as a table of numbers (at most 6 × 6)."""
    rows, cols = table_shape(shape)
    return rows <= TABLE_SIDE and cols <= TABLE_SIDE


def _scalar(*arrays) -> bool:
    return all(a is not None and np.size(a) == 1 for a in arrays)


def _names(graph: Graph, node: Function, memo: dict) -> dict[str, str]:
    names = {a: node_symbol(graph, x, memo) for a, x in zip(node.op.arg_names, node.inputs)}
    names.update({"d" + a: dotted(s) for a, s in list(names.items())})
    names["ans"] = node_symbol(graph, node, memo)
    return names


def numbers_of(node: Function, position: tuple | None = None) -> dict[str, str]:
    """The node's inputs x, y, z and output ans as numbers, to bind into its rules.

    At an entry ``position`` of the output (each input broadcast to it), or, without one,
    only when every input and the output is a single number (else an empty mapping).
    """
    shape = node.value.shape
    values = [x.value for x in node.inputs] + [node.value]
    if position is not None:
        values = [np.broadcast_to(v, shape)[position] for v in values]
    elif not _scalar(*values):
        return {}
    names = dict(zip(node.op.arg_names, map(_number_text, values[:-1])))
    names["ans"] = _number_text(values[-1])
    return names


def _params(node: Function) -> dict:
    """Every parameter of the node's op, the defaults filled in where it was not given."""
    return {p.name: node.params.get(p.name, p.default) for p in node.op.params}


def with_params(text: str, node: Function) -> str:
    """The rule with its parameters' values written in where the text names them (α)."""
    params = _params(node)
    for written, name in param_names(params).items():
        if written in text and np.isscalar(params[name]):
            text = text.replace(written, _number_text(params[name]))
    return text


def _term(graph: Graph, c, phase: str, node: Node, output: str, memo: dict) -> ChainTerm:
    other = graph[c.source]
    op_node = other if phase == "backward" else node
    op = op_node.op
    i = op.arg_names.index(c.argument)
    names = _names(graph, op_node, memo)
    x, ans = names[op.arg_names[i]], names["ans"]
    numbers = numbers_of(op_node)
    local_rule = bind(op.local_formula(i), names)
    local_numbers = with_params(bind(op.local_formula(i), numbers), op_node) if numbers and local_rule else ""
    if phase == "backward":
        names["g"] = derivative(output, ans)
        text = op.vjp_text[i] if op.vjp_text else ""
        local_symbol, upstream_symbol = derivative(ans, x), names["g"]
        if numbers:
            numbers["g"] = _number_text(c.upstream)
    else:
        text = op.tangent_formula(i)
        local_symbol, upstream_symbol = derivative(ans, x), dotted(x)
        if numbers:
            numbers["d" + op.arg_names[i]] = _number_text(c.upstream)
    rule = bind(text, names)
    rule_numbers = with_params(bind(text, numbers), op_node) if numbers and _scalar(c.upstream) else ""
    return ChainTerm(c.source, other.label, c.argument, c.formula, c.local, c.upstream, c.value,
                     node_symbol(graph, other, memo), local_symbol, local_rule, local_numbers,
                     upstream_symbol, rule, rule_numbers)


def _note(phase: str, node: Node, start: bool, symbol: str, total: np.ndarray) -> str:
    if phase == "backward":
        return f"the pass starts here, from its seed {symbol} = 1" if start else ""
    if start:
        return f"the pass starts here, from its seed {symbol} = {brief(total)}"
    if node.kind == "constant":
        return "a constant: its tangent is 0"
    if not node.inputs:
        return "not seeded: its tangent is 0"
    return "none of its inputs depends on the seeded input: its tangent is 0"


def build_chain(graph: Graph, node: Node, step: Step, first: Step,
                memo: dict | None = None) -> ChainRule:
    """The chain rule of ``node`` at its recorded step.

    Parameters
    ----------
    graph : Graph
    node : Node
    step : Step
        The node's step in a backward or tangent recording.
    first : Step
        The recording's first step: the backward pass's output (whose symbol is L).
    memo : dict, optional
        Node symbols already made for this graph.

    Returns
    -------
    ChainRule
        Its terms in the graph's names with their numbers; a tangent that is not carried
        (None in the recording) is the zero array of the node's shape.
    """
    memo = {} if memo is None else memo
    phase = step.phase
    output = output_symbol(graph, first.node, first.value, memo) if phase == "backward" else ""
    terms = tuple(_term(graph, c, phase, node, output, memo) for c in step.received)
    if phase == "backward":
        start = step.index == 0
    else:
        start = not node.inputs and step.value is not None
    total = step.value if step.value is not None else np.zeros_like(node.value, dtype=float)
    rule = ChainRule(phase, node.label, terms, total, node_symbol(graph, node, memo),
                     output or "L", start)
    note = "" if terms else _note(phase, node, start, rule.symbol, total)
    return ChainRule(rule.phase, rule.node_label, terms, total, rule.node_symbol,
                     rule.output_symbol, start, note)


def rule_text(graph: Graph, node: Node, phase: str | None, output: str = "L",
              memo: dict | None = None) -> str:
    """The op's derivative rules in the graph's names: one line per input.

    Backward (and before any pass): "∂z/∂x2 = ∂z/∂(x2²) · 2 · x2^(2−1)". Tangent: the jvp,
    summed over the inputs that can carry a tangent (not constants): "(x2²)˙ = ẋ2 · …".
    Parameters, if any, follow on a line of their own.
    """
    if not isinstance(node, Function):
        return ""
    memo = {} if memo is None else memo
    op, names = node.op, _names(graph, node, memo)
    ans = names["ans"]
    # A constant input carries no tangent and needs no gradient: its rule is left out,
    # unless every input is one.
    wanted = [i for i, x in enumerate(node.inputs) if x.kind != "constant"] or range(op.arity)
    if phase == "tangent":
        parts = [bind(op.tangent_formula(i), names) for i in wanted if op.tangent_formula(i)]
        lines = [f"{dotted(ans)} = {' + '.join(parts) if parts else '0'}"]
    else:
        names["g"] = derivative(output, ans)
        lines = [f"{derivative(output, names[op.arg_names[i]])} = {bind(op.vjp_text[i], names)}"
                 for i in wanted if op.vjp_text] or [op.formula]
    if node.op.params:
        lines.append("with " + ", ".join(f"{k} = {v!r}" for k, v in _params(node).items()))
    return "\n".join(lines)
