"""Data as a model reads it: inputs and targets of any shape, with the axis that counts the
samples, and the datasets the command line trains spec models on by name.

Rows are (N, F), images (N, C, H, W), sequences (T, N, F) steps first as torch's recurrent
layers read them, token sequences (T, N) whole numbers. Targets are class indices (one per
sample, or one per step) or real values.

A dataset is added with one :func:`register_source` call: its name and a function of
``(n, length, seed)`` giving a :class:`ShapedData`. A source whose module this version lacks
is refused when asked for, naming what is missing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from .datasets import BUILTIN, Dataset, load

TASKS = ("classes", "regression")


@dataclass(frozen=True, eq=False)
class ShapedData:
    """Inputs and targets whose samples lie along one axis of each.

    Attributes
    ----------
    name : str
    x : ndarray
        Real values (float64), or whole-number tokens (int64) when ``tokens``.
    y : ndarray
        Class indices (int64) for "classes", real values (float64) for "regression".
    task : {"classes", "regression"}
    x_axis, y_axis : int
        The axis of ``x`` and of ``y`` that counts the samples: 1 for steps-first sequences.
    classes : int or None
        How many classes (the outputs a model gives) for "classes".
    tokens : bool
        ``x`` holds tokens 0 .. ``vocab`` − 1, for an Embedding.
    vocab : int or None
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    task: str
    x_axis: int = 0
    y_axis: int = 0
    classes: int | None = None
    tokens: bool = False
    vocab: int | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"{self.name}: task must be one of {', '.join(TASKS)}, got {self.task!r}")
        n = self.x.shape[self.x_axis]
        if self.y.shape[self.y_axis] != n:
            raise ValueError(f"{self.name}: {n} inputs along axis {self.x_axis} but {self.y.shape[self.y_axis]} "
                             f"targets along axis {self.y_axis}")
        if self.task == "classes" and (self.classes is None or self.classes < 1):
            raise ValueError(f"{self.name}: a classification set says how many classes it has")

    def __len__(self) -> int:
        return int(self.x.shape[self.x_axis])

    @property
    def outputs(self) -> int:
        """The width of a model's last layer: one per class, or the targets' last axis."""
        if self.task == "classes":
            return int(self.classes)
        return int(self.y.shape[-1]) if self.y.ndim > max(self.y_axis, 0) + 1 else 1

    @property
    def per_step(self) -> bool:
        """True when the targets are one per step of a sequence (they have its steps axis)."""
        return self.y_axis == 1

    @property
    def input_shape(self) -> tuple[int | str, ...]:
        """The inputs' shape with "N" for the samples and "T" for the steps."""
        shape: list[int | str] = list(self.x.shape)
        shape[self.x_axis] = "N"
        if self.x_axis == 1:
            shape[0] = "T"
        return tuple(shape)

    def take(self, index: np.ndarray | slice) -> ShapedData:
        """The samples at ``index`` (positions along the samples' axes)."""
        return replace(self, x=_along(self.x, self.x_axis, index), y=_along(self.y, self.y_axis, index))

    def batch_first(self) -> ShapedData:
        """Sequences as (N, T, ...) rather than steps first (what attention over the steps reads)."""
        if self.x_axis == 0:
            return self
        x = np.swapaxes(self.x, 0, 1)
        y = np.swapaxes(self.y, 0, 1) if self.y_axis == 1 else self.y
        return replace(self, x=np.ascontiguousarray(x), y=np.ascontiguousarray(y), x_axis=0, y_axis=0)

    def split(self, test_fraction: float, seed: int) -> tuple[ShapedData, ShapedData]:
        """Shuffled training and test samples, ``test_fraction`` of them tested on."""
        order = np.random.default_rng(seed).permutation(len(self))
        tested = int(round(test_fraction * len(self)))
        return self.take(np.sort(order[tested:])), self.take(np.sort(order[:tested]))


def _along(array: np.ndarray, axis: int, index: np.ndarray | slice) -> np.ndarray:
    return array[index] if axis == 0 else array[(slice(None),) * axis + (index,)]


