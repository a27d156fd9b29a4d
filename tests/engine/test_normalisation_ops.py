"""Dropout, layer norm and batch norm: both forms against central differences, each other and torch.

Every behaviour is checked without torch (central differences in both modes, the one-node and
the parts forms against each other); where torch is installed, values, vjps with random
cotangents and jvps are compared with ``torch.nn.functional`` in float64.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn.engine import Example, ParamError, ShapeError, check_op_rules, registry
from graphviz_nn.engine.checks import numeric_jacobian, relative_error
from graphviz_nn.engine.ops.normalisation import update_running_stats

lengths = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)
FAST = settings(max_examples=25, deadline=None)
# NOTE: two values a row normalise to ±1 whatever they are (for any eps that is small beside
# their spread): the slope is of the order of eps, 8e-5 for values 1 apart with eps 1e-5, and
# central differences' rounding (1e-16 / 1e-6 a step) was 2.5e-5 of it; with eps 1e-3, 1.7e-6.
# The sweeps against central differences take rows of 1 or at least 3 values and eps >= 1e-3;
# the registry's examples (rows of 2 with eps 0.5) and the other tests cover the rest.
CONDITIONED_EPS = st.sampled_from([1e-3, 0.1, 0.5])


@st.composite
def layer_cases(draw):
    """x's shape, how many trailing axes are normalised, eps and whether weight and bias are given."""
    shape = draw(lengths)
    k = draw(st.integers(1, len(shape)))
    if np.prod(shape[len(shape) - k:]) == 2:
        shape = shape[:-1] + (3,)
    return shape, k, draw(st.sampled_from([1e-5, 1e-3, 0.5])), draw(st.booleans()), draw(st.booleans())


@st.composite
def batch_cases(draw):
    """x (N, C, ...) with at least 3 values per channel, eps, training, weight and bias given."""
    shape = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple))
    if np.prod(shape) < 3 * shape[1]:  # at least 3 values a channel (see the note above)
        shape = (3,) + shape[1:]
    return shape, draw(st.sampled_from([1e-5, 0.1])), draw(st.booleans()), draw(st.booleans()), draw(st.booleans())


# --- the records against central differences, in both modes -----------------------------------

@FAST
@given(case=layer_cases(), seed=st.integers(0, 2**32 - 1), eps=CONDITIONED_EPS)
def test_layer_norm_rules_match_central_differences(case, seed, eps) -> None:
    shape, k, _, _, _ = case
    w = shape[len(shape) - k:]
    op = replace(registry()["layer_norm"], examples=(Example((shape, w, w), {"eps": eps}),))
    check_op_rules(op, np.random.default_rng(seed), tolerance=1e-6)


@FAST
@given(case=batch_cases(), seed=st.integers(0, 2**32 - 1), eps=CONDITIONED_EPS)
def test_batch_norm_rules_match_central_differences(case, seed, eps) -> None:
    shape, _, training, _, _ = case
    rng = np.random.default_rng(seed)
    params = {"eps": eps}
    if not training:
        params.update(running_mean=tuple(rng.normal(size=shape[1])),
                      running_var=tuple(rng.uniform(0, 2, size=shape[1])))
    c = (shape[1],)
    op = replace(registry()["batch_norm"], examples=(Example((shape, c, c), params),))
    check_op_rules(op, rng, tolerance=1e-6)


# --- the one-node and the parts forms ---------------------------------------------------------

def _both_forms(build, leaves, rng):
    """Values, gradients (random cotangent) and tangents (random directions) of both forms."""
    results = []
    for parts in (False, True):
        out = build(parts)
        u = rng.standard_normal(out.shape)
        seeds = {v: rng.standard_normal(v.shape) for v in leaves}
        results.append((out, u, seeds))
    (one, u, seeds), (split, _, _) = results
    grads = [gn.grad(out, leaves, cotangent=u) for out in (one, split)]
    tangents = [gn.jvp(out, seeds) for out in (one, split)]
    return (one, split), grads, tangents


def _layer_inputs(case, rng):
    shape, k, eps, with_weight, with_bias = case
    w = shape[len(shape) - k:]
    x = gn.Variable(rng.normal(size=shape), "x")
    weight = gn.Variable(rng.normal(size=w), "weight") if with_weight else None
    bias = gn.Variable(rng.normal(size=w), "bias") if with_bias else None
    return x, w, weight, bias, eps


