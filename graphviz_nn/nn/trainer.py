"""Training as a plain generator of epoch records."""

from __future__ import annotations

import math
import threading
import time
from typing import Callable, Iterator, NamedTuple

import numpy as np

from ..engine import NonFiniteError
from .datasets import Dataset
from .early_stopping import EarlyStopping
from .network import Network
from .optimisers import Optimiser


class EpochRecord(NamedTuple):
    """What one epoch of training measured (immutable).

    A named tuple rather than a frozen dataclass: training makes thousands a second, and a
    tuple is built in a fraction of the time.

    Attributes
    ----------
    epoch : int
        From 1.
    train_loss : float
        Over the epoch's batches, each measured before its update (for a summed loss, the
        sum over the batches; otherwise their mean weighted by batch size).
    test_loss : float or None
        On the test rows after the epoch's last update.
    train_accuracy, test_accuracy : float or None
        Fractions in [0, 1] for classification sets.
    gradient_norms : tuple of (str, float)
        ‖dL/dθ‖ of each layer's parameters at the epoch's last batch.
    seconds : float
        Time since training started.
    """

    epoch: int
    train_loss: float
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    gradient_norms: tuple[tuple[str, float], ...]
    seconds: float


class Trainer:
    """Runs epochs of forward, backward and optimiser steps on a network.

    Parameters
    ----------
    network : Network
    optimiser : Optimiser
        Built on ``network.parameters``.
    batch_size : int, optional
        Rows per step; the full training set when None.
    rng : numpy Generator, optional
        Shuffles the rows of each epoch for mini-batches.
    """

    def __init__(self, network: Network, optimiser: Optimiser, batch_size: int | None = None,
                 rng: np.random.Generator | None = None):
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {batch_size}")
        self.network, self.optimiser, self.batch_size = network, optimiser, batch_size
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.epochs_done = 0

    def _check_loss(self, loss: float, epoch: int) -> None:
        if math.isfinite(loss):
            return
        try:
            self.network.graph.forward(check_finite=True)
        except NonFiniteError as error:
            raise NonFiniteError(f"epoch {epoch}: {error}", error.node, error.node_id, error.phase) from None
        raise NonFiniteError(f"epoch {epoch}: the loss is not finite", self.network.loss, None, "forward")

    def fit(self, train: Dataset, test: Dataset | None = None, epochs: int = 100,
            stop: threading.Event | None = None, validation: Dataset | None = None,
            early_stopping: EarlyStopping | None = None) -> Iterator[EpochRecord]:
        """Train for ``epochs`` epochs, yielding a record after each.

        Parameters
        ----------
        train, test : Dataset
        epochs : int
        stop : threading.Event, optional
            Checked before every batch (anything with an ``is_set()`` will do): once set,
            training ends within one batch and no further record is yielded.
        validation : Dataset, optional
            Rows held out of training whose loss ``early_stopping`` watches after each epoch.
        early_stopping : EarlyStopping, optional
            Ends training once the validation loss stops improving (after that epoch's
            record), and puts the best epoch's weights back when training ends, stopped or not.

        Raises
        ------
        NonFiniteError
            When the loss becomes inf or nan, naming the epoch and the first node that
            produced a non-finite value.
        ValueError
            Early stopping without validation rows, or validation rows without early stopping.
        """
        if (early_stopping is None) != (validation is None) or (validation is not None and not len(validation)):
            raise ValueError("early stopping watches the loss on validation rows: pass both early_stopping= and "
                             "validation=, rows split off the training set (datasets.split)")
        net = self.network
        targets, labels = net.encode_targets(train.y), _labels(net, train)
        if self.epochs_done == 0:
            net.fit_normalisation(train.X)
        if test is not None and not len(test):
            test = None  # nothing to measure
        if test is not None:
            test_targets, test_labels = net.encode_targets(test.y), _labels(net, test)
        if validation is not None:
            validation_targets, watched = net.encode_targets(validation.y), self.optimiser.parameters
        # Looked up once, not every epoch: at 10,000 epochs a second each lookup shows.
        X, layers, count, clock = train.X, net.layers, net.correct_counter(), time.perf_counter
        summed = net.loss_is_sum
        started = clock()
        for _ in range(epochs):
            measured = self._epoch(X, targets, labels, stop, count, summed)
            if measured is None:
                break
            halt = early_stopping is not None and early_stopping.update(
                self._measure(validation.X, validation_targets, None, count)[0], watched, self.epochs_done)
            test_loss = test_accuracy = None
            if test is not None:
                test_loss, test_accuracy = self._measure(test.X, test_targets, test_labels, count)
            yield EpochRecord(self.epochs_done, measured[0], test_loss, measured[1], test_accuracy,
                              _norms(layers), clock() - started)
            if halt:
                break
        if early_stopping is not None:
            early_stopping.restore(watched)

    def _epoch(self, X: np.ndarray, targets: np.ndarray, labels: np.ndarray | None,
               stop: threading.Event | None, count: Callable[[np.ndarray], int],
               summed: bool) -> tuple[float, float | None] | None:
        """One pass over the training rows; None when stopped before it finished.

        ``labels`` are what ``count`` counts correct predictions against (see :func:`_labels`);
        ``summed`` says the loss adds up over rows rather than averaging them.
        """
        net, optimiser = self.network, self.optimiser
        graph, loss_node = net.graph, net.loss
        epoch, n = self.epochs_done + 1, len(X)
        if self.batch_size is None or self.batch_size >= n:
            batches = ((X, targets, labels),)  # full batch: feed() sees the same arrays each epoch
        else:
            batches = _batches(X, targets, labels, self.rng.permutation(n), self.batch_size)
        total_loss, correct = 0.0, 0
        for X_batch, targets_batch, labels_batch in batches:
            if stop is not None and stop.is_set():
                return None
            net.feed(X_batch, targets_batch)
            graph.forward()
            loss = float(loss_node.value)
            if not math.isfinite(loss):
                self._check_loss(loss, epoch)
            graph.backward(loss_node)
            if labels_batch is not None:
                correct += count(labels_batch)
            optimiser.step()
            total_loss += loss if summed else loss * len(X_batch)
        self.epochs_done = epoch
        return (total_loss if summed else total_loss / n), (None if labels is None else int(correct) / n)

    def _measure(self, X: np.ndarray, targets: np.ndarray, labels: np.ndarray | None,
                 count: Callable[[np.ndarray], int]) -> tuple[float, float | None]:
        """Loss and accuracy on held-out rows (the graph keeps them until the next batch)."""
        net = self.network
        net.feed(X, targets)
        net.graph.forward()
        return float(net.loss.value), (None if labels is None else int(count(labels)) / len(X))