def from_table(data: Dataset) -> ShapedData:
    """A table's rows (N, F); images (N, 1, H, W) when the set has a picture shape (the digits)."""
    x = np.asarray(data.X, dtype=np.float64)
    if data.image_shape is not None:
        x = x.reshape((len(x), 1) + tuple(data.image_shape))
    if data.is_classification:
        return ShapedData(data.name, x, np.asarray(data.y, dtype=np.int64), "classes", classes=data.n_classes)
    return ShapedData(data.name, x, np.asarray(data.y, dtype=np.float64).reshape(-1, 1), "regression")


@dataclass(frozen=True)
class ShapedSource:
    """A dataset by name: ``make(n, length, seed)`` gives ``n`` samples of ``length`` steps
    (``length`` is None for sets that are not sequences, which ignore ``n`` too)."""

    make: Callable[[int, int | None, int], ShapedData]
    sequences: bool = False
    default_length: int | None = None


SOURCES: dict[str, ShapedSource] = {}


def register_source(name: str, source: ShapedSource) -> None:
    """Add a dataset the command line can train on by name."""
    SOURCES[name] = source


def _sequence_task(function: str, task: str, per_step: bool, classes: int | None = None,
                   tokens: bool = False) -> Callable:
    """A source drawing from ``graphviz_nn.nn.datasets.sequences.<function>(n, length, seed=)``,
    which gives (x, y) steps first, y one per sequence or (``per_step``) one per step; class
    targets of 0.0 and 1.0 become indices."""
    def make(n: int, length: int | None, seed: int) -> ShapedData:
        module = _module("graphviz_nn.nn.datasets.sequences", function)
        x, y = getattr(module, function)(n, length, seed=seed)
        y_axis = 1 if per_step else 0
        if task == "classes":
            y = np.asarray(y[..., 0] if y.ndim > y_axis + 1 else y).astype(np.int64)
        return ShapedData(function, np.asarray(x), np.asarray(y), task, 1, y_axis, classes, tokens,
                          classes if tokens else None)
    return make


def _module(name: str, wanted: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ValueError(f"this version of graphviz-nn has no {wanted} dataset ({name} is missing)") from None


for _name in BUILTIN:
    register_source(_name, ShapedSource(lambda n, length, seed, _name=_name: from_table(load(_name, seed=seed))))
register_source("adding", ShapedSource(_sequence_task("adding_problem", "regression", False), True, 50))
register_source("sine", ShapedSource(_sequence_task("sine_continuation", "regression", True), True, 50))
register_source("parity", ShapedSource(_sequence_task("parity", "classes", False, 2), True, 20))
register_source("copy", ShapedSource(_sequence_task("copy_task", "classes", True, 10, tokens=True), True, 10))
register_source("reverse", ShapedSource(_sequence_task("reverse_task", "classes", True, 10, tokens=True), True, 10))


def _text_windows(n: int, length: int | None, seed: int) -> ShapedData:
    """``n`` windows of the shipped text's training part (its first 90 %) as tokens, each step's
    target the next character; the model's own test rows come from these windows."""
    text = _module("graphviz_nn.nn.datasets.text", "text").shipped_text()
    x, y = text.windows(length, n, np.random.default_rng(seed))
    size = len(text.vocabulary.characters)
    return ShapedData(text.name, x, y, "classes", 1, 1, size, True, size)


register_source("text", ShapedSource(_text_windows, True, 32))


def shaped(name: str, length: int | None = None, seed: int = 0, n: int = 2048) -> ShapedData:
    """The dataset ``name`` (a registered source, else a CSV file's rows), sequences of
    ``length`` steps (the source's default when None), ``n`` of them.

    Raises
    ------
    ValueError
        A length given for a set that is not of sequences, or a source this version lacks.
    DatasetError
        A name that is neither a source nor a readable CSV file.
    """
    source = SOURCES.get(name)
    if source is None:
        return from_table(load(name, seed=seed))
    if length is not None and not source.sequences:
        raise ValueError(f"--length sets the steps of a sequence; {name} is not a set of sequences")
    return source.make(n, length if length is not None else source.default_length, seed)