@FAST
@given(case=layer_cases(), seed=st.integers(0, 2**32 - 1))
def test_layer_norm_one_node_and_parts_agree_in_value_gradient_and_tangent(case, seed) -> None:
    rng = np.random.default_rng(seed)
    x, w, weight, bias, eps = _layer_inputs(case, rng)
    leaves = [v for v in (x, weight, bias) if v is not None]
    (one, split), grads, tangents = _both_forms(
        lambda parts: gn.layer_norm(x, w, weight, bias, eps, parts=parts), leaves, rng)
    np.testing.assert_allclose(one.value, split.value, rtol=1e-12, atol=1e-12)
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(tangents[0], tangents[1], rtol=1e-9, atol=1e-10)


@FAST
@given(case=batch_cases(), seed=st.integers(0, 2**32 - 1))
def test_batch_norm_one_node_and_parts_agree_in_value_gradient_and_tangent(case, seed) -> None:
    shape, eps, training, with_weight, with_bias = case
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = gn.Variable(rng.normal(size=shape), "x")
    weight = gn.Variable(rng.normal(size=c), "weight") if with_weight else None
    bias = gn.Variable(rng.normal(size=c), "bias") if with_bias else None
    mean, var = rng.normal(size=c), rng.uniform(0.1, 2, size=c)
    leaves = [v for v in (x, weight, bias) if v is not None]
    (one, split), grads, tangents = _both_forms(
        lambda parts: gn.batch_norm(x, mean.copy(), var.copy(), weight, bias, training, 0.1, eps, parts=parts),
        leaves, rng)
    np.testing.assert_allclose(one.value, split.value, rtol=1e-12, atol=1e-12)
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(tangents[0], tangents[1], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("parts", [False, True])
@pytest.mark.parametrize("build", ["layer", "batch train", "batch eval"])
def test_each_form_matches_central_differences_in_both_modes(build, parts, rng) -> None:
    x = gn.Variable(rng.normal(size=(3, 2, 4)), "x")
    if build == "layer":
        weight, bias = gn.Variable(rng.normal(size=(2, 4))), gn.Variable(rng.normal(size=(2, 4)))
        out = gn.layer_norm(x, (2, 4), weight, bias, parts=parts)
    else:
        weight, bias = gn.Variable(rng.normal(size=2)), gn.Variable(rng.normal(size=2))
        out = gn.batch_norm(x, np.array([0.5, -1.0]), np.array([2.0, 0.3]), weight, bias,
                            training=build == "batch train", parts=parts)
    leaves = [x, weight, bias]
    numeric = numeric_jacobian(out, leaves)
    u = rng.standard_normal(out.shape)
    reverse = np.concatenate([np.ravel(g) for g in gn.grad(out, leaves, cotangent=u)])
    assert relative_error(reverse, np.ravel(u) @ numeric) < 1e-7
    seeds = {v: rng.standard_normal(v.shape) for v in leaves}
    forward = gn.jvp(out, seeds)
    direction = np.concatenate([np.ravel(seeds[v]) for v in leaves])
    assert relative_error(np.ravel(forward), numeric @ direction) < 1e-7


def test_the_parts_are_nodes_of_their_scope_and_the_one_node_form_is_one_node(rng) -> None:
    x, weight = gn.Variable(rng.normal(size=(2, 3)), "x"), gn.Variable(np.ones(3), "γ")
    split = gn.layer_norm(x, 3, weight, parts=True, scope=("block", "norm"))
    made = [n for n in gn.Graph(split).nodes if n not in (x, weight)]
    assert {n.label for n in made} >= {"μ", "σ²", "σ", "x̂", "ε"}
    assert all(n.scope == ("block", "norm") for n in made) and x.scope == weight.scope == ()
    one = gn.layer_norm(x, 3, weight)
    assert [n.label for n in gn.Graph(one).nodes if isinstance(n, gn.Function)] == ["LayerNorm"]
    assert gn.batch_norm(x, None, None, training=True, parts=True).scope == ("batch norm",)


def test_rows_of_one_value_give_the_bias_and_finite_derivatives(rng) -> None:
    """var = 0: eps keeps 1/σ finite (1/√1e-5 ≈ 316) in both forms."""
    x = gn.Variable(np.full((2, 3), 1.5), "x")
    bias = gn.Variable(rng.normal(size=3), "bias")
    for parts in (False, True):
        out = gn.layer_norm(x, 3, None, bias, parts=parts)
        np.testing.assert_array_equal(out.value, np.broadcast_to(bias.value, (2, 3)))
        g = gn.grad(out, [x], cotangent=rng.standard_normal((2, 3)))[0]
        assert np.all(np.isfinite(g)) and np.abs(g).max() < 1e3


# --- batch norm's running statistics ----------------------------------------------------------

@pytest.mark.parametrize("parts", [False, True])
def test_evaluation_uses_the_running_statistics_and_leaves_them_alone(parts, rng) -> None:
    x = rng.normal(size=(4, 3, 2))
    mean, var = np.array([0.5, -1.0, 2.0]), np.array([2.0, 0.5, 0.0])
    out = gn.batch_norm(x, mean, var, eps=1e-3, parts=parts)
    expected = (x - mean[:, None]) / np.sqrt(var[:, None] + 1e-3)
    np.testing.assert_allclose(out.value, expected, rtol=1e-13)
    np.testing.assert_array_equal(mean, [0.5, -1.0, 2.0])
    np.testing.assert_array_equal(var, [2.0, 0.5, 0.0])


@pytest.mark.parametrize("parts", [False, True])
def test_training_updates_the_running_statistics_in_place(parts, rng) -> None:
    mean, var = np.zeros(3), np.ones(3)
    before = [id(mean), id(var)]
    for _ in range(4):
        gn.batch_norm(rng.normal(2.0, 3.0, size=(8, 3, 5)), mean, var, training=True, momentum=0.5,
                      parts=parts)
    assert [id(mean), id(var)] == before
    # After 4 updates of weight 1/2 the statistics are 15/16 of the way to the data's (2, 9).
    np.testing.assert_allclose(mean, 2.0 * 15 / 16, atol=0.5)
    np.testing.assert_allclose(var, 9.0 * 15 / 16 + 1 / 16, rtol=0.35)


def test_update_running_stats_uses_the_unbiased_variance() -> None:
    x = np.array([[1.0, 0.0], [3.0, 0.0]])
    mean, var = np.zeros(2), np.zeros(2)
    update_running_stats(x, mean, var, momentum=1.0)
    np.testing.assert_array_equal(mean, [2.0, 0.0])
    np.testing.assert_array_equal(var, [2.0, 0.0])  # Σ (x − 2)² / (2 − 1)


# --- against torch, in float64 ----------------------------------------------------------------

def _torch_compare(build_ours, build_torch, leaves, rng) -> None:
    """Value, vjp with a random cotangent, and jvp (torch.func.jvp) with random directions."""
    torch = pytest.importorskip("torch")
    values = [v.value for v in leaves]
    directions = [rng.standard_normal(v.shape) for v in values]
    tensors = [torch.tensor(v, requires_grad=True) for v in values]
    expected = build_torch(*tensors)
    u = rng.standard_normal(tuple(expected.shape))
    expected_grads = torch.autograd.grad(expected, tensors, torch.tensor(u))
    _, expected_tangent = torch.func.jvp(build_torch, tuple(torch.tensor(v) for v in values),
                                         tuple(torch.tensor(d) for d in directions))
    for parts in (False, True):
        out = build_ours(parts)
        np.testing.assert_allclose(out.value, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
        for ours, theirs in zip(gn.grad(out, leaves, cotangent=u), expected_grads):
            np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-10)
        tangent = gn.jvp(out, dict(zip(leaves, directions)))
        np.testing.assert_allclose(tangent, expected_tangent.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("shape, normalized_shape", [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((3, 1, 6), (6,))])
def test_layer_norm_matches_torch(shape, normalized_shape, rng) -> None:
    torch = pytest.importorskip("torch")
    x = gn.Variable(rng.normal(size=shape))
    w, b = gn.Variable(rng.normal(size=normalized_shape)), gn.Variable(rng.normal(size=normalized_shape))
    _torch_compare(lambda parts: gn.layer_norm(x, normalized_shape, w, b, 1e-5, parts=parts),
                   lambda x, w, b: torch.nn.functional.layer_norm(x, normalized_shape, w, b, 1e-5),
                   [x, w, b], rng)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 2)])
