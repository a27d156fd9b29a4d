"""The expression editor's document, without Qt: the text's variables and their values, the
values refused, the last graph that read, and the rules of committing a text.

A commit is asked for (:meth:`ExpressionDocument.request`), parsed wherever the caller likes
(the window: off its thread, :func:`parse_request`), and answered (:meth:`accept`); an answer
to a request that a newer one overtook is dropped. A variable keeps its value when its name
drops out of the text and comes back.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from ..engine.parse import CONSTANTS, ParseError, Parsed, parse
from ..engine.registry import registry
from ..engine.values import read_value
from .events import Event

Entry = tuple[str, Any]  # a value as typed and as read: ("[1, 2]", [1.0, 2.0])
DEFAULT: Entry = ("0.0", 0.0)


def free_names(text: str) -> list[str] | None:
    """The free names of a text that is Python syntax, in order of first appearance.

    The same names :func:`~graphviz_nn.engine.parse` would make Variables of, found without
    building anything, so they are known even when the values do not fit the expression.
    None for text that is not Python syntax.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    functions = registry()
    found = [node for node in ast.walk(tree)
             if isinstance(node, ast.Name) and id(node) not in called and not node.id.startswith("__")
             and node.id not in CONSTANTS and node.id not in functions]
    found.sort(key=lambda node: (node.lineno, node.col_offset))
    return list(dict.fromkeys(node.id for node in found))


@dataclass(frozen=True)
class Request:
    """A text and the values to parse it with, numbered so that a newer one overtakes it."""

    number: int
    text: str
    values: dict[str, Any]
    force: bool
    emit: bool


@dataclass(frozen=True)
class Answer:
    """What a parse changed: the table's names, and the graph to draw (None: nothing to draw)."""

    names: list[str]
    draw: Parsed | None


def parse_request(request: Request) -> Parsed | ParseError:
    """The parse of a request (in any thread): its graph, or why it does not read."""
    try:
        return parse(request.text, **request.values)
    except ParseError as error:
        return error


class ExpressionDocument:
    """The editor's state and its commit rules.

    Attributes
    ----------
    memory : dict of str to Entry
        Every value given, by name, kept when its name drops out of the text.
    refused : dict of str to (str, str)
        Values typed that did not read: the text (kept so it can be corrected) and why.
    last_good : Parsed or None
        The graph of the last text that read.
    error : ParseError or None
        Why the text does not read.
    drawn_text : str or None
        The text of the last graph handed to the window to draw.
    replaced : Event
        ``replaced(text, values)``: the window put another text in the editor (a reopened
        session's expression, or "" when the graph shown is no expression's); the editor
        shows it without handing its graph back to be drawn.
    """

    def __init__(self) -> None:
        self.memory: dict[str, Entry] = {}
        self.refused: dict[str, tuple[str, str]] = {}
        self.last_good: Parsed | None = None
        self.error: ParseError | None = None
        self._asked = 0  # requests made; only the newest is answered
        self._drawn: tuple | None = None  # the text and values the window was last given
        self.drawn_text: str | None = None
        self.replaced = Event()

    def replace(self, text: str, values: dict[str, Any] | None = None) -> None:
        """Put ``text`` (and values of its names) in the editor from outside it: a reopened
        session's expression, or "" when the graph on screen is not an expression's."""
        self.replaced.emit(text, dict(values or {}))

    def entry(self, name: str) -> Entry:
        return self.memory.get(name, DEFAULT)

    def values(self, names) -> dict[str, Any]:
        return {name: self.entry(name)[1] for name in names}

    def typed_value(self, name: str, text: str) -> Entry | None:
        """A value typed for ``name``: its entry when it reads and differs from the one held
        (None when it is the same); ValueError, and the text kept as refused, when it does not."""
        typed, text = text, text.strip()
        if name in self.memory and text == self.memory[name][0]:
            self.refused.pop(name, None)
            return None
        try:
            value = read_value(text)
        except ValueError as error:
            self.refused[name] = (typed, str(error))  # shown as typed, to be corrected
            raise
        self.refused.pop(name, None)
        return text, value

    def put(self, name: str, entry: Entry | None) -> None:
        """Hold a value (None takes it away: undoing the first value given for a name)."""
        self.refused.pop(name, None)
        if entry is None:
            self.memory.pop(name, None)
        else:
            self.memory[name] = entry

    def overtake(self) -> None:
        """The text changed: an answer on its way is of an older text."""
        self._asked += 1

    def request(self, text: str, force: bool, emit: bool = True) -> Request | None:
        """Ask for the text to be parsed with the values held; None for an empty text (which
        is no error: a hint is shown)."""
        self._asked += 1
        if not text.strip():
            self.error = None
            return None
        values = {name: value for name, (_, value) in self.memory.items()}
        return Request(self._asked, text, values, force, emit)

    def not_drawn(self) -> None:
        """The window did not draw the last graph it was given (the user kept other work):
        committing the same text again draws it."""
        self._drawn = None

    def current(self, request: Request) -> bool:
        return request.number == self._asked

    def accept(self, request: Request, result: Parsed | ParseError) -> Answer | None:
        """Take a parse's result; None when a newer request overtook it.

        A text that reads but fails on its values (W @ x with W and x still 0) still lists
        its names, or they could never be given values that fit. Without ``force``, a text and
        values the window already has are not drawn again (a debounce after typing and
        deleting a space, Enter pressed twice).
        """
        if not self.current(request):
            return None
        if isinstance(result, ParseError):
            self.error = result
            names = free_names(request.text) or []
            for name in names:
                self.memory.setdefault(name, DEFAULT)
            return Answer(names, None)
        self.error, self.last_good = None, result
        names = list(result.variables)
        for name in names:
            self.memory.setdefault(name, DEFAULT)
        key = ("".join(request.text.split()), tuple((name, self.memory[name][0]) for name in names))
        draw = result if request.emit and (request.force or key != self._drawn) else None
        self._drawn = key
        if draw is not None:
            self.drawn_text = request.text
        return Answer(names, draw)
