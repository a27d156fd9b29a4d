"""A spec model's training run, as the window follows a dense network's: the model (a preset or
any spec) and its shaped data, the graph the window draws, its history and snapshots. Qt-free.

A :class:`ModelRun` is a :class:`~graphviz_nn.session.training.TrainingRun` whose network is a
:class:`SpecNetwork`: the same history, snapshots, time travel and branches, the same training
process and session file. The window draws the model and its loss on the first few training
samples, in evaluation mode (dropout off), built the first time it is asked for (off the
window's thread, where the picture is prepared): an unrolled recurrence of many steps takes a
while to build. A seeded build gives the same graph, node ids included, in the window and in
the training process, so the gradient norms the process sends colour the window's nodes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..engine import Graph, Node, Variable
from ..nn.model_setup import ModelSettings, load_data, set_up_model
from ..nn.model_spec import SpecModel
from ..nn.model_trainer import FedGraph, ModelTrainer
from ..nn.presets import preset_of
from ..nn.shaped_data import ShapedData
from .built import Built
from .magnitudes import gradient_norms
from .training import SnapshotStore, TrainingRun, TrainingSettings

#: Training samples the drawn graph holds: a batch's values, each node one array.
SHOWN_SAMPLES = 16
#: The weight maps an update carries at most, and the numbers in them together (2 MiB).
SHOWN_MAPS = 6
SHOWN_NUMBERS = 2**18
#: The numbers all snapshots together may hold (128 MiB of float64): a big model keeps fewer.
SNAPSHOT_NUMBERS = 2**24
#: The most steps of a sequence the window's form offers (an unrolled step is a few dozen
#: nodes), and a session file may ask to rebuild without holding as many nodes.
MAX_DRAWN_STEPS = 500


class SpecNetwork:
    """A spec model as a training run holds its network.

    Attributes
    ----------
    model : SpecModel
    trainer : ModelTrainer
    shown : ShapedData
        The samples the drawn graph holds.
    name : str or None
        The preset that made the spec for its data (``"cnn"``), None for another spec.
    parameters : tuple of Variable
        What the optimiser trains, in its order.
    layers : tuple of (str, tuple of Variable)
        Each layer with parameters, named as the epoch records' gradient norms name it.
    """

    def __init__(self, model: SpecModel, trainer: ModelTrainer, shown: ShapedData, name: str | None = None):
        self.model, self.trainer, self.shown, self.name = model, trainer, shown, name
        self.parameters = tuple(p for p in model.parameters() if isinstance(p, Variable))
        self.layers = trainer.layers
        self._keys = tuple(model.state_dict())
        self._fed: FedGraph | None = None
        self._building = threading.Lock()  # drawn off the window's thread, asked for on it too

    def __str__(self) -> str:
        spec = self.model.spec
        return f"{self.name or 'spec model'} ({len(spec.layers)} layers, {spec.numbers:,} parameters)"

    # --- the drawn graph ---------------------------------------------------------------------------
    @property
    def fed(self) -> FedGraph:
        """The model and its loss on :attr:`shown`, built (and computed) when first asked for."""
        with self._building:
            if self._fed is None:
                fed = self.trainer.build_graph(self.shown, training=False)
                fed.graph.forward()
                self._fed = fed
            return self._fed

    @property
    def graph(self) -> Graph:
        return self.fed.graph

    @property
    def loss(self) -> Node:
        return self.fed.loss

    def refresh(self) -> None:
        """Compute the drawn graph again at the weights the model holds (once it is built)."""
        if self._fed is not None:
            self._fed.graph.forward()

    def gradient_norms(self) -> dict[str, float]:
        """‖dL/d·‖ of every node of the drawn graph at the weights the model holds, by node id.

        Its backward pass sets the parameters' gradients: call it between epochs, never
        between a batch and the epoch's record (whose norms are the last batch's)."""
        graph, loss = self.graph, self.loss
        graph.forward()
        graph.backward(loss)
        return gradient_norms(graph)

    # --- weights -----------------------------------------------------------------------------------
    def parameter_values(self) -> list[np.ndarray]:
        """Copies of the model's state (parameters and buffers) in torch's key order."""
        return list(self.model.state_dict().values())

    def load_parameter_values(self, values: Sequence[np.ndarray]) -> None:
        """Put a :meth:`parameter_values` back; ValueError, with nothing changed, when it does
        not fit (a count, a shape)."""
        if len(values) != len(self._keys):
            raise ValueError(f"expected {len(self._keys)} arrays for {self}, got {len(values)}")
        self.model.load_state_dict(dict(zip(self._keys, values)))

    def weight_matrices(self) -> tuple[tuple[str, np.ndarray], ...]:
        """The weights of at least two axes under torch's keys, as copies: a filter bank
        (out, in, kh, kw) as one row per output channel; at most :data:`SHOWN_MAPS` of them and
        :data:`SHOWN_NUMBERS` numbers together, so an update stays small."""
        maps, numbers = [], 0
        for key, p in self.model.named_parameters():
            value = np.asarray(p.value)
            if not isinstance(p, Variable) or value.ndim < 2:
                continue
            if len(maps) == SHOWN_MAPS or numbers + value.size > SHOWN_NUMBERS:
                break
            maps.append((key, value.reshape(value.shape[0], -1).copy()))
            numbers += value.size
        return tuple(maps)


def snapshot_store(numbers: int) -> SnapshotStore:
    """A snapshot store for a model of ``numbers`` numbers: at most :data:`SNAPSHOT_NUMBERS`
    together (a dense network's 200 for a small model)."""
    capacity = max(4, min(200, SNAPSHOT_NUMBERS // max(numbers, 1)))
    return SnapshotStore(capacity, keep_early=min(20, capacity // 2))


@dataclass(eq=False)
class ModelRun(TrainingRun):
    """A spec model built for a shaped dataset, with what the window shows as it trains (see
    :class:`~graphviz_nn.session.training.TrainingRun`; its ``data``, ``train`` and ``test``
    are :class:`~graphviz_nn.nn.shaped_data.ShapedData`, its ``network`` a
    :class:`SpecNetwork`)."""

    unit = "samples"

    @classmethod
    def create(cls, settings: ModelSettings, data: ShapedData | None = None, **_ignored) -> ModelRun:
        """A fresh model for the settings; ``data`` when it was laid out already, else loaded
        by name. SpecError (naming the layer and both shapes) when the spec does not fit the
        data, before anything is built; ValueError or DatasetError when the data cannot be had."""
        given = data  # as the dataset gives it (steps first), for the preset's name
        if data is None:
            given = load_data(settings.dataset, settings.length, settings.seed)
            data = given.batch_first() if settings.batch_first else given
        elif settings.batch_first:
            given = None
        setup = set_up_model(settings, data)
        shown = setup.train.take(slice(0, min(SHOWN_SAMPLES, len(setup.train))))
        name = None if given is None else preset_of(settings.spec, given)
        network = SpecNetwork(setup.model, setup.trainer, shown, name)
        return cls(settings, data, setup.train, setup.test, network, setup.trainer,
                   snapshots=snapshot_store(settings.spec.numbers))

    def show_rows(self, rows: int = SHOWN_SAMPLES) -> None:
        """The drawn graph computed again at the weights the model holds."""
        self.network.refresh()

    def built(self) -> Built:
        net = self.network
        return Built(net.graph, net.loss, None, net.parameters[:1], self.summary(), net)


def create_run(settings: TrainingSettings | ModelSettings, data=None) -> TrainingRun:
    """The run ``settings`` describe: a dense network's or a spec model's (``data`` as their
    ``create`` takes it)."""
    if isinstance(settings, ModelSettings):
        return ModelRun.create(settings, data)
    return TrainingRun.create(settings, data)
