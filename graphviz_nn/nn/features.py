"""The input columns a 2-D dataset can be given, as TensorFlow Playground offers them: x1, x2,
x1², x2², x1·x2, sin x1, sin x2. A run chooses some (its settings' ``features``); the network is
fed those columns, computed from each row's two inputs, and its input layer is as wide as the
choice. The grid a decision boundary is drawn over goes through the same columns."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import numpy as np

from .checks import SettingsError, kind_of, shown
from .datasets import Dataset

#: Each column's name (as settings, files and the command line hold it: plain words, safe in
#: any shell), how it is shown, and its formula.
FEATURES: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x1": ("x1", lambda x1, x2: x1),
    "x2": ("x2", lambda x1, x2: x2),
    "x1_squared": ("x1²", lambda x1, x2: x1 * x1),
    "x2_squared": ("x2²", lambda x1, x2: x2 * x2),
    "x1_times_x2": ("x1·x2", lambda x1, x2: x1 * x2),
    "sin_x1": ("sin x1", lambda x1, x2: np.sin(x1)),
    "sin_x2": ("sin x2", lambda x1, x2: np.sin(x2)),
}
#: The names, in the order Playground lists them (and a run's columns take).
FEATURE_NAMES = tuple(FEATURES)
#: The columns a 2-D dataset has of itself: what ``features=None`` means.
PLAIN_FEATURES = ("x1", "x2")


def check_features(value: Any, field: str = "features") -> tuple[str, ...] | None:
    """``value`` as a tuple of feature names in Playground's order, or None (the dataset's own
    columns, which x1 and x2 alone are too: one record for one run, so a form's toggles give
    back what it was shown); SettingsError naming ``field`` for anything else: not a list of
    names, an unknown or repeated name, none at all."""
    if value is None:
        return None
    choices = ", ".join(FEATURE_NAMES)
    if not isinstance(value, (list, tuple)):
        raise SettingsError(field, f"{field} must be a list of input columns chosen from {choices}, or None for "
                                   f"the dataset's own; got {kind_of(value)}")
    if not value or len(value) > len(FEATURE_NAMES):
        raise SettingsError(field, f"{field} must choose 1 to {len(FEATURE_NAMES)} of {choices}, "
                                   f"found {len(value)}")
    for name in value:
        if not isinstance(name, str) or name not in FEATURES:
            raise SettingsError(field, f"{field} holds {shown(name)}, not an input column; choose from {choices}")
    if len(set(value)) != len(value):
        raise SettingsError(field, f"{field} names a column twice ({', '.join(value)}): give each once")
    chosen = tuple(name for name in FEATURE_NAMES if name in value)
    return None if chosen == PLAIN_FEATURES else chosen


def feature_columns(X: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """The chosen columns of 2-D inputs ``X`` (n, 2), in ``features``' order: (n, len(features)).
    ValueError when ``X`` is not (n, 2) or a name is not one of :data:`FEATURE_NAMES`."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features {', '.join(features)} are computed from two inputs x1, x2: the rows are "
                         f"shaped {X.shape}, not (n, 2); choose a 2-D dataset, or no features to feed its own columns")
    unknown = [name for name in features if name not in FEATURES]
    if unknown:
        raise ValueError(f"features: {shown(unknown[0])} is not an input column; choose from "
                         f"{', '.join(FEATURE_NAMES)}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[name][1](x1, x2) for name in features]).reshape(len(X), len(features))


def with_features(data: Dataset, features: tuple[str, ...] | None) -> Dataset:
    """``data`` with its rows as the chosen columns (named as they are shown); ``data`` itself
    when ``features`` is None. ValueError naming the dataset when it is not 2-D."""
    if features is None:
        return data
    if data.n_features != 2:
        raise ValueError(f"features: {data.name!r} has {data.n_features} input columns, and features are "
                         f"computed from two (x1, x2); choose a 2-D dataset, or no features to feed its own columns")
    return replace(data, X=feature_columns(data.X, features),
                   feature_names=tuple(FEATURES[name][0] for name in features))


__all__ = ["FEATURES", "FEATURE_NAMES", "PLAIN_FEATURES", "check_features", "feature_columns", "with_features"]
