"""cross_entropy and mse_loss as torch.nn.functional computes them: values, reverse gradients and
forward tangents against central differences, and against torch where it is installed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import ShapeError, Variable, check_gradients, numeric_jacobian
from graphviz_nn.nn.losses import cross_entropy, mse_loss

# Logits (C,), (N, C), (N, C, d1) and (N, C, d1, d2): the classes are axis 1, axis 0 of one sample.
LOGIT_SHAPES = st.one_of(
    st.tuples(st.integers(1, 5)),
    st.tuples(st.integers(1, 4), st.integers(1, 5)),
    st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3)),
    st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 2), st.integers(1, 2)),
)
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def _case(shape, seed: int, kind: str, scale: float = 3.0):
    """Logits, and targets as class indices or as probabilities (rows of a softmax)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=scale, size=shape)
    axis = 1 if len(shape) >= 2 else 0
    if kind == "indices":
        return z, rng.integers(0, shape[axis], size=shape[:axis] + shape[axis + 1:])
    p = np.exp(rng.normal(size=shape))
    return z, p / p.sum(axis=axis, keepdims=True)


def _reference(z: np.ndarray, targets: np.ndarray, reduction: str) -> np.ndarray:
    """The loss written out in numpy: log softmax by subtracting the largest score."""
    axis = 1 if z.ndim >= 2 else 0
    shifted = z - z.max(axis=axis, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    if targets.shape != z.shape:
        targets = np.moveaxis(np.eye(z.shape[axis])[targets], -1, axis)
    per_sample = -(targets * log_p).sum(axis=axis)
    return {"mean": per_sample.mean(), "sum": per_sample.sum(), "none": per_sample}[reduction]


def _exact_gradient(z: np.ndarray, targets: np.ndarray, reduction: str, cotangent: np.ndarray) -> np.ndarray:
    """d(cotangent · loss)/dz written out: (softmax − targets) per sample, times its cotangent."""
    axis = 1 if z.ndim >= 2 else 0
    p = np.exp(z - z.max(axis=axis, keepdims=True))
    p /= p.sum(axis=axis, keepdims=True)
    if targets.shape != z.shape:
        targets = np.moveaxis(np.eye(z.shape[axis])[targets], -1, axis)
    per_sample = np.broadcast_to(cotangent, p.sum(axis=axis).shape)
    if reduction == "mean":
        per_sample = per_sample / p.sum(axis=axis).size
    return (p - targets) * np.expand_dims(per_sample, axis)


@settings(max_examples=60, deadline=None)
@given(shape=LOGIT_SHAPES, seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["indices", "probabilities"]),
       reduction=REDUCTIONS)
