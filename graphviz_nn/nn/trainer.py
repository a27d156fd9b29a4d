"""Training as a plain generator of epoch records."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..engine import NonFiniteError
from .datasets import Dataset
from .network import Network
from .optimisers import Optimiser


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch of training measured.

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
            stop: threading.Event | None = None) -> Iterator[EpochRecord]:
        """Train for ``epochs`` epochs, yielding a record after each.

        Parameters
        ----------
        train, test : Dataset
        epochs : int
        stop : threading.Event, optional
            Checked before every batch (anything with an ``is_set()`` will do): once set,
            training ends within one batch and no further record is yielded.

        Raises
        ------
        NonFiniteError
            When the loss becomes inf or nan, naming the epoch and the first node that
            produced a non-finite value.
        """
        net = self.network
        targets = net.encode_targets(train.y)
        if self.epochs_done == 0:
            net.fit_normalisation(train.X)
        started = time.perf_counter()
        for _ in range(epochs):
            measured = self._epoch(train, targets, stop)
            if measured is None:
                return
            test_loss = test_accuracy = None
            if test is not None and len(test):
                test_loss, predicted = net.evaluate(test.X, test.y)
                if test.is_classification:
                    test_accuracy = float(np.mean(net.classify(predicted) == test.y))
            train_loss, train_accuracy = measured
            norms = tuple((name, _norm(params)) for name, params in net.layers)
            yield EpochRecord(self.epochs_done, train_loss, test_loss, train_accuracy, test_accuracy,
                              norms, time.perf_counter() - started)

    def _epoch(self, train: Dataset, targets: np.ndarray,
               stop: threading.Event | None) -> tuple[float, float | None] | None:
        """One pass over the training rows; None when stopped before it finished."""
        net, graph = self.network, self.network.graph
        epoch, n = self.epochs_done + 1, len(train)
        batch = n if self.batch_size is None else min(self.batch_size, n)
        order = self.rng.permutation(n) if batch < n else None
        total_loss, correct, rows = 0.0, 0, 0
        classify, summed = train.is_classification, net.loss_is_sum  # looked up once an epoch
        for start in range(0, n, batch):
            if stop is not None and stop.is_set():
                return None
            if order is None:
                net.feed(train.X, targets)
                y_batch = train.y
            else:
                index = order[start:start + batch]
                net.feed(train.X[index], targets[index])
                y_batch = train.y[index]
            graph.forward()
            loss = float(net.loss.value)
            if not math.isfinite(loss):
                self._check_loss(loss, epoch)
            graph.backward(net.loss)
            if classify:
                correct += net.count_correct(y_batch)
            self.optimiser.step()
            size = len(y_batch)
            total_loss += loss if summed else loss * size
            rows += size
        self.epochs_done = epoch
        train_loss = total_loss if summed else total_loss / rows
        return train_loss, (correct / rows if classify else None)


def _norm(params: tuple) -> float:
    """‖(dL/dθ for θ in params)‖₂ over all the parameters together."""
    squares = 0.0
    for p in params:
        g = p.grad
        if g is not None:
            squares += float(np.vdot(g, g))
    return math.sqrt(squares)


def accuracy(network: Network, data: Dataset) -> float:
    """Fraction of rows the network classifies correctly."""
    return float(np.mean(network.classify(network.predict(data.X)) == data.y))
