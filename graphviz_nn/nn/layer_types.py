"""The layer types a model spec may name: for each, its arguments (types and ranges, torch's
names), its output shape and how many numbers it holds, all known from the spec alone.

A type names its class by the name ``graphviz_nn.nn`` exports it under, looked up when a
model is built: a layer added to the package (``Conv2d``, ``TransformerBlock``) is used as soon
as it is exported, and a spec naming one this version lacks is refused when built, not read.
Adding a type is one :func:`register` call with its :class:`LayerType`.
"""

from __future__ import annotations

import importlib
import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from .checks import kind_of, shown
from . import spec_shapes as rules

#: The largest size an argument may give (features, channels, hidden units, a vocabulary):
#: one Linear(65536, 65536) alone would be 32 GiB; the parameter budget refuses far less.
MAX_SIZE = 2**16
#: The largest kernel, stride or padding along one axis.
MAX_WINDOW = 64
#: Recurrent layers stacked in one layer of a spec.
MAX_STACKED = 16

REQUIRED = object()  # an argument without a default


@dataclass(frozen=True)
class Arg:
    """One argument of a layer type.

    Attributes
    ----------
    name : str
        torch's name for it.
    kind : {"whole", "real", "flag", "choice", "pair", "shape"}
        "pair" takes a whole number or a list of two ([3, 3] for a 3 x 3 kernel), "shape"
        a whole number or a list of up to 8 (LayerNorm's normalized_shape).
    least, most : float
        The range of a number, both ends included (of each number, for a pair or a shape).
    default : object
        REQUIRED when the spec must give it.
    choices : tuple of str
        The texts a "choice" takes.
    optional : bool
        None is also taken (MaxPool2d's stride).
    """

    name: str
    kind: str = "whole"
    least: float = 1
    most: float = MAX_SIZE
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    optional: bool = False

    def check(self, value: Any) -> Any:
        """``value`` in the spec's plain form (ints, floats, bools, texts, tuples of ints);
        ValueError with the rest of a one-line message ("must be ..., found ...")."""
        if value is None and self.optional:
            return None
        if self.kind == "flag":
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"must be true or false, found {kind_of(value)}")
            return bool(value)
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(f"must be one of {', '.join(map(repr, self.choices))}, found {shown(value)}")
            return value
        if self.kind == "real":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValueError(f"must be a number, found {kind_of(value)}")
            number = float(value)
            if not (math.isfinite(number) and self.least <= number <= self.most):
                raise ValueError(f"must be a number in [{self.least:g}, {self.most:g}], found {shown(value)}")
            return number
        if self.kind in ("pair", "shape") and isinstance(value, (list, tuple)):
            count = (2,) if self.kind == "pair" else range(1, 9)
            if len(value) not in count:
                wanted = "2" if self.kind == "pair" else "1 to 8"
                raise ValueError(f"must be a whole number or a list of {wanted}, found a list of {len(value)}")
            return tuple(self._whole(v) for v in value)
        return self._whole(value)

    def _whole(self, value: Any) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"must be a whole number, found {kind_of(value)}")
        if not self.least <= value <= self.most:
            raise ValueError(f"must be a whole number from {self.least:g} to {self.most:g}, found {shown(int(value))}")
        return int(value)


@dataclass(frozen=True)
class LayerType:
    """A layer a spec may name.

    Attributes
    ----------
    name : str
        The class's name, torch's (``"Linear"``).
    args : tuple of Arg
        In the order of the class's parameters.
    output : callable (args, shape) -> shape
        Raises :class:`~graphviz_nn.nn.spec_shapes.Expected` for an input it does not take.
    numbers : callable (args) -> int
        Parameters and buffers together, counted from the arguments.
    takes : {"real", "tokens", "any"}
        What the input holds: real values, whole-number tokens (an Embedding), or either
        (passed on unchanged).
    cls : str or type
        The class, or its name in ``graphviz_nn.nn`` (looked up when built).
    positional : int
        How many of ``args`` go to the class by position, the rest by name.
    self_attention : bool
        Called as ``layer(x, x, x)`` (torch's MultiheadAttention), its first output kept.
    check : callable (args) -> str or None, optional
        What is wrong with arguments that are each in range but do not go together.
    """

    name: str
    args: tuple[Arg, ...]
    output: Callable[[Mapping[str, Any], rules.Shape], rules.Shape]
    numbers: Callable[[Mapping[str, Any]], int] = lambda args: 0
    takes: str = "real"
    cls: Any = None
    positional: int = 0
    self_attention: bool = False
    check: Callable[[Mapping[str, Any]], str | None] | None = field(default=None)

    def resolve(self) -> type | None:
        """The class, or None when this version of the package has none of that name."""
        if self.cls is not None and not isinstance(self.cls, str):
            return self.cls
        package = importlib.import_module("graphviz_nn.nn")
        return getattr(package, self.cls or self.name, None)

    def make(self, args: Mapping[str, Any], rng: np.random.Generator) -> Any:
        """The layer, its weights drawn from ``rng`` when it has any."""
        cls = self.resolve()
        names = [a.name for a in self.args]
        values = [args[n] for n in names]
        given = dict(zip(names[self.positional:], values[self.positional:]))
        if "rng" in _parameters_of(cls):  # weights, or dropout's masks
            given["rng"] = rng
        return cls(*values[:self.positional], **given)


def _parameters_of(cls: type) -> tuple[str, ...]:
    try:
        return tuple(inspect.signature(cls).parameters)
    except (TypeError, ValueError):  # pragma: no cover - a class without a signature
        return ()


