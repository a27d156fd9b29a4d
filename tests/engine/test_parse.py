"""Reading expression text into graph nodes: ``graphviz_nn.parse``.

Four groups of tests:

1. Worked examples: values, variable order, defaults, constants, list literals, keyword
   parameters and gradients (against central differences) of parsed expressions.
2. Refusals: every construct outside the allow-list is a ParseError whose ``position`` is
   the 0-based character offset of the offending construct in the original text.
3. Fuzzing (Hypothesis, 10,000 strings in all): ``parse`` either returns a Parsed or raises
   ParseError with 0 <= position <= len(text); nothing else escapes. Two further
   properties pin positions down: leading blanks shift a position by exactly their number,
   and a forbidden construct injected into a valid expression is reported at its offset.
4. Nothing is evaluated: ``eval`` and ``exec`` are never called.
"""

from __future__ import annotations

import builtins
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import ParseError, Parsed, parse
from graphviz_nn.engine.parse import MAX_LENGTH


def parse_error(text: str, **values) -> ParseError:
    """The ParseError that parsing ``text`` raises (fails the test if it parses)."""
    with pytest.raises(ParseError) as info:
        parse(text, **values)
    error = info.value
    assert 0 <= error.position <= len(text), (text, error.position)
    return error


# --- 1. worked examples --------------------------------------------------------------------
def test_parse_returns_a_parsed_with_an_output_node_and_variables() -> None:
    p = parse("x + 1", x=2.0)
    assert isinstance(p, Parsed)
    assert isinstance(p.output, gn.Node)
    assert list(p.variables) == ["x"]
    assert isinstance(p.variables["x"], gn.Variable)
    assert p.variables["x"].name == "x"
    assert float(p.output.value) == 3.0


@pytest.mark.parametrize("x1, x2, x3", [(0.5, -1.2, 2.0), (1.3, 0.4, -0.7)])
def test_tutorial_expression(x1, x2, x3) -> None:
    p = parse("sin(x1 + x2) + x2**2 * x3", x1=x1, x2=x2, x3=x3)
    assert list(p.variables) == ["x1", "x2", "x3"]
    assert [float(v.value) for v in p.variables.values()] == [x1, x2, x3]
    assert float(p.output.value) == pytest.approx(np.sin(x1 + x2) + x2 ** 2 * x3, rel=1e-15)
    # One Variable per name: x2 appears twice but is the same node in the graph.
    graph = gn.Graph(p.output)
    assert set(graph.variables) == set(p.variables.values())
    assert len(graph.variables) == 3


def test_sigmoid_of_an_affine_map() -> None:
    x = np.array([1.0, -2.0, 3.0])
    p = parse("sigmoid(w1*x + b)", w1=0.8, x=x, b=0.1)
    assert list(p.variables) == ["w1", "x", "b"]
    np.testing.assert_allclose(p.output.value, 1 / (1 + np.exp(-(0.8 * x + 0.1))), rtol=1e-14)
    assert p.output.op.name == "sigmoid"


def test_squared_residual_of_a_linear_map() -> None:
    W, x, y = [[1, 2], [3, 4]], [1, 1], [0, 0]
    p = parse("sum((W @ x - y)**2)", W=W, x=x, y=y)
    assert list(p.variables) == ["W", "x", "y"]
    assert p.output.shape == ()
    residual = np.array(W, float) @ np.array(x, float) - np.array(y, float)  # [3, 7]
    assert float(p.output.value) == float(np.sum(residual ** 2)) == 58.0
    assert p.variables["W"].shape == (2, 2)


def test_variables_are_in_order_of_first_appearance() -> None:
    p = parse("b + a * b - c / a + b", a=1.0)
    assert list(p.variables) == ["b", "a", "c"]
    p = parse("exp(zeta) + alpha * zeta")
    assert list(p.variables) == ["zeta", "alpha"]