def test_batch_norm_matches_torch(shape, training, rng) -> None:
    torch = pytest.importorskip("torch")
    x = gn.Variable(rng.normal(1.0, 2.0, size=shape))
    w, b = gn.Variable(rng.normal(size=3)), gn.Variable(rng.normal(size=3))
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)
    _torch_compare(
        lambda parts: gn.batch_norm(x, mean.copy(), var.copy(), w, b, training, 0.1, 1e-3, parts=parts),
        lambda x, w, b: torch.nn.functional.batch_norm(x, torch.tensor(mean), torch.tensor(var), w, b,
                                                       training, 0.1, 1e-3),
        [x, w, b], rng)


@pytest.mark.parametrize("parts", [False, True])
def test_running_statistics_equal_torchs_after_several_training_calls(parts, rng) -> None:
    torch = pytest.importorskip("torch")
    mean, var = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    theirs_mean, theirs_var = torch.tensor(mean), torch.tensor(var)
    for step in range(6):
        x = rng.normal(step, 1.0 + step, size=(5, 4, 3))
        ours = gn.batch_norm(x, mean, var, training=True, momentum=0.3, parts=parts)
        theirs = torch.nn.functional.batch_norm(torch.tensor(x), theirs_mean, theirs_var, training=True,
                                                momentum=0.3)
        np.testing.assert_allclose(ours.value, theirs.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(mean, theirs_mean.numpy(), rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(var, theirs_var.numpy(), rtol=1e-14)
    ours = gn.batch_norm(x, mean, var, parts=parts)
    theirs = torch.nn.functional.batch_norm(torch.tensor(x), theirs_mean, theirs_var, training=False)
    np.testing.assert_allclose(ours.value, theirs.numpy(), rtol=1e-12, atol=1e-12)


# --- dropout -----------------------------------------------------------------------------------

def test_dropout_multiplies_by_a_mask_constant_that_stepping_again_reuses() -> None:
    x = gn.Variable(np.arange(1.0, 13.0).reshape(3, 4), "x")
    out = gn.dropout(x, 0.25, np.random.default_rng(7))
    mask = out.inputs[1]
    assert out.op.name == "mul" and out.inputs[0] is x
    assert isinstance(mask, gn.Constant) and mask.label == "mask"
    assert set(np.unique(mask.value)) <= {0.0, 1 / 0.75}
    np.testing.assert_array_equal(gn.grad(out, [x], cotangent=np.ones((3, 4)))[0], mask.value)
    x.value = -x.value
    graph = gn.Graph(out)
    graph.forward()
    np.testing.assert_array_equal(out.value, -np.arange(1.0, 13.0).reshape(3, 4) * mask.value)


def test_the_same_seed_draws_the_same_mask_and_another_seed_another() -> None:
    x = np.ones((20, 30))
    masks = [gn.dropout(x, 0.5, np.random.default_rng(seed)).inputs[1].value for seed in (3, 3, 4)]
    np.testing.assert_array_equal(masks[0], masks[1])
    assert not np.array_equal(masks[0], masks[2])


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_keeps_the_expectation(p) -> None:
    """The mean of 400 draws over 50 entries: each entry's mean has a standard deviation of
    |x| √(p / (1 − p)) / 20, at most 0.45 for |x| <= 3 and p = 0.9; held to 5 of them (2.25)
    per entry and 0.1 for their average (50 entries: 0.064 a standard deviation at most)."""
    x = np.linspace(-3.0, 3.0, 50)
    rng = np.random.default_rng(2026)
    mean = np.mean([gn.dropout(x, p, rng).value for _ in range(400)], axis=0)
    spread = np.abs(x) * np.sqrt(p / (1 - p)) / 20
    assert np.all(np.abs(mean - x) <= 5 * spread + 1e-12)
    assert abs(np.mean(mean - x)) < 0.1
    share = np.mean(gn.dropout(np.ones(100_000), p, rng).value == 0)
    assert abs(share - p) < 0.01


def test_dropout_is_the_identity_in_evaluation_and_for_p_0_and_zeros_for_p_1(rng) -> None:
    x = gn.Variable(rng.normal(size=(2, 3)), "x")
    assert gn.dropout(x, 0.5, np.random.default_rng(0), training=False) is x
    assert gn.dropout(x, 0.0, None) is x
    out = gn.dropout(x, 1.0, None)
    np.testing.assert_array_equal(out.value, np.zeros((2, 3)))
    np.testing.assert_array_equal(gn.grad(out, [x], cotangent=np.ones((2, 3)))[0], np.zeros((2, 3)))
    torch = pytest.importorskip("torch")
    assert torch.count_nonzero(torch.nn.functional.dropout(torch.tensor(x.value), 1.0)) == 0


# --- errors: one line, what, where and how to fix ---------------------------------------------

@pytest.mark.parametrize("parts", [False, True])
@pytest.mark.parametrize("call, error, message", [
    (lambda p: gn.layer_norm(np.ones((2, 3)), 4, parts=p), ShapeError, r"normalized_shape \(4,\) does not match"),
    (lambda p: gn.layer_norm(np.ones((2, 3)), (2, 3, 1), parts=p), ShapeError, "does not match the last axes"),
    (lambda p: gn.layer_norm(np.ones((2, 3)), (0,), parts=p), ParamError, "lengths >= 1"),
    (lambda p: gn.layer_norm(np.ones((2, 3)), 3, np.ones(2), parts=p), ShapeError, r"weight \(2,\) must"),
    (lambda p: gn.layer_norm(np.ones((2, 3)), 3, eps=0.0, parts=p), ParamError, "eps must be a finite number > 0"),
    (lambda p: gn.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), eps=-1, parts=p), ParamError, "eps"),
    (lambda p: gn.batch_norm(np.ones((2, 3)), np.zeros(4), np.ones(3), parts=p), ShapeError,
     r"running_mean \(4,\) must hold one value per channel: \(3,\)"),
    (lambda p: gn.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(2), training=True, parts=p), ShapeError,
     "running_var"),
    (lambda p: gn.batch_norm(np.ones((2, 3)), None, None, parts=p), ParamError, "evaluation needs them"),
    (lambda p: gn.batch_norm(np.ones((1, 3)), None, None, training=True, parts=p), ShapeError,
     "more than one value per channel"),
    (lambda p: gn.batch_norm(np.ones(3), None, None, training=True, parts=p), ShapeError, r"\(N, C\)"),
    (lambda p: gn.batch_norm(np.ones((2, 3)), [0.0] * 3, [1.0] * 3, training=True, parts=p), ParamError,
     "writable float array"),
    (lambda p: gn.batch_norm(np.ones((2, 3)), np.zeros(3), -np.ones(3), parts=p), ParamError, "negative"),
    (lambda p: gn.batch_norm(np.ones((2, 3)), None, None, np.ones(2), training=True, parts=p), ShapeError,
     "weight"),
    (lambda p: gn.batch_norm(np.ones((2, 3)), None, None, training=True, momentum=2, parts=p), ParamError,
     "momentum must be a number between 0 and 1"),
])
def test_bad_calls_are_refused_in_one_line_before_anything_changes(call, error, message, parts) -> None:
    with pytest.raises(error, match=message) as raised:
        call(parts)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("p, rng", [(-0.1, None), (1.5, None), (float("nan"), None), (True, None),
                                    (0.5, None), (0.5, np.random.RandomState(0))])
def test_dropout_refuses_bad_probabilities_and_a_missing_generator(p, rng) -> None:
    with pytest.raises(ParamError, match="dropout: ") as raised:
        gn.dropout(np.ones(3), p, rng)
    assert "\n" not in str(raised.value)


def test_a_refused_training_call_leaves_the_running_statistics_as_they_were() -> None:
    mean, var = np.zeros(3), np.ones(3)
    with pytest.raises(ParamError):
        gn.batch_norm(np.ones((4, 3)), mean, var, training=True, eps=0)
    np.testing.assert_array_equal(mean, np.zeros(3))
    np.testing.assert_array_equal(var, np.ones(3))