LAYER_TYPES: dict[str, LayerType] = {}


def register(layer_type: LayerType) -> LayerType:
    """Add a layer type a spec may name (replacing one of the same name)."""
    LAYER_TYPES[layer_type.name] = layer_type
    return layer_type


# --- how many numbers each holds -----------------------------------------------------------------
def _linear(a):
    return a["in_features"] * a["out_features"] + a["out_features"] * a["bias"]


def _recurrent(gates: int):
    def count(a):
        H, bias = a["hidden_size"], 2 * a["bias"]
        first = gates * H * (a["input_size"] + H + bias)
        return first + (a["num_layers"] - 1) * gates * H * (2 * H + bias)
    return count


def _conv(a):
    kh, kw = rules.pair(a["kernel_size"])
    return a["out_channels"] * (a["in_channels"] * kh * kw + a["bias"])


def _layer_norm(a):
    shape = a["normalized_shape"]
    return 2 * (shape if isinstance(shape, int) else math.prod(shape)) * a["elementwise_affine"]


def _attention(a):
    E = a["embed_dim"]
    return 4 * E * E + 4 * E


def _block(a):
    d, ff = a["d_model"], a["d_ff"]
    return _attention({"embed_dim": d}) + 4 * d + 2 * d * ff + ff + d


def _heads_divide(width: str, heads: str):
    def check(a):
        if a[width] % a[heads]:
            return f"{width} {a[width]} must be a multiple of {heads} {a[heads]} (each head takes an equal part)"
        return None
    return check


def _pool_padding(a):
    kernel, padding = rules.pair(a["kernel_size"]), rules.pair(a["padding"])
    if any(2 * p > k for p, k in zip(padding, kernel)):
        return f"padding {a['padding']} must be at most half of kernel_size {a['kernel_size']}"
    return None


# --- the types ------------------------------------------------------------------------------------
_SIZE = Arg("size")
_BIAS = Arg("bias", "flag", default=True)
_WINDOW = dict(kind="pair", most=MAX_WINDOW)
_RECURRENT_ARGS = (Arg("input_size"), Arg("hidden_size"), Arg("num_layers", most=MAX_STACKED, default=1))

for _name in ("Identity", "ReLU", "Tanh", "Sigmoid"):
    register(LayerType(_name, (), rules.same, takes="any" if _name == "Identity" else "real"))
register(LayerType("GELU", (Arg("approximate", "choice", default="none", choices=("none", "tanh")),), rules.same))
register(LayerType("Softmax", (Arg("dim", least=-8, most=7),), rules.softmax_rule))
register(LayerType("Flatten", (Arg("start_dim", least=-8, most=7, default=1), Arg("end_dim", least=-8, most=7, default=-1)),
                   rules.flatten_rule))
register(LayerType("Linear", (Arg("in_features"), Arg("out_features"), _BIAS),
                   rules.features("in_features", "out_features"), _linear))
register(LayerType("Embedding", (Arg("num_embeddings"), Arg("embedding_dim")), rules.embedding_rule,
                   lambda a: a["num_embeddings"] * a["embedding_dim"], takes="tokens"))
register(LayerType("RNN", (*_RECURRENT_ARGS, Arg("nonlinearity", "choice", default="tanh", choices=("tanh", "relu")),
                           _BIAS), rules.recurrent_rule, _recurrent(1)))
register(LayerType("LSTM", (*_RECURRENT_ARGS, _BIAS), rules.recurrent_rule, _recurrent(4)))
register(LayerType("GRU", (*_RECURRENT_ARGS, _BIAS), rules.recurrent_rule, _recurrent(3)))
register(LayerType("LastStep", (), rules.last_step_rule, cls="LastStep"))
# Layers of their own modules, used once the package exports them.
register(LayerType("Conv2d", (Arg("in_channels"), Arg("out_channels"), Arg("kernel_size", **_WINDOW),
                              Arg("stride", default=1, **_WINDOW), Arg("padding", least=0, default=0, **_WINDOW),
                              Arg("dilation", default=1, **_WINDOW), _BIAS), rules.conv2d_rule, _conv))
for _name in ("MaxPool2d", "AvgPool2d"):
    register(LayerType(_name, (Arg("kernel_size", **_WINDOW), Arg("stride", default=None, optional=True, **_WINDOW),
                               Arg("padding", least=0, default=0, **_WINDOW)), rules.pool2d_rule,
                       check=_pool_padding))
register(LayerType("Dropout", (Arg("p", "real", least=0.0, most=1.0, default=0.5),), rules.same, takes="any"))
register(LayerType("BatchNorm1d", (Arg("num_features"),), rules.batch_norm_rule((2, 3)),
                   lambda a: 4 * a["num_features"] + 1))
register(LayerType("BatchNorm2d", (Arg("num_features"),), rules.batch_norm_rule((4,)),
                   lambda a: 4 * a["num_features"] + 1))
register(LayerType("LayerNorm", (Arg("normalized_shape", "shape"), Arg("elementwise_affine", "flag", default=True)),
                   rules.layer_norm_rule, _layer_norm))
register(LayerType("MultiheadAttention", (Arg("embed_dim"), Arg("num_heads", most=1024),
                                          Arg("batch_first", "flag", default=False)),
                   rules.steps("embed_dim"), _attention, self_attention=True, check=_heads_divide("embed_dim", "num_heads")))
register(LayerType("TransformerBlock", (Arg("d_model"), Arg("heads", most=1024), Arg("d_ff"),
                                        Arg("causal", "flag", default=False)),
                   rules.steps("d_model"), _block, positional=3, check=_heads_divide("d_model", "heads")))
