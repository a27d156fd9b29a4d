"""A training run the window can follow: the network, its history, thinned weight
snapshots for time travel, and the decision boundary of 2-D sets. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..engine import Graph
from ..nn import EpochRecord, Network, Trainer
from ..nn.builder import NetworkSpec
from ..nn.datasets import Cancel, Dataset, Standardisation, load
from ..nn.settings import TrainingSettings
from ..nn.training_setup import network_inputs, set_up
from .built import Built


DEFAULTS: dict[str, TrainingSettings] = {
    "xor": TrainingSettings("xor", NetworkSpec("layer", (4,), "tanh", "sigmoid", "bce"), "adam", 0.05, None, 300),
    "moons": TrainingSettings("moons", NetworkSpec("layer", (8,), "tanh", "sigmoid", "bce"), "adam", 0.05, None, 300),
    "circles": TrainingSettings("circles", NetworkSpec("layer", (8,), "tanh", "sigmoid", "bce"), "adam", 0.05, None, 300),
    "spiral": TrainingSettings("spiral", NetworkSpec("layer", (16, 16), "tanh", "sigmoid", "bce"), "adam", 0.02, None, 1000),
    "blobs": TrainingSettings("blobs", NetworkSpec("layer", (6,), "tanh", "softmax", "cce"), "adam", 0.05, None, 200),
    "breast_cancer": TrainingSettings("breast_cancer", NetworkSpec("layer", (5,), "sigmoid", "sigmoid", "sse", normalise=True),
                                      "gd", 0.01, None, 100),
    "iris": TrainingSettings("iris", NetworkSpec("layer", (6,), "tanh", "softmax", "cce", normalise=True), "adam", 0.05, None, 200),
    "digits": TrainingSettings("digits", NetworkSpec("layer", (32,), "relu", "softmax", "cce", normalise=True),
                               "adam", 0.01, 64, 30),
    "letters": TrainingSettings("letters", NetworkSpec("layer", (5,), "sigmoid", "softmax", "cce"), "adam", 0.05, None, 200),
}


def defaults_for(dataset: str) -> TrainingSettings:
    return DEFAULTS.get(dataset, TrainingSettings(dataset, NetworkSpec("layer", (8,), "tanh", "softmax", "cce",
                                                                         normalise=True)))


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The parameters after an epoch, and that epoch's record."""

    epoch: int
    parameters: tuple[np.ndarray, ...]
    record: EpochRecord


@dataclass(frozen=True, eq=False)
class Standing:
    """Where training stood: weights, epoch count, shuffling generator, optimiser averages."""

    parameters: tuple[np.ndarray, ...]
    epochs_done: int
    rng: dict
    optimiser: dict


@dataclass(frozen=True, eq=False)
class Branch:
    """What training on from an earlier epoch set aside: the later history and snapshots,
    and where training stood at its end."""

    epoch: int
    history: tuple[EpochRecord, ...]
    snapshots: tuple[Snapshot, ...]
    latest: Standing


class SnapshotStore:
    """Weight snapshots that thin out as training goes on, so memory stays bounded.

    Every epoch is kept at first; when the store is full, every other snapshot after the
    first ``keep_early`` is dropped and the spacing doubles. 10,000 epochs keep at most
    ``capacity`` snapshots.
    """

    def __init__(self, capacity: int = 200, keep_early: int = 20):
        self.capacity, self.keep_early = capacity, keep_early
        self.spacing = 1
        self.snapshots: list[Snapshot] = []

    def offer(self, epoch: int, parameters, record: EpochRecord) -> bool:
        if epoch > self.keep_early and epoch % self.spacing:
            return False
        self.snapshots.append(Snapshot(epoch, tuple(np.array(p, copy=True) for p in parameters), record))
        if len(self.snapshots) > self.capacity:
            early = [s for s in self.snapshots if s.epoch <= self.keep_early]
            late = [s for s in self.snapshots if s.epoch > self.keep_early]
            self.spacing *= 2
            self.snapshots = early + [s for s in late if s.epoch % self.spacing == 0]
        return True

    def nearest(self, epoch: float) -> Snapshot | None:
        if not self.snapshots:
            return None
        return min(self.snapshots, key=lambda s: abs(s.epoch - epoch))


