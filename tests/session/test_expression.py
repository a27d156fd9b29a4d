"""The expression editor's commit rules, without Qt."""

from __future__ import annotations

import pytest

from graphviz_nn.engine import ParseError
from graphviz_nn.session.expression import ExpressionDocument, free_names, parse_request


def _commit(document: ExpressionDocument, text: str, force: bool = False, emit: bool = True):
    request = document.request(text, force, emit)
    return document.accept(request, parse_request(request))


def test_a_text_that_reads_is_drawn_once_and_its_names_get_values() -> None:
    document = ExpressionDocument()
    answer = _commit(document, "sin(x1 + x2) + x2**2 * x3")
    assert answer.names == ["x1", "x2", "x3"] and answer.draw is document.last_good
    assert document.memory == {"x1": ("0.0", 0.0), "x2": ("0.0", 0.0), "x3": ("0.0", 0.0)}
    assert _commit(document, "sin(x1 + x2)  + x2**2 * x3").draw is None  # the same, spaced: not again
    assert _commit(document, "sin(x1 + x2) + x2**2 * x3", force=True).draw is not None


def test_an_answer_that_a_newer_request_overtook_is_dropped() -> None:
    document = ExpressionDocument()
    older = document.request("x + 1", False)
    newer = document.request("x + 2", False)
    assert document.accept(older, parse_request(older)) is None
    assert float(document.accept(newer, parse_request(newer)).draw.output.value) == 2.0
    typed = document.request("x * 3", False)
    document.overtake()  # typing went on
    assert document.accept(typed, parse_request(typed)) is None


def test_values_are_kept_when_a_name_drops_out_and_refused_ones_as_typed() -> None:
    document = ExpressionDocument()
    _commit(document, "x1 * x2")
    assert document.typed_value("x2", " 2 ") == ("2", 2.0)
    document.put("x2", ("2", 2.0))
    assert document.typed_value("x2", "2") is None  # the value held
    with pytest.raises(ValueError, match="not a number"):
        document.typed_value("x1", "abc ")
    assert document.refused == {"x1": ("abc ", document.refused["x1"][1])}
    _commit(document, "x1 + 1")
    answer = _commit(document, "x1 * x2")
    assert answer.names == ["x1", "x2"] and document.entry("x2") == ("2", 2.0)
    assert float(answer.draw.output.value) == 0.0


def test_a_text_that_does_not_read_keeps_its_names_and_the_last_good_graph() -> None:
    document = ExpressionDocument()
    good = _commit(document, "W @ x").draw  # 0.0 @ 0.0 is refused: its names still listed
    assert good is None and isinstance(document.error, ParseError) and document.memory.keys() == {"W", "x"}
    document.put("W", ("[[1, 2]]", [[1.0, 2.0]]))
    document.put("x", ("[1, 1]", [1.0, 1.0]))
    drawn = _commit(document, "W @ x").draw
    assert float(drawn.output.value[0]) == 3.0 and document.error is None
    assert _commit(document, "W @ +* x").draw is None and document.last_good is drawn
    assert document.request("   ", False) is None and document.error is None  # empty: a hint


def test_a_reopened_session_is_shown_without_being_drawn_again() -> None:
    document = ExpressionDocument()
    assert _commit(document, "a * b", force=True, emit=False).draw is None
    assert document.last_good is not None
    assert _commit(document, "a * b").draw is None  # the window has it already


def test_free_names_without_building() -> None:
    assert free_names("sin(x1) + W @ x + pi") == ["x1", "W", "x"]
    assert free_names("x +") is None
