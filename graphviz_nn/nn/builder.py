"""Building a network from plain settings: what the command line and the window both use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .datasets import Dataset
from .layer_net import LayerNet
from .network import Network
from .perceptron_net import PerceptronNet


@dataclass(frozen=True)
class NetworkSpec:
    """The settings of a network, enough to build it again.

    Attributes
    ----------
    kind : {"layer", "perceptron"}
    hidden : tuple of int
        Hidden widths.
    activation, output_activation, loss : str
    bias : bool
    normalise : bool
        Standardise inputs with statistics from the training rows (LayerNet does it with
        graph nodes; for PerceptronNet the rows are scaled before they reach the graph).
    init : str or None
        None picks the network's default.
    """

    kind: str = "layer"
    hidden: tuple[int, ...] = (5,)
    activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    loss: str = "sse"
    bias: bool = True
    normalise: bool = False
    init: str | None = None


def output_width(data: Dataset, output_activation: str) -> int:
    """One output for regression and for two classes (unless softmax), else one per class."""
    if not data.is_classification:
        return 1
    if data.n_classes == 2 and output_activation != "softmax":
        return 1
    return data.n_classes


def build_network(spec: NetworkSpec, n_inputs: int, n_outputs: int, rng: np.random.Generator) -> Network:
    """A LayerNet or PerceptronNet of the given widths; ValueError for an unknown kind."""
    sizes = [n_inputs, *spec.hidden, n_outputs]
    if spec.kind == "layer":
        return LayerNet(sizes, spec.activation, spec.output_activation, spec.loss, spec.bias,
                        spec.normalise, spec.init, rng)
    if spec.kind == "perceptron":
        return PerceptronNet(sizes, spec.activation, spec.output_activation, spec.loss, spec.bias,
                             spec.init or "uniform", rng)
    raise ValueError(f"unknown network kind {spec.kind!r}; choose layer or perceptron")
