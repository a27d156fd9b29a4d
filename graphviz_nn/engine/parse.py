"""Reading expressions such as ``sin(x1 + x2) + x2**2 * x3`` into graph nodes, safely.

The text is parsed by Python's ``ast`` and walked with an allow-list: numbers, names, the
arithmetic operators, ``@``, parentheses, list literals and calls of the op registry's
functions. Nothing is ever evaluated as Python: no ``eval``, no ``exec``, no attribute
access, no imports.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .errors import EngineError
from .node import Constant, Function, Node, Variable, describe_call
from .params import MAX_NDIM
from .registry import registry

MAX_LENGTH = 5000
# The budget of one expression, counted from shapes before each node is computed: a typed
# matmul of two 8192 x 8192 variables (10^12 flops, 43 s) or a broadcast to 10^9 elements is
# refused at the operator that asks for it instead of freezing the program or exhausting memory.
MAX_NODE_ELEMENTS = 2**22  # one node's value (32 MB of float64) or its largest temporary
MAX_ELEMENTS = 2**24  # all the nodes' values together (128 MB)
MAX_FLOPS = 2**30  # the whole expression's floating-point operations (about a second)
CONSTANTS = {"pi": np.pi, "e": np.e}
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
           ast.MatMult: "matmul"}


class ParseError(EngineError, ValueError):
    """An expression that cannot be read; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at character {position + 1})")
        self.reason = message
        self.position = position


@dataclass(frozen=True, eq=False)
class Parsed:
    """An expression read into nodes.

    Attributes
    ----------
    output : Node
    variables : dict of str to Variable
        One per free name, in order of first appearance.
    """

    output: Node
    variables: dict[str, Variable]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _line_starts(text: str) -> list[int]:
    """Character offset at which each line starts, breaking lines as Python's parser does."""
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def _offset(text: str, node: ast.AST) -> int:
    """The character offset of an ast node (whose column is counted in UTF-8 bytes)."""
    starts = _line_starts(text)
    line = min(getattr(node, "lineno", 1), len(starts)) - 1
    line_text = text[starts[line]:]
    column = len(line_text.encode("utf-8")[: getattr(node, "col_offset", 0)].decode("utf-8", "ignore"))
    return starts[line] + column