def test_value_gradient_and_tangent_against_central_differences(shape, seed, kind, reduction) -> None:
    z_value, targets = _case(shape, seed, kind)
    z = Variable(z_value, "z")
    loss = cross_entropy(z, targets, reduction)
    np.testing.assert_allclose(loss.value, _reference(z_value, targets, reduction), rtol=1e-13, atol=1e-15)
    rng = np.random.default_rng(seed + 1)
    cotangent = rng.normal(size=loss.value.shape)
    jacobian = numeric_jacobian(loss, [z])
    # Against the exact rule (softmax − targets, per sample) to rounding, and against central
    # differences to their own error: absolute where a softmax is near its target (a relative
    # 2.6e-7 was seen on gradients of 1e-9).
    gradient = gn.grad(loss, [z], cotangent)[0]
    np.testing.assert_allclose(gradient, _exact_gradient(z_value, targets, reduction, cotangent),
                               rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(np.ravel(gradient), jacobian.T @ np.ravel(cotangent), rtol=1e-6, atol=1e-8)
    tangent = rng.normal(size=shape)
    np.testing.assert_allclose(np.ravel(gn.jvp(loss, {z: tangent})), jacobian @ tangent.ravel(), rtol=1e-6, atol=1e-8)


@given(shape=LOGIT_SHAPES, seed=st.integers(0, 2**32 - 1))
def test_class_indices_and_their_one_hot_rows_give_one_loss(shape, seed) -> None:
    z, indices = _case(shape, seed, "indices")
    axis = 1 if len(shape) >= 2 else 0
    one_hot = np.moveaxis(np.eye(shape[axis])[indices], -1, axis)
    as_indices, as_rows = cross_entropy(Variable(z), indices), cross_entropy(Variable(z), one_hot)
    assert float(as_indices.value) == float(as_rows.value)
    assert cross_entropy(Variable(z), gn.Constant(indices)).value == as_indices.value  # whole floats count


def test_huge_logits_stay_finite() -> None:
    z = Variable([[1000.0, -1000.0, 0.0], [-5e5, 5e5, 0.0]])
    loss = cross_entropy(z, [1, 1])
    assert float(loss.value) == pytest.approx(1000.0, rel=1e-15)
    np.testing.assert_allclose(gn.grad(loss, [z])[0], [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-300)


def test_the_graph_shows_the_one_hot_targets() -> None:
    loss = cross_entropy(Variable(np.zeros((2, 3))), [2, 0])
    labels = {node.label for node in gn.Graph(loss).nodes}
    assert "y (one-hot)" in labels


@pytest.mark.parametrize("logits, targets, message", [
    (np.zeros((4, 3)), [0, 1, 2], r"targets of shape \(3,\) fit logits \(4, 3\) neither as class indices "
                                  r"\(shape \(4,\)\) nor as probabilities \(shape \(4, 3\)\)"),
    (np.zeros((2, 3)), [0, 3], r"class index 3 is out of range for 3 classes \(0 to 2\)"),
    (np.zeros((2, 3)), [-1, 0], r"class index -1 is out of range"),
    (np.zeros((2, 3)), [0.5, 1.0], "class indices must be whole numbers, got 0.5"),
    (np.zeros((2, 3)), [np.nan, 1.0], "class indices must be whole numbers, got nan"),
    (np.zeros(()), 0, "the logits are one number"),
])
def test_bad_targets_are_refused_in_one_line(logits, targets, message) -> None:
    with pytest.raises(ValueError, match=message):
        cross_entropy(Variable(logits), targets)


def test_an_unknown_reduction_is_refused() -> None:
    with pytest.raises(ValueError, match="cross_entropy: reduction 'average' is unknown; choose one of mean, sum, none"):
        cross_entropy(Variable(np.zeros((2, 3))), [0, 1], reduction="average")
    with pytest.raises(ValueError, match="mse_loss: reduction 'avg' is unknown"):
        mse_loss(Variable(np.zeros(2)), np.zeros(2), reduction="avg")


# --- mse_loss ------------------------------------------------------------------------------

SEQUENCE_SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


@settings(max_examples=40, deadline=None)
@given(shape=SEQUENCE_SHAPES, seed=st.integers(0, 2**32 - 1), reduction=REDUCTIONS)
def test_mse_is_the_mean_square_over_every_entry(shape, seed, reduction) -> None:
    rng = np.random.default_rng(seed)
    p, y = Variable(rng.normal(size=shape), "p"), rng.normal(size=shape)
    loss = mse_loss(p, y, reduction)
    squares = (p.value - y) ** 2
    np.testing.assert_allclose(loss.value, {"mean": squares.mean(), "sum": squares.sum(), "none": squares}[reduction],
                               rtol=1e-14)
    if reduction == "mean":
        np.testing.assert_allclose(gn.grad(loss, [p])[0], 2 * (p.value - y) / max(p.value.size, 1), rtol=1e-14)
    assert check_gradients(loss, [p], rng.normal(size=loss.value.shape))[p].relative_error < 1e-7


def test_mse_refuses_a_column_against_a_vector() -> None:
    with pytest.raises(ShapeError, match=r"mse_loss: prediction \(4, 1\) and target \(4,\) differ in shape"):
        mse_loss(Variable(np.zeros((4, 1))), np.zeros(4))


# --- against torch -------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")  # inside torch.func
@settings(max_examples=60, deadline=None)
@given(shape=LOGIT_SHAPES, seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["indices", "probabilities"]),
       reduction=REDUCTIONS, scale=st.sampled_from([1.0, 30.0, 500.0]))
def test_cross_entropy_equals_torch_in_value_gradient_and_tangent(shape, seed, kind, reduction, scale) -> None:
    torch = pytest.importorskip("torch")
    z_value, targets = _case(shape, seed, kind, scale)
    z = Variable(z_value, "z")
    loss = cross_entropy(z, targets, reduction)
    z_t = torch.tensor(z_value, requires_grad=True)
    target_t = torch.tensor(targets)
    expected = torch.nn.functional.cross_entropy(z_t, target_t, reduction=reduction)
    np.testing.assert_allclose(loss.value, expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    rng = np.random.default_rng(seed + 2)
    cotangent = rng.normal(size=loss.value.shape)
    (torch_grad,) = torch.autograd.grad(expected, z_t, torch.tensor(cotangent))
    np.testing.assert_allclose(gn.grad(loss, [z], cotangent)[0], torch_grad.numpy(), rtol=1e-10, atol=1e-13)
    tangent = rng.normal(size=shape)
    _, torch_tangent = torch.func.jvp(
        lambda x: torch.nn.functional.cross_entropy(x, target_t, reduction=reduction),
        (torch.tensor(z_value),), (torch.tensor(tangent),))
    np.testing.assert_allclose(gn.jvp(loss, {z: tangent}), torch_tangent.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(shape=SEQUENCE_SHAPES, seed=st.integers(0, 2**32 - 1), reduction=REDUCTIONS)
def test_mse_equals_torch(shape, seed, reduction) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    p, y = Variable(rng.normal(size=shape)), rng.normal(size=shape)
    loss = mse_loss(p, y, reduction)
    p_t = torch.tensor(p.value, requires_grad=True)
    expected = torch.nn.functional.mse_loss(p_t, torch.tensor(y), reduction=reduction)
    np.testing.assert_allclose(loss.value, expected.detach().numpy(), rtol=1e-13, atol=1e-15)
    cotangent = rng.normal(size=loss.value.shape)
    (torch_grad,) = torch.autograd.grad(expected, p_t, torch.tensor(cotangent))
    np.testing.assert_allclose(gn.grad(loss, [p], cotangent)[0], torch_grad.numpy(), rtol=1e-13, atol=1e-15)
