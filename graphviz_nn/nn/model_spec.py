"""A model as a spec: its layers and their sizes, as JSON holds them, checked before anything is
built. The command line, the training process and session files all describe a model this way.

A spec is an ordered list of layers, each ``{"type": "Linear", "in_features": 64,
"out_features": 10}`` with torch's names (:mod:`.layer_types` lists the types). The record
checks itself when made: unknown types or arguments, sizes out of range, and more numbers
than :data:`MAX_PARAMETERS` altogether are refused from the spec alone, with a one-line
message naming the layer and the argument. :func:`shapes` walks a spec over its input's shape
without allocating anything, and refuses a layer that does not fit with both shapes:
``layer 3 Linear expects (N, 64), gets (N, 128)``. :func:`build` makes the model.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..engine import Node, as_node
from .checks import SettingsError, kind_of, shown
from .containers import Sequential
from .layer_types import LAYER_TYPES, REQUIRED, LayerType
from .module import Module
from .spec_shapes import Expected, Shape
from .spec_shapes import shown as shape_text

#: The most layers a spec may list: the window draws a scope per layer.
MAX_LAYERS = 256
#: The most numbers (parameters and buffers) a spec's layers may hold together: 16.8 million
#: float64 are 128 MiB, and training keeps their gradients and Adam two averages beside them.
MAX_PARAMETERS = 2**24
#: The most numbers one layer's output may hold for a batch (512 MiB of float64), as a
#: session file allows one node.
MAX_ELEMENTS = 2**26


class SpecError(SettingsError):
    """A spec refused: a one-line message naming the layer (``index``, from 0) and what is
    wrong; ``field`` is ``"layers"``."""

    def __init__(self, message: str, index: int | None = None):
        super().__init__("layers", message)
        self.index = index


@dataclass(frozen=True)
class LayerSpec:
    """One layer of a spec: its type and every argument (defaults filled in), in the type's
    order. ``spec["in_features"]`` reads an argument."""

    type: str
    args: tuple[tuple[str, Any], ...] = ()

    def __getitem__(self, name: str) -> Any:
        return dict(self.args)[name]

    def as_dict(self) -> dict[str, Any]:
        """``{"type": ..., argument: value, ...}`` as a spec's JSON lists a layer (tuples as lists)."""
        return {"type": self.type, **{k: list(v) if isinstance(v, tuple) else v for k, v in self.args}}


def _nearest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def check_layer(index: int, raw: Any) -> LayerSpec:
    """``raw`` (a mapping with "type" and the arguments, or a LayerSpec) as a checked
    LayerSpec; SpecError naming the layer and the argument."""
    if isinstance(raw, LayerSpec):
        raw = {"type": raw.type, **dict(raw.args)}
    if not isinstance(raw, Mapping):
        raise SpecError(f"layer {index} must be an object such as {{\"type\": \"Linear\", \"in_features\": 4, "
                        f"\"out_features\": 2}}, found {kind_of(raw)}", index)
    name = raw.get("type")
    if not isinstance(name, str):
        raise SpecError(f"layer {index} must name its type as text, found {kind_of(name)}", index)
    layer_type = LAYER_TYPES.get(name)
    if layer_type is None:
        raise SpecError(f"layer {index}: type {shown(name)} is unknown{_nearest(name, LAYER_TYPES)} "
                        f"({len(LAYER_TYPES)} types are known: Linear, Conv2d, LSTM, ...)", index)
    where = f"layer {index} {name}"
    names = {arg.name for arg in layer_type.args}
    extra = next((key for key in raw if key != "type" and key not in names), None)
    if extra is not None:
        known = ", ".join(sorted(names)) or "none"
        raise SpecError(f"{where}: no argument {shown(extra)}{_nearest(str(extra), names)} (its arguments: "
                        f"{known})", index)
    args = []
    for arg in layer_type.args:
        value = raw.get(arg.name, arg.default)
        if value is REQUIRED:
            raise SpecError(f"{where}: {arg.name} is missing; give it", index)
        try:
            args.append((arg.name, arg.check(value)))
        except ValueError as error:
            raise SpecError(f"{where}: {arg.name} {error}", index) from None
    problem = layer_type.check(dict(args)) if layer_type.check else None
    if problem:
        raise SpecError(f"{where}: {problem}", index)
    return LayerSpec(name, tuple(args))


