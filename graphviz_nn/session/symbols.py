"""The graph's own names in derivative rules. Qt-free.

An op record writes its rules in the names x, y, z (inputs), g (the upstream gradient),
dx, dy, dz (tangents) and ans (the output): "g · y · x^(y−1)". Here those names are bound
to a graph: x2 for x, the node x2² for ans, ∂z/∂(x2²) for g, ẋ2 for dx, or numbers.

A node's symbol is its name where it has one (a variable, a named function, a constant's
value), else an expression of its inputs written with its op's notation ("x1 + x2", "x2²",
"sin(x1 + x2)"); an expression longer than :data:`LONGEST` characters gets a short name of
its own instead, "t17" (a temporary, as the textbooks of automatic differentiation name
intermediate values), so a symbol stays short enough to read inside ∂·/∂·. The graph's
boxes show that name (:func:`short_names`): every symbol a rule writes is one on screen.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Mapping

import numpy as np

from ..engine import Function, Graph, Node
from ..engine.registry import enclosed

__all__ = ["LONGEST", "at", "bind", "derivative", "dotted", "node_symbol", "operand", "output_symbol", "side",
           "short_name", "short_names", "symbols"]

LONGEST = 20
TEMPORARY = "t"   # an intermediate value's short name: t17 (not v, which vᵀHv uses; not u, the rules' input)
# A rule's bound names: not part of a longer word ("ans" in "answer", "x" in "max" or "dx").
_TOKEN = re.compile(r"(?<![A-Za-z_])(ans|d[xyz]|[gxyz])(?![A-Za-z_0-9])")
_OPERATOR = re.compile(r"[\s+\-−×÷·@/^,⊙=<>]")
_CALL = re.compile(r"[^\s()+\-−×÷·@/^,]+\(")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_GREEK = {"alpha": "α"}
_POSTFIX = "ᵀ⁻¹²³^[˙"


def atomic(text: str) -> bool:
    """Whether a symbol reads as one thing without brackets: "x2", "W1ᵀ", "2.5", "x2²", a
    derivative "∂z/∂(x2²)" or a tangent "(x1 + x2)˙"."""
    if not _OPERATOR.search(text) or enclosed(text) or text.startswith("∂"):
        return True
    if text.endswith("˙"):
        return enclosed(text[:-1])
    call = _CALL.match(text)          # sin(x1 + x2), Σ(w × x): a function applied reads as one
    return call is not None and enclosed(text[call.end() - 1:])


def operand(text: str) -> str:
    """The symbol bracketed where it is not atomic: "x1 + x2" → "(x1 + x2)"."""
    return text if atomic(text) else f"({text})"


def _name(text: str) -> bool:
    """Letters, then letters, ASCII digits or underscores ("x2", "W1", "ẋ2"; not "x2²")."""
    return bool(text) and text[0].isalpha() and all(
        c.isalpha() or c in "0123456789_" or unicodedata.category(c) == "Mn" for c in text)


def _plain(text: str) -> bool:
    """A name, or a function applied to something ("x2", "W1", "sin(x1 + x2)")."""
    if _name(text) or (text.endswith("˙") and enclosed(text[:-1])):
        return True
    call = _CALL.match(text)
    return call is not None and text[0].isalpha() and enclosed(text[call.end() - 1:])


def dotted(symbol: str) -> str:
    """A tangent's symbol: a dot over a name's first letter (x2 → ẋ2); anything else's
    tangent is the bracketed symbol with a dot after it: (x2²)˙, (x1 + x2)˙."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", symbol):
        # NFC picks the precomposed letter where there is one (ẋ, ż), which fonts draw better.
        return unicodedata.normalize("NFC", symbol[0] + "\u0307" + symbol[1:])
    return f"{symbol}˙" if enclosed(symbol) else f"({symbol})˙"


def at(symbol: str, index: tuple[int, ...] = ()) -> str:
    """An entry of a node: "W1[0, 2]", "(x1 + x2)[1]"; the symbol itself for ()."""
    if not index:
        return symbol
    where = ", ".join(str(k) for k in index)
    return f"{symbol}[{where}]" if _plain(symbol) or enclosed(symbol) else f"({symbol})[{where}]"


def derivative(top: str, bottom: str, top_index: tuple[int, ...] = (),
               bottom_index: tuple[int, ...] = ()) -> str:
    """∂top/∂bottom, each side bracketed unless it is a name or a function applied:
    ∂z/∂x2, ∂(x2²)/∂x2, ∂sin(x1 + x2)/∂(x1 + x2); with indices, of entries: ∂c[0, 1]/∂W1[1]."""
    return f"∂{side(top, top_index)}/∂{side(bottom, bottom_index)}"


