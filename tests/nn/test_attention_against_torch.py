"""Attention against torch in float64: scaled_dot_product_attention's values with the weights
by hand, gradients of q, k, v and forward tangents; MultiheadAttention and TransformerBlock
against torch.nn with the weights copied both ways, outputs, weights and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Variable
from tests.nn.test_layers_against_torch import _compare, torch

F = torch.nn.functional
from torch.func import jvp as torch_jvp  # noqa: E402
from torch.nn.attention import SDPBackend, sdpa_kernel  # noqa: E402

# torch's layers attend through scaled_dot_product_attention, whose fused CPU kernel has no
# forward-mode rule: its plain (math) kernel, the same sums, has one.
def math_kernel():
    return sdpa_kernel(SDPBackend.MATH)


# torch.func reaches torch.jit.script inside torch 2.13, which warns of its own deprecation.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

MASKS = ["none", "bool", "float", "causal", "scale"]


def _inputs(rng, batch=(2, 3), L=4, S=5, d=3, dv=2):
    return tuple(rng.standard_normal(batch + shape) for shape in ((L, d), (S, d), (S, dv)))


def _mask(kind, rng, L=4, S=5):
    """The keyword arguments of both calls (torch's boolean attn_mask: True where attention is allowed)."""
    if kind == "bool":
        allowed = rng.random((L, S)) < 0.6
        allowed[:, 1] = True
        return {"mask": allowed}, {"attn_mask": torch.from_numpy(allowed)}
    if kind == "float":
        bias = rng.standard_normal((3, L, S))
        return {"mask": bias}, {"attn_mask": torch.from_numpy(bias)}
    if kind == "causal":
        return {"is_causal": True}, {"is_causal": True}
    if kind == "scale":
        return {"scale": 0.7}, {"scale": 0.7}
    return {}, {}


def _their_weights(q, k, kw):
    """softmax(q kᵀ · scale + mask) written in torch: scaled_dot_product_attention returns no weights."""
    L, S = q.shape[-2], k.shape[-2]
    scores = q @ k.transpose(-1, -2) * kw.get("scale", q.shape[-1] ** -0.5)
    if kw.get("is_causal"):
        scores = scores.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float("-inf"))
    mask = kw.get("attn_mask")
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    return torch.softmax(scores, dim=-1)


