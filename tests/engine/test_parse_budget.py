"""What an expression may build: a budget counted from shapes before anything is computed.

Each refusal is a ParseError pointing at the part of the text that asks for too much, and
comes before the offending node is allocated (so it is quick, even on a busy machine).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from graphviz_nn import ParseError, parse
from graphviz_nn.engine.parse import MAX_ELEMENTS, MAX_FLOPS, MAX_NODE_ELEMENTS


def refusal(text: str, **values) -> ParseError:
    start = time.perf_counter()
    with pytest.raises(ParseError) as info:
        parse(text, **values)
    assert time.perf_counter() - start < 2.0, "a refusal must not compute what it refuses"
    assert 0 <= info.value.position <= len(text)
    return info.value


def test_a_matmul_too_costly_to_compute_is_refused_at_the_operator() -> None:
    # 2 · 2048³ ≈ 1.7e10 multiplies and adds, the most the node limits let through: at BLAS's
    # pace (16 to a unit of price) and with its elements, more than the whole budget.
    big = np.ones((2048, 2048))
    error = refusal("1 + A @ B", A=big, B=big)
    assert "operations" in error.reason and "matmul" in error.reason
    assert error.position == 4


def test_a_broadcast_too_big_for_memory_is_refused_at_the_operator() -> None:
    error = refusal("sum(x * y)", x=np.zeros((4096, 1)), y=np.zeros(4096))
    assert f"{4096 * 4096:,} elements" in error.reason and "mul" in error.reason
    assert error.position == 4


def test_dot_of_broadcast_stacks_is_refused_by_its_output_size_not_built() -> None:
    error = refusal("dot(x, y)", x=np.ones((3000, 1, 2)), y=np.ones((3000, 2)))
    assert "dot" in error.reason and "elements" in error.reason


def test_the_values_of_all_nodes_together_are_bounded() -> None:
    n = MAX_NODE_ELEMENTS
    text = " + ".join(["x"] * 2) + " + " + " + ".join(["x"] * 3)  # x, then one node per +
    error = refusal(text, x=np.zeros(n))
    assert f"{MAX_ELEMENTS:,}" in error.reason
    # x and three sums fit (4 n = MAX_ELEMENTS); the fourth + goes over.
    assert error.position == 0


def test_the_budget_leaves_room_for_ordinary_expressions() -> None:
    X = np.ones((1000, 64))
    W = np.ones((64, 128))
    p = parse("sum(tanh(X @ W) ** 2)", X=X, W=W)
    assert float(p.output.value) == pytest.approx(np.tanh(64.0) ** 2 * 128000)
    assert MAX_FLOPS >= 2 * 1000 * 64 * 128


@pytest.mark.parametrize("depth", [65, 66, 100])
def test_list_literals_nested_65_deep_or_more_are_parse_errors(depth) -> None:
    error = refusal("[" * depth + "1" + "]" * depth)
    assert "32 dimensions" in error.reason
    assert error.position == 32


@pytest.mark.parametrize("depth", [33, 40, 64])
def test_list_literals_of_33_to_64_dimensions_are_parse_errors(depth) -> None:
    text = "x + " + "[" * depth + "1" + "]" * depth
    error = refusal(text, x=1.0)
    assert "at most 32 dimensions" in error.reason
    assert error.position == 4 + 32


def test_a_32_dimensional_literal_is_read() -> None:
    p = parse("sum(" + "[" * 32 + "2" + "]" * 32 + ")")
    assert float(p.output.value) == 2.0


def test_a_variable_of_more_than_32_dimensions_is_a_parse_error() -> None:
    error = refusal("1 + x", x=np.ones((1,) * 33))
    assert "32 dimensions" in error.reason and error.position == 4


def test_memory_error_while_building_is_a_parse_error(monkeypatch) -> None:
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(sys.modules["graphviz_nn.engine.parse"], "Function", exhausted)
    error = refusal("sin(x) + 1", x=1.0)
    assert "memory" in error.reason


@pytest.mark.parametrize("text, parameter", [
    ("sum(x, axis=5)", "axis"),
    ("sum(x, axis=(0, 0))", "axis"),
    ("sum(x, keepdims=1)", "keepdims"),
    ("softmax(x, axis=None)", "axis"),
    ("leaky_relu(x, alpha=True)", "alpha"),
    ("transpose(x, axes=(0,))", "axes"),
    ("reshape(x, shape=(-2, 3))", "shape"),
    ("reshape(x)", "shape"),
])
def test_parameters_outside_their_declared_range_are_parse_errors(text, parameter) -> None:
    error = refusal(text, x=np.ones((2, 3)))
    assert f"parameter '{parameter}'" in error.reason


@pytest.mark.parametrize("text", ["pow(x, 2, dtype=1)", "sum(x, out=1)", "exp(x, where=False)"])
def test_numpy_keywords_are_not_parameters(text) -> None:
    error = refusal(text, x=np.ones(3))
    assert "has no parameter" in error.reason