def _batches(X: np.ndarray, targets: np.ndarray, labels: np.ndarray | None, order: np.ndarray,
             size: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """The rows in ``order``, ``size`` at a time (the last batch may be smaller)."""
    for start in range(0, len(order), size):
        index = order[start:start + size]
        yield X[index], targets[index], (None if labels is None else labels[index])


def _labels(network: Network, data: Dataset) -> np.ndarray | None:
    """The classes correct predictions are counted against; None for a regression set.

    With one output the thresholded prediction is boolean, so classes 0 and 1 are given as
    False and True: comparing booleans is cheaper than casting them to int64, same count.
    """
    if not data.is_classification:
        return None
    y = data.y
    if network.n_outputs == 1 and y.dtype.kind in "iub" and len(y) and y.min() >= 0 and y.max() <= 1:
        return y.astype(bool)
    return y


def _norms(layers: tuple) -> tuple[tuple[str, float], ...]:
    """‖dL/dθ‖₂ of each layer, over all its parameters together."""
    norms = []
    for name, params in layers:
        squares = 0.0
        for p in params:
            g = p.grad
            if g is not None:
                g = g.ravel()
                # NOTE: ndarray.dot of two vectors runs the BLAS dot np.vdot runs (the same
                # sum to the last bit) without np.vdot's dispatch, which costs more than the
                # dot itself on a layer's few hundred numbers.
                squares += float(g.dot(g))
        norms.append((name, math.sqrt(squares)))
    return tuple(norms)


def accuracy(network: Network, data: Dataset) -> float:
    """Fraction of rows the network classifies correctly."""
    return float(np.mean(network.classify(network.predict(data.X)) == data.y))
