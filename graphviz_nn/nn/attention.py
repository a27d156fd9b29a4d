"""Scaled dot-product attention, as ``torch.nn.functional.scaled_dot_product_attention``.

softmax(q kᵀ · scale + mask) v, built from the engine's ops (a transpose, a matrix product,
a product by the scale, a sum with the mask, a softmax and a second product), each a node of
its own in the scope "attention", so a pass can be stepped through it and the weights
(..., L, S), the node named "weights", can be shown as the picture of who attends to whom.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from ..engine import Constant, Node, as_node, matmul, softmax, transpose
from .module import scope_new_nodes

SCOPE = ("attention",)


def swap_last(ndim: int) -> tuple[int, ...]:
    """The axes of a transpose that swaps the last two of ``ndim`` (kᵀ of a stack of k)."""
    return (*range(ndim - 2), ndim - 1, ndim - 2)


def _named(node: Node, name: str) -> Node:
    node.name = name
    return node


def _batch(where: str, *nodes: tuple[str, Node]) -> tuple[int, ...]:
    """The stacked (leading) axes of q, k and v broadcast together, or a one-line refusal."""
    try:
        return tuple(np.broadcast_shapes(*(node.shape[:-2] for _, node in nodes)))
    except ValueError:
        shapes = ", ".join(f"{name} {node.shape}" for name, node in nodes)
        raise ValueError(f"{where}: the leading (batch) axes of {shapes} cannot be broadcast together; "
                         "give q, k and v the same batch axes") from None


def check_shapes(q: Node, k: Node, v: Node, where: str = "attention") -> tuple[int, ...]:
    """Refuse q, k, v that do not fit q (..., L, d), k (..., S, d), v (..., S, dv); return
    the weights' shape (..., L, S). Nothing is built before this passes."""
    for name, node in (("q", q), ("k", k), ("v", v)):
        if node.value.ndim < 2:
            raise ValueError(f"{where}: {name} must have shape (..., length, features), at least two axes, "
                             f"got {node.shape}; one sequence of length 1 is (1, d)")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"{where}: q {q.shape} and k {k.shape} must have the same last axis d "
                         f"({q.shape[-1]} vs {k.shape[-1]}): each query is compared with each key by a dot product")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{where}: k {k.shape} and v {v.shape} must hold as many keys as values "
                         f"({k.shape[-2]} vs {v.shape[-2]} along their second-last axis)")
    batch = _batch(where, ("q", q), ("k", k), ("v", v))
    return batch + (q.shape[-2], k.shape[-2])


def causal_allowed(L: int, S: int) -> np.ndarray:
    """(L, S) booleans, True where query i may attend to key j: j <= i (torch's is_causal,
    the lower triangle aligned at the top left)."""
    return np.tril(np.ones((L, S), dtype=bool))


def mask_bias(mask: Any, is_causal: bool, shape: tuple[int, ...], where: str = "attention") -> Any:
    """What is added to the scores: None, a float array (0 where allowed, −inf where not),
    or a node given as a float mask. A boolean mask is True where attention is allowed."""
    if is_causal and mask is not None:
        raise ValueError(f"{where}: give a mask or is_causal=True, not both (as torch's "
                         "scaled_dot_product_attention); add the causal mask to yours instead")
    if is_causal:
        mask = causal_allowed(*shape[-2:])
    if mask is None:
        return None
    if isinstance(mask, Node) and not isinstance(mask, Constant):
        bias = mask
    else:
        array = np.asarray(mask.value if isinstance(mask, Constant) else mask)
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{where}: the mask must hold booleans (True: may attend) or real numbers "
                             f"(added to the scores), got dtype {array.dtype}")
        bias = np.where(array, 0.0, -np.inf) if array.dtype == bool else np.asarray(array, dtype=np.float64)
    try:
        fits = tuple(np.broadcast_shapes(bias.shape, shape)) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{where}: a mask of shape {tuple(bias.shape)} does not broadcast to the weights' "
                         f"shape {shape} (..., L, S); give (L, S) or the weights' shape")
    if isinstance(bias, np.ndarray):
        refuse_empty_rows(bias, shape, where)
    return bias


