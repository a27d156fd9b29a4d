"""Recording the pass on screen, frame by frame, for slides: an animated GIF or PNGs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from ..io.animation import png_sequence_paths, write_gif, write_png_sequence
from .image_bytes import image_bytes

#: Longer passes are sampled evenly down to this many frames (the last step is always kept).
MAX_FRAMES = 300


def frame_positions(last: int, limit: int = MAX_FRAMES) -> list[int]:
    """Cursor positions to capture: before the first step, then every step to ``last``."""
    positions = list(range(-1, last + 1))
    if len(positions) <= limit:
        return positions
    picks = np.unique(np.linspace(0, len(positions) - 1, limit).round().astype(int))
    return [positions[i] for i in picks]


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return data.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


class AnimationExport(QObject):
    """Steps the window's cursor through its pass, grabbing the graph view after each step,
    a frame per event-loop turn so the window keeps drawing; then writes the file.

    Signals
    -------
    progressed(int, int)
        Frames captured so far, and in all.
    finished(object)
        The paths written (a list), or an error message (a str).
    """

    progressed = Signal(int, int)
    finished = Signal(object)

    def __init__(self, player, view, path: str | Path, seconds_per_frame: float = 0.4, parent=None):
        super().__init__(parent)
        self.player, self.view, self.path = player, view, Path(path)
        self.gif = self.path.suffix.lower() == ".gif"
        self.seconds_per_frame = seconds_per_frame
        self.positions = frame_positions(player.cursor.last)
        self.start_position = player.cursor.position
        self.frames: list = []
        self.cancelled = False
        self._put_back = True

    def start(self) -> None:
        QTimer.singleShot(0, self._capture_next)

    def _seek(self, position: int) -> None:
        with self.view.jumping():  # each frame shows where the camera ends, not half-way
            self.player.seek(position)

    def cancel(self, put_back: bool = True) -> None:
        """Stop recording; the pass goes back to where it was unless ``put_back`` is False
        (its graph is no longer shown)."""
        self.cancelled = True
        self._put_back = put_back

    def _capture_next(self) -> None:
        if self.cancelled:
            self._end("cancelled")
            return
        self._seek(self.positions[len(self.frames)])
        image = self.view.grab().toImage()
        self.frames.append(_rgb(image) if self.gif else image_bytes(image))
        self.progressed.emit(len(self.frames), len(self.positions))
        if len(self.frames) < len(self.positions):
            QTimer.singleShot(0, self._capture_next)
            return
        try:
            if self.gif:
                written = [write_gif(self.path, self.frames, self.seconds_per_frame)]
            else:
                written = write_png_sequence(self.path, self.frames, len(self.frames))
        except (OSError, ValueError) as error:
            self._end(f"could not write {self.path}: {error}")
            return
        self._end(written)

    def _end(self, result) -> None:
        self.frames = []
        if self._put_back:
            self._seek(self.start_position)
        self.finished.emit(result)


__all__ = ["AnimationExport", "frame_positions", "png_sequence_paths"]
