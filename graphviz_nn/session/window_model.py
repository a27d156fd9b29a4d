"""The window's document, without Qt: the graph on screen, its player, the collapsed scopes,
the expression it was typed as, a reopened session waiting to be put back, and whether a
job is running (napari's ``ViewerModel``).

Every field is set by assignment, and assigning it announces it: ``model.collapsed = c``
emits ``model.events.collapsed_changed(c)``, so no view can forget to say what changed. A
new graph comes through :meth:`WindowModel.show`, which swaps every field at once and emits
one ``shown``: the views redraw once, not once a field (six redraws of a 9,927-node net).
"""

from __future__ import annotations

from ..engine import Graph
from .events import Event
from .examples import Built
from .player import Overlay, Player
from .playback import Recording

#: The fields of the document, each announced by ``<field>_changed(value)`` when assigned.
FIELDS = ("built", "graph", "player", "collapsed", "title", "expression_text", "pending_restore", "busy")


class WindowModelEvents:
    """``<field>_changed(value)`` for each of :data:`FIELDS`: that field was assigned a new
    value; ``shown(model)``: a new graph is on the model, every field may have changed."""

    def __init__(self) -> None:
        for name in FIELDS:
            setattr(self, f"{name}_changed", Event())
        self.shown = Event()


def _same(old, new) -> bool:
    """True when assigning ``new`` over ``old`` changes nothing a view shows: the same object,
    or an equal plain value (graphs, players and built networks compare by identity, as
    comparing two of them field by field would compare their arrays)."""
    if old is new:
        return True
    plain = (str, bool, int, frozenset)
    return type(old) is type(new) and isinstance(new, plain) and old == new


class _Field:
    """A model attribute whose assignment emits ``events.<name>_changed(value)`` when it
    changes the value."""

    def __set_name__(self, owner, name: str) -> None:
        self.name, self.private = name, f"_{name}"

    def __get__(self, model, owner=None):
        return self if model is None else getattr(model, self.private)

    def __set__(self, model, value) -> None:
        old = getattr(model, self.private)
        setattr(model, self.private, value)
        if not _same(old, value):
            getattr(model.events, f"{self.name}_changed").emit(value)


class WindowModel:
    """What one window shows, and the events that say when it changes.

    Attributes
    ----------
    built : Built or None
        The network or expression on screen: its graph, output and inputs.
    graph : Graph or None
        ``built.graph``, the graph on screen.
    player : Player or None
        The passes recorded over that graph and the cursor over the one on screen.
    collapsed : frozenset
        The scopes drawn as one box each.
    title : str
        What the graph on screen is called ("scalar", "your expression").
    expression_text : str or None
        The text the graph was typed as, or None for a graph that is no expression.
    pending_restore : object or None
        A reopened session whose pass, step and view go back on screen once the next picture
        is drawn (a ``graphviz_nn.io.SessionState``).
    busy : bool
        A background job (building, recording, laying out) is running.
    """

    built: Built | None = _Field()
    graph: Graph | None = _Field()
    player: Player | None = _Field()
    collapsed: frozenset = _Field()
    title: str = _Field()
    expression_text: str | None = _Field()
    pending_restore: object | None = _Field()
    busy: bool = _Field()

    def __init__(self) -> None:
        self.events = WindowModelEvents()
        self._built, self._graph, self._player = None, None, None
        self._collapsed: frozenset = frozenset()
        self._title = ""
        self._expression_text, self._pending_restore = None, None
        self._busy = False

    def show(self, built: Built, recording: Recording | None, collapsed: frozenset, title: str = "",
             expression: str | None = None, locked_by: object | None = None) -> Player:
        """Put a new graph on the model: a new player over ``built`` starting from
        ``recording`` (its forward pass), and emit ``shown`` once.

        Parameters
        ----------
        built : Built
            The graph, its output and inputs.
        recording : Recording or None
            The forward pass, recorded already off the UI thread (recorded now when None).
        collapsed : frozenset
            The scopes drawn as one box each.
        title : str
            What the graph is called.
        expression : str or None
            The text the graph was typed as, or None.
        locked_by : object, optional
            The owner of a lock on stepping (a training run under way, drawing the network
            it trains): the new player is locked by it from the start and coloured by
            gradient magnitudes, as the run's epochs colour it; only that owner releases it.

        Returns
        -------
        Player
            The new player, also ``model.player``.
        """
        player = Player(built, recording)
        if locked_by is not None:
            player.lock_navigation(locked_by)
            player.set_overlay(Overlay.MAGNITUDE)
        self._built, self._graph, self._player = built, built.graph, player
        self._collapsed, self._title, self._expression_text = frozenset(collapsed), title, expression
        self.events.shown.emit(self)
        return player
