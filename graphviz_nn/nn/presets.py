"""Named model specs, sized by the data they train on: ``graphviz-nn train --model cnn
--dataset digits`` builds the ``cnn`` preset for (N, 1, 8, 8) images and ten classes."""

from __future__ import annotations

import math
from typing import Callable

from .model_setup import load_data
from .model_spec import ModelSpec
from .shaped_data import ShapedData


def _refuse(name: str, data: ShapedData, takes: str) -> ValueError:
    layout = "tokens" if data.tokens else ("sequences" if data.x_axis == 1 else f"samples of shape {data.x.shape[1:]}")
    return ValueError(f"--model {name} takes {takes}; {data.name} holds {layout}")


def mlp(data: ShapedData) -> tuple[ModelSpec, ShapedData]:
    """Rows (or images, flattened): Linear, ReLU, Linear."""
    if data.tokens or data.x_axis != 0:
        raise _refuse("mlp", data, "rows or images (use lstm, gru, rnn or transformer for sequences)")
    width = math.prod(data.x.shape[1:])
    layers = [{"type": "Flatten"}] if data.x.ndim > 2 else []
    layers += [{"type": "Linear", "in_features": width, "out_features": 32}, {"type": "ReLU"},
               {"type": "Linear", "in_features": 32, "out_features": data.outputs}]
    return ModelSpec(layers), data


def cnn(data: ShapedData) -> tuple[ModelSpec, ShapedData]:
    """Images (N, C, H, W): two 3 x 3 convolutions of 8 and 16 channels, each with ReLU and a
    2 x 2 max pool (while the image is 2 wide or more), then Linear, ReLU, Linear."""
    if data.tokens or data.x.ndim != 4 or data.x_axis != 0:
        raise _refuse("cnn", data, "images (N, C, H, W), such as --dataset digits")
    channels, height, width = data.x.shape[1:]
    layers = []
    for out in (8, 16):
        layers += [{"type": "Conv2d", "in_channels": channels, "out_channels": out, "kernel_size": 3, "padding": 1},
                   {"type": "ReLU"}]
        channels = out
        if min(height, width) >= 2:
            layers.append({"type": "MaxPool2d", "kernel_size": 2})
            height, width = height // 2, width // 2
    layers += [{"type": "Flatten"}, {"type": "Linear", "in_features": channels * height * width, "out_features": 64},
               {"type": "ReLU"}, {"type": "Linear", "in_features": 64, "out_features": data.outputs}]
    return ModelSpec(layers), data


def recurrent(kind: str, hidden: int = 16) -> Callable[[ShapedData], tuple[ModelSpec, ShapedData]]:
    """Sequences (T, N, F), or tokens (T, N) through an Embedding: one recurrent layer, its last
    step (for one target per sequence) or every step, then Linear."""
    def make(data: ShapedData) -> tuple[ModelSpec, ShapedData]:
        if data.x_axis != 1:
            raise _refuse(kind.lower(), data, "sequences (T, N, F) or tokens (T, N), such as --dataset adding")
        layers = []
        width = data.x.shape[2] if data.x.ndim == 3 else 1
        if data.tokens:
            layers.append({"type": "Embedding", "num_embeddings": data.vocab, "embedding_dim": hidden})
            width = hidden
        layers.append({"type": kind, "input_size": width, "hidden_size": hidden})
        if not data.per_step:
            layers.append({"type": "LastStep"})
        layers.append({"type": "Linear", "in_features": hidden, "out_features": data.outputs})
        return ModelSpec(layers), data
    make.__doc__ = f"{kind}: " + (recurrent.__doc__ or "")
    return make


def transformer(data: ShapedData) -> tuple[ModelSpec, ShapedData]:
    """Tokens, batch first (N, T): Embedding, a causal TransformerBlock, Linear over every step."""
    if not data.tokens or not data.per_step:
        raise _refuse("transformer", data, "token sequences with a target at each step, such as --dataset text")
    d = 32
    layers = [{"type": "Embedding", "num_embeddings": data.vocab, "embedding_dim": d},
              {"type": "TransformerBlock", "d_model": d, "heads": 4, "d_ff": 4 * d, "causal": True},
              {"type": "Linear", "in_features": d, "out_features": data.outputs}]
    return ModelSpec(layers), data.batch_first()


PRESETS: dict[str, Callable[[ShapedData], tuple[ModelSpec, ShapedData]]] = {
    "mlp": mlp, "cnn": cnn, "lstm": recurrent("LSTM"), "gru": recurrent("GRU"), "rnn": recurrent("RNN"),
    "transformer": transformer,
}


def preset(name: str, data: ShapedData) -> tuple[ModelSpec, ShapedData]:
    """The preset ``name`` sized for ``data``, and the data laid out as it reads it.

    Raises
    ------
    ValueError
        An unknown name, or data the preset does not take (saying what it takes).
    """
    if name not in PRESETS:
        raise ValueError(f"--model {name!r} is unknown; choose one of {', '.join(PRESETS)}")
    return PRESETS[name](data)


def preset_for(name: str, dataset: str, length: int | None = None,
               seed: int = 0) -> tuple[ModelSpec, ShapedData, bool]:
    """The preset ``name`` sized for the dataset ``dataset`` (sequences of ``length`` steps),
    the data laid out as it reads it, and whether that layout is batch first: what
    :class:`~graphviz_nn.nn.model_setup.ModelSettings` needs, as ``graphviz-nn train --model``
    and the window's training form make it.

    Raises
    ------
    ValueError
        An unknown name, data the preset does not take, or a length for a set that is not of
        sequences; DatasetError for a dataset that cannot be read.
    """
    raw = load_data(dataset, length, seed)
    spec, data = preset(name, raw)
    return spec, data, raw.x_axis == 1 and data.x_axis == 0


def preset_of(spec: ModelSpec, data: ShapedData) -> str | None:
    """The name of the preset that makes ``spec`` for ``data`` (as the dataset gives it:
    sequences steps first), or None for a spec of another making."""
    for name, make in PRESETS.items():
        try:
            if make(data)[0] == spec:
                return name
        except ValueError:
            continue
    return None