@dataclass(frozen=True, eq=False)
class Boundary:
    """A classifier's output over a grid covering a 2-D dataset.

    ``classes[i, j]`` is the predicted class at (xs[j], ys[i]); ``confidence`` its probability.
    """

    xs: np.ndarray
    ys: np.ndarray
    classes: np.ndarray
    confidence: np.ndarray


def grid_for(data: Dataset, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    low, high = data.X.min(axis=0), data.X.max(axis=0)
    pad = 0.15 * (high - low + 1e-9)
    return np.linspace(low[0] - pad[0], high[0] + pad[0], n), np.linspace(low[1] - pad[1], high[1] + pad[1], n)


def boundary(network: Network, xs: np.ndarray, ys: np.ndarray,
             inputs: Callable[[np.ndarray], np.ndarray] | None = None) -> Boundary:
    """Evaluate the network on a grid (it is left holding the grid rows); ``inputs`` is the
    run's way from points to what its network is fed (:meth:`TrainingRun.network_inputs`),
    when its rows are given feature columns or scaled before they reach the network."""
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    if inputs is not None:
        points = inputs(points)
    p = network.predict(points)
    classes = network.classify(p).reshape(gy.shape)
    confidence = (np.where(p[:, 0] > 0.5, p[:, 0], 1 - p[:, 0]) if p.shape[1] == 1 else p.max(axis=1))
    return Boundary(xs, ys, classes, confidence.reshape(gy.shape))


@dataclass(eq=False)
class TrainingRun:
    """A network built for a dataset, with what the window shows as it trains."""

    unit = "rows"  # what the data holds, in the window's words (a class attribute, not a field)

    settings: TrainingSettings
    data: Dataset
    train: Dataset
    test: Dataset
    network: Network
    trainer: Trainer
    history: list[EpochRecord] = field(default_factory=list)
    snapshots: SnapshotStore = field(default_factory=SnapshotStore)
    grid: tuple[np.ndarray, np.ndarray] | None = None
    #: How rows are scaled before they reach the network (a perceptron net that normalises).
    scaling: Standardisation | None = None
    #: The epoch whose weights the network holds after going back in time; None at the latest.
    at_epoch: int | None = None
    _latest: Standing | None = None

    @classmethod
    def create(cls, settings: TrainingSettings, data: Dataset | None = None, *,
               deadline: float | None = None, cancel: Cancel = None) -> TrainingRun:
        """A fresh network for the settings; ``data`` is the dataset when it was read already
        (a CSV file read once, off the window's thread), else it is loaded by name or path,
        reading stopped by ``deadline`` (a ``time.monotonic()`` value) or ``cancel`` with
        ReadCancelled. ValueError when the dataset has too few rows for the split asked for."""
        if data is None:
            data = load(settings.dataset, target=settings.target, seed=settings.seed, deadline=deadline,
                        cancel=cancel)
        setup = set_up(settings, data)
        grid = grid_for(data) if data.n_features == 2 and data.is_classification else None
        run = cls(settings, data, setup.train, setup.test, setup.network, setup.trainer, grid=grid,
                  scaling=setup.scaling)
        run.show_rows()
        return run

    def network_inputs(self, X: np.ndarray) -> np.ndarray:
        """Rows of the dataset's own columns (a grid's points, say) as the network is fed them:
        the chosen feature columns, scaled when the run scales its rows."""
        return network_inputs(X, self.settings, self.scaling)

    def show_rows(self, rows: int = 16) -> None:
        """Load a few training rows into the graph, so its passes can be stepped through."""
        part = self.train.rows(slice(0, min(rows, len(self.train))))
        self.network._fed = None
        self.network.set_data(part.X, self.network.encode_targets(part.y))
        self.network.graph.forward()

    def summary(self) -> str:
        """The network, its data and the split, in one line."""
        return (f"{self.network} on {self.data.name}: {len(self.train)} training {self.unit}, "
                f"{len(self.test)} test {self.unit}")

    def built(self) -> Built:
        net = self.network
        graph: Graph = net.graph
        return Built(graph, net.loss, None, net.parameters[:1], self.summary(), net)

    def resume(self, epochs_done: int, rng: dict, optimiser: dict[str, np.ndarray]) -> None:
        """Take back where training stood: the epoch count, the shuffling generator's state
        and the optimiser's averages. ValueError, with nothing changed, when they do not fit."""
        trial = type(self.trainer.rng.bit_generator)()
        try:
            trial.state = rng
            epochs_done = int(epochs_done)
        except (TypeError, ValueError, KeyError) as error:
            raise ValueError(f"the generator state or epoch count is not valid ({error})") from None
        self.trainer.optimiser.load_state(optimiser)  # checks everything before it changes
        self.trainer.rng.bit_generator.state = trial.state
        self.trainer.epochs_done = epochs_done

    def restore(self, snapshot: Snapshot) -> None:
        """Put an epoch's weights back. The history after it is kept, shown as what came after
        that point, until training goes on from there (:meth:`branch`); a snapshot at or past
        the last epoch brings the latest weights back."""
        if self.history and snapshot.epoch >= self.history[-1].epoch and self._latest is not None:
            self.network.load_parameter_values(self._latest.parameters)
            self._latest, self.at_epoch = None, None
        else:
            if self._latest is None:
                self._latest = self._where_it_stands()
            self.network.load_parameter_values(snapshot.parameters)
            self.at_epoch = snapshot.epoch
        self.show_rows()

    @property
    def rewound(self) -> bool:
        """True when the weights are those of an epoch before the last one trained."""
        return self.at_epoch is not None

    def branch(self) -> Branch:
        """Training goes on from the epoch gone back to: the later epochs are set aside and
        returned, so that :meth:`undo_branch` can put them back."""
        if self.at_epoch is None:
            raise ValueError("the weights are the latest: there is nothing to set aside")
        epoch = self.at_epoch
        cut = next((i for i, r in enumerate(self.history) if r.epoch > epoch), len(self.history))
        aside = Branch(epoch, tuple(self.history[cut:]),
                       tuple(s for s in self.snapshots.snapshots if s.epoch > epoch), self._latest)
        del self.history[cut:]
        self.snapshots.snapshots = [s for s in self.snapshots.snapshots if s.epoch <= epoch]
        self.trainer.epochs_done = epoch
        self._latest, self.at_epoch = None, None
        return aside

    def undo_branch(self, aside: Branch) -> None:
        """Put back what :meth:`branch` set aside, with the weights, optimiser and shuffling
        as they were at its last epoch; the epochs trained since the branch are dropped."""
        cut = next((i for i, r in enumerate(self.history) if r.epoch > aside.epoch), len(self.history))
        del self.history[cut:]
        self.history.extend(aside.history)
        kept = [s for s in self.snapshots.snapshots if s.epoch <= aside.epoch]
        self.snapshots.snapshots = kept + list(aside.snapshots)
        latest = aside.latest
        self.network.load_parameter_values(latest.parameters)
        self.trainer.optimiser.load_state(latest.optimiser)
        self.trainer.rng.bit_generator.state = latest.rng
        self.trainer.epochs_done = latest.epochs_done
        self._latest, self.at_epoch = None, None
        self.show_rows()

    def _where_it_stands(self) -> Standing:
        trainer = self.trainer
        return Standing(tuple(np.array(p, copy=True) for p in self.network.parameter_values()),
                        trainer.epochs_done, trainer.rng.bit_generator.state,
                        {k: np.array(v, copy=True) for k, v in trainer.optimiser.state().items()})
