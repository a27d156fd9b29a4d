"""Attention, MultiheadAttention and TransformerBlock without torch: against numpy written by
hand, central differences in both modes, weights that are distributions, causal weights that
never look ahead, scopes, and shapes refused in one line before anything is built."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Graph, Variable
from graphviz_nn.nn import attention as attention_module
from graphviz_nn.nn import multihead_attention
from graphviz_nn.nn.module import nodes_in
from tests.nn.central_differences import both_modes_agree_with_central_differences

_erf = np.vectorize(math.erf)


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def by_hand(q, k, v, bias=0.0, scale=None):
    """softmax(q kᵀ · scale + bias) v and the weights, in numpy."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    weights = _softmax(q @ np.swapaxes(k, -1, -2) * scale + bias)
    return weights @ v, weights


def mha_by_hand(state, query, key, value, heads, bias=0.0):
    """torch's multi-head attention on (N, L, E) from its state dict, head by head."""
    E = query.shape[-1]
    d = E // heads
    w, b = state["in_proj_weight"], state.get("in_proj_bias", np.zeros(3 * E))
    q, k, v = (x @ w[i * E:(i + 1) * E].T + b[i * E:(i + 1) * E] for i, x in enumerate((query, key, value)))
    outs, weights = [], []
    for j in range(heads):
        part = slice(j * d, (j + 1) * d)
        head = bias[..., min(j, bias.shape[-3] - 1), :, :] if np.ndim(bias) == 4 else bias
        o, a = by_hand(q[..., part], k[..., part], v[..., part], head)
        outs.append(o)
        weights.append(a)
    out = np.concatenate(outs, axis=-1) @ state["out_proj.weight"].T + state.get("out_proj.bias", 0.0)
    return out, np.stack(weights, axis=-3)


def _layer_norm(x, weight, bias, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(x.var(axis=-1, keepdims=True) + eps) * weight + bias


def block_by_hand(state, x, heads, causal):
    """x + MHA(LN₁(x)), then x + W₂ GELU(W₁ LN₂(x) + b₁) + b₂, in numpy."""
    T = x.shape[-2]
    bias = np.where(np.tril(np.ones((T, T))) > 0, 0.0, -np.inf) if causal else 0.0
    attn = {key[len("self_attn."):]: value for key, value in state.items() if key.startswith("self_attn.")}
    h = _layer_norm(x, state["norm1.weight"], state["norm1.bias"])
    x = x + mha_by_hand(attn, h, h, h, heads, bias)[0]
    h = _layer_norm(x, state["norm2.weight"], state["norm2.bias"]) @ state["linear1.weight"].T + state["linear1.bias"]
    return x + (h * 0.5 * (1 + _erf(h / math.sqrt(2)))) @ state["linear2.weight"].T + state["linear2.bias"]


def _weighted_sum(outputs, rng) -> gn.Node:
    """sum(C ⊙ output) over every output node, with random C (a random cotangent)."""
    return sum(gn.sum(Constant(rng.standard_normal(o.shape)) * o) for o in nodes_in(outputs))


# --- attention ------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(batch=st.sampled_from([(), (2,), (2, 3), (1, 3)]), L=st.integers(1, 4), S=st.integers(1, 5),
       d=st.integers(1, 4), dv=st.integers(1, 3), kind=st.sampled_from(["none", "bool", "float", "causal"]),
       seed=st.integers(0, 2**32 - 1))
