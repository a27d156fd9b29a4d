"""Simple layers as ``torch.nn`` names them: Linear, Flatten, Embedding and the activations.

Each is called on a node (an array or a list is taken as a Constant) and returns a node in
the layer's own scope.

Initial weights are drawn from the ``rng`` a layer is given; without one, from a new
``np.random.default_rng(0)``: there is no global random state, so the same layer built the
same way starts from the same weights. Give one generator to all the layers of a model for
different draws per layer (as torch's global generator gives).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import (
    Constant, Node, Variable, as_node, gelu, matmul, relu, reshape, sigmoid, softmax, take, tanh, transpose,
)
from .module import Module


def check_size(layer: str, **sizes: int) -> None:
    """Refuse a size that is not a whole number >= 1, naming the layer and the argument."""
    for name, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{layer}: {name} must be a whole number >= 1, got {size!r}")


def generator(rng: np.random.Generator | None) -> np.random.Generator:
    """The generator initial weights are drawn from: the one given, or a new one seeded 0."""
    return rng if rng is not None else np.random.default_rng(0)


def uniform_fan_in(rng: np.random.Generator, fan_in: int, shape: tuple[int, ...]) -> np.ndarray:
    """U(−1/√fan_in, 1/√fan_in): torch's default for Linear (weight and bias) and recurrent layers."""
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape)


class Linear(Module):
    """y = x Wᵀ + b over the last axis of x, as ``torch.nn.Linear``.

    Parameters
    ----------
    in_features, out_features : int
        Widths of the input's last axis and of the output's.
    bias : bool
        Add the bias b (out_features,).
    rng : numpy Generator, optional
        Draws weight (out_features, in_features), then bias, from U(−1/√in, 1/√in) as
        torch's default; see the module notes for the default generator.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: np.random.Generator | None = None):
        super().__init__()
        check_size("Linear", in_features=in_features, out_features=out_features)
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = generator(rng)
        self.weight = Variable(uniform_fan_in(rng, self.in_features, (self.out_features, self.in_features)),
                               "weight")
        self.bias = Variable(uniform_fan_in(rng, self.in_features, (self.out_features,)), "bias") if bias else None

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        if x.value.ndim < 1 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self.label}({self.in_features} → {self.out_features}): the input's last axis "
                             f"must have {self.in_features} features, got shape {x.shape}")
        y = matmul(x, transpose(self.weight))
        return y + self.bias if self.bias is not None else y

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Flatten(Module):
    """The axes start_dim..end_dim joined into one, as ``torch.nn.Flatten`` (batch axis kept)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        ndim = max(x.value.ndim, 1)
        start, end = self.start_dim % ndim, self.end_dim % ndim
        if not (-ndim <= self.start_dim < ndim and -ndim <= self.end_dim < ndim) or start > end:
            raise ValueError(f"{self.label}(start_dim={self.start_dim}, end_dim={self.end_dim}): does not fit "
                             f"an input of shape {x.shape}; give axes of it with start_dim <= end_dim")
        shape = x.shape[:start] + (int(np.prod(x.shape[start:end + 1], dtype=np.int64)),) + x.shape[end + 1:]
        return x if shape == x.shape else reshape(x, shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Identity(Module):
    """Returns its input: a placeholder layer, as ``torch.nn.Identity``."""

    def forward(self, x: Any) -> Node:
        return as_node(x)


class ReLU(Module):
    """max(x, 0) elementwise, as ``torch.nn.ReLU``."""

    def forward(self, x: Any) -> Node:
        return relu(x)


class Tanh(Module):
    """tanh(x) elementwise, as ``torch.nn.Tanh``."""

    def forward(self, x: Any) -> Node:
        return tanh(x)


class Sigmoid(Module):
    """1 / (1 + e^−x) elementwise, as ``torch.nn.Sigmoid``."""

    def forward(self, x: Any) -> Node:
        return sigmoid(x)


class GELU(Module):
    """x Φ(x) elementwise, exact (erf) by default as ``torch.nn.GELU``; ``approximate="tanh"``
    for the tanh form."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Node:
        return gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """e^x / Σ e^x along ``dim``, as ``torch.nn.Softmax(dim)``."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = int(dim)

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        if not -x.value.ndim <= self.dim < x.value.ndim:
            raise ValueError(f"{self.label}(dim={self.dim}): an input of shape {x.shape} has no axis "
                             f"{self.dim}; give dim between {-x.value.ndim} and {x.value.ndim - 1}")
        return softmax(x, axis=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Embedding(Module):
    """A table of ``num_embeddings`` vectors, looked up by whole-number indices, as
    ``torch.nn.Embedding``.

    Called on indices of any shape (an int array, a list, or a Constant of whole numbers) it
    returns a node of shape indices.shape + (embedding_dim,). The indices are part of the
    lookup node (a gather): another batch builds another node. A row looked up several
    times gets the sum of its gradients.

    Parameters
    ----------
    num_embeddings, embedding_dim : int
        Rows and width of ``weight``.
    rng : numpy Generator, optional
        Draws weight from N(0, 1), as torch's default.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, rng: np.random.Generator | None = None):
        super().__init__()
        check_size("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.weight = Variable(generator(rng).standard_normal((self.num_embeddings, self.embedding_dim)),
                               "weight")

    def forward(self, indices: Any) -> Node:
        values = np.asarray(indices.value if isinstance(indices, Constant) else indices)
        if isinstance(indices, Node) and not isinstance(indices, Constant):
            raise TypeError(f"{self.label}: indices are data (an int array or a Constant), not the "
                            f"computed node '{indices.label}'; there is no gradient through an index")
        if values.dtype.kind == "f" and values.size and not np.all(values == np.round(values)):
            raise ValueError(f"{self.label}: indices must be whole numbers, got {values.dtype} values "
                             "with fractions")
        if values.dtype.kind not in "biuf":
            raise ValueError(f"{self.label}: indices must be whole numbers, got dtype {values.dtype}")
        positions = values.astype(np.int64)
        if positions.size and (positions.min() < 0 or positions.max() >= self.num_embeddings):
            bad = positions.min() if positions.min() < 0 else positions.max()
            raise ValueError(f"{self.label}({self.num_embeddings}, {self.embedding_dim}): index {bad} is "
                             f"out of range 0..{self.num_embeddings - 1}")
        return take(self.weight, positions, axis=0)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
