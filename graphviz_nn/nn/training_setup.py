"""What a training run's settings make of a dataset: its split, the network, the optimiser and
the trainer. ``graphviz-nn train`` and the window's run (:class:`graphviz_nn.session.training.
TrainingRun`) both set up here, so the same settings train the same numbers in both."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .builder import build_network, output_width
from .datasets import Dataset, Standardisation, split, standardise
from .features import feature_columns, with_features
from .network import Network
from .optimisers import make_optimiser
from .settings import TrainingSettings
from .trainer import Trainer


@dataclass(frozen=True, eq=False)
class Setup:
    """A run ready to train.

    Attributes
    ----------
    train, test : Dataset
        The rows trained and tested on, as the network sees them (the chosen feature columns,
        scaled when ``scaling`` is set); ``test`` has no rows when ``test_fraction`` is 0.
    network : Network
    trainer : Trainer
    scaling : Standardisation or None
        How rows were scaled before they reached the network: a perceptron net's inputs,
        with ``normalise``, are standardised outside its graph (a LayerNet does it in nodes).
    """

    train: Dataset
    test: Dataset
    network: Network
    trainer: Trainer
    scaling: Standardisation | None = None


def network_inputs(X: np.ndarray, settings: TrainingSettings, scaling: Standardisation | None = None) -> np.ndarray:
    """Rows of the dataset's own columns as a run's network is fed them: the input columns
    ``settings.features`` chooses, then ``scaling`` (a :class:`Setup`'s) when there is one."""
    if settings.features is not None:
        X = feature_columns(X, settings.features)
    return X if scaling is None else scaling.apply(X)


def split_rows(settings: TrainingSettings, data: Dataset) -> tuple[Dataset, Dataset]:
    """The training and test rows the settings ask for; ValueError naming the setting when
    the dataset has too few rows for it."""
    if settings.train_rows is not None:
        return split(data, train_rows=settings.train_rows)
    if settings.test_fraction == 0:
        return data, data.rows(slice(0, 0))
    return split(data, test_fraction=settings.test_fraction, seed=settings.seed)


def set_up(settings: TrainingSettings, data: Dataset) -> Setup:
    """A fresh network for ``settings`` on ``data`` (read from ``settings.dataset``, with its
    ``target`` and ``seed``), fed the input columns of ``settings.features``, with its optimiser
    and trainer; ValueError when the dataset cannot be split as the settings ask, or is not 2-D
    and the settings choose features."""
    fed = with_features(data, settings.features)  # before the split: the same rows as without
    train, test = split_rows(settings, fed)
    spec, scaling = settings.spec, None
    if spec.normalise and spec.kind == "perceptron":
        train, test, scaling = standardise(train, test)
        spec = replace(spec, normalise=False)
    rng = np.random.default_rng(settings.seed)
    network = build_network(spec, fed.n_features, output_width(data, spec.output_activation), rng)
    optimiser = make_optimiser(settings.optimiser, network.parameters, settings.lr, settings.weight_decay)
    network.fit_normalisation(train.X)
    return Setup(train, test, network, Trainer(network, optimiser, settings.batch_size, rng), scaling)
