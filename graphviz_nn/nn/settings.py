"""The settings of a training run: the dataset, the network, how it is trained (their JSON form
is :mod:`graphviz_nn.io.records`')."""

from __future__ import annotations

from dataclasses import dataclass

from .builder import NetworkSpec


@dataclass(frozen=True)
class TrainingSettings:
    """Everything a training run is made from: the dataset, the network, how it is trained."""

    dataset: str = "xor"
    spec: NetworkSpec = NetworkSpec("layer", (4,), "tanh", "sigmoid", "bce")
    optimiser: str = "adam"
    lr: float = 0.05
    batch_size: int | None = None
    epochs: int = 300
    seed: int = 0
    test_fraction: float = 0.3