@pytest.mark.parametrize("kind", MASKS)
def test_attention_equals_scaled_dot_product_attention(kind, rng) -> None:
    arrays = _inputs(rng)
    ours_kw, their_kw = _mask(kind, rng)
    output, weights = nn.attention(*arrays, **ours_kw)
    q, k, v = (torch.from_numpy(a) for a in arrays)
    np.testing.assert_allclose(output.value, F.scaled_dot_product_attention(q, k, v, **their_kw).numpy(),
                               rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(weights.value, _their_weights(q, k, their_kw).numpy(), rtol=1e-12, atol=1e-15)


def test_broadcast_batches_and_a_query_longer_than_the_keys(rng) -> None:
    q, k, v = rng.standard_normal((2, 1, 6, 3)), rng.standard_normal((3, 4, 3)), rng.standard_normal((1, 4, 2))
    for causal in (False, True):
        output, _ = nn.attention(q, k, v, is_causal=causal)
        theirs = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)), is_causal=causal)
        assert output.shape == tuple(theirs.shape) == (2, 3, 6, 2)
        np.testing.assert_allclose(output.value, theirs.numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind", MASKS)
def test_gradients_and_tangents_of_q_k_v_are_torchs(kind, rng) -> None:
    arrays = _inputs(rng)
    ours_kw, their_kw = _mask(kind, rng)
    leaves = [Variable(a, name) for a, name in zip(arrays, "qkv")]
    output, weights = nn.attention(*leaves, **ours_kw)
    c_out, c_weights = rng.standard_normal(output.shape), rng.standard_normal(weights.shape)
    loss = gn.sum(Constant(c_out) * output) + gn.sum(Constant(c_weights) * weights)
    grads = gn.grad(loss, leaves)

    def theirs(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **their_kw), _their_weights(q, k, their_kw)

    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, w = theirs(*tensors)
    their_loss = (torch.from_numpy(c_out) * out).sum() + (torch.from_numpy(c_weights) * w).sum()
    for name, g, t in zip("qkv", grads, torch.autograd.grad(their_loss, tensors)):
        np.testing.assert_allclose(g, t.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)

    directions = [rng.standard_normal(a.shape) for a in arrays]
    ours_dot = gn.jvp([output, weights], dict(zip(leaves, directions)))
    _, their_dots = torch_jvp(theirs, tuple(torch.from_numpy(a) for a in arrays),
                              tuple(torch.from_numpy(d) for d in directions))
    for d, t in zip(ours_dot, their_dots):
        np.testing.assert_allclose(d, t.numpy(), rtol=1e-10, atol=1e-12)


# --- MultiheadAttention ---------------------------------------------------------------------------
class _Called(torch.nn.Module):
    """A torch layer called with fixed keyword arguments (masks, average_attn_weights)."""

    def __init__(self, layer, **kwargs):
        super().__init__()
        self.layer, self.kwargs = layer, kwargs

    def forward(self, *args):
        return self.layer(*args, **self.kwargs)


class _OursCalled(nn.Module):
    def __init__(self, layer, **kwargs):
        super().__init__()
        self.layer = layer
        object.__setattr__(self, "kwargs", kwargs)

    def forward(self, *args):
        return self.layer(*args, **self.kwargs)


def _wrapped(ours, theirs, ours_kw, their_kw):
    return _OursCalled(ours, **ours_kw), _Called(theirs, **their_kw)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_multihead_attention_self_and_cross(batch_first, bias, rng) -> None:
    torch.manual_seed(10)
    x = rng.standard_normal((2, 4, 6) if batch_first else (4, 2, 6))
    memory = rng.standard_normal((2, 3, 6) if batch_first else (3, 2, 6))
    for args in ((x, x, x), (x, memory, memory)):
        _compare(nn.MultiheadAttention(6, 3, bias=bias, batch_first=batch_first),
                 torch.nn.MultiheadAttention(6, 3, bias=bias, batch_first=batch_first), args, rng)


@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("mask", ["bool", "float", "per head", "padding"])
def test_multihead_attention_weights_and_masks(average, unbatched, mask, rng) -> None:
    torch.manual_seed(11)
    L, S, N, E, h = 3, 4, 2, 4, 2
    batch = () if unbatched else (N,)
    forbidden = rng.random((L, S)) < 0.4
    forbidden[:, 0] = False
    if mask == "padding":
        given = np.zeros(batch + (S,), bool)
        given[..., 2:] = True
        name = "key_padding_mask"
    else:
        given = {"bool": forbidden, "float": rng.standard_normal((L, S)),
                 "per head": rng.standard_normal((N * h if batch else h, L, S))}[mask]
        name = "attn_mask"
    ours_kw = {"average_attn_weights": average, name: given}
    their_kw = {"average_attn_weights": average, name: torch.from_numpy(given)}
    query, memory = rng.standard_normal((L, *batch, E)), rng.standard_normal((S, *batch, E))
    ours, theirs = _wrapped(nn.MultiheadAttention(E, h), torch.nn.MultiheadAttention(E, h), ours_kw, their_kw)
    _compare(ours, theirs, (query, memory, memory), rng)


def test_per_head_weights_node_is_torchs_unaveraged_weights(rng) -> None:
    torch.manual_seed(12)
    ours, theirs = nn.MultiheadAttention(8, 4, batch_first=True), torch.nn.MultiheadAttention(8, 4, batch_first=True)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.double().state_dict().items()})
    x = rng.standard_normal((2, 5, 8))
    _, averaged = ours(x, x, x)
    _, per_head = theirs(*[torch.from_numpy(x)] * 3, average_attn_weights=False)
    np.testing.assert_allclose(ours.head_weights.value, per_head.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert averaged.shape == (2, 5, 5) and ours.head_weights.shape == (2, 4, 5, 5)


# --- TransformerBlock -----------------------------------------------------------------------------
class _TorchCausal(torch.nn.TransformerEncoderLayer):
    """torch's layer given the causal mask at each call, as the block's ``causal=True`` is."""

    def forward(self, src):
        T = src.shape[-2]
        mask = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=src.dtype)
        return super().forward(src, src_mask=mask, is_causal=True)


def _torch_block(d, heads, d_ff, causal, batch_first=True):
    kind = _TorchCausal if causal else torch.nn.TransformerEncoderLayer
    return kind(d, heads, d_ff, dropout=0.0, activation="gelu", batch_first=batch_first, norm_first=True)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape", [(2, 5, 8), (5, 8)])
def test_the_block_is_torchs_pre_norm_encoder_layer(causal, shape, rng) -> None:
    torch.manual_seed(13)
    theirs = _torch_block(8, 2, 16, causal)
    for p in theirs.parameters():  # the norms start at 1 and 0: move them, so their gradients tell
        p.data += 0.1 * torch.randn_like(p)
    with math_kernel():
        _compare(nn.TransformerBlock(8, 2, 16, causal=causal), theirs, (rng.standard_normal(shape),), rng)


def test_the_block_time_first_as_torchs_default(rng) -> None:
    torch.manual_seed(14)
    with math_kernel():
        _compare(nn.TransformerBlock(4, 1, 6, causal=True, batch_first=False),
                 _torch_block(4, 1, 6, True, batch_first=False), (rng.standard_normal((5, 2, 4)),), rng)


def test_the_block_with_a_padding_mask(rng) -> None:
    torch.manual_seed(15)
    padding = np.zeros((2, 5), bool)
    padding[0, 3:] = True
    ours = _OursCalled(nn.TransformerBlock(8, 4, 8), src_key_padding_mask=padding)
    theirs = _Called(_torch_block(8, 4, 8, False), src_key_padding_mask=torch.from_numpy(padding))
    with math_kernel():
        _compare(ours, theirs, (rng.standard_normal((2, 5, 8)),), rng)


def test_a_torch_layers_state_loads_key_for_key() -> None:
    ours, theirs = nn.TransformerBlock(8, 2, 16), _torch_block(8, 2, 16, False)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert [k for k, _ in ours.named_parameters()] == [k for k, _ in theirs.named_parameters()]
    assert sum(p.value.size for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
