"""Picture datasets as stacks of images, (N, 1, rows, columns), the layout convolutions take."""

from __future__ import annotations

import numpy as np

from .builtin import digits, letters
from .dataset import Dataset

PICTURES = {"digits": digits, "letters": letters}  # the built-in sets whose rows are pictures


def images(data: Dataset | str = "digits") -> tuple[np.ndarray, np.ndarray]:
    """The rows of a picture dataset as one-channel images, with their labels.

    Parameters
    ----------
    data : Dataset or str
        A dataset whose rows are pictures (``image_shape`` set: digits, letters, or their rows
        after :func:`split`), or the name of a built-in one ("digits", "letters").

    Returns
    -------
    X : ndarray, shape (N, 1, rows, columns)
        float64, the features as they are (the digits' grey levels 0-16), row-major as read.
    y : ndarray, shape (N,)
        The labels (class indices).

    Raises
    ------
    ValueError
        A dataset that holds no pictures, or a name of none, naming it.

    Examples
    --------
    >>> X, y = images("digits")
    >>> X.shape, y.shape
    ((1797, 1, 8, 8), (1797,))
    """
    if isinstance(data, str):
        if data not in PICTURES:
            raise ValueError(f"no built-in picture dataset {data!r}: give one of {', '.join(PICTURES)}, "
                             f"or a Dataset with image_shape")
        data = PICTURES[data]()
    if data.image_shape is None:
        raise ValueError(f"dataset {data.name!r} holds no pictures (no image_shape); give digits or "
                         f"letters, or rows of them")
    rows, columns = data.image_shape
    return np.asarray(data.X, dtype=np.float64).reshape(len(data), 1, rows, columns), data.y
