"""Exports from the window: the graph as SVG, PNG, PDF or DOT (off the window's thread), the
current pass as an animation, the training history as a CSV table."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from ...io import export_graph, export_history
from ..animation_export import AnimationExport


class ExportsController(QObject):
    """The window's exports; ``animation_export`` is the animation being recorded, if any.

    Signals
    -------
    history_progressed(int, int)
        Rows of the loss history written, and rows in all (emitted from the writing thread).
    history_exported(str)
        The loss history's CSV file is written, at this path.
    """

    history_progressed = Signal(int, int)
    history_exported = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.history_progressed.connect(self._on_history_progressed)
        self.window = window
        self.animation_export: AnimationExport | None = None

    def export_dialog(self) -> None:
        if self.window.graph is None:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export graph", "graph.svg",
                                              "SVG (*.svg);;PNG (*.png);;PDF (*.pdf);;DOT (*.gv *.dot)")
        if path:
            self.export(path)

    def export(self, path: str) -> None:
        graph, collapsed, worker = self.window.graph, self.window.collapsed, self.window.worker
        with_grads = self.window.phase == "backward"

        def work():
            return export_graph(graph, path, None, collapsed, True, with_grads, worker)

        self.window.loading.start(work, self._on_job_exported, f"Exporting to {path}…")

    def _on_job_exported(self, path) -> None:
        if self.sender() is not self.window.loading.job:
            return
        self.window.loading.finish()
        self.window.say(f"Saved {path}")

    def export_animation_dialog(self) -> None:
        if self.window.cursor is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self.window, "Export animation", f"{self.window.phase or 'pass'}.gif",
            "Animated GIF (*.gif);;PNG sequence, numbered (*.png)")
        if path:
            if not Path(path).suffix:
                path += ".png" if "PNG" in chosen else ".gif"
            self.export_animation(path)

    def export_animation(self, path: str | Path, seconds_per_frame: float = 0.4) -> AnimationExport | None:
        """Play the current pass from its start, grabbing the graph view at each step, and
        write the frames as an animated GIF (``.gif``) or numbered PNGs (any other name)."""
        if self.window.cursor is None or self.animation_export is not None or self.window.training_control.blocked():
            return None
        export = AnimationExport(self.window, path, seconds_per_frame)
        self.animation_export = export
        export.progressed.connect(self._on_animation_export_progressed)
        export.finished.connect(self._on_animation_export_finished)
        self.window.progress.setRange(0, len(export.positions))
        self.window.progress.setValue(0)
        self.window.progress.show()
        self.window.cancel_button.show()
        self.window.say(f"Recording {len(export.positions)} frames of the {self.window.phase} pass…")
        export.start()
        return export

    def _on_animation_export_progressed(self, done: int, total: int) -> None:
        self.window.progress.setValue(done)

    def _on_animation_export_finished(self, result) -> None:
        self.animation_export = None
        self.window.progress.setRange(0, 0)
        if self.window.loading.job is None:
            self.window.progress.hide()
            self.window.cancel_button.hide()
        if isinstance(result, str):
            self.window.say("Animation not saved: " + result)
        elif len(result) == 1:
            self.window.say(f"Saved {result[0]}")
        else:
            self.window.say(f"Saved {len(result)} frames: {result[0].name} … {result[-1].name} in {result[0].parent}")

    def export_history_dialog(self) -> None:
        run = self.window.training_control.run
        if run is None or not run.history:
            self.window.say("No training history yet: train a network first (Ctrl+T)")
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export loss history", "loss.csv", "CSV (*.csv)")
        if path:
            self.export_history(path)

    def export_history(self, path: str | Path) -> bool:
        """Write the training history as CSV off the window's thread (40,000 epochs take about a
        second to format), the progress bar counting its rows, one column per layer of the
        network. False when there is nothing to export or another file is being written."""
        run = self.window.training_control.run
        if run is None or not run.history:
            return False
        history = list(run.history)  # a copy: training may go on meanwhile
        layers = [name for name, _ in run.network.layers]
        progress = self.window.progress
        progress.setRange(0, len(history))
        progress.setValue(0)

        def work() -> Path:
            return export_history(history, path, layers, self.history_progressed.emit)

        def done(written: Path) -> None:
            progress.setRange(0, 0)
            self.window.say(f"Saved {len(history)} epochs to {written}")
            self.history_exported.emit(str(written))

        def failed(message: str) -> None:
            progress.setRange(0, 0)
            self.window.say(f"Not saved: {message}")
            self.window.sessions.tell("Could not export the history", message)

        started = self.window.sessions.write_in_background(work, f"Exporting {len(history)} epochs to {path}…",
                                                           done, failed)
        if not started:
            progress.setRange(0, 0)
        return started

    def _on_history_progressed(self, done: int, total: int) -> None:
        if self.window.sessions.saving:
            self.window.progress.setValue(done)