def test_unspecified_names_default_to_zero() -> None:
    p = parse("a + 2 * b + 3", b=5.0)
    assert float(p.variables["a"].value) == 0.0
    assert p.variables["a"].shape == ()
    assert float(p.output.value) == 13.0
    assert float(parse("cos(t)").output.value) == 1.0


def test_values_may_be_given_for_names_that_do_not_appear() -> None:
    p = parse("x * 2", x=3.0, unused=7.0)
    assert list(p.variables) == ["x"]
    assert float(p.output.value) == 6.0


def test_pi_and_e_are_constants_not_variables() -> None:
    p = parse("pi + e * x", x=2.0)
    assert list(p.variables) == ["x"]
    assert float(p.output.value) == pytest.approx(np.pi + np.e * 2.0, rel=1e-15)
    constants = {c.name: float(c.value) for c in gn.Graph(p.output).constants}
    assert constants["pi"] == np.pi and constants["e"] == np.e
    # A value given for pi does not turn it into a variable.
    p = parse("pi", pi=3.0)
    assert p.variables == {}
    assert isinstance(p.output, gn.Constant)
    assert float(p.output.value) == np.pi


def test_numbers_in_every_spelling() -> None:
    assert float(parse("1_000 + 0x10 + .5 + 2e-1 + 0b11 + 0o7").output.value) == 1000 + 16 + 0.5 + 0.2 + 3 + 7
    assert float(parse("-3").output.value) == -3.0
    assert float(parse("+3").output.value) == 3.0
    assert float(parse("2**-1").output.value) == 0.5


def test_list_literals_become_constants() -> None:
    p = parse("[[1, 2], [3, -4.5]] * x", x=2.0)
    literal = p.output.inputs[0]
    assert isinstance(literal, gn.Constant) and not isinstance(literal, gn.Variable)
    np.testing.assert_array_equal(literal.value, [[1.0, 2.0], [3.0, -4.5]])
    assert literal.value.dtype == np.float64
    np.testing.assert_array_equal(p.output.value, [[2.0, 4.0], [6.0, -9.0]])
    assert list(p.variables) == ["x"]
    np.testing.assert_array_equal(parse("[+1, -2]").output.value, [1.0, -2.0])


def test_softmax_with_axis_as_in_the_docstring() -> None:
    p = parse("softmax([1, 2, 3] * t, axis=0)", t=0.5)
    z = np.array([1.0, 2.0, 3.0]) * 0.5
    np.testing.assert_allclose(p.output.value, np.exp(z) / np.exp(z).sum(), rtol=1e-14)
    assert p.output.params == {"axis": 0}


def test_keyword_params_sum_axis_keepdims() -> None:
    p = parse("sum(x, axis=0, keepdims=True)", x=[[1, 2], [3, 4]])
    assert p.output.params == {"axis": 0, "keepdims": True}
    assert p.output.shape == (1, 2)
    np.testing.assert_array_equal(p.output.value, [[4.0, 6.0]])
    p = parse("mean(x, axis=-1)", x=[[1, 2], [3, 5]])
    np.testing.assert_array_equal(p.output.value, [1.5, 4.0])
    p = parse("sum(x, axis=(0, 1))", x=[[1, 2], [3, 4]])
    assert p.output.params == {"axis": (0, 1)}
    assert float(p.output.value) == 10.0


def test_keyword_params_leaky_relu_alpha() -> None:
    p = parse("leaky_relu(x, alpha=0.2)", x=[-1.0, 2.0])
    assert p.output.params == {"alpha": 0.2}
    np.testing.assert_allclose(p.output.value, [-0.2, 2.0], rtol=1e-15)


