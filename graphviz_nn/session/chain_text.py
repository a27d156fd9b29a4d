"""The chain rule as plain text: the inspector's lines, one entry's rule, the overlay's line. Qt-free."""

from __future__ import annotations

import numpy as np

from .chain_rule import ChainRule, ChainTerm, EntryRule
from .entry_rule import WRITTEN_PRODUCTS
from .inspect import NodeInfo
from .number_text import brief, number
from .symbols import at, derivative, dotted, operand, side

__all__ = ["chain_text", "compact_chain_text", "entry_text", "equals", "term_text"]

_COMPACT_WIDTH = 72     # characters: a longer symbolic line is left out of the overlay
_PRODUCTS_SHOWN = WRITTEN_PRODUCTS     # an entry's rule lists this many products, counts the rest


def equals(*parts: str) -> str:
    """The parts joined by " = ", leaving out empty ones and a repeat of the one before."""
    kept: list[str] = []
    for part in parts:     # "−1" in a rule and "-1" from the numbers are the same number
        if part and (not kept or kept[-1].replace("−", "-") != part.replace("−", "-")):
            kept.append(part)
    return " = ".join(kept)


def _scalar(*arrays) -> bool:
    return all(a is not None and np.size(a) == 1 for a in arrays)


def term_text(t: ChainTerm) -> str:
    """One term with its numbers: local × upstream = value, or the rule = value."""
    if t.local is not None and _scalar(t.local, t.upstream):
        local = equals(t.local_symbol, t.local_rule, t.local_numbers, number(t.local))
        upstream = equals(t.upstream_symbol, number(t.upstream))
        return f"({local}) × ({upstream}) = {number(t.value)}"
    if t.local is not None:
        text = f"({equals(t.local_symbol, t.local_rule)}) ⊙ {t.upstream_symbol}"
        if np.shape(t.value) != np.shape(t.local):
            text = f"Σ over the broadcast axes of {text}"
        return f"{text} = {brief(t.value)}"
    return equals(t.rule, t.rule_numbers, brief(t.value))


def _heading(chain: ChainRule) -> str:
    x = chain.node_symbol or chain.node_label
    if chain.phase == "backward":
        return f"{chain.symbol} = Σ over consumers c of {derivative('c', x)} · ∂{side(chain.output_symbol)}/∂c"
    return f"{chain.symbol} = Σ over inputs u of {derivative(x, 'u')} · u̇"


def chain_text(chain: ChainRule) -> str:
    """The chain rule with the numbers filled in: the rule, one line per term, the sum last.

    Every symbol is a node of the graph ("∂z/∂(x2²)", "ẋ2"); scalars are written with
    their numbers, arrays by their shape (the inspector shows their entries beside).
    """
    lines = [_heading(chain)]
    for t in chain.terms:
        lines.append(f"  from {operand(t.other_symbol or t.other_label)}: {term_text(t)}")
    if not chain.terms:
        lines.append(f"  (no terms: {chain.note})")
    lines.append(f"= {brief(chain.total) if chain.total is not None else '0'}")
    return "\n".join(lines)


def _short_term(t: ChainTerm, scalar: bool) -> tuple[str, str]:
    """(symbols, numbers) of a term for the compact line."""
    if t.local is not None:
        times = "·" if scalar else "⊙"
        numbers = f"{operand(number(t.local))} × {operand(number(t.upstream))}" if scalar else ""
        return f"{t.local_symbol} {times} {t.upstream_symbol}", numbers
    return t.rule, (t.rule_numbers or number(t.value)) if scalar else ""


def compact_chain_text(info: NodeInfo) -> str:
    """The current step's equation in one to three short lines, with its numbers.

    For an overlay on the graph: "∂z/∂x2 = ∂(x2²)/∂x2 · ∂z/∂(x2²) + …" then
    "= -2.4 × 2 + 1 × 0.764842 = -4.03516". Arrays give their shape instead of numbers.
    Before the node's step (or in the forward pass) the node's value: "x2² = 1.44".

    Parameters
    ----------
    info : NodeInfo
        What :func:`graphviz_nn.session.inspect.describe` says about the node.

    Returns
    -------
    str
        Lines separated by newlines; empty when nothing about the node is known yet.
    """
    chain = info.chain
    symbol = info.symbol or info.label
    if chain is None:
        return f"{symbol} = {brief(info.value)}" if info.value is not None else ""
    total = brief(chain.total) if chain.total is not None else "0"
    if not chain.terms:
        return f"{chain.symbol} = {total}\n({chain.note})"
    scalar = _scalar(chain.total) and all(_scalar(t.value, t.upstream) for t in chain.terms)
    parts = [_short_term(t, scalar) for t in chain.terms]
    lines = []
    symbols = f"{chain.symbol} = " + " + ".join(s for s, _ in parts)
    if len(symbols) <= _COMPACT_WIDTH:
        lines.append(symbols)
    if scalar and len(parts) > 1:
        lines.append("= " + " + ".join(n for _, n in parts) + f" = {total}")
    elif scalar:
        lines.append(f"= {equals(parts[0][1], total)}")
    else:
        lines.append(f"= {total}")
    if len(lines) == 1:
        lines[0] = f"{chain.symbol} {lines[0]}"
    return "\n".join(lines)


def entry_text(chain: ChainRule, entry: EntryRule) -> str:
    """One entry's own scalar chain rule: each product that adds to it, and the sum.

    Backward: ∂L/∂x[i] = Σ ∂c[k]/∂x[i] · ∂L/∂c[k] over the consumers c and the entries k of c
    that x[i] feeds. Tangent: ẋ[i] = Σ ∂x[i]/∂u[k] · u̇[k]. Products beyond the sixth are
    counted, not listed.
    """
    x, i = chain.node_symbol or chain.node_label, entry.index
    out = chain.output_symbol
    if chain.phase == "backward":
        lines = [f"{derivative(out, x, (), i)} = Σ over c, k of ∂c[k]/∂{side(x, i)} · ∂{side(out)}/∂c[k]"]
    else:
        lines = [f"{at(dotted(x), i)} = Σ over u, k of ∂{side(x, i)}/∂u[k] · u̇[k]"]
    for piece in entry.pieces[:_PRODUCTS_SHOWN]:
        other, k = chain.terms[piece.term].other_symbol, piece.position
        if chain.phase == "backward":
            local = equals(derivative(other, x, k, i), piece.numbers, number(piece.coefficient))
            upstream = f"{derivative(out, other, (), k)} = {number(piece.upstream)}"
        else:
            local = equals(derivative(x, other, i, k), piece.numbers, number(piece.coefficient))
            upstream = f"{at(dotted(other), k)} = {number(piece.upstream)}"
        lines.append(f"  ({local}) × ({upstream}) = {number(piece.value)}")
    if len(entry.pieces) > _PRODUCTS_SHOWN:
        rest = entry.pieces[_PRODUCTS_SHOWN:]
        lines.append(f"  + {len(rest)} more products, adding up to {number(sum(p.value for p in rest))}")
    if not entry.pieces:
        lines.append("  (no products: nothing flows into this entry)")
    lines.append(f"= {number(entry.total)}")
    return "\n".join(lines)
