"""Training any model: a spec's, a ``Sequential``, or a class with layers and a ``forward``, on
batches of shaped data (rows, images, sequences, tokens), as a plain generator of the epoch
records the dense networks' :class:`~graphviz_nn.nn.trainer.Trainer` yields.

The loss follows the task: cross-entropy against class indices (one per sample or one per
step) or the mean squared error. The graph of a batch shape is built once and fed again by
changing its input and target Constants, as the dense networks are; an Embedding's lookup
holds its indices, so a model reading tokens builds its graph for each batch.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from ..engine import Constant, Graph, Node, NonFiniteError, Variable, reshape
from .losses import cross_entropy, mse_loss
from .module import Module
from .optimisers import Optimiser
from .shaped_data import ShapedData
from .trainer import EpochRecord

#: Samples measured in one graph when testing: more are measured in chunks of this many.
TEST_CHUNK = 1024
#: Graphs kept for the batch shapes met (a full batch, the last smaller one, the test chunks).
KEPT_GRAPHS = 6


@dataclass(eq=False)
class FedGraph:
    """A graph built for one batch shape, with the Constants that feed it."""

    x: Constant
    y: Constant
    output: Node
    loss: Node
    graph: Graph


def one_hot(y: np.ndarray, classes: int) -> np.ndarray:
    """Class indices of any shape as rows of the identity, (entries, classes)."""
    flat = np.asarray(y, dtype=np.int64).ravel()
    if flat.size and (flat.min() < 0 or flat.max() >= classes):
        bad = flat.min() if flat.min() < 0 else flat.max()
        raise ValueError(f"class index {bad} is out of range for {classes} classes (0 to {classes - 1})")
    table = np.zeros((flat.size, classes))
    table[np.arange(flat.size), flat] = 1.0
    return table


def run(model: Module, x: np.ndarray) -> np.ndarray:
    """The model's output for inputs ``x`` (in whatever mode it is in), as an array."""
    out = model(Constant(np.asarray(x), "x"))
    return np.array(out[0].value if isinstance(out, tuple) else out.value)


