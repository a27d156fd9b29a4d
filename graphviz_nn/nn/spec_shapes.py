"""The output shape of each layer type, worked out from its arguments and its input's shape
alone: what a model spec makes of its data is known before anything is allocated.

A shape is a tuple of dimensions, each a whole number or a name standing for a size the data
decides ("N" for the batch, "T" for the steps). A rule returns the output shape, or raises
:class:`Expected` with the shape the layer takes, written as its message names it:
``layer 3 Linear expects (N, 64), gets (N, 128)``.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

Dim = int | str
Shape = tuple[Dim, ...]
Args = Mapping[str, Any]


class Expected(ValueError):
    """What a layer takes, when the shape it is given does not fit: its message is that shape
    in words ("(N, 64)", "(T, N, 2)", "a shape of at least 2 axes")."""


def shown(shape: Sequence[Dim]) -> str:
    """``(N, 64)``; one axis as ``(64,)`` as Python writes it."""
    parts = [str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _product(dims: Sequence[Dim]) -> Dim:
    """The size of axes joined into one: a number when all are numbers, else their names
    joined with "·" ("T·8")."""
    if all(isinstance(d, int) for d in dims):
        return math.prod(dims)
    return "·".join(str(d) for d in dims)


def pair(value: Any) -> tuple[int, int]:
    """A size given as one whole number or as two (kernel_size=3 or [3, 2])."""
    return (int(value), int(value)) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _with_last(shape: Shape, last: Dim) -> str:
    return shown(shape[:-1] + (last,)) if shape else shown(("N", last))


def features(size_arg: str, out_arg: str | None = None):
    """A rule for layers that read the last axis as ``args[size_arg]`` features and give
    ``args[out_arg]`` (the same when None): Linear, LayerNorm's one axis, attention."""
    def rule(args: Args, shape: Shape) -> Shape:
        size = args[size_arg]
        if not shape or shape[-1] != size:
            raise Expected(_with_last(shape, size))
        return shape[:-1] + (args[out_arg] if out_arg else size,)
    return rule


def steps(size_arg: str):
    """A rule for attention over steps of ``args[size_arg]`` features: (T, N, E), (N, T, E)
    with ``batch_first``, or one sequence (T, E), given back as it is. (The layers refuse a
    single vector, which the features rule would pass.)"""
    def rule(args: Args, shape: Shape) -> Shape:
        size = args[size_arg]
        if len(shape) < 2 or shape[-1] != size:
            batch = ("N", "T") if args.get("batch_first", True) else ("T", "N")
            raise Expected(f"{shown(batch + (size,))} or {shown(('T', size))}")
        return shape
    return rule


def same(args: Args, shape: Shape) -> Shape:
    """Elementwise layers: any shape, unchanged."""
    return shape


def softmax_rule(args: Args, shape: Shape) -> Shape:
    dim = args["dim"]
    if not -len(shape) <= dim < len(shape):
        raise Expected(f"a shape with an axis {dim}")
    return shape


def flatten_rule(args: Args, shape: Shape) -> Shape:
    n = max(len(shape), 1)
    start, end = args["start_dim"], args["end_dim"]
    if not (-n <= start < n and -n <= end < n) or start % n > end % n:
        raise Expected(f"a shape with axes {start} to {end}")
    start, end = start % n, end % n
    return shape[:start] + (_product(shape[start:end + 1]),) + shape[end + 1:]


def embedding_rule(args: Args, shape: Shape) -> Shape:
    return shape + (args["embedding_dim"],)


def recurrent_rule(args: Args, shape: Shape) -> Shape:
    """(T, N, input_size) in, (T, N, hidden_size) out: the outputs at every step."""
    size = args["input_size"]
    if len(shape) != 3 or shape[2] != size:
        raise Expected(shown(("T", "N", size)))
    return shape[:2] + (args["hidden_size"],)


def last_step_rule(args: Args, shape: Shape) -> Shape:
    if len(shape) < 2:
        raise Expected("(T, N, ...), steps first")
    return shape[1:]


def _window(size: Dim, kernel: int, stride: int, padding: int, dilation: int = 1) -> Dim | None:
    """Positions of a window along one axis, None when the window is larger than the padded
    axis; a named size stays named."""
    if not isinstance(size, int):
        return size
    reach = dilation * (kernel - 1) + 1
    return None if size + 2 * padding < reach else (size + 2 * padding - reach) // stride + 1


def _spatial(args: Args, shape: Shape, channels: Dim, out_channels: Dim, stride: Any) -> Shape:
    kernel, padding = pair(args["kernel_size"]), pair(args["padding"])
    dilation = pair(args.get("dilation", 1))
    stride = pair(stride)
    if len(shape) != 4 or shape[1] != channels:
        raise Expected(shown(("N", channels, "H", "W")))
    sizes = [_window(shape[2 + i], kernel[i], stride[i], padding[i], dilation[i]) for i in range(2)]
    if None in sizes:
        least = [dilation[i] * (kernel[i] - 1) + 1 - 2 * padding[i] for i in range(2)]
        raise Expected(shown(("N", channels, f"H ≥ {least[0]}", f"W ≥ {least[1]}"))
                       + f" for its {kernel[0]} x {kernel[1]} kernel")
    return (shape[0], out_channels, *sizes)


def conv2d_rule(args: Args, shape: Shape) -> Shape:
    return _spatial(args, shape, args["in_channels"], args["out_channels"], args["stride"])


def pool2d_rule(args: Args, shape: Shape) -> Shape:
    channels = shape[1] if len(shape) == 4 else "C"
    stride = args["stride"] if args["stride"] is not None else args["kernel_size"]
    return _spatial(args, shape, channels, channels, stride)


def batch_norm_rule(axes: tuple[int, ...]):
    """(N, C) or (N, C, L) for BatchNorm1d, (N, C, H, W) for BatchNorm2d, C = num_features."""
    def rule(args: Args, shape: Shape) -> Shape:
        c = args["num_features"]
        if len(shape) not in axes or shape[1] != c:
            forms = {2: ("N", c), 3: ("N", c, "L"), 4: ("N", c, "H", "W")}
            raise Expected(" or ".join(shown(forms[n]) for n in axes))
        return shape
    return rule


def layer_norm_rule(args: Args, shape: Shape) -> Shape:
    normalized = args["normalized_shape"]
    normalized = (normalized,) if isinstance(normalized, int) else tuple(normalized)
    if len(shape) < len(normalized) or tuple(shape[len(shape) - len(normalized):]) != normalized:
        raise Expected(shown(("...", *normalized)))
    return shape
