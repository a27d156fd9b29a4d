"""Exports from the window: the graph as SVG, PNG, PDF or DOT (off the window's thread), the
current pass as an animation, the training history as a CSV table."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from ...io import export_graph, export_history
from ...layout import LayoutWorker
from ...session.window_model import WindowModel
from ..animation_export import AnimationExport
from ..canvas.graph_view import GraphView
from ..jobs import JobRunner
from ..messages import tell


class ExportsController(QObject):
    """The window's exports; ``animation_export`` is the animation being recorded, if any.

    Parameters
    ----------
    model : WindowModel
        What is exported: its graph, its pass, its training run's history.
    jobs : JobRunner
        Where the files are written.
    view : GraphView
        Grabbed, step by step, for an animation.
    frame : QWidget
        The file dialogs open over it.
    worker : LayoutWorker
        Lays the graph out for its export.

    Signals
    -------
    history_progressed(int, int)
        Rows of the loss history written, and rows in all (emitted from the writing thread).
    history_exported(str)
        The loss history's CSV file is written, at this path.
    animation_started()
        An animation is being recorded: the pass is stepped by the recording alone.
    """

    history_progressed = Signal(int, int)
    history_exported = Signal(str)
    animation_started = Signal()

    def __init__(self, model: WindowModel, jobs: JobRunner, view: GraphView, frame: QWidget, worker: LayoutWorker,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.jobs, self.view, self.frame, self.worker = model, jobs, view, frame, worker
        self.history_progressed.connect(self._on_history_progressed)
        self.animation_export: AnimationExport | None = None
        self._writing_history = False
        model.events.shown.connect(self._on_shown)

    def export_dialog(self) -> None:
        if self.model.graph is None:
            return
        path, _ = QFileDialog.getSaveFileName(self.frame, "Export graph", "graph.svg",
                                              "SVG (*.svg);;PNG (*.png);;PDF (*.pdf);;DOT (*.gv *.dot)")
        if path:
            self.export(path)

    def export(self, path: str) -> None:
        graph, collapsed, worker = self.model.graph, self.model.collapsed, self.worker
        with_grads = self.model.phase == "backward"

        def work():
            return export_graph(graph, path, None, collapsed, True, with_grads, worker)

        self.jobs.start(work, self._on_job_exported, f"Exporting to {path}…",
                        lambda message: self.model.say(f"Could not finish: {message}"))

    def _on_job_exported(self, path) -> None:
        self.model.say(f"Saved {path}")

    def export_animation_dialog(self) -> None:
        if self.model.cursor is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self.frame, "Export animation", f"{self.model.phase or 'pass'}.gif",
            "Animated GIF (*.gif);;PNG sequence, numbered (*.png)")
        if path:
            if not Path(path).suffix:
                path += ".png" if "PNG" in chosen else ".gif"
            self.export_animation(path)

    def export_animation(self, path: str | Path, seconds_per_frame: float = 0.4) -> AnimationExport | None:
        """Play the current pass from its start, grabbing the graph view at each step, and
        write the frames as an animated GIF (``.gif``) or numbered PNGs (any other name)."""
        if self.model.cursor is None or self.animation_export is not None:
            return None
        if self.model.training_running:
            self.model.say("Training is running: pause or stop it to step through the passes")
            return None
        export = AnimationExport(self.model.player, self.view, path, seconds_per_frame, self)
        self.animation_export = export
        export.progressed.connect(self._on_animation_export_progressed)
        export.finished.connect(self._on_animation_export_finished)
        self.jobs.count(0, len(export.positions), cancellable=True)
        self.model.say(f"Recording {len(export.positions)} frames of the {self.model.phase} pass…")
        self.animation_started.emit()
        export.start()
        return export

    def cancel_animation(self) -> bool:
        """Stop recording the animation; False when none is being recorded."""
        if self.animation_export is None:
            return False
        self.animation_export.cancel()
        return True

    def _on_shown(self, _model) -> None:
        """Another graph is shown: an animation of the old one stops where it is."""
        if self.animation_export is not None:
            self.animation_export.cancel(put_back=False)

    def _on_animation_export_progressed(self, done: int, total: int) -> None:
        self.jobs.count(done, total, cancellable=True)

    def _on_animation_export_finished(self, result) -> None:
        self.animation_export = None
        self.jobs.counted()
        if isinstance(result, str):
            self.model.say("Animation not saved: " + result)
        elif len(result) == 1:
            self.model.say(f"Saved {result[0]}")
        else:
            self.model.say(f"Saved {len(result)} frames: {result[0].name} … {result[-1].name} in {result[0].parent}")

    def export_history_dialog(self) -> None:
        run = self.model.training.run
        if run is None or not run.history:
            self.model.say("No training history yet: train a network first (Ctrl+T)")
            return
        path, _ = QFileDialog.getSaveFileName(self.frame, "Export loss history", "loss.csv", "CSV (*.csv)")
        if path:
            self.export_history(path)

    def export_history(self, path: str | Path) -> bool:
        """Write the training history as CSV off the window's thread (40,000 epochs take about a
        second to format), the progress bar counting its rows, one column per layer of the
        network. False when there is nothing to export or another file is being written."""
        run = self.model.training.run
        if run is None or not run.history:
            return False
        history = list(run.history)  # a copy: training may go on meanwhile
        layers = [name for name, _ in run.network.layers]

        def work() -> Path:
            return export_history(history, path, layers, self.history_progressed.emit)

        def done(written: Path) -> None:
            self._history_written()
            self.model.say(f"Saved {len(history)} epochs to {written}")
            self.history_exported.emit(str(written))

        def failed(message: str) -> None:
            self._history_written()
            self.model.say(f"Not saved: {message}")
            tell(self.frame, "Could not export the history", message)

        started = self.jobs.write(work, f"Exporting {len(history)} epochs to {path}…", done, failed)
        if started:
            self._writing_history = True
            self.jobs.count(0, len(history))
        return started

    def _history_written(self) -> None:
        self._writing_history = False
        self.jobs.counted()

    def _on_history_progressed(self, done: int, total: int) -> None:
        if self._writing_history:
            self.jobs.count(done, total)