def test_keyword_params_reshape_and_transpose() -> None:
    p = parse("reshape(x, shape=(2, 2))", x=[1, 2, 3, 4])
    assert p.output.params == {"shape": (2, 2)}
    np.testing.assert_array_equal(p.output.value, [[1.0, 2.0], [3.0, 4.0]])
    p = parse("reshape(x, shape=(-1, 2))", x=[1, 2, 3, 4, 5, 6])
    assert p.output.shape == (3, 2)
    p = parse("transpose(W, axes=(1, 0))", W=[[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(p.output.value, [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])


def test_expressions_may_span_lines_inside_brackets() -> None:
    p = parse("(a +\n  b) * 2  # a comment", a=1.0, b=2.0)
    assert float(p.output.value) == 6.0


GRADIENT_CASES = [
    ("sin(x1 + x2) + x2**2 * x3", {"x1": 0.5, "x2": -1.2, "x3": 2.0}),
    ("sigmoid(w1*x + b)", {"w1": 0.8, "x": 0.3, "b": -0.4}),
    ("sum((W @ x - y)**2)", {"W": [[1, 2], [3, 4]], "x": [1, 1], "y": [0, 0]}),
    (
        "sum(softmax(W @ x, axis=0) * [0.2, 0.3, 0.5])",
        {"W": [[0.1, -0.3], [0.7, 0.2], [-0.5, 0.4]], "x": [0.6, -1.1]},
    ),
    ("mean(tanh(x) / (1 + exp(-x)) + log(1 + x**2) * sqrt(2 + cos(x)))", {"x": [0.3, -1.4, 2.2]}),
    ("sum(leaky_relu(x, alpha=0.2) * softplus(x) - e**x / pi)", {"x": [-0.8, 0.6, 1.7]}),
]


@pytest.mark.parametrize("text, values", GRADIENT_CASES, ids=[t for t, _ in GRADIENT_CASES])
def test_gradients_through_parsed_expressions_match_central_differences(text, values) -> None:
    p = parse(text, **values)
    checks = gn.check_gradients(p.output, list(p.variables.values()))
    assert [c.variable.name for c in checks.values()] == list(values)
    for check in checks.values():
        assert check.relative_error < 1e-6, (check.variable.name, check.analytic, check.numeric)
        assert np.any(check.analytic != 0)  # a real gradient, not a vacuous zero


def test_gradient_of_the_squared_residual_by_hand() -> None:
    W, x, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 1.0]), np.array([0.0, 0.0])
    p = parse("sum((W @ x - y)**2)", W=W, x=x, y=y)
    gn.check_gradients(p.output)
    r = W @ x - y
    np.testing.assert_allclose(p.variables["W"].grad, 2 * np.outer(r, x), rtol=1e-12)
    np.testing.assert_allclose(p.variables["x"].grad, 2 * W.T @ r, rtol=1e-12)
    np.testing.assert_allclose(p.variables["y"].grad, -2 * r, rtol=1e-12)


# --- 2. refusals ---------------------------------------------------------------------------
# (text, position of the offending construct)
REFUSED = [
    ("__import__('os')", 0),
    ("x.__class__", 0),
    ("x.y", 0),
    ("lambda: 1", 0),
    ("[a for a in b]", 0),
    ("{a: 1}", 0),
    ("{1, 2}", 0),
    ("x[0]", 0),
    ("x[1:2]", 0),
    ("x if y else z", 0),
    ("a < b", 0),
    ("a and b", 0),
    ("not a", 0),
    ("~a", 0),
    ("a // b", 0),
    ("a % b", 0),
    ('f"{x}"', 0),
    ("'text'", 0),
    ("b'text'", 0),
    ("True + x", 0),
    ("None", 0),
    ("...", 0),
    ("1j", 0),
    ("(x := 2)", 1),
    ("(a, b)", 0),
    ("a, b", 0),
    ("open('f')", 0),
    ("eval('1')", 0),
    ("sin", 0),
    ("foo(x)", 0),
    ("sin(x, y)", 0),
    ("sin()", 0),
    ("sin(x)(y)", 0),
    ("sin(*x)", 4),
    ("__builtins__", 0),
    ("().__class__", 0),
    ("[].__class__.__base__", 0),
    ("__x + 1", 0),
    ("1e999", 0),
    ("[]", 0),
    ("[1, [2, 3]]", 0),
    ("[1, x]", 4),
    ("[1, 2 + 3]", 4),
    ("[-[1, 2]]", 1),
    ("sin(x, axis=1.5)", 12),
]


@pytest.mark.parametrize("text, position", REFUSED, ids=[t for t, _ in REFUSED])
def test_refused_constructs_are_parse_errors_at_their_position(text, position) -> None:
    error = parse_error(text)
    assert error.position == position, (text, error.position, error.reason)
    assert error.reason
    assert str(error) == f"{error.reason} (at character {position + 1})"


def test_parse_error_is_a_value_error_and_an_engine_error() -> None:
    error = parse_error("x.y")
    assert isinstance(error, ValueError)
    assert isinstance(error, gn.EngineError)
    assert "attribute" in error.reason


@pytest.mark.parametrize(
    "text, position, words",
    [
        ("x + y.z", 4, "attribute"),
        ("  foo(x)", 2, "unknown function 'foo'"),
        ("1 + sin(x, y)", 4, "sin takes 1 argument"),
        ("a * (b < c)", 5, "comparison"),
        ("x + 2 * y[0]", 8, "indexing"),
        ("sin(x) + __import__('os')", 9, "__import__"),
        ("(x +\n y.z)", 6, "attribute"),
        ("(x +\r\n y.z)", 7, "attribute"),
        ("\n\t x + q.r", 7, "attribute"),
        ("exp(sin(cos(lambda: 1)))", 12, "lambda"),
        ("sin + 1", 0, "is a function: call it"),
        ("1 + (x if y else z)", 5, "if/else"),
        ("x + 'text'", 4, "not a number"),
        ("x + True", 4, "not a number"),
        ("2 * [1, 2, a]", 11, "numbers only"),
        ("x @ y", 0, "matmul"),
    ],
)
def test_precise_positions(text, position, words) -> None:
    error = parse_error(text)
    assert error.position == position, (text, error.position, error.reason)
    assert words in error.reason


def test_unknown_keyword_names_the_parameter() -> None:
    error = parse_error("sum(x, colour=1)")
    assert "colour" in error.reason
    # The keyword `colour=1` spans offsets 7..14; the error points into it.
    assert 7 <= error.position <= 14


def test_keyword_unpacking_is_refused() -> None:
    error = parse_error("sum(x, **k)")
    assert 7 <= error.position <= 9


@pytest.mark.parametrize("text", ["", " ", "   \t\n  ", "\n"])
def test_empty_and_blank_text(text) -> None:
    error = parse_error(text)
    assert error.position == 0
    assert "empty" in error.reason


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("sin(x", 3, 5),  # the unclosed parenthesis, or the end of the text
        ("x +", 0, 3),
        ("x y", 2, 2),
        ("(x))", 3, 3),
        ("x = 1", 2, 2),
        ("import os", 0, 0),
        ("x\n+ y", 0, 5),
        ("1 +* 2", 2, 4),
    ],
)
def test_syntax_errors(text, low, high) -> None:
    error = parse_error(text)
    assert low <= error.position <= high, (text, error.position, error.reason)


