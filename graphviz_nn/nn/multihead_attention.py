"""MultiheadAttention as ``torch.nn.MultiheadAttention``: its parameters, masks and shapes.

The queries, keys and values are projected by the three row blocks of ``in_proj_weight``
(3E, E) and of ``in_proj_bias``, split into heads by a reshape and a transpose, attended
(:func:`~graphviz_nn.nn.attention.attention`, one "attention" scope for all the heads),
merged back the same way and projected by ``out_proj``. Every step is a node of the layer's
scope; each head's weights are the node ``head_weights`` names after a call.

Masks follow torch's MultiheadAttention, whose booleans are the opposite of
``scaled_dot_product_attention``'s: here True means "may NOT attend" (a padded key, a future
step), and a real mask is added to the scores.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import Constant, Node, Variable, as_node, matmul, mean, reshape, transpose
from .attention import attention, causal_allowed, refuse_empty_rows
from .dropout import Dropout
from .layers import Linear, check_size, generator
from .module import Module


def _named(node: Node, name: str) -> Node:
    node.name = name
    return node


def _array(mask: Any) -> np.ndarray:
    return np.asarray(mask.value if isinstance(mask, Constant) else mask)


class MultiheadAttention(Module):
    """Attention in ``num_heads`` heads of embed_dim / num_heads features each, as torch's.

    Parameters
    ----------
    embed_dim : int
        The width E of queries, keys, values and output.
    num_heads : int
        How many heads; must divide embed_dim.
    dropout : float
        The probability of dropping an attention weight in training (torch's third argument).
    bias : bool
        Learn ``in_proj_bias`` (3E,) and ``out_proj.bias``.
    batch_first : bool
        Inputs (N, L, E) rather than torch's default (L, N, E).
    rng : numpy Generator, optional
        Draws ``in_proj_weight`` from Xavier's uniform and ``out_proj.weight`` from
        U(−1/√E, 1/√E), the biases zero, as torch; and the dropout masks.

    Attributes
    ----------
    in_proj_weight : Variable (3E, E)
        The projections of queries, keys and values stacked in that order.
    in_proj_bias : Variable (3E,) or None
    out_proj : Linear(E, E)
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True, *,
                 batch_first: bool = False, rng: np.random.Generator | None = None):
        super().__init__()
        check_size("MultiheadAttention", embed_dim=embed_dim, num_heads=num_heads)
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} must be divisible by num_heads "
                             f"{num_heads} (each head takes embed_dim / num_heads features); "
                             f"choose num_heads among {_divisors(int(embed_dim))}")
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.head_dim = self.embed_dim // self.num_heads
        self.batch_first = bool(batch_first)
        rng = generator(rng)
        E = self.embed_dim
        bound = math.sqrt(6.0 / (E + 3 * E))  # Xavier's uniform over the (3E, E) matrix, as torch
        self.in_proj_weight = Variable(rng.uniform(-bound, bound, (3 * E, E)), "in_proj_weight")
        self.in_proj_bias = Variable(np.zeros(3 * E), "in_proj_bias") if bias else None
        self.out_proj = Linear(E, E, bias=bias, rng=rng)
        if bias:
            self.out_proj.bias.value = np.zeros(E)
        self.attn_dropout = Dropout(dropout, rng)
        self.dropout = self.attn_dropout.p  # torch's attribute: the probability
        object.__setattr__(self, "_head_weights", None)

    @property
    def head_weights(self) -> Node | None:
        """Each head's attention weights of the last call, (N, num_heads, L, S) ((num_heads,
        L, S) unbatched), the node named "weights" in the scope "attention"; None before a call.
        The layer holds the last call's graph through it, as a module holds its last output."""
        return self._head_weights

    def _where(self) -> str:
        return f"{self.label}({self.embed_dim}, num_heads={self.num_heads})"

    def _check(self, query: Node, key: Node, value: Node) -> tuple[int, ...]:
        """Refuse inputs that do not fit, before anything is built; the batch axes."""
        E, layout = self.embed_dim, ("(N, L, E)" if self.batch_first else "(L, N, E)")
        for name, node in (("query", query), ("key", key), ("value", value)):
            if node.value.ndim < 2 or node.shape[-1] != E:
                raise ValueError(f"{self._where()}: {name} must have shape {layout} or (L, E) with E = {E}, "
                                 f"got {node.shape}")
        if key.shape != value.shape:
            raise ValueError(f"{self._where()}: key {key.shape} and value {value.shape} must have the same shape "
                             "(one value per key)")
        if query.value.ndim != key.value.ndim or self._batch(query) != self._batch(key):
            raise ValueError(f"{self._where()}: query {query.shape} and key {key.shape} must have the same "
                             f"batch axes (layout {layout})")
        return self._batch(query)

    def _batch(self, x: Node) -> tuple[int, ...]:
        return x.shape[:-2] if self.batch_first else x.shape[1:-1]

    def _bias(self, batch: tuple[int, ...], L: int, S: int, attn_mask: Any, key_padding_mask: Any,
              is_causal: bool) -> np.ndarray | None:
        """The masks as one array added to the scores (batch, heads, L, S), −inf where forbidden."""
        h, where, total = self.num_heads, self._where(), None
        if attn_mask is None and is_causal:
            attn_mask = ~causal_allowed(L, S)
        fits = {"attn_mask": [(L, S), (math.prod(batch) * h, L, S)], "key_padding_mask": [batch + (S,)]}
        for name, mask in (("attn_mask", attn_mask), ("key_padding_mask", key_padding_mask)):
            if mask is None:
                continue
            array = _array(mask)
            if array.dtype.kind not in "biuf":
                raise ValueError(f"{where}: {name} must hold booleans (True: may not attend) or real numbers, "
                                 f"got dtype {array.dtype}")
            if array.shape not in fits[name]:
                raise ValueError(f"{where}: {name} must have shape {' or '.join(map(str, fits[name]))}, "
                                 f"got {array.shape}")
            bias = np.where(array, -np.inf, 0.0) if array.dtype == bool else array.astype(np.float64)
            if name == "key_padding_mask":
                bias = bias.reshape(batch + (1, 1, S))
            elif bias.ndim == 3:  # one (L, S) mask per sequence and head, in torch's order
                bias = bias.reshape(batch + (h, L, S))
            total = bias if total is None else total + bias
        if total is not None:
            refuse_empty_rows(total, batch + (h, L, S), where)
        return total

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None, need_weights: bool = True,
                attn_mask: Any = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Node, Node | None]:
        """Attend from the queries to the keys, as torch's ``forward`` (same order of arguments).

        Parameters
        ----------
        query : node or array (L, N, E), (N, L, E) with batch_first, or (L, E)
        key, value : node or array (S, N, E), (N, S, E) with batch_first, or (S, E)
        key_padding_mask : array (N, S) or (S,), optional
            True (or −inf) for keys to ignore, such as padding.
        need_weights : bool
            Return the weights too; (output, None) otherwise.
        attn_mask : array (L, S), or (N·num_heads, L, S) ((num_heads, L, S) unbatched), optional
            True (or −inf) where query i may not attend to key j; real values are added.
        average_attn_weights : bool
            Return the weights averaged over the heads (N, L, S), or per head (N, num_heads, L, S).
        is_causal : bool
            Without attn_mask, mask the future: query i attends to keys j <= i.

        Returns
        -------
        attn_output : node, the query's shape
        attn_weights : node or None

        Raises
        ------
        ValueError
            Inputs or masks of the wrong shape, or masks that leave a query no key: one line,
            before anything is built.
        """
        query, key, value = as_node(query), as_node(key), as_node(value)
        batch = self._check(query, key, value)
        ndim, h, d, E = query.value.ndim, self.num_heads, self.head_dim, self.embed_dim
        L, S = query.shape[-2 if self.batch_first else 0], key.shape[-2 if self.batch_first else 0]
        bias = self._bias(batch, L, S, attn_mask, key_padding_mask, is_causal)
        # Batch first inside, (..., L, E): time moves from the first axis to the second last.
        inward = tuple(range(1, ndim - 1)) + (0, ndim - 1)
        if not self.batch_first and ndim > 2:
            moved = {id(x): transpose(x, inward) for x in (query, key, value)}  # once for self-attention
            query, key, value = moved[id(query)], moved[id(key)], moved[id(value)]
        heads = []
        for i, (name, x) in enumerate((("q", query), ("k", key), ("v", value))):
            w = _named(self.in_proj_weight[i * E:(i + 1) * E], f"W_{name}")
            y = matmul(x, transpose(w))
            if self.in_proj_bias is not None:
                y = y + _named(self.in_proj_bias[i * E:(i + 1) * E], f"b_{name}")
            split = reshape(_named(y, name), y.shape[:-1] + (h, d))
            heads.append(transpose(split, _heads_axes(ndim + 1)))  # (..., h, L, d)
        dropped = self.attn_dropout if self.training and self.attn_dropout.p > 0 else None
        out, weights = attention(*heads, mask=bias, dropout=dropped)
        object.__setattr__(self, "_head_weights", weights)
        merged = reshape(transpose(out, _heads_axes(ndim + 1)), out.shape[:-3] + (L, E))
        output = self.out_proj(_named(merged, "heads joined"))
        if not self.batch_first and ndim > 2:
            output = transpose(output, tuple(int(a) for a in np.argsort(inward)))
        if not need_weights:
            return output, None
        if average_attn_weights:
            return output, _named(mean(weights, axis=-3), "mean weights")
        return output, weights

    def extra_repr(self) -> str:
        extra = f", dropout={self.dropout}" if self.dropout else ""
        extra += ", bias=False" if self.in_proj_bias is None else ""
        extra += ", batch_first=True" if self.batch_first else ""
        return f"{self.embed_dim}, num_heads={self.num_heads}{extra}"


def _heads_axes(n: int) -> tuple[int, ...]:
    """The transpose of n axes swapping the third and second last: (..., L, h, d) to
    (..., h, L, d) and back."""
    return (*range(n - 3), n - 2, n - 3, n - 1)


def _divisors(n: int) -> str:
    found = [k for k in range(1, n + 1) if n % k == 0]
    return ", ".join(map(str, found[:12])) + (", ..." if len(found) > 12 else "")
