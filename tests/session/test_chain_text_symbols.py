"""Every symbol the chain rule's text writes is one the graph shows: a node's name, its op, or
the short name its box shows ("t16"); never a node id, and a compound expression is bracketed
wherever something follows it, over every gallery example and every step of both passes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pytest

from graphviz_nn.engine import Graph, Variable, sin
from graphviz_nn.layout.view import node_lines
from graphviz_nn.session import EXAMPLES, Built
from graphviz_nn.session.chain_text import chain_text, compact_chain_text, entry_text
from graphviz_nn.session.inspect import describe
from graphviz_nn.session.playback import Cursor
from graphviz_nn.session.player import Player
from graphviz_nn.session.symbols import LONGEST, atomic, symbols, derivative, node_symbol, output_symbol, short_names, side

# A name, not a number's exponent ("1e-07") nor a function applied ("cos(x)": an op's rule
# may call a function the graph has no box for).
_NAME = re.compile(r"(?<![\w.])[^\W\d_][\w.]*(?!\w*\()")
# The words the rules are written in, and the bound names of their sums (c, k, u) and counts (n).
_PROSE = set("""over of from u c k n inputs consumers no its terms is tangent array the seeded constant a on none
depends input axes products more up adding to pass starts here seed not broadcast along copied summed nothing
flows this into entry averaged nan Σ
samples and positions windows window put back reshaped shape at each largest first in row major order tie where
overlap added values was taken index repeated add leading last without padding with padded zeros sits for then""".split())
# softmax's record writes its output as s in its tangent rule (the engine's "s ⊙ (dx − Σ dx ⊙ s)");
# layer_norm's its mean, deviation and epsilon as μ, σ and ε.
_RECORD_NAMES = {"s", "μ", "σ", "ε"}


def names(text: str) -> set[str]:
    """The names in a text, without dots of tangents, transposes or powers: "ẋ2ᵀ" is x2."""
    text = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text) if c != "\u0307"))
    text = text.replace("ᵀ", " ").replace("⁻¹", " ")
    found = {m.group().rstrip(".").rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹") for m in _NAME.finditer(text)}
    return found - {""}  # a power alone ("²") is no name


def shown_names(graph: Graph) -> set[str]:
    """Every name a box of the graph shows: names, ops, and the short names of long expressions."""
    shown = set()
    for node in graph.nodes:
        for line in node_lines(node, False, False):
            shown |= names(line)
    for name in short_names(graph).values():
        shown |= names(name)
    return shown


@lru_cache(maxsize=None)
def _texts(example: str) -> tuple[Graph, tuple[str, ...]]:
    built = EXAMPLES[example].build()
    graph, player, texts = built.graph, Player(built), []
    for phase in ("backward", "tangent"):
        recording = player.recording(phase)
        for position in range(len(recording)):
            cursor = Cursor(recording, position)
            info = describe(graph, graph[cursor.current.node_id], cursor)
            texts.append(compact_chain_text(info))
            if info.chain is not None:
                texts.append(chain_text(info.chain))
                texts.extend(entry_text(info.chain, e) for e in info.chain.entries[:4])
    return graph, tuple(texts)


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_the_chain_rule_names_only_what_the_graph_shows(example) -> None:
    graph, texts = _texts(example)
    shown = shown_names(graph) | _PROSE | _RECORD_NAMES
    for text in texts:
        assert not re.search(r"\bn\d+\b", text), text  # a node id the canvas never shows
        assert names(text) <= shown, (names(text) - shown, text)


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_what_a_derivative_differentiates_is_bracketed_when_compound(example) -> None:
    graph, texts = _texts(example)
    compound = {s for s in symbols(graph).values() if not atomic(s)}  # "x² + sin(x)", "A @ Aᵀ"
    for text in texts:
        for s in compound:  # never "∂c[k]/∂x² + sin(x)" nor "from x1 + x2:"
            assert f"∂{s}" not in text and f"from {s}:" not in text, (s, text)


def test_a_long_expression_goes_by_a_short_name_its_box_shows() -> None:
    x = Variable(0.5, "x1")
    z = sin(x * x + x * x * x) * (x + x * x)
    graph = Graph(z)
    long_ones = short_names(graph)
    assert long_ones and all(re.fullmatch(r"t\d+", s) for s in long_ones.values())
    for node_id, name in long_ones.items():
        assert node_symbol(graph, graph[node_id]) == name
    for node in graph.nodes:
        assert len(node_symbol(graph, node)) <= LONGEST or graph.id_of(node) in long_ones


def test_a_vector_output_seeded_with_ones_is_differentiated_through_its_sum() -> None:
    built: Built = EXAMPLES["vector"].build()
    graph, f = built.graph, built.output
    assert output_symbol(graph, f, np.ones(3)) == "Σ f"
    assert output_symbol(graph, f, np.array([1.0, 0.0, 2.0])) == "ḡᵀf"
    assert output_symbol(graph, f, None) == "f"
    player = Player(built)
    recording = player.recording("backward")
    info = describe(graph, graph.id_of(built.inputs[0]) and built.inputs[0], Cursor(recording, len(recording) - 1))
    assert info.chain.symbol == "∂(Σ f)/∂x" and "…" not in compact_chain_text(info)


@pytest.mark.parametrize("text", ["x² + sin(x)", "a − b", "A @ Aᵀ"])
def test_a_side_of_a_derivative_is_bracketed_unless_it_reads_as_one(text) -> None:
    assert side(text) == f"({text})" and derivative("c", text) == f"∂c/∂({text})"
    assert side("sin(x)") == "sin(x)" and side("x2") == "x2" and side("x2", (1,)) == "x2[1]"
