"""TransformerBlock: a pre-norm transformer layer, attention then an MLP, each with a residual.

    x = x + attention(LN₁(x)),  x = x + linear₂(GELU(linear₁(LN₂(x))))

It is ``torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout,
activation="gelu", batch_first=True, norm_first=True)`` with our own name, reading tokens
batch first (N, T, d_model) as the transformer models of the seeds do. Its children carry
that layer's names, so the state dicts map key for key, in the same order::

    self_attn.in_proj_weight (3d, d)   self_attn.in_proj_bias (3d,)
    self_attn.out_proj.weight (d, d)   self_attn.out_proj.bias (d,)
    linear1.weight (d_ff, d)           linear1.bias (d_ff,)
    linear2.weight (d, d_ff)           linear2.bias (d,)
    norm1.weight (d,)  norm1.bias (d,) norm2.weight (d,)  norm2.bias (d,)

and ``block.load_state_dict({k: t.numpy() for k, t in torch_layer.state_dict().items()})``
loads a torch layer's weights as they are (and torch's loads ours back).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Node, as_node, transpose
from .attention import causal_allowed
from .dropout import Dropout
from .layers import GELU, Linear, check_size, generator
from .module import Module
from .multihead_attention import MultiheadAttention
from .norm_layers import LayerNorm


class TransformerBlock(Module):
    """A pre-norm transformer block: self-attention and a GELU MLP, each after a LayerNorm and
    added back to its input.

    Parameters
    ----------
    d_model : int
        The width of each token's vector.
    heads : int
        Attention heads; must divide d_model.
    d_ff : int
        The MLP's hidden width (4·d_model is usual).
    dropout : float
        The probability of dropping, in training, attention weights and the outputs of the
        MLP's hidden layer and of both branches (torch's places).
    causal : bool
        Let each step attend to itself and earlier steps only (a language model's mask).
    batch_first : bool
        Inputs (N, T, d_model) (the default) or, as torch's default, (T, N, d_model).
    eps : float
        The layer norms' ε.
    rng : numpy Generator, optional
        Draws the attention's weights, then linear1's and linear2's, as their layers do, and
        the dropout masks.

    Examples
    --------
    >>> block = TransformerBlock(32, 4, 128, causal=True)
    >>> block(np.zeros((2, 10, 32))).shape
    (2, 10, 32)
    """

    def __init__(self, d_model: int, heads: int, d_ff: int, dropout: float = 0.0, causal: bool = False, *,
                 batch_first: bool = True, eps: float = 1e-5, rng: np.random.Generator | None = None):
        super().__init__()
        check_size("TransformerBlock", d_model=d_model, heads=heads, d_ff=d_ff)
        if d_model % heads:
            raise ValueError(f"TransformerBlock: d_model {d_model} must be divisible by heads {heads} "
                             "(each head takes d_model / heads features)")
        self.d_model, self.heads, self.d_ff = int(d_model), int(heads), int(d_ff)
        self.causal, self.batch_first = bool(causal), bool(batch_first)
        rng = generator(rng)
        # In torch's order of registration, so the state dicts list their keys alike.
        self.self_attn = MultiheadAttention(d_model, heads, dropout, batch_first=True, rng=rng)
        self.linear1 = Linear(d_model, d_ff, rng=rng)
        self.dropout = Dropout(dropout, rng)
        self.linear2 = Linear(d_ff, d_model, rng=rng)
        self.norm1 = LayerNorm(d_model, eps)
        self.norm2 = LayerNorm(d_model, eps)
        self.dropout1 = Dropout(dropout, rng)
        self.dropout2 = Dropout(dropout, rng)
        self.activation = GELU()

    def _where(self) -> str:
        return f"{self.label}(d_model={self.d_model}, heads={self.heads}, d_ff={self.d_ff})"

    def forward(self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None) -> Node:
        """The block on a batch of sequences, as TransformerEncoderLayer's ``forward``.

        Parameters
        ----------
        src : node or array (N, T, d_model), (T, N, d_model) without batch_first, or (T, d_model)
        src_mask : array (T, T) or (N·heads, T, T), optional
            True (or −inf) where step i may not attend to step j (torch's MultiheadAttention
            masks); with ``causal`` both apply.
        src_key_padding_mask : array (N, T), optional
            True for the steps to ignore (padding).

        Returns
        -------
        node of src's shape

        Raises
        ------
        ValueError
            An input whose last axis is not d_model, or of fewer than two axes; masks of the
            wrong shape: one line, before anything is built.
        """
        x = as_node(src)
        if x.value.ndim < 2 or x.shape[-1] != self.d_model:
            layout = "(N, T, {0})" if self.batch_first else "(T, N, {0})"
            raise ValueError(f"{self._where()}: the input must have shape {layout.format(self.d_model)} or "
                             f"(T, {self.d_model}), got {x.shape}")
        moved = not self.batch_first and x.value.ndim > 2
        if moved:  # batch first inside: (T, N, d) → (N, T, d)
            x = _swap_first(x)
        mask = self._mask(x.shape[-2], src_mask)
        h = self.norm1(x)
        a, _ = self.self_attn(h, h, h, key_padding_mask=src_key_padding_mask, need_weights=False, attn_mask=mask)
        x = x + self.dropout1(a)
        h = self.norm2(x)
        x = x + self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(h)))))
        return _swap_first(x) if moved else x

    def _mask(self, T: int, src_mask: Any) -> Any:
        """The attention mask: the causal one, the given one, or both added as −inf / 0."""
        if not self.causal:
            return src_mask
        future = np.where(causal_allowed(T, T), 0.0, -np.inf)
        if src_mask is None:
            return future
        given = np.asarray(getattr(src_mask, "value", src_mask))
        if given.shape not in ((T, T), (given.shape[0], T, T)) or given.dtype.kind not in "biuf":
            return src_mask  # the attention names what is wrong with it
        return future + (np.where(given, -np.inf, 0.0) if given.dtype == bool else given)

    def extra_repr(self) -> str:
        extra = ", causal=True" if self.causal else ""
        extra += "" if self.batch_first else ", batch_first=False"
        return f"d_model={self.d_model}, heads={self.heads}, d_ff={self.d_ff}{extra}"


def _swap_first(x: Node) -> Node:
    """(T, N, ...) to (N, T, ...) and back."""
    return transpose(x, (1, 0) + tuple(range(2, x.value.ndim)))
