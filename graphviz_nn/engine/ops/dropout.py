"""Dropout: x times a drawn mask, the mask a Constant node so that a pass can be stepped again."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..node import Constant, Node, NodeLike, as_node
from ..params import ParamError, unit_interval


def _probability(p: Any) -> float:
    return unit_interval(p, "dropout: p must be a probability between 0 and 1 (the share of entries zeroed)")


def dropout(x: NodeLike, p: float, rng: np.random.Generator | None, training: bool = True) -> Node:
    """Zero each entry of x with probability p and scale the others by 1 / (1 − p).

    As ``torch.nn.functional.dropout``: the expectation of every entry is kept, and in
    evaluation (``training=False``) it is the identity. The product is ``x × mask``, the mask
    a Constant node named "mask" holding 0 or 1 / (1 − p) per entry, drawn once from ``rng``:
    the graph shows it, and running the passes again (or stepping them) reuses it.

    Parameters
    ----------
    x : node or array
        The input.
    p : float
        The probability of zeroing an entry, in [0, 1]. 0 returns x itself (nothing is drawn);
        1 multiplies by a mask of zeros (torch's result: zeros).
    rng : numpy.random.Generator or None
        Where the mask is drawn from (Bernoulli: kept with probability 1 − p); the same seed
        gives the same mask. Needed only when 0 < p < 1 in training.
    training : bool
        False: the identity, x itself.

    Returns
    -------
    Node
        x itself (evaluation, p = 0), or the product node ``x × mask``.

    Raises
    ------
    ParamError
        p outside [0, 1], or no Generator to draw a mask from.
    """
    p = _probability(p)
    x = as_node(x)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        mask = np.zeros(x.shape)
    elif not isinstance(rng, np.random.Generator):
        raise ParamError(f"dropout: drawing a mask needs a numpy Generator, got {type(rng).__name__}; "
                         f"pass rng=np.random.default_rng(seed)")
    else:
        mask = (rng.random(x.shape) >= p) / (1.0 - p)
    return x * Constant(mask.astype(x.value.dtype, copy=False), name="mask")