def test_syntax_error_positions_count_leading_blanks() -> None:
    assert parse_error("   (x))").position == 6
    assert parse_error("(x))").position == 3


def test_deeply_nested_parentheses() -> None:
    text = "(" * 300 + "x" + ")" * 300
    error = parse_error(text)
    assert "nest" in error.reason
    parse_error("sin(" * 250 + "x" + ")" * 250)
    # Too deep for Python's parser itself (a RecursionError inside ast.parse).
    assert "nest" in parse_error("-" * 3000 + "x").reason
    # Trees Python's parser accepts but that are too deep to walk recursively.
    assert "nest" in parse_error("-" * 1500 + "x").reason
    assert "nest" in parse_error("x+" * 1500 + "x").reason


def test_moderate_nesting_is_fine() -> None:
    text = "(" * 50 + "x" + ")" * 50
    assert float(parse(text, x=2.0).output.value) == 2.0
    text = "sin(" * 30 + "x" + ")" * 30
    assert np.isfinite(float(parse(text, x=0.3).output.value))


def test_text_longer_than_the_maximum() -> None:
    text = "x + " * (MAX_LENGTH // 4) + "x"
    assert len(text) > MAX_LENGTH
    error = parse_error(text)
    assert error.position == MAX_LENGTH
    assert str(MAX_LENGTH) in error.reason
    # A long flat chain well under the limit is read.
    text = "1+" * 400 + "1"
    assert float(parse(text).output.value) == 401.0


@pytest.mark.parametrize(
    "text, op",
    [
        ("[1, 2] + [1, 2, 3]", "add"),
        ("[1, 2] * [1, 2, 3]", "mul"),
        ("[[1, 2]] @ [1, 2, 3]", "matmul"),
        ("reshape([1, 2, 3], shape=(2, 2))", "reshape"),
        ("sum([1, 2], axis=3)", "sum"),
        ("softmax([1, 2], axis=1)", "softmax"),
        ("transpose([[1, 2]], axes=(0, 0))", "transpose"),
    ],
)
def test_shape_errors_become_parse_errors_naming_the_op(text, op) -> None:
    error = parse_error(text)
    assert op in error.reason
    assert error.position == 0


def test_shape_error_inside_an_expression_points_at_the_op() -> None:
    error = parse_error("x + sum([1, 2] - [1, 2, 3])", x=1.0)
    assert "sub" in error.reason
    assert error.position == 8


def test_bad_values_for_names_are_parse_errors() -> None:
    error = parse_error("1 + x", x="text")
    assert "'x'" in error.reason
    assert error.position == 4


def test_non_text_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse(b"x + 1")  # type: ignore[arg-type]


# Bugs found while writing these tests: each is what parse should do, and currently fails.
def test_integer_literals_too_large_for_a_float_are_parse_errors() -> None:
    # float(10**309) raises OverflowError, which escapes from _Builder.number.
    error = parse_error("1" + "0" * 309)
    assert error.position == 0
    error = parse_error("x + " + "9" * 400)
    assert error.position == 4


@pytest.mark.parametrize(
    "text, position",
    [
        ("é + x.y", 4),  # ast's col_offset counts UTF-8 bytes, not characters
        ("éééé+x.y", 5),
        ("ω * sin(x, y)", 4),
        ("(x\r+ y.z)", 5),  # a lone carriage return ends a line for ast, not for _offset
    ],
)
def test_positions_are_characters_not_bytes_or_lines_of_another_kind(text, position) -> None:
    error = parse_error(text)
    assert error.position == position, (text, error.position)


def test_reshape_without_a_shape_is_a_parse_error() -> None:
    # _reshape_check reads params["shape"]: the KeyError escapes.
    error = parse_error("reshape(x)", x=[1, 2])
    assert "reshape" in error.reason
    assert error.position == 0


def test_null_character_position() -> None:
    error = parse_error("x +\0 1")
    assert error.position == 3


@pytest.mark.parametrize("warnings_as", ["ignore", "error"])
@pytest.mark.parametrize("text", ["1if x else 2", "'\\d'", "0x1for", "x + 1if 1 else 2"])
def test_texts_that_make_python_warn(text, warnings_as) -> None:
    """Whether Python's warnings are ignored or raised, the outcome is a ParseError."""
    with warnings.catch_warnings():
        warnings.simplefilter(warnings_as)
        parse_error(text)


# --- 3. fuzzing ----------------------------------------------------------------------------
TEXT_EXAMPLES, TOKEN_EXAMPLES, INJECTED_EXAMPLES = 3000, 4000, 3000  # 10,000 strings in all


def fuzz(max_examples: int) -> settings:
    return settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_parse_contract(text: str) -> ParseError | None:
    """parse returns a Parsed or raises ParseError with an in-range position; nothing else."""
    with np.errstate(all="ignore"):
        try:
            result = parse(text)
        except ParseError as error:
            assert isinstance(error.position, int)
            assert 0 <= error.position <= len(text), (text, error.position, error.reason)
            assert isinstance(error.reason, str) and error.reason
            return error
    assert isinstance(result, Parsed)
    assert isinstance(result.output, gn.Node)
    for name, variable in result.variables.items():
        assert isinstance(variable, gn.Variable) and variable.name == name
    return None


ALPHABET = (
    "abcxyzWXY_019.e+-*/@%<>=!&|^~,:;()[]{}'\"\\#$? \t\n\r\f\0"
    "éωß²ℌ\u00a0\u2028"
)


# ast.parse warns (SyntaxWarning, DeprecationWarning) about texts such as "1if" or "'\\d'";
# those warnings are not what is under test here (see test_texts_that_make_python_warn).
QUIET = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")


@QUIET
@fuzz(TEXT_EXAMPLES)
@given(st.text(alphabet=ALPHABET, max_size=40))
@example("(x\r+ y.z)")
@example("éééé+x.y")
@example("reshape(x)")
def test_fuzz_arbitrary_text(text: str) -> None:
    error = check_parse_contract(text)
    # Leading blanks shift a position by exactly their number.
    shifted = check_parse_contract("  " + text)
    if error is None or not text.strip():
        assert (shifted is None) == (error is None)
    else:
        assert shifted is not None and shifted.position == error.position + 2, (text, error, shifted)


TOKENS = [
    # names, constants, registry functions and numbers
    "x", "y", "W", "b", "é", "ω", "pi", "e", "_", "__", "__import__", "__class__", "__builtins__",
    "os", "open", "eval", "foo", "sin", "cos", "exp", "log", "sqrt", "abs", "tanh", "sigmoid",
    "relu", "leaky_relu", "softplus", "softmax", "log_softmax", "sum", "mean", "matmul", "dot",
    "transpose", "reshape", "add", "mul", "pow", "neg",
    "0", "1", "2", "3", "-1", "0.5", "1e3", "1e999", "1e-400", "0x1F", "1_0", "1j", "10" * 160,
    "True", "False", "None", "...",
    # operators and punctuation
    "+", "-", "*", "/", "**", "@", "//", "%", "<", "==", "and", "or", "not", "~", "&", "|",
    "(", "(", ")", ")", "[", "[", "]", "]", "{", "}", ",", ",", ".", ":", ":=", "=", ";",
    # keywords and Python-only constructs
    "lambda", "if", "else", "for", "in", "is", "yield", "await", "import", "del",
    # keyword parameters
    "axis=", "keepdims=", "alpha=", "shape=", "axes=", "colour=", "**k", "*x",
    # strings
    "'s'", '"s"', "f'{x}'", "b'x'", "'",
    # separators
    " ", "\n", "\r", "\t", "#",
]


@QUIET
@fuzz(TOKEN_EXAMPLES)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=16), st.sampled_from(["", " "]))
def test_fuzz_token_sequences(tokens: list[str], sep: str) -> None:
    check_parse_contract(sep.join(tokens))