class _Builder:
    def __init__(self, text: str, values: Mapping[str, Any], lead: int = 0):
        self.text, self.values, self.lead = text, values, lead
        self.variables: dict[str, Variable] = {}
        self.elements = 0
        self.flops = 0

    def charge(self, elements: int, flops: int, temporary: int, what: str, node: ast.AST) -> None:
        """Count a node against the expression's budget before it is computed."""
        biggest = max(elements, temporary)
        if biggest > MAX_NODE_ELEMENTS:
            raise self.fail(f"{what} would make {biggest:,} elements, more than the {MAX_NODE_ELEMENTS:,} "
                            "one step of an expression may hold; use smaller arrays", node)
        self.elements += elements
        self.flops += flops
        if self.elements > MAX_ELEMENTS:
            raise self.fail(f"{what} brings the expression's values to {self.elements:,} elements, more "
                            f"than the limit of {MAX_ELEMENTS:,}; use smaller arrays", node)
        if self.flops > MAX_FLOPS:
            raise self.fail(f"{what} brings the expression's work to about {self.flops:,} operations, "
                            f"more than the limit of {MAX_FLOPS:,}; use smaller arrays", node)

    def fail(self, message: str, node: ast.AST) -> ParseError:
        return ParseError(message, self.lead + _offset(self.text, node))

    def build(self, node: ast.AST) -> Node:
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.build(node.left), self.build(node.right)
            return self.apply(_BINARY[type(node.op)], (left, right), {}, node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.build(node.operand)
            return self.apply("neg", (operand,), {}, node) if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant):
            return Constant(self.number(node))
        if isinstance(node, ast.List):
            value = np.array(self.array(node), dtype=np.float64)
            self.charge(value.size, 0, 0, "this list", node)
            return Constant(value)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(f"{self.describe(node)} is not allowed in an expression", node)

    def describe(self, node: ast.AST) -> str:
        names = {ast.Attribute: "attribute access", ast.Lambda: "a lambda", ast.Subscript: "indexing",
                 ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "if/else",
                 ast.Dict: "a dict", ast.Tuple: "a tuple", ast.Starred: "unpacking",
                 ast.JoinedStr: "an f-string", ast.NamedExpr: "assignment"}
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return "a comprehension"
        if isinstance(node, ast.BinOp):
            return f"the operator {type(node.op).__name__}"
        return names.get(type(node), type(node).__name__)

    def number(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{value!r} is not a number", node)
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if not np.isfinite(number):
            raise self.fail("numbers must be finite", node)
        return number

    def array(self, node: ast.AST, depth: int = 0) -> Any:
        if isinstance(node, ast.List):
            if not node.elts:
                raise self.fail("an empty list has no value", node)
            if depth >= MAX_NDIM:
                raise self.fail(f"a list literal may have at most {MAX_NDIM} dimensions", node)
            rows = [self.array(e, depth + 1) for e in node.elts]
            shapes = {np.shape(r) for r in rows}
            if len(shapes) != 1:
                raise self.fail("the rows of a list literal must all have the same length", node)
            return rows
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.array(node.operand, depth)
            if isinstance(value, list):
                raise self.fail("a sign applies to numbers inside a list, not to a list", node)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Constant):
            return self.number(node)
        raise self.fail("list literals may hold numbers only", node)

    def name(self, node: ast.Name) -> Node:
        name = node.id
        if name.startswith("__"):
            raise self.fail(f"the name {name!r} is not allowed", node)
        if name in CONSTANTS:
            return Constant(CONSTANTS[name], name)
        if name in registry():
            raise self.fail(f"{name!r} is a function: call it, as in {name}(x)", node)
        if name not in self.variables:
            try:
                variable = Variable(self.values.get(name, 0.0), name)
            except (TypeError, ValueError) as error:
                raise self.fail(f"the value of {name!r}: {error}", node) from None
            if variable.value.ndim > MAX_NDIM:
                raise self.fail(f"the value of {name!r} has more than {MAX_NDIM} dimensions", node)
            self.charge(variable.value.size, 0, 0, f"the value of {name!r}", node)
            self.variables[name] = variable
        return self.variables[name]

    def call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only the functions of the op registry can be called", node)
        name = node.func.id
        if name.startswith("__"):
            raise self.fail(f"the name {name!r} is not allowed", node)
        op = registry().get(name)
        if op is None:
            known = ", ".join(sorted(registry()))
            raise self.fail(f"unknown function {name!r}; the functions are {known}", node)
        if len(node.args) != op.arity:
            raise self.fail(f"{name} takes {op.arity} argument(s), got {len(node.args)}", node)
        params = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.fail("unpacking (**) is not allowed in a call", keyword.value)
            if keyword.arg not in op.param_names:
                takes = ", ".join(op.param_names) or "none"
                raise self.fail(f"{name} has no parameter {keyword.arg!r} (its parameters: {takes})",
                                keyword.value)
            params[keyword.arg] = self.parameter(keyword.value)
        inputs = tuple(self.build(arg) for arg in node.args)
        return self.apply(name, inputs, params, node)

    def parameter(self, node: ast.AST) -> Any:
        """A keyword argument's value: a bool, None, a number, or a tuple of whole numbers."""
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.signed_int(e) for e in node.elts)
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            return self.number(node)
        return self.signed_int(node)

    def signed_int(self, node: ast.AST) -> int:
        value = self.array(node)
        if isinstance(value, list) or float(value) != int(value):
            raise self.fail("expected a whole number", node)
        return int(value)

    def apply(self, name: str, inputs: tuple[Node, ...], params: dict, node: ast.AST) -> Node:
        op = registry()[name]
        try:
            plan = op.plan([x.shape for x in inputs], params, describe_call(op, inputs))
        except EngineError as error:
            raise self.fail(str(error), node) from None
        self.charge(plan.size, plan.flops, plan.temporary, name, node)
        try:
            return Function(op, inputs, plan.params)
        except EngineError as error:
            raise self.fail(str(error), node) from None
        except (TypeError, ValueError, KeyError, FloatingPointError) as error:
            raise self.fail(f"{name}: {error}", node) from None


def parse(text: str, /, **values: Any) -> Parsed:
    """Read an expression into graph nodes.

    Parameters
    ----------
    text : str
        E.g. ``"sin(x1 + x2) + x2**2 * x3"``, ``"sigmoid(w1*x + b)"``,
        ``"sum((W @ x - y)**2)"``, ``"softmax([1, 2, 3] * t, axis=0)"``.
    **values
        Values of the free names (numbers or nested lists); names not given start at 0.

    Returns
    -------
    Parsed
        The output node and a Variable per free name.

    Raises
    ------
    ParseError
        With the character position of the problem, for anything that is not an
        expression of numbers, names, operators, list literals and registry functions, and
        for an expression whose nodes would exceed the budget (``MAX_NODE_ELEMENTS`` per
        node, ``MAX_ELEMENTS`` in all, ``MAX_FLOPS``), counted from shapes before computing.
    """
    if not isinstance(text, str):
        raise TypeError("an expression must be text")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ParseError("the expression is empty", 0)
    # Leading blanks would read as an indent; positions are counted in the original text.
    lead = len(text) - len(text.lstrip())
    body = text[lead:]
    if "\0" in text:
        raise ParseError("the expression contains a NUL character", text.index("\0"))
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as error:
        starts = _line_starts(body)
        line = min(error.lineno or 1, len(starts)) - 1
        offset = starts[line] + max((error.offset or 1) - 1, 0)  # SyntaxError counts characters
        raise ParseError(error.msg or "syntax error", lead + min(offset, len(body))) from None
    except (RecursionError, MemoryError, ValueError):
        raise ParseError("the expression is nested too deeply", 0) from None
    builder = _Builder(body, values, lead)
    try:
        output = builder.build(tree.body)
    except RecursionError:
        raise ParseError("the expression is nested too deeply", 0) from None
    except MemoryError:
        raise ParseError("the expression needs more memory than there is; use smaller arrays", 0) from None
    return Parsed(output, builder.variables)