def refuse_empty_rows(bias: np.ndarray, shape: tuple[int, ...], where: str) -> None:
    """A query whose every key is masked out has no weights (0/0): refuse it by its place."""
    blocked = np.broadcast_to(np.isneginf(bias), shape).all(axis=-1)
    if blocked.any():
        place = tuple(int(i) for i in np.argwhere(blocked)[0])
        raise ValueError(f"{where}: the mask leaves query {place[-1]} (at {place}) no key to attend to, so "
                         "its weights would be 0/0; let every query attend to at least one key")


def attention(q: Any, k: Any, v: Any, mask: Any = None, *, is_causal: bool = False,
              scale: float | None = None, dropout: Callable[[Node], Node] | None = None) -> tuple[Node, Node]:
    """Scaled dot-product attention, softmax(q kᵀ · scale + mask) v, and its weights.

    As ``torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask,
    is_causal=is_causal, scale=scale)``, which returns only the output. Each step is a node
    in the scope "attention": kᵀ, "scores" (q kᵀ · scale), the masked scores, "weights"
    (their softmax along the keys) and "output" (weights v).

    Parameters
    ----------
    q : node or array (..., L, d)
        The queries.
    k : node or array (..., S, d)
        The keys, as wide as the queries.
    v : node or array (..., S, dv)
        The values, one per key. The leading (batch) axes of q, k and v broadcast.
    mask : array or node, optional
        Broadcasting to (..., L, S). Booleans, True where query i may attend to key j (torch's
        boolean ``attn_mask``); or real numbers added to the scores (−inf forbids), which may
        be a node.
    is_causal : bool
        Let query i attend to keys j <= i only (the upper triangle masked); not with a mask.
    scale : float, optional
        The scores' factor; 1/√d by default.
    dropout : callable, optional
        Applied to the weights before they multiply v (a :class:`~graphviz_nn.nn.Dropout`);
        the weights returned are those before it.

    Returns
    -------
    output : node (..., L, dv)
    weights : node (..., L, S)
        Each row sums to 1 over the keys.

    Raises
    ------
    ValueError
        Shapes that do not fit (q and k of different d, k and v of different S, leading axes
        that do not broadcast), a mask that does not broadcast to (..., L, S) or that leaves a
        query no key, or a mask beside is_causal: one line, before any node is built.
    """
    q, k, v = as_node(q), as_node(k), as_node(v)
    shape = check_shapes(q, k, v)
    bias = mask_bias(mask, is_causal, shape)
    if scale is None:
        scale, scale_name = 1.0 / math.sqrt(q.shape[-1]), "1/√d"
    elif isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating)) or not math.isfinite(scale):
        raise ValueError(f"attention: scale must be a finite number (the scores' factor), got {scale!r}")
    else:
        scale, scale_name = float(scale), "scale"
    factor = Constant(scale, scale_name)
    k_t = _named(transpose(k, swap_last(k.value.ndim)), "kᵀ")
    scores = _named(matmul(q, k_t) * factor, "scores")
    added: list[Node] = [factor]
    if bias is not None:
        mask_node = bias if isinstance(bias, Node) else Constant(bias, "mask")
        added.append(mask_node)
        scores = _named(scores + mask_node, "masked scores")
    weights = _named(softmax(scores, axis=-1), "weights")
    output = _named(matmul(weights if dropout is None else dropout(weights), v), "output")
    stops: Sequence[Node] = [q, k, v] + [node for node in added if not isinstance(node, Constant)]
    scope_new_nodes([output, weights], SCOPE, stop=stops)
    for node in added:
        if isinstance(node, Constant) and not node.scope:
            node.scope = SCOPE
    return output, weights