# Valid expressions over scalar names; no @ (matmul refuses scalars) and no list literals,
# so nothing in them can raise: every ParseError then comes from the injected construct.
NAMES = st.sampled_from(["x", "y", "w1", "é", "ωt", "x2", "pi", "e"])
NUMBERS = st.sampled_from(["0", "1", "2.5", "1e3", "0.1"])
GAPS = st.sampled_from(["", " ", "  "])
FUNCTIONS = st.sampled_from(["sin", "cos", "exp", "tanh", "sigmoid", "relu", "log", "sqrt", "sum", "mean"])


def _binary(parts) -> str:
    left, op, right, gap = parts
    return f"{left}{gap}{op}{gap}{right}"


VALID = st.recursive(
    st.one_of(NAMES, NUMBERS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner, GAPS).map(_binary),
        st.tuples(FUNCTIONS, inner).map(lambda p: f"{p[0]}({p[1]})"),
        inner.map(lambda s: f"({s})"),
        inner.map(lambda s: f"-({s})"),
    ),
    max_leaves=6,
)

# A forbidden construct and the offset, within it, of the node that is refused.
FORBIDDEN = [
    ("y.z", 0), ("q[0]", 0), ("a < b", 0), ("a and b", 0), ("foo(x)", 0), ("lambda: 1", 0),
    ("x if y else z", 0), ("{1: 2}", 0), ("'s'", 0), ("True", 0), ("1j", 0), ("__import__('os')", 0),
    ("sin(x, y)", 0), ("[a for a in b]", 0), ("x.__class__", 0), ("sin", 0), ("f'{x}'", 0),
    ("[1, x]", 4), ("(x := 1)", 1), ("sin(*x)", 4), ("~x", 0), ("not x", 0), ("x // 2", 0),
    ("1" + "0" * 309, 0), ("reshape(x)", 0),
]
# Where the construct goes, around a valid expression A: (template, "B" marks the construct).
PLACES = [
    "{A} + {B}", "{B} * {A}", "sin({B}) - {A}", "{A} * ({B})", "sum({A} *\n {B})",
    "exp({A} / (\n  {B}))", "{A}**({B})", "mean({A} + {B}\t)", "({A} +\r\n {B})", "({A} +\r {B})",
]


