"""A convolution entry's terms in words: the sum they make, each term's row, its source. Qt-free.

``∂L/∂w[0, 1, 2, 0] = Σ over n, y, x of x[n, 1, 2y + 1, x − 1] · g[n, 0, y, x]``: the index
each tap reads is written with the convolution's own stride, padding and dilation, so the
sum on screen is the one the numbers under it add up.
"""

from __future__ import annotations

from typing import Sequence

from .conv_chain import ConvTerms, PoolRoutes
from .number_text import cell, number
from .symbols import at, derivative

__all__ = ["POSITION_NAMES", "formula", "met_text", "position_text", "route_text", "row_texts", "source_text",
           "total_text", "upstream_entries_text", "upstream_text"]

POSITION_NAMES = {1: ("t",), 2: ("y", "x")}     # an output position's names per spatial axes


def _read(name: str, stride: int, offset: int) -> str:
    """The index read along one axis: s·y + (k·d − p), written as a reader would."""
    scaled = name if stride == 1 else f"{stride}{name}"
    if offset == 0:
        return scaled
    return f"{scaled} {'+' if offset > 0 else '−'} {abs(offset)}"


def met_text(terms: ConvTerms, n: str = "n") -> str:
    """The input values the entry met, indexed by sample and position: "x[n, 1, 2y + 1, x − 1]"
    ("1" for a bias)."""
    if terms.parameter == "bias":
        return "1"
    names = POSITION_NAMES[len(terms.input_size)]
    reads = ", ".join(_read(name, s, k * d - p) for name, s, k, d, p in
                      zip(names, terms.stride, terms.entry[2:], terms.dilation, terms.padding))
    return f"{terms.input_label}[{n}, {terms.entry[1]}, {reads}]"


def upstream_entries_text(terms: ConvTerms, n: str = "n") -> str:
    """The upstream gradient the entry's terms take: "g[n, 0, y, x]"."""
    return f"g[{n}, {terms.entry[0]}, {', '.join(POSITION_NAMES[len(terms.input_size)])}]"


def formula(terms: ConvTerms, output: str = "L") -> str:
    """The entry's gradient as the sum of its terms, in the graph's names."""
    over = ", ".join(("n",) + POSITION_NAMES[len(terms.input_size)])
    left = derivative(output, terms.parameter_label, (), terms.entry)
    product = upstream_entries_text(terms)
    if terms.parameter == "weight":
        product = f"{met_text(terms)} · {product}"
    return f"{left} = Σ over {over} of {product}"


def upstream_text(terms: ConvTerms, output: str = "L") -> str:
    """What g stands for: "g = ∂L/∂conv2d, the upstream gradient"."""
    return f"g = {derivative(output, terms.node_label)}, the upstream gradient"


def position_text(position: Sequence[int]) -> str:
    """An output position: "(2, 3)", or "4" along one axis."""
    return str(position[0]) if len(position) == 1 else "(" + ", ".join(map(str, position)) + ")"


def source_text(terms: ConvTerms, n: int, position: Sequence[int]) -> str:
    """Where a term's input value was read: "x[0, 1, 2, 3] = 0.5", or why it is what it is."""
    if terms.parameter == "bias":
        return "1: a bias is added at every position, as if it multiplied a 1"
    index = (n,) + tuple(position)
    source = terms.source(n, position)
    if source is None:
        reads = ", ".join(str(int(rows[k])) for rows, k in zip(terms.read_at, position))
        return f"0: [{reads}] is in the padding"
    return f"{at(terms.input_label, source)} = {number(terms.inputs[index])}"


def row_texts(terms: ConvTerms, n: int, position: Sequence[int]) -> tuple[str, str, str, str, str]:
    """A term as a table row: sample, position, input value, upstream gradient, product."""
    index = (n,) + tuple(position)
    return (str(n), position_text(position), cell(terms.inputs[index]), cell(terms.upstream[index]),
            cell(terms.products[index]))


def total_text(terms: ConvTerms, output: str = "L") -> str:
    """The total and how many terms make it: "= 0.519406, the sum of 50 terms (2 samples × 25 positions)"."""
    samples = terms.inputs.shape[0]
    positions = terms.count // samples if samples else 0
    return (f"{derivative(output, terms.parameter_label, (), terms.entry)} = {number(terms.total)}, "
            f"the sum of {terms.count} terms ({samples} sample{'s' * (samples != 1)} × "
            f"{positions} position{'s' * (positions != 1)})")


def route_text(routes: PoolRoutes, index: Sequence[int]) -> str:
    """Where the gradient of the pool's output entry ``index`` goes, in one line.

    Max pooling: ``g[0, 2, 1, 1] = 0.3 goes to the input's [0, 2, 3, 2], the window's
    largest``; average pooling: the equal shares and the window they cover.
    """
    index = tuple(int(i) for i in index)
    if len(index) != routes.upstream.ndim or any(not 0 <= i < n for i, n in zip(index, routes.upstream.shape)):
        raise ValueError(f"entry {list(index)} is not in the pool's output of shape {routes.upstream.shape}")
    lead, g = index[:-2], routes.upstream[index]
    inside = routes.inside[index]
    rows, cols, amounts = routes.rows[index][inside], routes.cols[index][inside], routes.amounts[index][inside]
    start = f"g{list(index)} = {number(g)}"
    if routes.kind == "max":
        where = ", ".join(map(str, (*lead, int(rows[0]), int(cols[0]))))
        return f"{start} goes to the input's [{where}], the largest value of its window; the others get 0"
    if not len(rows):
        return f"{start} falls on the padding: no input gets any of it"
    span = (f"rows {rows.min()}-{rows.max()}, columns {cols.min()}-{cols.max()}")
    return (f"{start} is split in {routes.amounts[index].size} equal shares of {number(amounts[0])}: "
            f"{len(rows)} reach the input's {span}" + ("" if len(rows) == routes.amounts[index].size
                                                        else ", the others fall on the padding"))
