"""Two-dimensional toy sets drawn from a seeded generator, as in TensorFlow Playground."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset

_XY = ("x1", "x2")


def _points(name: str, X: np.ndarray, y: np.ndarray, classes: int, note: str) -> Dataset:
    names = tuple(f"class {k}" for k in range(classes))
    return Dataset(name, X, y.astype(np.int64), _XY, names, source=f"generated: {note}")


def xor(n: int = 200, noise: float = 0.15, seed: int | np.random.Generator = 0) -> Dataset:
    """Four clusters at (±1, ±1); class 1 where the signs of x1 and x2 differ."""
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 4, n)
    centres = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)[corners]
    X = centres + rng.normal(0.0, noise, (n, 2))
    return _points("xor", X, (corners >= 2), 2, f"xor, n={n}, noise={noise}")


def moons(n: int = 200, noise: float = 0.1, seed: int | np.random.Generator = 0) -> Dataset:
    """Two interleaving half circles."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    t = rng.uniform(0, np.pi, n)
    X = np.where(
        (y == 0)[:, None],
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]),
    )
    return _points("moons", X + rng.normal(0.0, noise, (n, 2)), y, 2, f"moons, n={n}, noise={noise}")


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5,
            seed: int | np.random.Generator = 0) -> Dataset:
    """A ring around a smaller ring (radius ``factor``); class 1 inside."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    t = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 1, factor, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    return _points("circles", X + rng.normal(0.0, noise, (n, 2)), y, 2,
                   f"circles, n={n}, noise={noise}, factor={factor}")


def spiral(n: int = 300, arms: int = 2, noise: float = 0.05, turns: float = 1.0,
           seed: int | np.random.Generator = 0) -> Dataset:
    """``arms`` interleaved spirals, one class each."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, arms, n)
    r = rng.uniform(0.1, 1.0, n)
    angle = 2 * np.pi * (turns * r + y / arms)
    X = r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _points("spiral", X + rng.normal(0.0, noise, (n, 2)), y, arms,
                   f"spiral, n={n}, arms={arms}, noise={noise}, turns={turns}")


def blobs(n: int = 200, centres: int = 3, spread: float = 0.4,
          seed: int | np.random.Generator = 0) -> Dataset:
    """Gaussian clusters around ``centres`` points on a circle of radius 2."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, centres, n)
    angle = 2 * np.pi * np.arange(centres) / centres
    means = 2 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = means[y] + rng.normal(0.0, spread, (n, 2))
    return _points("blobs", X, y, centres, f"blobs, n={n}, centres={centres}, spread={spread}")
