"""Getting graphs on screen without holding the window: building, recording and laying out
run as one background job at a time, with progress and a Cancel button; the picture on
screen stays until the new one is ready."""

from __future__ import annotations

import gc
import threading

import numpy as np
from PySide6.QtCore import QObject, Signal

from ...layout import default_collapsed, layout
from ...layout.view import toggled
from ...session import Built
from ..jobs import Job
from ..preparing import Prepared, prepare


class LoadingController(QObject):
    """The window's background jobs; ``job`` is the one running, if any.

    Signals
    -------
    picture_dropped()
        The picture being made failed or was cancelled; the one on screen stays.
    """

    picture_dropped = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.model = window.model  # the document: what is shown, and whether a job runs
        self.job: Job | None = None
        self._stop: threading.Event | None = None  # the running job's, if it looks at one
        self._typed: tuple | None = None  # the newest typed graph and its text, while the user is asked

    def load(self, build, title: str, expanded: bool = False, expression: str | None = None) -> None:
        """Build a graph, record its forward pass and lay it out, all off the UI thread;
        the current picture stays until the new one is ready. Big graphs open with their
        scopes collapsed unless ``expanded``."""
        worker = self.window.worker

        def work() -> Prepared:
            with np.errstate(all="ignore"):
                built = build()
            collapsed = frozenset() if expanded else default_collapsed(built.graph)
            return prepare(built, collapsed, worker, title, expression)

        self.start(work, self._on_prepared, f"Opening {title}…")

    def start(self, work, done, message: str, failed=None, stop: threading.Event | None = None) -> None:
        """Run ``work`` as the window's one job: ``done(result)`` or ``failed(message)`` after.
        ``stop`` is set when the job is cancelled or overtaken, for work that looks at it."""
        if self.job is not None:
            self.job.cancelled = True
        self._stop_work()
        self._stop = stop
        # Building a graph allocates many objects and no cycles: the cycle collector would
        # only scan the heap mid-way and stall the window; it runs again when the job ends.
        gc.disable()
        job = Job(work, self)
        job.finished.connect(done)
        job.failed.connect(failed or self._on_failed)
        self.job = job
        self.model.busy = True
        self.window.progress.show()
        self.window.cancel_button.show()
        self.window.say(message)
        job.start()

    def _stop_work(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def finish(self) -> None:
        self.job = None
        self.model.busy = False
        self._stop = None
        self.window.collect_again()
        self.window.progress.hide()
        self.window.cancel_button.hide()

    def _on_failed(self, message: str) -> None:
        if self.sender() is not self.job:
            return
        self.finish()
        self.window.say(f"Could not finish: {message}")
        self.picture_dropped.emit()

    def _on_prepared(self, prepared: Prepared) -> None:
        if self.sender() is not self.job:
            return
        self.finish()
        self.window.restore_after_drawing(None)
        workspace = self.window.sessions.workspace
        if prepared.expression is not None:  # the user's own expression: work to keep
            workspace.typed_anew(prepared.title)
        else:
            workspace.opened(prepared.title)
            self.clear_expression()
        self.window.show_prepared(prepared)

    def clear_expression(self) -> None:
        """A graph that is no expression's is shown: the Expression tab empties, and its undo
        steps go with the text they belonged to (an example opened after Discard kept it)."""
        dock = self.window.expression
        if dock.expression:
            dock.set_expression("", emit=False)
        dock.undo_stack.clear()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancelled = True
            self._stop_work()
            self.window.worker.cancel()
            self.finish()
            self.window.say("Cancelled; the previous picture is kept")
            self.picture_dropped.emit()

    def relayout(self, collapsed: frozenset) -> None:
        graph, worker, built, recording = self.model.graph, self.window.worker, self.model.built, self.model.player.recording("forward")

        def work() -> Prepared:
            return Prepared(built, recording, layout(graph, collapsed, True, True, timeout=120, worker=worker),
                            collapsed)

        self.start(work, self._on_relaid, f"Laying out {len(graph)} nodes…")

    def _on_relaid(self, prepared: Prepared) -> None:
        if self.sender() is not self.job:
            return
        self.finish()
        self.model.collapsed = prepared.collapsed
        self.window.view.show_layout(prepared.layout, self.window.prepare_item, same_graph=True)
        self.window.say(f"{len(prepared.layout.nodes)} boxes drawn for {len(self.model.graph)} nodes")

    def toggle_scope(self, scope: tuple) -> None:
        """Collapse a scope into one box, or open it, and lay the graph out again."""
        if self.model.graph is None:
            return
        self.window.view.frame_scope_next(scope)
        self.relayout(toggled(self.model.graph, self.model.collapsed, scope))

    def draw_expression(self, parsed) -> None:
        """Draw the graph of a valid expression typed in the Expression dock. Unsaved work that
        is not an expression (a trained network) is asked about first, as opening a file does;
        typing while the question is open only changes what is drawn after it."""
        asking = self._typed is not None
        self._typed = (parsed, self.window.expression.expression)
        if asking:
            return
        sessions = self.window.sessions
        if not sessions.workspace.typing_replaces_work:
            self._draw_typed()
        else:
            sessions.confirm_discard(self._draw_typed, self._keep_work)

    def _draw_typed(self) -> None:
        (parsed, text), self._typed = self._typed, None
        output = parsed.output
        output.name = output.name or "f"

        def build() -> Built:
            return Built.of(output, parsed.variables.values(), f"f = {text}")

        self.load(build, "your expression", expression=text)

    def _keep_work(self) -> None:
        self._typed = None
        self.window.expression.document.not_drawn()  # Enter on the same text asks again
        self.window.say("The expression is not drawn: the work on screen is kept (Enter in the "
                        "Expression tab asks again)")