def side(text: str, index: tuple[int, ...] = ()) -> str:
    """One side of a derivative, after its ∂: a name or a function applied as it is, anything
    else bracketed ("∂c[k]/∂(x² + sin(x))", never "∂c[k]/∂x² + sin(x)"); an entry's index after."""
    if index:
        return at(text, index)
    return text if _plain(text) or enclosed(text) else f"({text})"


def bind(template: str, names: Mapping[str, str]) -> str:
    """The template with its names replaced: bracketed where an operator touches them.

    Parameters
    ----------
    template : str
        A rule in an op record's names ("g · y · x^(y−1)").
    names : mapping
        What to write for each of x, y, z, g, dx, dy, dz, ans; a name not given stays.

    Returns
    -------
    str
        E.g. "∂z/∂(x2²) · 2 · x2^(2−1)". A bound name stays bare where the template
        already delimits it (``cos(x)``, ``max(x, y)``, the whole template), else it is
        bracketed when it is not atomic: ``(x1 + x2)˙ · y``, ``(-1.2)^(y−1)``.
    """
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            return name
        text = names[name]
        before = template[:match.start()].rstrip()[-1:]
        after = template[match.end():].lstrip()[:1]
        if before.isdigit() and match.start() and template[match.start() - 1].isdigit():
            return " · " + operand(text)            # "2x" with x bound to x2: 2 · x2
        if after and after in _POSTFIX and not (_plain(text) or enclosed(text)):
            return f"({text})"                     # (∂L/∂u1ᵀ)ᵀ, (u1⁻¹)ᵀ: the mark is on all of it
        if before in ("", "(", "[", ",", "|") and after in ("", ")", "]", ",", "|"):
            return text[1:-1] if enclosed(text) else text
        return operand(text)
    return _TOKEN.sub(replace, template)


def _leaf_or_named(node: Node) -> str | None:
    if not isinstance(node, Function) or node.name:
        return node.label
    return None


def node_symbol(graph: Graph, node: Node, memo: dict[Node, str] | None = None) -> str:
    """The node's symbol in rules: its name, else its op's notation of its inputs' symbols.

    Parameters
    ----------
    graph : Graph
        The graph the node is in (for the id of a node written by its label).
    node : Node
    memo : dict, optional
        Symbols already made, shared by the calls for one graph.

    Returns
    -------
    str
        "x2", "z", "x1 + x2", "x2²", "sin(x1 + x2)"; a short name, "t17", where the expression
        would be longer than :data:`LONGEST` characters.
    """
    memo = {} if memo is None else memo
    if node in memo:
        return memo[node]
    symbol = _leaf_or_named(node)
    if symbol is None:
        names = {a: node_symbol(graph, x, memo) for a, x in zip(node.op.arg_names, node.inputs)}
        symbol = re.sub(r"\^(\d)(?!\d)", lambda m: m.group(1).translate(_SUPERSCRIPT),
                        bind(node.op.expression, names))
        if len(symbol) > LONGEST:
            symbol = short_name(graph, node)
    memo[node] = symbol
    return symbol


def short_name(graph: Graph, node: Node) -> str:
    """The name a long intermediate expression goes by, in rules and on its box: "t17"."""
    return TEMPORARY + graph.id_of(node).lstrip("n")


def short_names(graph: Graph) -> dict[str, str]:
    """The short names of a graph's nodes written by one (see :func:`node_symbol`), by id:
    what their boxes show above their op, so the rules name only what is on screen."""
    memo: dict[Node, str] = {}
    return {graph.id_of(n): s for n in graph.nodes
            if (s := node_symbol(graph, n, memo)) == short_name(graph, n) and _leaf_or_named(n) is None}


def output_symbol(graph: Graph, output: Node, seed, memo: dict | None = None) -> str:
    """What a backward pass differentiates: the output's symbol ("z"); a non-scalar output
    seeded with ones is differentiated through the sum of its entries ("Σ f"), and with
    another seed through its product with the seed ("ḡᵀf")."""
    symbol = node_symbol(graph, output, memo)
    seed = None if seed is None else np.asarray(seed)
    if seed is None or seed.size <= 1:
        return symbol
    return f"Σ {operand(symbol)}" if np.all(seed == 1) else f"ḡᵀ{operand(symbol)}"


def symbols(graph: Graph) -> dict[Node, str]:
    """Every node's symbol (see :func:`node_symbol`), computed once for the graph."""
    memo: dict[Node, str] = {}
    for node in graph.nodes:
        node_symbol(graph, node, memo)
    return memo


def param_names(params: Mapping[str, object]) -> dict[str, str]:
    """How a rule writes each parameter ("α" for alpha), mapped to the parameter's name."""
    return {_GREEK.get(name, name): name for name in params}
