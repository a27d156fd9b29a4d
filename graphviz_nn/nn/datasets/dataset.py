"""The Dataset record, splitting and normalisation statistics."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True, eq=False)
class Dataset:
    """Rows of numeric features and one target per row.

    Attributes
    ----------
    name : str
    X : ndarray, shape (n, d)
        Features, float64.
    y : ndarray, shape (n,)
        Class indices 0..k−1 (int64) for classification, numbers (float64) for regression.
    feature_names : tuple of str
    class_names : tuple of str or None
        None for a regression target.
    image_shape : tuple of int or None
        (rows, columns) when each row of X is a picture (digits, letters).
    source : str
        Where the data came from, with its licence for the built-in sets.
    notes : tuple of str
        How it was read, for people: the separator found in a CSV file, whether the target
        was read as classes or as a number to predict, a preview's sampling.
    target_name : str
        The column the target was read from ("" when it has no name, as for built-in sets).
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] | None = None
    image_shape: tuple[int, int] | None = None
    source: str = ""
    notes: tuple[str, ...] = ()
    target_name: str = ""

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.y.shape != (self.X.shape[0],):
            raise ValueError(
                f"dataset {self.name!r}: X must be (rows, features) and y (rows,), "
                f"got {self.X.shape} and {self.y.shape}"
            )

    def __len__(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def is_classification(self) -> bool:
        return self.class_names is not None

    @property
    def n_classes(self) -> int:
        return len(self.class_names) if self.class_names else 0

    def rows(self, index: np.ndarray | slice) -> Dataset:
        """The dataset restricted to some rows (an index array or a slice)."""
        return replace(self, X=self.X[index], y=self.y[index])

    def __repr__(self) -> str:
        kind = f"{self.n_classes} classes" if self.is_classification else "regression"
        return f"Dataset({self.name!r}, {len(self)} rows, {self.n_features} features, {kind})"


def split(
    data: Dataset,
    test_fraction: float | None = None,
    train_rows: int | None = None,
    seed: int | np.random.Generator = 0,
) -> tuple[Dataset, Dataset]:
    """Split into training and test rows.

    ``train_rows=300`` takes the first 300 rows to train and the rest to test, in file order
    (the original program's split of breast_cancer). ``test_fraction=0.3`` shuffles with ``seed`` first.

    Raises
    ------
    ValueError
        When the split would leave no training rows or no test rows, naming both counts.
    """
    if (test_fraction is None) == (train_rows is None):
        raise ValueError("give exactly one of test_fraction and train_rows")
    n = len(data)
    if n < 2:
        raise ValueError(f"dataset {data.name!r} has {n} row{'s' * (n != 1)}: splitting needs at least 2")
    if train_rows is not None:
        if not 0 < train_rows < n:
            raise ValueError(f"train_rows must be between 1 and {n - 1} for {n} rows, got {train_rows}")
        return data.rows(slice(0, train_rows)), data.rows(slice(train_rows, n))
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    n_test = int(round(n * test_fraction))
    if not 0 < n_test < n:
        # Refused here, before any statistic: the mean of no training rows is numpy's
        # "Mean of empty slice" warning and a nan, far from the cause.
        raise ValueError(f"test_fraction {test_fraction:g} of {n} rows leaves {n - n_test} training and "
                         f"{n_test} test rows: give a fraction from 1/{n} to {n - 1}/{n}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    return data.rows(np.sort(order[n_test:])), data.rows(np.sort(order[:n_test]))


def preview(data: Dataset, limit: int = 2000, seed: int = 0) -> Dataset:
    """At most ``limit`` rows of ``data``, for drawing it: all of them when it has no more,
    else a sample drawn without replacement from ``seed`` and kept in file order.

    The same data, limit and seed give the same rows; the cost grows with ``limit`` and
    the number of rows, not with the number of features (a million rows: a few ms).
    """
    if limit < 1:
        raise ValueError(f"a preview needs a limit of at least 1 row, got {limit}")
    n = len(data)
    if n <= limit:
        return data
    index = np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))
    return replace(data.rows(index), notes=data.notes + (f"preview: {limit:,} of {n:,} rows",))


@dataclass(frozen=True, eq=False)
class Standardisation:
    """Per-feature mean and standard deviation, measured on training rows only."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> Standardisation:
        std = X.std(axis=0)
        # A constant feature would divide by zero; leaving it unscaled keeps it at 0.
        return cls(X.mean(axis=0), np.where(std > 0, std, 1.0))

    def apply(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.std


def standardise(train: Dataset, test: Dataset | None = None) -> tuple[Dataset, Dataset | None, Standardisation]:
    """Scale features to mean 0 and deviation 1 with statistics from the training rows."""
    stats = Standardisation.fit(train.X)
    scaled_test = replace(test, X=stats.apply(test.X)) if test is not None else None
    return replace(train, X=stats.apply(train.X)), scaled_test, stats


def principal_components(X: np.ndarray, k: int, centre: bool = True) -> np.ndarray:
    """Project rows onto the k directions of largest variance (from the SVD of the centred X)."""
    Xc = X - X.mean(axis=0) if centre else X
    _, _, vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ vt[:k].T