@QUIET
@fuzz(INJECTED_EXAMPLES)
@given(VALID, st.sampled_from(FORBIDDEN), st.sampled_from(PLACES), st.sampled_from(["", " ", "\n "]))
def test_fuzz_injected_construct_is_reported_at_its_offset(valid, forbidden, place, lead) -> None:
    construct, within = forbidden
    with np.errstate(all="ignore"):
        parse(valid)  # the valid part parses on its own
    # Parenthesised, so that a construct of low precedence (a < b, lambda) stays whole.
    before = place.split("{B}")[0].format(A=valid)
    text = lead + place.format(A=valid, B=f"({construct})")
    expected = len(lead) + len(before) + 1 + within
    error = check_parse_contract(text)
    assert error is not None, text
    assert error.position == expected, (text, error.position, expected, error.reason)


# --- 4. nothing is evaluated ---------------------------------------------------------------
def test_parse_never_calls_eval_or_exec(monkeypatch) -> None:
    calls: list[str] = []

    def refuse(name):
        def guard(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"parse called {name}")
        return guard

    monkeypatch.setattr(builtins, "eval", refuse("eval"))
    monkeypatch.setattr(builtins, "exec", refuse("exec"))
    p = parse("sin(x1 + x2) + x2**2 * x3", x1=0.5, x2=-1.2, x3=2.0)
    assert float(p.output.value) == pytest.approx(np.sin(-0.7) + 1.44 * 2.0)
    assert float(parse("sum((W @ x - y)**2)", W=[[1, 2], [3, 4]], x=[1, 1], y=[0, 0]).output.value) == 58.0
    parse("sigmoid(w1*x + b)")
    parse("reshape([1, 2, 3, 4], shape=(2, 2)) * pi")
    for text in ["__import__('os').system('true')", "eval('1')", "exec('x=1')", "().__class__"]:
        parse_error(text)
    assert calls == []


def test_refused_calls_have_no_side_effects(monkeypatch) -> None:
    """A call parse refuses is never made, even of a name that exists in builtins."""
    calls: list[str] = []
    monkeypatch.setattr(builtins, "open", lambda *a, **k: calls.append("open"))
    monkeypatch.setattr(builtins, "print", lambda *a, **k: calls.append("print"))
    for text in ["open('f')", "print(1)", "x + open('f')"]:
        parse_error(text)
    assert calls == []


def test_parse_module_calls_no_evaluating_builtin() -> None:
    """The parser's source calls none of eval, exec, compile or __import__ (ast.parse only)."""
    import ast
    import inspect

    import graphviz_nn.engine.parse as module

    tree = ast.parse(inspect.getsource(module))
    called = {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
    }
    assert called.isdisjoint({"eval", "exec", "compile", "__import__", "import_module"}), called
    assert "parse" in called  # ast.parse is how the text is read
