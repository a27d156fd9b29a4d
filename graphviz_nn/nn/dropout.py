"""Dropout as ``torch.nn.Dropout``: the identity in evaluation, a drawn mask in training.

The mask is a Constant node drawn from the layer's own generator at each call, so the same
seed gives the same masks and a pass can be stepped again over the mask it drew. A graph
built once and fed again keeps its masks until :meth:`Dropout.resample` draws new ones (as
torch draws one per call).
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import numpy as np

from ..engine import Constant, Function, Node, as_node, dropout
from .layers import generator
from .module import Module


class Dropout(Module):
    """Zero each entry with probability p in training and scale the rest by 1 / (1 − p).

    Parameters
    ----------
    p : float
        The probability of zeroing an entry, in [0, 1].
    rng : numpy Generator, optional
        Where the masks are drawn from; a new ``np.random.default_rng(0)`` when None.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not (
                math.isfinite(p) and 0.0 <= p <= 1.0):
            raise ValueError(f"Dropout: p must be a probability between 0 and 1 (the share of entries "
                             f"zeroed), got {p!r}")
        self.p = float(p)
        object.__setattr__(self, "rng", generator(rng))
        # Weak references in call order: the graphs own the masks, and redraw them in the order drawn.
        object.__setattr__(self, "_masks", [])

    def forward(self, x: Any) -> Node:
        x = as_node(x)
        y = dropout(x, self.p, self.rng, training=self.training)
        # x itself in evaluation or at p = 0 (x may be a Function of one input): no mask.
        if y is not x and isinstance(y, Function) and isinstance(y.inputs[1], Constant):
            self._masks[:] = [ref for ref in self._masks if ref() is not None] + [weakref.ref(y.inputs[1])]
        return y

    def resample(self) -> None:
        """Draw new masks into the mask nodes of the training calls whose graphs are still held
        (their next forward pass drops other entries); nothing to do at p = 0 or 1."""
        if not 0.0 < self.p < 1.0:
            return
        for mask in [ref() for ref in self._masks]:
            if mask is None:
                continue
            mask.value = ((self.rng.random(mask.shape) >= self.p) / (1.0 - self.p)).astype(mask.value.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace=False"
