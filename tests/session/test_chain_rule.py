"""The chain rule the inspector tells: the graph's names, its numbers, both modes. Qt-free.

Every expected number is worked out here by hand or by central differences, never read
back from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from graphviz_nn.engine import Graph, Variable, apply, registry
from graphviz_nn.session import EXAMPLES, Cursor, record
from graphviz_nn.session.chain_rule import fits_table, rule_text
from graphviz_nn.session.entry_rule import entry_rule
from graphviz_nn.session.chain_text import chain_text, compact_chain_text, entry_text
from graphviz_nn.session.inspect import describe
from graphviz_nn.session.symbols import _TOKEN, bind, dotted, node_symbol

X1, X2, X3 = 0.5, -1.2, 2.0


def z_of(x1: float, x2: float, x3: float) -> float:
    """The first example, written out: z = sin(x1 + x2) + x2²·x3."""
    return math.sin(x1 + x2) + x2 ** 2 * x3


def central(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def g(v: float) -> str:
    """A number as the inspector writes it: six significant digits."""
    return f"{v + 0.0:.6g}"


def at_end(key: str, phase: str, **kwargs):
    built = EXAMPLES[key].build()
    output = built.output if phase == "backward" else None
    if phase == "backward" and built.cotangent is not None:
        kwargs.setdefault("cotangent", built.cotangent)
    recording = record(built.graph, phase, output, **kwargs)
    return built, Cursor(recording, len(recording) - 1)


# --- symbols ------------------------------------------------------------------------------

def test_nodes_are_written_by_their_names_or_their_inputs() -> None:
    built = EXAMPLES["scalar"].build()
    graph = built.graph
    written = {graph[i].label if not graph[i].inputs else i: node_symbol(graph, graph[i])
               for i in ("n0", "n1", "n2", "n3", "n5", "n7", "n8")}
    assert written == {"x1": "x1", "x2": "x2", "n2": "x1 + x2", "n3": "sin(x1 + x2)",
                       "n5": "x2²", "n7": "x2² × x3", "n8": "z"}


def test_a_long_expression_is_written_by_the_short_name_its_box_shows() -> None:
    built = EXAMPLES["layer_net"].build()
    graph = built.graph
    assert node_symbol(graph, graph["n16"]) == "t16"      # y × log softmax(z2), 19+ chars
    assert node_symbol(graph, graph["n17"]) == "Σ(t16)"


def test_binding_brackets_only_where_an_operator_touches() -> None:
    assert bind("g · y · x^(y−1)", {"g": "∂z/∂(x2²)", "x": "-1.2", "y": "2"}) \
        == "∂z/∂(x2²) · 2 · (-1.2)^(2−1)"
    assert bind("dx · cos(x)", {"dx": dotted("x1 + x2"), "x": "x1 + x2"}) \
        == "(x1 + x2)˙ · cos(x1 + x2)"
    assert bind("g · 2x", {"g": "a", "x": "x2"}) == "a · 2 · x2"     # not "2x2"
    assert dotted("x2") == "ẋ2" and dotted("x2²") == "(x2²)˙"


# --- reverse mode ----------------------------------------------------------------------------

def test_backward_terms_at_x2_name_the_graph_and_carry_the_numbers() -> None:
    built, cursor = at_end("scalar", "backward")
    info = describe(built.graph, built.graph["n1"], cursor)
    chain = info.chain
    first, second = chain.terms
    assert (first.other_symbol, first.local_symbol, first.upstream_symbol) \
        == ("x2²", "∂(x2²)/∂x2", "∂z/∂(x2²)")
    assert first.local_rule == "2 · x2^(2−1)"
    assert first.local_numbers == "2 · (-1.2)^(2−1)"
    assert float(first.local) == pytest.approx(2 * X2)                  # d(x2²)/dx2
    assert float(first.upstream) == pytest.approx(X3)                   # dz/d(x2²)
    assert (second.local_symbol, second.upstream_symbol) == ("∂(x1 + x2)/∂x2", "∂z/∂(x1 + x2)")
    assert float(second.upstream) == pytest.approx(math.cos(X1 + X2))
    dz_dx2 = central(lambda v: z_of(X1, v, X3), X2)
    assert float(chain.total) == pytest.approx(dz_dx2, rel=1e-8)
    assert chain_text(chain).splitlines()[-1] == f"= {g(dz_dx2)}"
    assert not chain.start and chain.output_symbol == "z"


def test_the_rule_of_a_node_is_bound_to_its_inputs() -> None:
    built, cursor = at_end("scalar", "backward")
    graph = built.graph
    assert describe(graph, graph["n3"], cursor).formula == "∂z/∂(x1 + x2) = ∂z/∂sin(x1 + x2) · cos(x1 + x2)"
    # The constant exponent needs no gradient: only x2's rule is given.
    assert describe(graph, graph["n5"], cursor).formula == "∂z/∂x2 = ∂z/∂(x2²) · 2 · x2^(2−1)"


def test_only_the_output_starts_the_backward_pass() -> None:
    built, cursor = at_end("scalar", "backward")
    starts = [i for i in cursor.recording.index_of
              if describe(built.graph, built.graph[i], cursor).chain.start]
    assert starts == ["n8"]
    chain = describe(built.graph, built.output, cursor).chain
    assert chain.note == "the pass starts here, from its seed ∂z/∂z = 1"


def test_compact_text_is_the_step_equation_with_its_numbers() -> None:
    built, cursor = at_end("scalar", "backward")
    text = compact_chain_text(describe(built.graph, built.graph["n1"], cursor))
    lines = text.splitlines()
    assert 1 <= len(lines) <= 3
    assert lines[0] == "∂z/∂x2 = ∂(x2²)/∂x2 · ∂z/∂(x2²) + ∂(x1 + x2)/∂x2 · ∂z/∂(x1 + x2)"
    dz_dx2 = central(lambda v: z_of(X1, v, X3), X2)
    assert lines[-1] == f"= ({g(2 * X2)}) × {g(X3)} + 1 × {g(math.cos(X1 + X2))} = {g(dz_dx2)}"


def test_compact_text_before_a_pass_is_the_value() -> None:
    built = EXAMPLES["scalar"].build()
    assert compact_chain_text(describe(built.graph, built.graph["n5"], None)) == f"x2² = {g(X2 ** 2)}"


def _loss_moved(graph, node, index, h):
    saved = node.value.copy()
    node.value = saved.copy()
    node.value[index] += h
    graph.forward()
    loss = float(graph.outputs[0].value)
    node.value = saved
    graph.forward()
    return loss


@pytest.mark.parametrize("name", ["W1", "b1"])
def test_each_entry_of_a_matrix_gradient_is_its_own_chain_rule(name: str) -> None:
    built, cursor = at_end("layer_net", "backward")
    graph = built.graph
    node = next(n for n in graph.nodes if n.label == name)
    chain = describe(graph, node, cursor).chain
    assert fits_table(node.value.shape) and len(chain.entries) == node.value.size
    for index in np.ndindex(node.value.shape):
        rule = chain.entry(index)
        numeric = (_loss_moved(graph, node, index, 1e-6) - _loss_moved(graph, node, index, -1e-6)) / 2e-6
        assert rule.total == pytest.approx(numeric, rel=1e-5, abs=1e-9)
        assert sum(p.value for p in rule.pieces) == pytest.approx(numeric, rel=1e-5, abs=1e-9)
    # W1[i, j] feeds column j of X W1 in every one of the 12 rows: one product per row.
    rule = entry_rule(graph, node, chain, (1, 2) if name == "W1" else (2,))
    assert len(rule.pieces) == 12 and {p.position[1] for p in rule.pieces} == {2}
    text = entry_text(chain, rule).splitlines()
    assert text[0].startswith(f"∂loss/∂{name}[")
    assert text[-2].startswith("  + 6 more products") and text[-1] == f"= {g(rule.total)}"


def test_an_entry_of_an_elementwise_rule_shows_that_entrys_numbers() -> None:
    built, cursor = at_end("layer_net", "backward")
    graph = built.graph
    z1 = next(n for n in graph.nodes if n.label == "z1")
    h1 = next(n for n in graph.nodes if n.label == "h1")
    chain = describe(graph, z1, cursor).chain
    rule = entry_rule(graph, z1, chain, (3, 1))
    (piece,) = rule.pieces
    v = z1.value[3, 1]
    assert piece.numbers == f"1 − tanh²({g(v)})"
    assert piece.coefficient == pytest.approx(1 - math.tanh(v) ** 2)
    assert piece.upstream == pytest.approx(h1.grad[3, 1])


def test_an_entry_outside_the_array_is_refused() -> None:
    built, cursor = at_end("layer_net", "backward")
    graph = built.graph
    w1 = next(n for n in graph.nodes if n.label == "W1")
    with pytest.raises(IndexError, match="not in 'W1' of shape"):
        entry_rule(graph, w1, describe(graph, w1, cursor).chain, (4, 0))


# --- forward mode ----------------------------------------------------------------------------

def test_forward_mode_tells_the_jvp_with_dots_and_numbers() -> None:
    built = EXAMPLES["scalar"].build()
    graph, x2 = built.graph, built.inputs[1]
    cursor = Cursor(record(graph, "tangent", seeds={x2: 1.0}))
    cursor.seek(cursor.last)
    info = describe(graph, graph["n3"], cursor)             # sin(x1 + x2)
    assert info.formula == "(sin(x1 + x2))˙ = (x1 + x2)˙ · cos(x1 + x2)"
    (term,) = info.chain.terms
    assert term.local_numbers == f"cos({g(X1 + X2)})"
    assert float(term.value) == pytest.approx(math.cos(X1 + X2))
    assert info.chain.symbol == "(sin(x1 + x2))˙"
    assert chain_text(info.chain).splitlines()[0] == "(sin(x1 + x2))˙ = Σ over inputs u of ∂sin(x1 + x2)/∂u · u̇"
    z = describe(graph, built.output, cursor)
    assert float(z.tangent) == pytest.approx(central(lambda v: z_of(X1, v, X3), X2), rel=1e-8)


def test_a_tangent_the_seeds_do_not_reach_is_zero_and_only_the_seed_starts() -> None:
    built = EXAMPLES["scalar"].build()
    graph, (x1, x2, _) = built.graph, built.inputs
    cursor = Cursor(record(graph, "tangent", seeds={x2: 1.0}))
    cursor.seek(cursor.last)
    unseeded = describe(graph, x1, cursor)
    assert unseeded.tangent is not None and float(unseeded.tangent) == 0.0
    assert not unseeded.chain.start and unseeded.chain.note == "not seeded: its tangent is 0"
    seeded = describe(graph, x2, cursor)
    assert seeded.chain.start and seeded.chain.note == "the pass starts here, from its seed ẋ2 = 1"
    assert [i for i in cursor.recording.index_of
            if describe(graph, graph[i], cursor).chain.start] == [graph.id_of(x2)]
    # x1 + x2 takes its tangent from x2 only: x1 carries none.
    (term,) = describe(graph, graph["n2"], cursor).chain.terms
    assert term.other_symbol == "x2" and term.upstream_symbol == "ẋ2"


def test_a_tangent_entry_sums_a_row_of_the_jacobian() -> None:
    built = EXAMPLES["vector"].build()
    graph, x = built.graph, built.inputs[0]
    cursor = Cursor(record(graph, "tangent", seeds={x: 1.0}))
    cursor.seek(cursor.last)
    chain = describe(graph, built.output, cursor).chain
    v = float(x.value)
    by_hand = [4 * v ** 3, 2 * v + math.cos(v), -math.cos(v)]      # f′(x), row by row
    for i, expected in enumerate(by_hand):
        rule = chain.entry((i,))
        assert rule.total == pytest.approx(expected)
        assert sum(p.value for p in rule.pieces) == pytest.approx(expected)
    assert entry_text(chain, chain.entry((1,))).splitlines()[0] == "ḟ[1] = Σ over u, k of ∂f[1]/∂u[k] · u̇[k]"


# --- every op ----------------------------------------------------------------------------------

NAMES = ("u1", "v2", "w3")


def _leftover(text: str) -> list[str]:
    """The op's own names (x, y, g, dx, ans) left unbound in a rendered rule."""
    return _TOKEN.findall(text)


