"""The datasets shipped with graphviz-nn, and the original program's letters A, B, C."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources

import numpy as np

from .csv_file import read_csv
from .dataset import Dataset

_SOURCES = {
    "breast_cancer": (
        "UCI ML Breast Cancer Wisconsin (Diagnostic), W. H. Wolberg, W. N. Street, "
        "O. L. Mangasarian, 1995; CC BY 4.0",
        ("malignant", "benign"),
    ),
    "digits": (
        "UCI ML Optical Recognition of Handwritten Digits (test set), E. Alpaydin, C. Kaynak; "
        "CC BY 4.0",
        tuple(str(d) for d in range(10)),
    ),
    "iris": (
        "R. A. Fisher, 1936, as distributed by scikit-learn; public domain / CC BY 4.0",
        ("setosa", "versicolor", "virginica"),
    ),
}

SHIPPED = tuple(_SOURCES)  # the sets read from graphviz_nn/assets/datasets/<name>.csv


def _shipped(name: str) -> Dataset:
    source, classes = _SOURCES[name]
    with resources.as_file(resources.files("graphviz_nn.assets") / "datasets" / f"{name}.csv") as path:
        return read_csv(path, name=name, source=source, class_names=classes)


def breast_cancer() -> Dataset:
    """569 tumours, 30 cell-nucleus features; 0 = malignant (212), 1 = benign (357)."""
    return _shipped("breast_cancer")


def digits() -> Dataset:
    """1797 handwritten digits as 8 × 8 grey levels 0-16; classes 0-9."""
    return replace(_shipped("digits"), image_shape=(8, 8))


def iris() -> Dataset:
    """150 irises, 4 measurements in cm; setosa, versicolor, virginica."""
    return _shipped("iris")


_LETTERS = {
    "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#"],
    "B": ["####.", "#...#", "####.", "#...#", "#...#", "####."],
    "C": [".####", "#....", "#....", "#....", "#....", ".####"],
}


def letters(noisy_copies: int = 4, flips: int = 2, seed: int | np.random.Generator = 0) -> Dataset:
    """The letters A, B and C as 6 × 5 pixel pictures, then noisy copies of each.

    The first three rows are the clean letters (the original program's training set); each noisy copy
    has ``flips`` pixels inverted, drawn from ``seed``: ``split(data, train_rows=3)`` tests
    a net trained on the clean letters against them.
    """
    rng = np.random.default_rng(seed)
    clean = np.array([[c == "#" for c in "".join(rows)] for rows in _LETTERS.values()], dtype=float)
    X, y = [clean], [np.arange(3)]
    for _ in range(noisy_copies):
        noisy = clean.copy()
        for row in noisy:
            pixels = rng.choice(row.size, size=flips, replace=False)
            row[pixels] = 1.0 - row[pixels]
        X.append(noisy)
        y.append(np.arange(3))
    names = tuple(f"pixel_{r}_{c}" for r in range(6) for c in range(5))
    return Dataset("letters", np.vstack(X), np.concatenate(y), names, ("A", "B", "C"),
                   image_shape=(6, 5), source="drawn for graphviz-nn")
