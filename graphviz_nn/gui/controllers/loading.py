"""Getting graphs on screen without holding the window: building, recording and laying out
run as one background job at a time, with progress and a Cancel button; the picture on
screen stays until the new one is ready, and is drawn once the model has the new graph."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from ...layout import LayoutWorker, layout
from ...layout.view import toggled
from ...session import Built
from ...session.preparing import Prepared, collapsed_on_opening, prepare
from ...session.window_model import OpenRequest, WindowModel
from ..canvas.graph_view import GraphView
from ..canvas.presenter import Presenter
from ..jobs import JobRunner

TRAINING_MESSAGE = ("Training: the graph is coloured by gradient magnitude as it learns "
                    "(the passes can be stepped through when it stops)")


def draw_shown(model: WindowModel, view: GraphView) -> None:
    """Draw the graph the model shows on ``view``: its presenter over the model's player, and
    its layout's items built off to the side (``picture_ready`` says when they are on)."""
    view.presenter = Presenter(view, model.graph, model.player, model.short_names)
    view.show_layout(model.layout, view.prepare_item)


class LoadingController(QObject):
    """Opens what the model asks for (``open_requested``), lays the graph out again when a
    scope is opened or closed, draws typed expressions, and draws each graph the model shows.

    Parameters
    ----------
    model : WindowModel
    jobs : JobRunner
        Where the building, recording and laying out run.
    view : GraphView
        Where the picture is drawn.
    worker : LayoutWorker
        The Graphviz process that lays graphs out.
    """

    def __init__(self, model: WindowModel, jobs: JobRunner, view: GraphView, worker: LayoutWorker,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.jobs, self.view, self.worker = model, jobs, view, worker
        self._typed: tuple | None = None  # the newest typed graph and its text, while the user is asked
        model.events.open_requested.connect(self._on_open_requested)
        model.events.shown.connect(self._on_shown)
        view.scope_toggled.connect(self.toggle_scope)

    def _on_open_requested(self, request: OpenRequest) -> None:
        self.load(request.build, request.title, request.expanded, request.expression)

    def load(self, build, title: str, expanded: bool = False, expression: str | None = None) -> None:
        """Build a graph, record its forward pass and lay it out, all off the UI thread;
        the current picture stays until the new one is ready. Big graphs open with their
        scopes collapsed unless ``expanded``."""
        worker = self.worker

        def work() -> Prepared:
            with np.errstate(all="ignore"):
                built = build()
            collapsed = frozenset() if expanded else collapsed_on_opening(built)
            return prepare(built, collapsed, worker, title, expression)

        self.jobs.start(work, self._on_prepared, f"Opening {title}…", self._on_failed)

    def _on_failed(self, message: str) -> None:
        self.model.say(f"Could not finish: {message}")
        self.model.events.picture_dropped.emit()

    def _on_prepared(self, prepared: Prepared) -> None:
        self.model.pending_restore = None
        workspace = self.model.workspace
        if prepared.expression is not None:  # the user's own expression: work to keep
            workspace.typed_anew(prepared.title)
        else:
            workspace.opened(prepared.title)
            self.model.expression.replace("")
        self.model.show(prepared)

    def _on_shown(self, model: WindowModel) -> None:
        """The model has a new graph: draw it (the old picture stays until this one is built)."""
        draw_shown(model, self.view)
        note = model.built.note + (f" · {len(model.graph)} nodes, scopes collapsed (double-click to open)"
                                   if model.collapsed else "")
        # A network drawn for a run that has started already: the training message stays.
        model.say(TRAINING_MESSAGE if model.training_running else note + " · Space plays the forward pass")

    def cancel(self) -> None:
        """Cancel the job running, if any; the picture on screen stays."""
        if self.jobs.cancel():
            self.worker.cancel()
            self.model.say("Cancelled; the previous picture is kept")
            self.model.events.picture_dropped.emit()

    def relayout(self, collapsed: frozenset) -> None:
        model, worker = self.model, self.worker
        graph, built, recording = model.graph, model.built, model.player.recording("forward")

        def work() -> Prepared:
            return Prepared(built, recording, layout(graph, collapsed, True, True, timeout=120, worker=worker),
                            collapsed)

        self.jobs.start(work, self._on_relaid, f"Laying out {len(graph)} nodes…", self._on_failed)

    def _on_relaid(self, prepared: Prepared) -> None:
        self.model.collapsed = prepared.collapsed
        self.model.layout = prepared.layout
        self.view.show_layout(prepared.layout, self.view.prepare_item, same_graph=True)
        self.model.say(f"{len(prepared.layout.nodes)} boxes drawn for {len(self.model.graph)} nodes")

    def toggle_scope(self, scope: tuple) -> None:
        """Collapse a scope into one box, or open it, and lay the graph out again."""
        if self.model.graph is None:
            return
        self.view.frame_scope_next(scope)
        self.relayout(toggled(self.model.graph, self.model.collapsed, scope))

    def draw_expression(self, parsed, confirm_discard) -> None:
        """Draw the graph of a valid expression typed in the Expression dock. Unsaved work that
        is not an expression (a trained network) is asked about first, with
        ``confirm_discard(then, cancelled)``, as opening a file does; typing while the
        question is open only changes what is drawn after it."""
        asking = self._typed is not None
        self._typed = (parsed, self.model.expression.drawn_text)
        if asking:
            return
        if not self.model.workspace.typing_replaces_work:
            self._draw_typed()
        else:
            confirm_discard(self._draw_typed, self._keep_work)

    def _draw_typed(self) -> None:
        (parsed, text), self._typed = self._typed, None
        output = parsed.output
        output.name = output.name or "f"

        def build() -> Built:
            return Built.of(output, parsed.variables.values(), f"f = {text}")

        self.load(build, "your expression", expression=text)

    def _keep_work(self) -> None:
        self._typed = None
        self.model.expression.not_drawn()  # Enter on the same text asks again
        self.model.say("The expression is not drawn: the work on screen is kept (Enter in the "
                       "Expression tab asks again)")