@pytest.mark.parametrize("name", sorted(registry()))
def test_every_op_renders_its_rules_in_its_inputs_names(name: str) -> None:
    op = registry()[name]
    example = op.examples[0]
    values = example.sample(np.random.default_rng(0))
    inputs = [Variable(v, n) for v, n in zip(values, NAMES)]
    node = apply(op, *inputs, **dict(example.params))
    graph = Graph(node)
    symbol = node_symbol(graph, node)
    for phase in ("backward", "tangent"):
        text = rule_text(graph, node, phase)
        assert not _leftover(text), (phase, text)
        for label in NAMES[: op.arity]:
            assert label in text, (phase, label, text)
    # Recorded passes render too, each term naming the input it is about.
    cotangent = np.ones_like(node.value)
    backward = Cursor(record(graph, "backward", node, cotangent))
    backward.seek(backward.last)
    tangent = Cursor(record(graph, "tangent", seeds={x: np.ones_like(x.value) for x in inputs}))
    tangent.seek(tangent.last)
    for x in inputs:
        chain = describe(graph, x, backward).chain
        text = chain_text(chain)
        assert x.label in text and symbol in text and not _leftover(text), text
    chain = describe(graph, node, tangent).chain
    text = chain_text(chain)
    assert all(x.label in text for x in inputs) and not _leftover(text), text
    if op.params:
        assert "with " in rule_text(graph, node, "backward")


def test_compact_text_in_forward_mode_sums_the_tangents_pushed_forward() -> None:
    built = EXAMPLES["scalar"].build()
    graph, x2 = built.graph, built.inputs[1]
    cursor = Cursor(record(graph, "tangent", seeds={x2: 1.0}))
    cursor.seek(cursor.last)
    lines = compact_chain_text(describe(graph, built.output, cursor)).splitlines()
    assert lines[0] == "ż = ∂z/∂sin(x1 + x2) · (sin(x1 + x2))˙ + ∂z/∂(x2² × x3) · (x2² × x3)˙"
    pushed = (math.cos(X1 + X2), 2 * X2 * X3)        # d sin(x1 + x2)/dx2 and d(x2²·x3)/dx2
    assert lines[1] == f"= 1 × {g(pushed[0])} + 1 × ({g(pushed[1])}) = {g(sum(pushed))}"
