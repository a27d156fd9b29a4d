"""Values to colours: the diverging, colour-blind-safe scale every heatmap of the window uses.
Qt-free.

Values are coloured on a scale symmetric about zero (blue below, white at zero, red above), so
the sign of a gradient reads at a glance and zero is always white. NaN and ±inf are black
(:data:`FLAG_RGB`), a colour outside the scale, which the views cross out as well.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["FLAG_RGB", "colour_scale", "heatmap_colours", "matrix_view"]

# ColorBrewer RdBu (9 classes), reversed so negative is blue: rated colour-blind safe. The
# darkest two classes are left out so the black flag colour stays clearly apart.
_STOPS = np.array([
    [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
    [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43]], dtype=float)

FLAG_RGB = (0, 0, 0)


def matrix_view(array) -> tuple[np.ndarray, str]:
    """The array as a 2-D float matrix, and a note saying how it was reshaped.

    Parameters
    ----------
    array : array_like
        A scalar, vector, matrix or higher-dimensional array.

    Returns
    -------
    matrix : ndarray
        2-D. A scalar is 1 × 1 and a vector one row. An array with more than two axes keeps
        its last axis as columns and stacks all the leading axes as rows (C order), so a
        (2, 3, 4) array is shown as 6 × 4 with row ``i * 3 + j`` holding ``a[i, j, :]``.
    note : str
        Empty unless the array had more than two axes.
    """
    a = np.asarray(array)
    a = a.real if np.iscomplexobj(a) else a
    a = a.astype(float, copy=False)
    if a.ndim <= 1:
        return a.reshape(1, -1), ""
    if a.ndim == 2:
        return a, ""
    rows = math.prod(a.shape[:-1])
    note = (f"shape {tuple(a.shape)} shown as {rows} × {a.shape[-1]}: "
            f"the leading axes are stacked as rows")
    return a.reshape(rows, a.shape[-1]), note


def colour_scale(array) -> float:
    """The largest finite magnitude: the value drawn in full blue (negative) or red (positive).

    0 when there is no finite non-zero value; everything is then drawn white.
    """
    a = np.asarray(array, dtype=float)
    if a.size == 0:
        return 0.0
    # Two passes over the array, no copy of it; the finite entries are picked out only when
    # some are not (a batch of 32 feature maps of 64 × 28 × 28: 2 ms rather than 34).
    largest = max(float(np.max(a)), -float(np.min(a)))
    if math.isfinite(largest):
        return largest
    finite = a[np.isfinite(a)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0


def heatmap_colours(matrix: np.ndarray, scale: float | None = None) -> np.ndarray:
    """RGB colours (uint8, the array's shape × 3) of an array of floats.

    Parameters
    ----------
    matrix : ndarray
        Any shape (the views pass 2-D maps).
    scale : float, optional
        The magnitude drawn in full colour; by default the array's own :func:`colour_scale`.
        Maps compared side by side (the channels of a feature map) share one.

    Returns
    -------
    ndarray of uint8
        Blue below zero, white at zero, red above, symmetric about zero; values beyond
        ±scale saturate; NaN and ±inf are :data:`FLAG_RGB`.
    """
    matrix = np.asarray(matrix, dtype=float)
    finite = np.isfinite(matrix)
    scale = colour_scale(matrix) if scale is None else float(scale)
    t = np.zeros(matrix.shape)
    if scale > 0:      # a constant zero array has no scale: all white, no division by zero
        np.divide(matrix, scale, out=t, where=finite)
    position = (np.clip(t, -1.0, 1.0) + 1.0) / 2.0 * (len(_STOPS) - 1)
    index = np.minimum(position.astype(int), len(_STOPS) - 2)
    fraction = (position - index)[..., None]
    rgb = _STOPS[index] + fraction * (_STOPS[index + 1] - _STOPS[index])
    rgb[~finite] = FLAG_RGB
    return np.rint(rgb).astype(np.uint8)