class ModelTrainer:
    """Runs epochs of forward, backward and optimiser steps on any model.

    Parameters
    ----------
    model : Module
        Called on a Constant of a batch's inputs, it returns the output node (or a tuple whose
        first item is).
    optimiser : Optimiser
        Built on the model's trainable parameters.
    task : {"classes", "regression"}
        Cross-entropy on the output's last axis against class indices, or the mean squared
        error against targets of the output's shape.
    batch_size : int, optional
        Samples per step; all of them when None.
    rng : numpy Generator, optional
        Shuffles the samples of each epoch.
    """

    def __init__(self, model: Module, optimiser: Optimiser, task: str, batch_size: int | None = None,
                 rng: np.random.Generator | None = None):
        if task not in ("classes", "regression"):
            raise ValueError(f"task must be 'classes' or 'regression', got {task!r}")
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {batch_size}")
        self.model, self.optimiser, self.task, self.batch_size = model, optimiser, task, batch_size
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.epochs_done = 0
        self._graphs: dict[tuple, FedGraph] = {}
        self.layers = tuple((module.label, tuple(p for p in module.parameters() if isinstance(p, Variable)))
                            for _, module in model.named_children())
        self.layers = tuple(layer for layer in self.layers if layer[1])
        # Layers whose graphs hold drawn masks (Dropout): a graph fed again keeps its masks, so
        # each training batch draws new ones, as torch draws one per call.
        self._resampled = tuple(m for m in model.modules() if callable(getattr(m, "resample", None)))

    # --- graphs ---------------------------------------------------------------------------
    def _targets(self, y: np.ndarray, classes: int | None) -> np.ndarray:
        return one_hot(y, classes) if self.task == "classes" else np.asarray(y, dtype=np.float64)

    def graph_for(self, data: ShapedData, training: bool) -> FedGraph:
        """The graph for this batch's shapes and mode (built the first time they are met),
        fed with its samples; ValueError when the model's output does not fit the targets."""
        key = (data.x.shape, data.y.shape, training)
        fed = None if data.tokens else self._graphs.get(key)
        if fed is None:
            fed = self.build_graph(data, training)
            if not data.tokens:
                if len(self._graphs) >= KEPT_GRAPHS:
                    self._graphs.pop(next(iter(self._graphs)))
                self._graphs[key] = fed
        else:
            fed.x.value, fed.y.value = data.x, self._targets(data.y, data.classes)
        return fed

    def build_graph(self, data: ShapedData, training: bool) -> FedGraph:
        """A new graph of the model and its loss on ``data``, kept by nobody but the caller,
        built in training or evaluation mode (the model is left in the mode it was in).
        ValueError when the model's output does not fit the targets."""
        targets = self._targets(data.y, data.classes)
        was = self.model.training
        self.model.train(training)
        try:
            x = Constant(data.x, "x")
            out = self.model(x)
        finally:
            self.model.train(was)
        out = out[0] if isinstance(out, tuple) else out
        y = Constant(targets, "y")
        if self.task == "classes":
            if out.shape[-1] != data.classes or math.prod(out.shape[:-1]) != len(targets):
                raise ValueError(f"the model gives {out.shape} for inputs {data.x.shape}; {data.name}'s "
                                 f"targets {data.y.shape} need one score for each of {data.classes} classes "
                                 "at each target")
            logits = out if out.value.ndim == 2 else reshape(out, (len(targets), data.classes))
            loss = cross_entropy(logits, y)
        else:
            if out.shape != targets.shape:
                raise ValueError(f"the model gives {out.shape} for inputs {data.x.shape}; {data.name}'s "
                                 f"targets are {targets.shape}")
            loss = mse_loss(out, y)
        loss.name = "loss"
        return FedGraph(x, y, out, loss, Graph(loss, out))

    # --- training -------------------------------------------------------------------------
    def fit(self, train: ShapedData, test: ShapedData | None = None, epochs: int = 10,
            stop: threading.Event | None = None,
            progress: Callable[[int, int, float], None] | None = None) -> Iterator[EpochRecord]:
        """Train for ``epochs`` epochs, yielding a record after each (losses as means over
        the samples; accuracies over every target for class tasks).

        ``stop`` (anything with an ``is_set()``) is asked before every batch: once set,
        training ends within one batch and no further record is yielded. ``progress(batch,
        batches, loss)`` is called after every batch with the batches done in the epoch, how
        many it has, and the mean loss of its samples so far (a long epoch's news).

        Raises
        ------
        NonFiniteError
            When the loss becomes inf or nan, naming the epoch and the first node that did.
        ValueError
            When the model's output does not fit the targets, naming both shapes.
        """
        if test is not None and not len(test):
            test = None
        clock = time.perf_counter
        started = clock()
        for _ in range(epochs):
            measured = self._epoch(train, stop, progress)
            if measured is None:
                break
            test_loss = test_accuracy = None
            if test is not None:
                test_loss, test_accuracy = self.measure(test)
            yield EpochRecord(self.epochs_done, measured[0], test_loss, measured[1], test_accuracy,
                              self._norms(), clock() - started)

    def _epoch(self, train: ShapedData, stop: threading.Event | None,
               progress: Callable[[int, int, float], None] | None) -> tuple[float, float | None] | None:
        n, epoch = len(train), self.epochs_done + 1
        size = n if self.batch_size is None else min(self.batch_size, n)
        order = np.arange(n) if size >= n else self.rng.permutation(n)
        total, correct, entries, batches = 0.0, 0, 0, -(-n // size)
        for start in range(0, n, size):
            if stop is not None and stop.is_set():
                return None
            batch = train if size >= n else train.take(order[start:start + size])
            fed = self.graph_for(batch, training=True)
            for module in self._resampled:
                module.resample()
            fed.graph.forward()
            loss = float(fed.loss.value)
            if not math.isfinite(loss):
                self._non_finite(fed, epoch)
            fed.graph.backward(fed.loss)
            self.optimiser.step()
            total += loss * len(batch)
            if self.task == "classes":
                correct += self._correct(fed, batch)
                entries += batch.y.size
            if progress is not None:
                progress(start // size + 1, batches, total / min(start + size, n))
        self.epochs_done = epoch
        return total / n, (correct / entries if self.task == "classes" else None)

    def _correct(self, fed: FedGraph, batch: ShapedData) -> int:
        guesses = fed.output.value.reshape(-1, batch.classes).argmax(axis=1)
        return int(np.count_nonzero(guesses == batch.y.ravel()))

    def measure(self, data: ShapedData) -> tuple[float, float | None]:
        """Loss and accuracy on ``data``, in evaluation mode (dropout off, running statistics)."""
        total, correct = 0.0, 0
        for start in range(0, len(data), TEST_CHUNK):
            chunk = data.take(slice(start, start + TEST_CHUNK))
            fed = self.graph_for(chunk, training=False)
            fed.graph.forward()
            total += float(fed.loss.value) * len(chunk)
            if self.task == "classes":
                correct += self._correct(fed, chunk)
        self.model.train(True)
        return total / len(data), (correct / data.y.size if self.task == "classes" else None)

    def _non_finite(self, fed: FedGraph, epoch: int) -> None:
        try:
            fed.graph.forward(check_finite=True)
        except NonFiniteError as error:
            raise NonFiniteError(f"epoch {epoch}: {error}", error.node, error.node_id, error.phase) from None
        raise NonFiniteError(f"epoch {epoch}: the loss is not finite", fed.loss, None, "forward")

    def _norms(self) -> tuple[tuple[str, float], ...]:
        """‖dL/dθ‖₂ of each layer with parameters, at the last batch."""
        norms = []
        for name, params in self.layers:
            squares = sum(float(np.vdot(p.grad, p.grad)) for p in params if p.grad is not None)
            norms.append((name, math.sqrt(squares)))
        return tuple(norms)
