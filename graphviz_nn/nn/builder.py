"""Building a network from plain settings: what the command line and the window both use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

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

    Raises
    ------
    ValueError
        When ``hidden`` lists more than ``MAX_HIDDEN_LAYERS`` widths or a width that is not a
        whole number from 1 to ``MAX_WIDTH``.
    """

    kind: str = "layer"
    hidden: tuple[int, ...] = (5,)
    activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    loss: str = "sse"
    bias: bool = True
    normalise: bool = False
    init: str | None = None

    def __post_init__(self) -> None:
        check_widths(self.hidden)

    @property
    def layer_names(self) -> tuple[str, ...]:
        """The names the network gives its layers (``Network.layers``), in order."""
        return (*(f"layer {k + 1}" for k in range(len(self.hidden))), "output")


#: The most hidden layers a spec may list: the window draws one scope per layer, and the
#: deepest dense nets people step through here have a handful.
MAX_HIDDEN_LAYERS = 32
#: The widest hidden layer a spec may ask for: one 4096 x 4096 weight matrix is 128 MiB of
#: float64, and a PerceptronNet makes three nodes for each weight.
MAX_WIDTH = 4096


def check_widths(hidden: object) -> None:
    """ValueError, quoting at most a few widths, unless ``hidden`` is a tuple of at most
    ``MAX_HIDDEN_LAYERS`` whole numbers from 1 to ``MAX_WIDTH``."""
    if not isinstance(hidden, tuple):
        raise ValueError(f"hidden widths must be a tuple of whole numbers, got {type(hidden).__name__}")
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{len(hidden)} hidden layers, more than the limit of {MAX_HIDDEN_LAYERS}; "
                         "list fewer widths")
    for k, width in enumerate(hidden):
        if isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, np.integer)):
            raise ValueError(f"hidden width {k + 1} must be a whole number, got {type(width).__name__}")
        if not 1 <= width <= MAX_WIDTH:
            shown = f"{width}" if -10**12 < width < 10**12 else "a number too large to show"
            raise ValueError(f"hidden width {k + 1} is {shown}; widths go from 1 to {MAX_WIDTH}")


def output_width(data: Dataset, output_activation: str) -> int:
    """One output for regression and for two classes (unless softmax), else one per class."""
    if not data.is_classification:
        return 1
    if data.n_classes == 2 and output_activation != "softmax":
        return 1
    return data.n_classes


def parameter_layout(spec: NetworkSpec, n_inputs: int, n_outputs: int) -> dict[str, tuple[int, int]]:
    """What :func:`build_network` would make, computed without building anything: for each
    layer name, how many parameter arrays it holds and how many numbers in them.

    A LayerNet layer holds a weight matrix and a bias vector; a PerceptronNet layer holds one
    scalar Variable per weight and per bias. ValueError for an unknown kind.
    """
    if spec.kind not in ("layer", "perceptron"):
        raise ValueError(f"unknown network kind {spec.kind!r}; choose layer or perceptron")
    sizes = (n_inputs, *spec.hidden, n_outputs)
    bias = int(bool(spec.bias))
    layout = {}
    for name, fan_in, fan_out in zip(spec.layer_names, sizes, sizes[1:]):
        numbers = (fan_in + bias) * fan_out
        layout[name] = (1 + bias if spec.kind == "layer" else numbers, numbers)
    return layout


def saved_widths(spec: NetworkSpec, saved: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    """The input and output widths of the network ``spec`` describes whose parameters are
    ``saved`` (as :func:`parameter_layout` gives them, read from a saved graph); ValueError,
    in words, when no widths make the spec's parameters those.

    Nothing is built, so a spec naming huge widths costs nothing to refuse.
    """
    names = spec.layer_names
    if set(saved) != set(names):
        found = ", ".join(sorted(saved)[:6]) + (", ..." if len(saved) > 6 else "")
        raise ValueError(f"its layers are {_names(names)}, the saved graph's parameters are in "
                         f"{found or 'no layer'}")
    bias = int(bool(spec.bias))
    first, last = saved[names[0]][1], saved[names[-1]][1]
    if spec.hidden:  # the first and last layers are fan-in x width and width x fan-out
        n_inputs = first // spec.hidden[0] - bias
        n_outputs = last // (spec.hidden[-1] + bias)
    else:  # one layer: only their product matters, as far as the parameters tell
        n_outputs = 1
        n_inputs = first - bias
    expected = parameter_layout(spec, max(n_inputs, 1), max(n_outputs, 1))
    wrong = next((name for name in names if saved[name] != expected[name]), None)
    if wrong is None and n_inputs >= 1 and n_outputs >= 1:
        return n_inputs, n_outputs
    arrays, numbers = saved[wrong or names[0]]
    widths = ", ".join(str(w) for w in spec.hidden[:8]) + (", ..." if len(spec.hidden) > 8 else "")
    raise ValueError(f"hidden widths [{widths}] do not make the saved graph's {wrong or names[0]!r} "
                     f"({arrays} parameter arrays of {numbers} numbers together)")


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names[:4]) + (f", ... {names[-1]}" if len(names) > 4 else "")


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
