"""One entry of a chain rule worked out: every product that adds to it. Qt-free.

The op's own rules applied to a unit vector give the numbers: in reverse mode the jvp of a
one-hot tangent at x[i] is the column ∂c/∂x[i] of each consumer c, in forward mode the vjp of
a one-hot cotangent at x[i] is the row ∂x[i]/∂u of each input u. Each nonzero coefficient
times the matching upstream entry is one product; they add up to the entry's gradient or
tangent.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..engine import Graph, Node
from ..engine.broadcast import broadcast_tangent, unbroadcast
from .chain_rule import ChainRule, ChainTerm, EntryPiece, EntryRule, fits_table, numbers_of, with_params
from .symbols import bind

__all__ = ["MOST_SOURCES", "WRITTEN_PRODUCTS", "entry_rule", "with_entries"]

WRITTEN_PRODUCTS = 6    # an entry's first products are written out with their numbers
# Entries are worked out only where the terms come from arrays this small: each entry costs
# one rule per term and one record per product (a scalar loss over 4096 entries: 7 ms).
MOST_SOURCES = 4096


def _unit(shape: tuple[int, ...], index: tuple[int, ...]) -> np.ndarray:
    e = np.zeros(shape)
    e[index] = 1.0
    return e


def _pieces(graph: Graph, node: Node, t: int, term: ChainTerm, phase: str,
            index: tuple[int, ...]) -> list[EntryPiece]:
    other = graph[term.other_id]
    op_node = other if phase == "backward" else node
    op, i = op_node.op, op_node.op.arg_names.index(term.argument)
    values, ans = [x.value for x in op_node.inputs], op_node.value
    if phase == "backward":        # a column of ∂c/∂x: the jvp of a unit tangent at x[index]
        tangent = op.jvp[i](_unit(node.value.shape, index), ans, *values, **op_node.params)
        coefficients = broadcast_tangent(np.asarray(tangent, dtype=float), ans.shape)
        upstream = np.broadcast_to(term.upstream, ans.shape)
    else:                          # a row of ∂x/∂u: the vjp of a unit cotangent at x[index]
        cotangent = op.vjp[i](_unit(ans.shape, index), ans, *values, **op_node.params)
        coefficients = unbroadcast(np.asarray(cotangent, dtype=float), other.value.shape)
        upstream = np.broadcast_to(term.upstream, other.value.shape)
    pieces = []
    local = op.local_formula(i)
    for k in zip(*np.nonzero(np.atleast_1d(coefficients))) if coefficients.ndim else [()] * bool(coefficients):
        k = tuple(int(j) for j in k)
        at = k if phase == "backward" else index
        # Only the products the text lists are written out with their numbers.
        words = with_params(bind(local, numbers_of(op_node, at)), op_node) \
            if local and len(pieces) < WRITTEN_PRODUCTS else ""
        pieces.append(EntryPiece(t, k, float(coefficients[k]), float(upstream[k]), words))
    return pieces


def entry_rule(graph: Graph, node: Node, chain: ChainRule, index: tuple[int, ...]) -> EntryRule:
    """The chain rule of the entry ``index`` of ``node``: every product that adds to it.

    Parameters
    ----------
    graph : Graph
    node : Node
        The node whose chain rule ``chain`` is.
    chain : ChainRule
    index : tuple of int
        An index into the node's value.

    Returns
    -------
    EntryRule
        One piece per nonzero coefficient of each term (a product with a zero coefficient
        adds nothing and is left out), and the recorded total at ``index``.

    Raises
    ------
    IndexError
        When ``index`` is not an index of the node's value.
    """
    index = tuple(int(k) for k in index)
    shape = node.value.shape
    if len(index) != len(shape) or any(not 0 <= k < n for k, n in zip(index, shape)):
        raise IndexError(f"entry {list(index)} is not in '{node.label}' of shape {shape}")
    pieces: list[EntryPiece] = []
    with np.errstate(all="ignore"):
        for t, term in enumerate(chain.terms):
            pieces += _pieces(graph, node, t, term, chain.phase, index)
    total = np.broadcast_to(chain.total, shape)[index] if chain.total is not None else 0.0
    return EntryRule(index, tuple(pieces), float(total))


def with_entries(graph: Graph, node: Node, chain: ChainRule) -> ChainRule:
    """The chain rule with every entry worked out, where the node fits in a table (6 × 6)
    and arrays are involved (a scalar fed by a matrix too); else as it was."""
    arrays = node.value.size > 1 or any(np.size(t.upstream) > 1 for t in chain.terms)
    small = all(np.size(t.upstream) <= MOST_SOURCES for t in chain.terms)
    if not (arrays and small and chain.terms and fits_table(node.value.shape)):
        return chain
    entries = tuple(entry_rule(graph, node, chain, index) for index in np.ndindex(node.value.shape))
    return replace(chain, entries=entries)
