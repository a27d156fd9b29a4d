"""Building a network from plain settings: what the command line and the window both use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .activations import ACTIVATIONS
from .checks import SettingsError, check_choice, check_flag, kind_of, shown
from .datasets import Dataset
from .init import INITIALISERS
from .layer_net import LayerNet
# The losses computed from the logits, and the output activation each needs: the losses'
# own table, so the spec refuses exactly what building would.
from .losses import _NEEDS_LOGITS as NEEDS_LOGITS
from .losses import LOSSES
from .network import Network
from .perceptron_net import PerceptronNet


@dataclass(frozen=True)
class NetworkSpec:
    """The settings of a network, enough to build it again.

    Attributes
    ----------
    kind : {"layer", "perceptron"}
    hidden : tuple of int
        Hidden widths (a list is kept as a tuple).
    activation, output_activation, loss : str
    bias : bool
    normalise : bool
        Standardise inputs with statistics from the training rows (LayerNet does it with
        graph nodes; for PerceptronNet the rows are scaled before they reach the graph).
    init : str or None
        None picks the network's default.

    Raises
    ------
    SettingsError
        A ValueError whose one-line message begins with the field's name, for a field of the
        wrong type, a name the builders do not know, a width that is not a whole number from 1
        to ``MAX_WIDTH`` or more than ``MAX_HIDDEN_LAYERS`` widths, a loss whose output
        activation it cannot be computed from, or a perceptron net asked for softmax or cce.
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
        check_choice("kind", self.kind, KINDS)
        object.__setattr__(self, "hidden", check_widths(self.hidden))
        check_choice("activation", self.activation, tuple(ACTIVATIONS))
        check_choice("output_activation", self.output_activation, tuple(ACTIVATIONS))
        check_choice("loss", self.loss, LOSSES)
        object.__setattr__(self, "bias", check_flag("bias", self.bias))
        object.__setattr__(self, "normalise", check_flag("normalise", self.normalise))
        check_choice("init", self.init, tuple(INITIALISERS), optional=True)
        needed = NEEDS_LOGITS.get(self.loss)
        if needed is not None and self.output_activation != needed:
            raise SettingsError("loss", f"loss {self.loss!r} needs output activation {needed!r} (it is computed "
                                        f"stably from the logits), not {self.output_activation!r}: set "
                                        f"output_activation to {needed!r} or choose another loss")
        if self.kind == "perceptron" and (self.output_activation == "softmax" or self.loss == "cce"):
            raise SettingsError("kind", "kind 'perceptron' has one perceptron per output: use LayerNet "
                                        "(kind 'layer') for softmax and cce, or sigmoid outputs with bce")

    @property
    def layer_names(self) -> tuple[str, ...]:
        """The names the network gives its layers (``Network.layers``), in order."""
        return (*(f"layer {k + 1}" for k in range(len(self.hidden))), "output")


#: The network kinds :func:`build_network` makes.
KINDS = ("layer", "perceptron")
#: The most hidden layers a spec may list: the window draws one scope per layer, and the
#: deepest dense nets people step through here have a handful.
MAX_HIDDEN_LAYERS = 32
#: The widest hidden layer a spec may ask for: one 4096 x 4096 weight matrix is 128 MiB of
#: float64, and a PerceptronNet makes three nodes for each weight.
MAX_WIDTH = 4096


def check_widths(hidden: object) -> tuple[int, ...]:
    """``hidden`` as a tuple of ints; SettingsError (field ``hidden``), quoting at most one
    width, unless it is a tuple (or list) of at most ``MAX_HIDDEN_LAYERS`` whole numbers from 1 to
    ``MAX_WIDTH``."""
    if not isinstance(hidden, (tuple, list)):
        raise SettingsError("hidden", f"hidden must be a tuple of whole numbers, got {kind_of(hidden)}")
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise SettingsError("hidden", f"hidden lists {len(hidden)} widths, more than the limit of "
                                      f"{MAX_HIDDEN_LAYERS} hidden layers; list fewer")
    for k, width in enumerate(hidden):
        if isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, np.integer)):
            raise SettingsError("hidden", f"hidden must list whole numbers, found {kind_of(width)} at [{k}]")
        if not 1 <= width <= MAX_WIDTH:
            raise SettingsError("hidden", f"hidden must list widths of at least 1 and at most {MAX_WIDTH}, found "
                                          f"{shown(int(width))} at [{k}]: widths go from 1 to {MAX_WIDTH} (one "
                                          f"{MAX_WIDTH} x {MAX_WIDTH} weight matrix is 128 MiB)")
    return tuple(int(width) for width in hidden)


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
    scalar Variable per weight and per bias.
    """
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
    """A LayerNet or PerceptronNet of the given widths (the spec checked its kind)."""
    sizes = [n_inputs, *spec.hidden, n_outputs]
    if spec.kind == "layer":
        return LayerNet(sizes, spec.activation, spec.output_activation, spec.loss, spec.bias,
                        spec.normalise, spec.init, rng)
    return PerceptronNet(sizes, spec.activation, spec.output_activation, spec.loss, spec.bias,
                         spec.init or "uniform", rng)