def test_attention_is_softmax_of_scaled_scores_times_values(batch, L, S, d, dv, kind, seed) -> None:
    rng = np.random.default_rng(seed)
    q, k = rng.standard_normal(batch + (L, d)), rng.standard_normal(batch[-1:] + (S, d))  # k broadcast
    v = rng.standard_normal(batch + (S, dv))
    mask, bias = None, 0.0
    if kind == "bool":
        mask = rng.random((L, S)) < 0.6
        mask[np.arange(L), rng.integers(0, S, L)] = True  # every query attends somewhere
        bias = np.where(mask, 0.0, -np.inf)
    elif kind == "float":
        mask = bias = rng.standard_normal(batch + (L, S))
    elif kind == "causal":
        bias = np.where(np.tril(np.ones((L, S))) > 0, 0.0, -np.inf)  # query i sees keys j <= i
    output, weights = nn.attention(q, k, v, mask, is_causal=kind == "causal")
    want_out, want_weights = by_hand(q, k, v, bias)
    assert output.shape == np.broadcast_shapes(batch, k.shape[:-2]) + (L, dv)
    np.testing.assert_allclose(weights.value, want_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(output.value, want_out, rtol=1e-12, atol=1e-13)
    # Each row of weights is a distribution over the keys.
    assert np.all(weights.value >= 0)
    np.testing.assert_allclose(weights.value.sum(axis=-1), 1.0, rtol=1e-13)
    if kind == "causal":
        past = np.tril(np.ones((L, S), bool))
        assert np.all(weights.value[..., ~past] == 0) and np.all(weights.value[..., past] > 0)


def test_a_given_scale_replaces_one_over_root_d(rng) -> None:
    q, k, v = rng.standard_normal((3, 4, 2))
    output, weights = nn.attention(q, k, v, scale=0.3)
    np.testing.assert_allclose(output.value, by_hand(q, k, v, scale=0.3)[0], rtol=1e-13)
    assert {node.name for node in Graph(output).nodes} >= {"scale", "scores", "weights", "output", "kᵀ"}


def test_the_steps_are_nodes_in_the_attention_scope(rng) -> None:
    q, k, v = (Variable(rng.standard_normal((2, 3)), name) for name in "qkv")
    output, weights = nn.attention(q, k, v, is_causal=True)
    graph = Graph(output)
    named = {node.name: node for node in graph.nodes}
    assert weights is named["weights"] and weights.op.name == "softmax" and weights.shape == (2, 2)
    assert named["scores"].op.name == "mul" and named["masked scores"].op.name == "add"
    assert named["kᵀ"].op.name == "transpose" and output is named["output"] and output.op.name == "matmul"
    assert {node.scope for node in graph.nodes if node not in (q, k, v)} == {("attention",)}
    assert q.scope == k.scope == v.scope == ()


def test_inside_a_layer_the_scope_nests(rng) -> None:
    layer = nn.MultiheadAttention(4, 2, rng=rng)
    x = Constant(rng.standard_normal((3, 1, 4)), "x")
    output, _ = layer(x, x, x)
    scopes = {node.scope for node in Graph(output).nodes}
    assert ("MultiheadAttention", "attention") in scopes and ("MultiheadAttention",) in scopes
    assert layer.head_weights.name == "weights" and layer.head_weights.scope == ("MultiheadAttention", "attention")
    assert layer.in_proj_weight.scope == ("MultiheadAttention",)


@pytest.mark.parametrize("kind", ["none", "bool", "float", "causal"])
def test_attention_differentiates_in_both_modes(kind, rng) -> None:
    q, k, v = Variable(rng.standard_normal((2, 3, 2)), "q"), Variable(rng.standard_normal((2, 4, 2)), "k"), \
        Variable(rng.standard_normal((2, 4, 3)), "v")
    mask = {"none": None, "bool": rng.random((3, 4)) < 0.7, "float": Variable(rng.standard_normal((3, 4)), "m"),
            "causal": None}[kind]
    if kind == "bool":
        mask[:, 0] = True
    loss = _weighted_sum(nn.attention(q, k, v, mask, is_causal=kind == "causal"), rng)
    both_modes_agree_with_central_differences(loss, rng)


def test_a_masked_key_gets_no_weight_and_no_gradient(rng) -> None:
    q, k, v = (Variable(rng.standard_normal((3, 2)), name) for name in "qkv")
    mask = np.array([[True, False, True]] * 3)
    output, weights = nn.attention(q, k, v, mask)
    assert np.all(weights.value[:, 1] == 0)
    grads = gn.grad(_weighted_sum(output, rng), [k, v])
    assert np.all(grads[0][1] == 0) and np.all(grads[1][1] == 0) and np.all(grads[0][[0, 2]] != 0)


def _nothing_may_be_built(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a node was built before the shapes were checked")
    for module in (attention_module, multihead_attention):
        for name in ("matmul", "transpose", "softmax", "reshape"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)


@pytest.mark.parametrize("shapes, mask, causal, words", [
    (((2, 3), (4, 5), (4, 5)), None, False, "q (2, 3) and k (4, 5) must have the same last axis d (3 vs 5)"),
    (((2, 3), (4, 3), (5, 3)), None, False, "k (4, 3) and v (5, 3) must hold as many keys as values (4 vs 5"),
    (((3,), (4, 3), (4, 3)), None, False, "q must have shape (..., length, features), at least two axes, got (3,)"),
    (((2, 2, 3), (3, 4, 3), (3, 4, 3)), None, False, "leading (batch) axes of q (2, 2, 3), k (3, 4, 3)"),
    (((2, 3), (4, 3), (4, 3)), np.ones((3, 4), bool), False, "a mask of shape (3, 4) does not broadcast to the "
                                                            "weights' shape (2, 4)"),
    (((2, 3), (4, 3), (4, 3)), np.ones((2, 4), bool), True, "give a mask or is_causal=True, not both"),
    (((2, 3), (4, 3), (4, 3)), np.array([[True] * 4, [False] * 4]), False, "leaves query 1 (at (1,)) no key"),
    (((2, 3), (4, 3), (4, 3)), np.full((2, 4), "x"), False, "must hold booleans (True: may attend)"),
])
def test_attention_refuses_in_one_line_before_building(shapes, mask, causal, words, monkeypatch) -> None:
    q, k, v = (Constant(np.zeros(s)) for s in shapes)
    _nothing_may_be_built(monkeypatch)
    with pytest.raises(ValueError) as caught:
        nn.attention(q, k, v, mask, is_causal=causal)
    assert words in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith("attention: ")


# --- MultiheadAttention ---------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(heads=st.sampled_from([1, 2, 4]), N=st.integers(1, 3), L=st.integers(1, 4), S=st.integers(1, 4),
       bias=st.booleans(), batch_first=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_multihead_attention_equals_heads_by_hand(heads, N, L, S, bias, batch_first, seed) -> None:
    rng = np.random.default_rng(seed)
    E = 4
    layer = nn.MultiheadAttention(E, heads, bias=bias, batch_first=batch_first, rng=rng)
    state = {key: value + rng.normal(0, 0.1, value.shape) for key, value in layer.state_dict().items()}
    layer.load_state_dict(state)
    query, key, value = rng.standard_normal((N, L, E)), rng.standard_normal((N, S, E)), rng.standard_normal((N, S, E))
    padding = rng.random((N, S)) < 0.3
    padding[:, 0] = False
    bias4 = np.where(padding, -np.inf, 0.0)[:, None, None, :]
    want_out, want_weights = mha_by_hand(state, query, key, value, heads, bias4)
    args = (query, key, value) if batch_first else tuple(np.swapaxes(x, 0, 1) for x in (query, key, value))
    output, weights = layer(*args, key_padding_mask=padding, average_attn_weights=False)
    out = output.value if batch_first else np.swapaxes(output.value, 0, 1)
    np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(weights.value, want_weights, rtol=1e-12, atol=1e-14)
    assert layer.head_weights is weights and weights.shape == (N, heads, L, S)
    _, averaged = layer(*args, key_padding_mask=padding)
    np.testing.assert_allclose(averaged.value, want_weights.mean(axis=1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(averaged.value.sum(axis=-1), 1.0, rtol=1e-13)


def test_unbatched_inputs_and_no_weights(rng) -> None:
    layer = nn.MultiheadAttention(6, 3, rng=rng)
    x = rng.standard_normal((5, 6))
    output, weights = layer(x, x, x, need_weights=False)
    assert weights is None and output.shape == (5, 6)
    batched, _ = layer(x[:, None], x[:, None], x[:, None])
    np.testing.assert_allclose(output.value, batched.value[:, 0], rtol=1e-13)
    assert layer.head_weights.shape == (1, 3, 5, 5)
    _, per_head = layer(x, x, x, average_attn_weights=False)
    assert per_head.shape == (3, 5, 5)


def test_masks_as_torch_multihead_attention_reads_them(rng) -> None:
    """attn_mask True forbids (the opposite of attention's booleans), a float one is added,
    a 3-D one is per (batch, head), and is_causal alone masks the future."""
    layer = nn.MultiheadAttention(4, 2, rng=rng)
    x = rng.standard_normal((3, 2, 4))
    future = np.triu(np.ones((3, 3), bool), 1)
    _, by_bool = layer(x, x, x, attn_mask=future, average_attn_weights=False)
    _, by_float = layer(x, x, x, attn_mask=np.where(future, -np.inf, 0.0), average_attn_weights=False)
    _, by_flag = layer(x, x, x, is_causal=True, average_attn_weights=False)
    _, per_head = layer(x, x, x, attn_mask=np.broadcast_to(future, (4, 3, 3)), average_attn_weights=False)
    for weights in (by_float, by_flag, per_head):
        np.testing.assert_array_equal(weights.value, by_bool.value)
    assert np.all(by_bool.value[..., future] == 0) and np.all(by_bool.value[..., ~future] > 0)


def test_attention_dropout_in_training_and_evaluation(rng) -> None:
    layer = nn.MultiheadAttention(4, 2, dropout=1.0, rng=rng)
    x = rng.standard_normal((3, 2, 4))
    dropped, _ = layer(x, x, x)  # every weight dropped: the output is out_proj's bias
    np.testing.assert_allclose(dropped.value, np.broadcast_to(layer.out_proj.bias.value, (3, 2, 4)))
    np.testing.assert_allclose(layer.head_weights.value.sum(axis=-1), 1.0, rtol=1e-13)
    kept, _ = layer.eval()(x, x, x)
    layer.dropout = 0.0
    plain = nn.MultiheadAttention(4, 2, rng=rng)
    plain.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(kept.value, plain(x, x, x)[0].value, rtol=1e-14)


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_differentiates_in_both_modes(batch_first, rng) -> None:
    layer = nn.MultiheadAttention(4, 2, batch_first=batch_first, rng=rng)
    query = Variable(rng.standard_normal((2, 3, 4) if batch_first else (3, 2, 4)), "query")
    memory = Variable(rng.standard_normal((2, 5, 4) if batch_first else (5, 2, 4)), "memory")
    mask = np.zeros((3, 5), bool)
    mask[0, -1] = True
    loss = _weighted_sum(layer(query, memory, memory, attn_mask=mask, average_attn_weights=False), rng)
    both_modes_agree_with_central_differences(loss, rng)


def test_initial_weights_are_torchs_ranges() -> None:
    layer = nn.MultiheadAttention(64, 4, rng=np.random.default_rng(3))
    bound = math.sqrt(6 / (64 + 3 * 64))
    assert bound * 0.95 < np.abs(layer.in_proj_weight.value).max() <= bound
    assert np.all(layer.in_proj_bias.value == 0) and np.all(layer.out_proj.bias.value == 0)
    assert np.abs(layer.out_proj.weight.value).max() <= 1 / 8
    assert [key for key in layer.state_dict()] == ["in_proj_weight", "in_proj_bias", "out_proj.weight",
                                                   "out_proj.bias"]
    assert nn.MultiheadAttention(4, 2).head_weights is None


@pytest.mark.parametrize("call, words", [
    (lambda m: m(np.zeros((3, 2, 5)), np.zeros((3, 2, 4)), np.zeros((3, 2, 4))),
     "query must have shape (L, N, E) or (L, E) with E = 4, got (3, 2, 5)"),
    (lambda m: m(np.zeros((3, 2, 4)), np.zeros((3, 2, 4)), np.zeros((4, 2, 4))),
     "key (3, 2, 4) and value (4, 2, 4) must have the same shape"),
    (lambda m: m(np.zeros((3, 2, 4)), np.zeros((3, 1, 4)), np.zeros((3, 1, 4))), "must have the same batch axes"),
    (lambda m: m(np.zeros((4,)), np.zeros((4,)), np.zeros((4,))), "got (4,)"),
    (lambda m: m(*[np.zeros((3, 2, 4))] * 3, attn_mask=np.zeros((2, 3))),
     "attn_mask must have shape (3, 3) or (4, 3, 3)"),
    (lambda m: m(*[np.zeros((3, 4))] * 3, attn_mask=np.zeros((4, 3, 3))),
     "attn_mask must have shape (3, 3) or (2, 3, 3)"),
    (lambda m: m(*[np.zeros((3, 2, 4))] * 3, key_padding_mask=np.zeros((3, 2))),
     "key_padding_mask must have shape (2, 3)"),
    (lambda m: m(*[np.zeros((3, 2, 4))] * 3, key_padding_mask=np.ones((2, 3), bool)),
     "leaves query 0 (at (0, 0, 0))"),
    (lambda m: m(*[np.zeros((3, 2, 4))] * 3, attn_mask=np.full((3, 3), "no")), "attn_mask must hold booleans"),
])
def test_multihead_attention_refuses_in_one_line_before_building(call, words, monkeypatch) -> None:
    layer = nn.MultiheadAttention(4, 2)
    _nothing_may_be_built(monkeypatch)
    with pytest.raises(ValueError) as caught:
        call(layer)
    message = str(caught.value)
    assert words in message and "\n" not in message and message.startswith("MultiheadAttention(4, num_heads=2)")


@pytest.mark.parametrize("make, words", [
    (lambda: nn.MultiheadAttention(10, 3), "embed_dim 10 must be divisible by num_heads 3 (each head takes "
                                           "embed_dim / num_heads features); choose num_heads among 1, 2, 5, 10"),
    (lambda: nn.MultiheadAttention(0, 1), "embed_dim must be a whole number >= 1, got 0"),
    (lambda: nn.MultiheadAttention(4, 2, dropout=2.0), "p must be a probability"),
    (lambda: nn.TransformerBlock(10, 4, 8), "d_model 10 must be divisible by heads 4"),
    (lambda: nn.TransformerBlock(8, 2, 0), "d_ff must be a whole number >= 1"),
])
def test_bad_sizes_are_refused_in_one_line(make, words) -> None:
    with pytest.raises(ValueError) as caught:
        make()
    assert words in str(caught.value) and "\n" not in str(caught.value)


# --- TransformerBlock -----------------------------------------------------------------------------
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape", [(2, 5, 8), (5, 8)])
def test_the_block_equals_pre_norm_attention_and_mlp_by_hand(causal, shape, rng) -> None:
    block = nn.TransformerBlock(8, 2, 12, causal=causal, rng=rng)
    state = {key: value + rng.normal(0, 0.1, value.shape) for key, value in block.state_dict().items()}
    block.load_state_dict(state)
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(block(x).value, block_by_hand(state, x, 2, causal), rtol=1e-12, atol=1e-13)
    weights = block.self_attn.head_weights
    assert weights.shape == shape[:-2] + (2, shape[-2], shape[-2])
    if causal:
        assert np.all(np.triu(weights.value, 1) == 0)


def test_a_causal_block_never_looks_ahead(rng) -> None:
    """Changing step t changes no output before t (and every output from t on)."""
    block = nn.TransformerBlock(4, 2, 8, causal=True, rng=rng)
    x = rng.standard_normal((1, 6, 4))
    before = block(x).value
    x = x.copy()
    x[0, 3] += rng.standard_normal(4)  # not a shift of every feature alike: the norms would remove it
    after = block(x).value
    np.testing.assert_array_equal(after[0, :3], before[0, :3])
    assert np.all(after[0, 3:] != before[0, 3:])


def test_the_block_time_first_and_with_a_padding_mask(rng) -> None:
    first = nn.TransformerBlock(4, 2, 8, causal=True, rng=rng)
    second = nn.TransformerBlock(4, 2, 8, causal=True, batch_first=False)
    second.load_state_dict(first.state_dict())
    x = rng.standard_normal((2, 5, 4))
    padding = np.zeros((2, 5), bool)
    padding[1, 3:] = True
    a = first(x, src_key_padding_mask=padding).value
    b = second(np.swapaxes(x, 0, 1), src_key_padding_mask=padding).value
    np.testing.assert_allclose(np.swapaxes(b, 0, 1), a, rtol=1e-13)
    # A padded key gets no weight; the causal mask and a given one both apply.
    assert np.all(first.self_attn.head_weights.value[1, :, :, 3:] == 0)
    no_self = np.eye(5, dtype=bool)  # True forbids, as torch's masks: no step but the first sees itself
    no_self[0, 0] = False
    first(x, src_mask=no_self)
    weights = first.self_attn.head_weights.value
    assert np.all(weights[..., np.arange(5), np.arange(5)][..., 1:] == 0) and np.all(np.triu(weights, 1) == 0)


@pytest.mark.parametrize("causal", [False, True])
def test_the_block_differentiates_in_both_modes(causal, rng) -> None:
    block = nn.TransformerBlock(4, 2, 6, causal=causal, rng=rng)
    for _, p in block.named_parameters():
        p.value = p.value + rng.normal(0, 0.1, p.shape)
    x = Variable(rng.standard_normal((2, 3, 4)), "x")
    both_modes_agree_with_central_differences(_weighted_sum(block(x), rng), rng)


def test_summary_counts_the_blocks_parameters() -> None:
    d, heads, d_ff = 32, 4, 128
    table = nn.summary(nn.TransformerBlock(d, heads, d_ff, causal=True), (2, 10, d))
    attention_params = 3 * d * d + 3 * d + d * d + d  # in_proj weight and bias, out_proj
    mlp = d * d_ff + d_ff + d_ff * d + d
    norms = 2 * (d + d)
    assert table.total_params == table.trainable_params == attention_params + mlp + norms == 12_704
    assert "Total params: 12,704" in str(table)
    rows = {row.layer.split("-")[0]: row for row in table.rows}
    assert rows["MultiheadAttention"].params == 3 * d * d + 3 * d  # its own; out_proj is a Linear row
    assert rows["TransformerBlock"].output_shape == (2, 10, d)


@pytest.mark.parametrize("shape, words", [
    ((2, 5, 6), "the input must have shape (N, T, 8) or (T, 8), got (2, 5, 6)"),
    ((8,), "got (8,)"),
])
def test_the_block_refuses_a_bad_input_in_one_line(shape, words) -> None:
    with pytest.raises(ValueError) as caught:
        nn.TransformerBlock(8, 2, 16)(np.zeros(shape))
    assert words in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith("TransformerBlock(d_model=8, heads=2, d_ff=16)")


def test_a_block_built_once_is_fed_again(rng) -> None:
    """A new batch of the same shape runs through the graph built for the first one."""
    block = nn.TransformerBlock(4, 2, 8, causal=True, rng=rng)
    x = Constant(rng.standard_normal((2, 3, 4)), "x")
    output = block(x)
    graph = Graph(output)
    x.value = rng.standard_normal((2, 3, 4))
    graph.forward()
    np.testing.assert_allclose(output.value, block(x.value).value, rtol=1e-14)
    np.testing.assert_allclose(output.value, block_by_hand(block.state_dict(), x.value, 2, True), rtol=1e-12)


def test_a_blocks_attention_is_drawn_inside_its_layers(rng) -> None:
    model = nn.Sequential(nn.TransformerBlock(4, 2, 8, rng=rng))
    output = model(Constant(rng.standard_normal((1, 3, 4)), "x"))
    block = ("Sequential", "0: TransformerBlock")
    weights = model[0].self_attn.head_weights
    assert weights in Graph(output).nodes
    assert weights.scope == block + ("self_attn: MultiheadAttention", "attention")
    assert model[0].norm1.weight.scope == block + ("norm1: LayerNorm",)
    assert output.scope == block