@dataclass(frozen=True)
class ModelSpec:
    """A model's layers and sizes, checked when made.

    Attributes
    ----------
    layers : tuple of LayerSpec
        Given as LayerSpecs or as mappings ``{"type": "Linear", "in_features": 64, ...}``
        (kept as LayerSpecs with every default filled in).

    Raises
    ------
    SpecError
        (a SettingsError, so a ValueError) with a one-line message naming the layer and the
        argument: no layers or more than :data:`MAX_LAYERS`, a type or an argument that is
        unknown, missing, of the wrong kind or out of range, arguments that do not go
        together, or more than :data:`MAX_PARAMETERS` numbers in all. Nothing is allocated.
    """

    layers: tuple[LayerSpec, ...]

    def __post_init__(self) -> None:
        layers = self.layers
        if isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, (tuple, list)):
            raise SpecError(f"layers must be a list of layers, found {kind_of(layers)}")
        if not layers:
            raise SpecError("layers is empty: give at least one layer")
        if len(layers) > MAX_LAYERS:
            raise SpecError(f"layers lists {len(layers)} layers, more than the limit of {MAX_LAYERS}")
        checked = tuple(check_layer(i, raw) for i, raw in enumerate(layers))
        object.__setattr__(self, "layers", checked)
        counts = self.layer_numbers()
        total = sum(counts)
        if total > MAX_PARAMETERS:
            big = max(range(len(counts)), key=counts.__getitem__)
            raise SpecError(f"the layers hold {total:,} numbers, more than the limit of {MAX_PARAMETERS:,} "
                            f"(layer {big} {checked[big].type} holds {counts[big]:,}): give smaller sizes", big)

    @classmethod
    def of(cls, *layers: Mapping[str, Any] | LayerSpec) -> ModelSpec:
        """``ModelSpec.of({"type": "Linear", ...}, {"type": "ReLU"}, ...)``."""
        return cls(tuple(layers))

    def layer_numbers(self) -> list[int]:
        """Numbers (parameters and buffers) each layer holds, from the spec alone."""
        return [LAYER_TYPES[layer.type].numbers(dict(layer.args)) for layer in self.layers]

    @property
    def numbers(self) -> int:
        """Numbers the whole model holds, from the spec alone."""
        return sum(self.layer_numbers())

    @property
    def takes_tokens(self) -> bool:
        """True when the first layer that reads values reads tokens (an Embedding)."""
        for layer in self.layers:
            takes = LAYER_TYPES[layer.type].takes
            if takes != "any":
                return takes == "tokens"
        return False


def shapes(spec: ModelSpec, input_shape: Sequence[int | str], tokens: bool = False) -> list[Shape]:
    """The input's shape and each layer's output shape, worked out without building anything.

    Parameters
    ----------
    spec : ModelSpec
    input_shape : sequence of int or str
        Whole numbers, or names for sizes the data decides: ``("N", 1, 8, 8)``, ``("T", "N", 2)``.
    tokens : bool
        The input holds whole-number tokens (for an Embedding), not real values.

    Returns
    -------
    list of tuple
        ``len(spec.layers) + 1`` shapes.

    Raises
    ------
    SpecError
        Naming the layer and both shapes: ``layer 3 Linear expects (N, 64), gets (N, 128)``;
        or a layer whose output (all sizes known) would hold more than :data:`MAX_ELEMENTS`.
    """
    shape: Shape = tuple(input_shape)
    walked = [shape]
    for index, layer in enumerate(spec.layers):
        layer_type = LAYER_TYPES[layer.type]
        where = f"layer {index} {layer.type}"
        if layer_type.takes != "any" and (layer_type.takes == "tokens") != tokens:
            wanted = "tokens (whole numbers)" if layer_type.takes == "tokens" else "real values"
            given = "tokens" if tokens else "real values"
            raise SpecError(f"{where} expects {wanted}, gets {given} {shape_text(shape)}", index)
        try:
            shape = tuple(layer_type.output(dict(layer.args), shape))
        except Expected as expected:
            raise SpecError(f"{where} expects {expected}, gets {shape_text(shape)}", index) from None
        if layer_type.takes == "tokens":
            tokens = False
        if all(isinstance(d, int) for d in shape) and math.prod(shape) > MAX_ELEMENTS:
            raise SpecError(f"{where} makes {shape_text(shape)}, {math.prod(shape):,} numbers, more than the "
                            f"limit of {MAX_ELEMENTS:,} for one layer: use a smaller batch or smaller sizes", index)
        walked.append(shape)
    return walked


class LastStep(Module):
    """The last step of a sequence, steps first: ``output[-1]`` of (T, N, H) is (N, H), what a
    torch model's ``forward`` writes after its recurrent layer."""

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        if x.value.ndim < 2:
            raise ValueError(f"{self.label}: takes (T, N, ...) steps first, got shape {x.shape}")
        return x[-1]


class SpecModel(Sequential):
    """The model a spec builds: its layers in order, named "0", "1", ... as torch's Sequential.

    A layer returning ``(output, state)`` (a recurrent layer) passes its output on, and
    self-attention is called with its input as query, key and value, as a torch model's
    ``forward`` would write it.

    Attributes
    ----------
    spec : ModelSpec
    """

    def __init__(self, spec: ModelSpec, layers: Sequence[Module]):
        super().__init__(*layers)
        object.__setattr__(self, "spec", spec)
        object.__setattr__(self, "_self_attention",
                           tuple(LAYER_TYPES[layer.type].self_attention for layer in spec.layers))

    def forward(self, x: Any) -> Any:
        for layer, attends in zip(self._modules.values(), self._self_attention):
            x = layer(x, x, x) if attends else layer(x)
            if isinstance(x, tuple):
                x = x[0]
        return x


def build(spec: ModelSpec, rng: np.random.Generator | None = None) -> SpecModel:
    """The model ``spec`` describes, weights drawn from ``rng`` (a new ``default_rng(0)`` when
    None) layer by layer.

    Raises
    ------
    SpecError
        A layer type this version of the package does not have (before any layer is made).
    """
    if not isinstance(spec, ModelSpec):
        raise TypeError(f"build needs a ModelSpec, got {type(spec).__name__}")
    types: list[LayerType] = [LAYER_TYPES[layer.type] for layer in spec.layers]
    for index, layer_type in enumerate(types):
        if layer_type.resolve() is None:
            raise SpecError(f"layer {index} {layer_type.name}: this version of graphviz-nn has no "
                            f"{layer_type.name} layer yet; use another type", index)
    rng = rng if rng is not None else np.random.default_rng(0)
    return SpecModel(spec, [t.make(dict(layer.args), rng) for t, layer in zip(types, spec.layers)])
