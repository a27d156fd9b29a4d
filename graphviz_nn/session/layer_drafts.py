"""A layer as the model builder edits it: a new layer sized to fit where it goes, and a value
typed for one of its arguments read into the spec's plain form. Qt-free.

A layer's draft is its spec's JSON object (``{"type": "Linear", "in_features": 64, ...}``),
every argument written; its values may be anything typed, and the spec's own checks
(:class:`~graphviz_nn.nn.model_spec.ModelSpec`) say what is wrong with them.
"""

from __future__ import annotations

from typing import Any, Callable

from ..nn.layer_types import LAYER_TYPES, REQUIRED, Arg
from ..nn.spec_shapes import Shape

#: Layer types in the order the builder offers them: what a learner reaches for first.
OFFERED = ("Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "ReLU", "Tanh", "Sigmoid", "GELU", "Softmax",
           "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "RNN", "LSTM", "GRU", "LastStep", "Embedding",
           "MultiheadAttention", "TransformerBlock", "Identity")

#: A size for a new layer when the shape where it goes is not known (after a misfit).
GUESS = 16


def offered_types() -> tuple[str, ...]:
    """Every registered layer type, those of :data:`OFFERED` first in its order."""
    return tuple(name for name in OFFERED if name in LAYER_TYPES) + tuple(
        sorted(name for name in LAYER_TYPES if name not in OFFERED))


def _last(shape: Shape | None) -> int:
    return shape[-1] if shape and isinstance(shape[-1], int) else GUESS


def _channels(shape: Shape | None) -> int:
    return shape[1] if shape and len(shape) > 1 and isinstance(shape[1], int) else GUESS


#: The arguments that make a new layer take the shape it is given and, where it can, give
#: that shape back: inserted between two layers that fit, it leaves the rest fitting.
_FITTED: dict[str, Callable[[Shape | None, int | None], dict[str, Any]]] = {
    "Linear": lambda s, v: {"in_features": _last(s), "out_features": _last(s)},
    "Conv2d": lambda s, v: {"in_channels": _channels(s), "out_channels": _channels(s), "kernel_size": 3,
                            "padding": 1},
    "MaxPool2d": lambda s, v: {"kernel_size": 2},
    "AvgPool2d": lambda s, v: {"kernel_size": 2},
    "Softmax": lambda s, v: {"dim": -1},
    "BatchNorm1d": lambda s, v: {"num_features": _channels(s)},
    "BatchNorm2d": lambda s, v: {"num_features": _channels(s)},
    "LayerNorm": lambda s, v: {"normalized_shape": _last(s)},
    "RNN": lambda s, v: {"input_size": _last(s), "hidden_size": _last(s)},
    "LSTM": lambda s, v: {"input_size": _last(s), "hidden_size": _last(s)},
    "GRU": lambda s, v: {"input_size": _last(s), "hidden_size": _last(s)},
    "Embedding": lambda s, v: {"num_embeddings": v or GUESS, "embedding_dim": GUESS},
    "MultiheadAttention": lambda s, v: {"embed_dim": _last(s), "num_heads": 1},
    "TransformerBlock": lambda s, v: {"d_model": _last(s), "heads": 1, "d_ff": 4 * _last(s)},
}


def fitted_layer(type_name: str, shape: Shape | None = None, vocab: int | None = None) -> dict[str, Any]:
    """A new layer of ``type_name`` taking ``shape`` (None: not known), every argument written.

    Parameters
    ----------
    type_name : str
        A registered layer type.
    shape : tuple, optional
        The shape the layer is given, with names for sizes the data decides.
    vocab : int, optional
        How many tokens the data holds, for an Embedding.

    Raises
    ------
    ValueError
        An unknown type, naming the types known.
    """
    layer_type = LAYER_TYPES.get(type_name)
    if layer_type is None:
        raise ValueError(f"no layer type {type_name!r}; the builder knows {', '.join(offered_types())}")
    given = _FITTED.get(type_name, lambda s, v: {})(shape, vocab)
    layer: dict[str, Any] = {"type": type_name}
    for arg in layer_type.args:
        value = given.get(arg.name, arg.default)
        layer[arg.name] = 1 if value is REQUIRED else value  # a type added later: its least size
    return layer


def read_text(arg: Arg, text: str) -> Any:
    """A value typed for ``arg`` in the spec's plain form: ``"3"`` as 3, ``"3, 2"`` or
    ``"[3, 2]"`` as [3, 2], ``"true"`` as True, ``""`` as None (an optional argument's "not
    given"). A text that does not read is given back as it is, and the spec's check names
    the layer and the argument it does not fit."""
    if arg.kind == "choice":
        return text.strip()
    words = text.strip().strip("[]()").replace(",", " ").split()
    if not words:
        return None
    if arg.kind == "flag":
        return {"true": True, "false": False}.get(words[0].lower(), text) if len(words) == 1 else text
    number = float if arg.kind == "real" else int
    try:
        numbers = [number(word) for word in words]
    except ValueError:
        return text
    return numbers[0] if len(numbers) == 1 else numbers


def shown_value(value: Any) -> str:
    """A value as the builder's text boxes write it: ``3``, ``3, 2``, ``""`` for None."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
