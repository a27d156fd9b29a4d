"""Frames of an animated pass written as an animated GIF or a numbered PNG sequence.

Frames are RGB arrays of shape (height, width, 3), dtype uint8. Pillow encodes them: Qt
reads GIF but does not write it. Qt-free.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .atomic import write_atomic


def _check(frame: np.ndarray, shape: tuple[int, ...] | None) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"a frame must be a (height, width, 3) uint8 array, got {frame.dtype} {frame.shape}")
    if shape is not None and frame.shape != shape:
        raise ValueError(f"frames differ in size: {frame.shape[:2]} after {shape[:2]}")
    return frame


def gif_bytes(frames: Sequence[np.ndarray], seconds_per_frame: float = 0.4, hold_last: float = 2.0) -> bytes:
    """An animated GIF that loops forever; the last frame stays ``hold_last`` seconds."""
    from PIL import Image

    if not frames:
        raise ValueError("an animation needs at least one frame")
    shape = _check(frames[0], None).shape
    images = []
    for frame in frames:
        image = Image.fromarray(_check(frame, shape), "RGB")
        # Drawings of flat colours fit an adaptive palette without dithering speckles.
        images.append(image.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
    durations = [int(round(seconds_per_frame * 1000))] * len(images)
    durations[-1] = max(durations[-1], int(round(hold_last * 1000)))
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations,
                   loop=0, disposal=1)
    return buffer.getvalue()


def write_gif(path: str | Path, frames: Sequence[np.ndarray], seconds_per_frame: float = 0.4) -> Path:
    return write_atomic(path, gif_bytes(frames, seconds_per_frame))


def png_sequence_paths(path: str | Path, count: int) -> list[Path]:
    """``slides.png`` becomes ``slides-001.png``, ``slides-002.png``...: numbered for sorting."""
    path = Path(path)
    stem = path.stem if path.suffix.lower() == ".png" else path.name
    digits = max(3, len(str(count)))
    return [path.with_name(f"{stem}-{i:0{digits}d}.png") for i in range(1, count + 1)]


def write_png_sequence(path: str | Path, frames: Iterable[bytes], count: int) -> list[Path]:
    """Write already-encoded PNG images as a numbered sequence beside ``path``."""
    targets = png_sequence_paths(path, count)
    written = []
    for target, data in zip(targets, frames):
        written.append(write_atomic(target, data))
    return written
