"""The window's document, without Qt: the graph on screen, its player, the collapsed scopes,
the expression it was typed as, a reopened session waiting to be put back, whether a job is
running, the node the user picked; and the documents the window's parts edit (the workspace,
the expression, the training sequence, the datasets read, the Jacobian exercise) (napari's
``ViewerModel``).

Every field is set by assignment, and assigning it announces it: ``model.collapsed = c``
emits ``model.events.collapsed_changed(c)``, so no view can forget to say what changed. A
new graph comes through :meth:`WindowModel.show`, which swaps every field at once and emits
one ``shown``: the views redraw once, not once a field (six redraws of a 9,927-node net).
The window's controllers share this model and nothing else: what one asks of another is a
model call or a model event (``open_requested``, ``document_changed``, ``said``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..engine import Graph
from ..nn.model_spec import ModelSpec
from .datasets_read import DatasetsRead
from .events import Event
from .built import Built
from .expression import ExpressionDocument
from .jacobian_exercise import JacobianExercise
from .model_builder import ModelBuilder
from .player import Overlay, Player
from .playback import Cursor
from .preparing import Prepared
from .training_sequence import TrainingSequence
from .workspace import Workspace

#: The fields of the document, each announced by ``<field>_changed(value)`` when assigned.
FIELDS = ("built", "graph", "player", "collapsed", "title", "expression_text", "pending_restore", "busy",
          "saving", "pinned")


@dataclass(frozen=True)
class OpenRequest:
    """A graph to build, record and lay out off the window's thread, then show."""

    build: Callable[[], Built]
    title: str
    expanded: bool = False
    expression: str | None = None


class WindowModelEvents:
    """``<field>_changed(value)`` for each of :data:`FIELDS`: that field was assigned a new
    value; ``shown(model)``: a new graph is on the model, every field may have changed;
    ``said(text)``: a line for the status bar; ``document_changed()``: the user's work
    changed (new weights, an epoch put back); ``open_requested(OpenRequest)``: a graph is
    wanted on screen; ``picture_dropped()``: the picture being made failed or was
    cancelled, the one on screen stays."""

    def __init__(self) -> None:
        for name in FIELDS:
            setattr(self, f"{name}_changed", Event())
        self.shown = Event()
        self.said = Event()
        self.document_changed = Event()
        self.open_requested = Event()
        self.picture_dropped = Event()


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
        A background job (building, recording, laying out, opening) is running.
    saving : bool
        A file is being written in the background.
    pinned : str or None
        The node the inspector shows whatever the step (clicked, found, run to); None: the
        current step's node.
    layout : Layout or None
        The picture's layout, as :meth:`show` was handed it.
    short_names : dict or None
        The short names long expressions go by, by node id.
    workspace : Workspace
        The document's file, title and unsaved work.
    expression : ExpressionDocument
        The expression editor's document.
    training : TrainingSequence or None
        Training runs, one at a time (None: a model of a window that does not train).
    datasets : DatasetsRead
        The dataset files read, each once.
    jacobian : JacobianExercise
        The Jacobian filled in by forward or reverse mode, pass by pass, over the graph shown.
    builder : ModelBuilder
        A Sequential being built, layer by layer (a linear map of 64 inputs until it is given
        a dataset's input).
    """

    built: Built | None = _Field()
    graph: Graph | None = _Field()
    player: Player | None = _Field()
    collapsed: frozenset = _Field()
    title: str = _Field()
    expression_text: str | None = _Field()
    pending_restore: object | None = _Field()
    busy: bool = _Field()
    saving: bool = _Field()
    pinned: str | None = _Field()

    def __init__(self, training: TrainingSequence | None = None) -> None:
        self.events = WindowModelEvents()
        self._built, self._graph, self._player = None, None, None
        self._collapsed: frozenset = frozenset()
        self._title = ""
        self._expression_text, self._pending_restore = None, None
        self._busy = self._saving = False
        self._pinned = None
        self.layout, self.short_names = None, None
        self.workspace = Workspace()
        self.expression = ExpressionDocument()
        self.training = training
        self.datasets = DatasetsRead()
        self.jacobian = JacobianExercise()
        self.builder = ModelBuilder(ModelSpec(({"type": "Linear", "in_features": 64, "out_features": 10},)),
                                    ("N", 64))

    # --- what is derived from the fields ---------------------------------------------------------
    @property
    def cursor(self) -> Cursor | None:
        """The player's cursor over the pass on screen, or None before the first graph."""
        return self._player.cursor if self._player is not None else None

    @property
    def phase(self) -> str | None:
        """The pass on screen ("forward", "backward", "tangent"), or None."""
        return self._player.phase if self._player is not None else None

    @property
    def training_running(self) -> bool:
        """True from the start of a training run until the window has taken its end in."""
        return self.training is not None and self.training.training

    # --- what the controllers ask of each other -------------------------------------------------
    def say(self, text: str) -> None:
        """A line for the status bar."""
        self.events.said.emit(text)

    def open(self, build: Callable[[], Built], title: str, expanded: bool = False,
             expression: str | None = None) -> None:
        """Ask for a graph on screen: ``build()`` runs off the window's thread, then the graph
        is recorded and laid out, and :meth:`show` puts it on the model."""
        self.events.open_requested.emit(OpenRequest(build, title, expanded, expression))

    def document_changed(self) -> None:
        """The user's work changed under the same graph (new weights, an epoch put back): it
        is unsaved, and the next autosave takes it."""
        self.workspace.changed()
        self.events.document_changed.emit()

    def while_shown(self, player: Player) -> Callable[[Callable], Callable]:
        """A wrapper for ``player``'s event handlers: wrapped, they run only while ``player`` is
        the one the model shows (an old graph's player, stepped back by an animation being
        recorded as the new graph came, must not move the new graph's picture)."""

        def wrap(handler: Callable) -> Callable:
            def call(*args) -> None:
                if self._player is player:
                    handler(*args)
            return call

        return wrap

    def show(self, prepared: Prepared) -> Player:
        """Put a prepared graph on the model: a new player over its graph starting from its
        recorded forward pass, and emit ``shown`` once.

        A network drawn for a training run under way is locked by the run from the start and
        coloured by gradient magnitudes, as the run's epochs colour it; only the run
        releases it. The pinned node goes with the old graph.

        Parameters
        ----------
        prepared : Prepared
            The graph, its first recording, its layout, collapsed scopes, title and the
            expression it was typed as.

        Returns
        -------
        Player
            The new player, also ``model.player``.
        """
        built = prepared.built
        player = Player(built, prepared.recording)
        if self.training_running:
            player.lock_navigation(self.training)
            player.set_overlay(Overlay.MAGNITUDE)
        self._built, self._graph, self._player = built, built.graph, player
        self._collapsed, self._title = frozenset(prepared.collapsed), prepared.title
        self._expression_text, self._pinned = prepared.expression, None
        self.layout, self.short_names = prepared.layout, prepared.short_names
        self.events.shown.emit(self)
        return player
