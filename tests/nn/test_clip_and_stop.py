"""Clipping gradients by global norm, and early stopping that puts the best weights back."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Variable
from graphviz_nn.nn import Adam, LayerNet, Trainer
from graphviz_nn.nn.clipping import clip_grad_norm_
from graphviz_nn.nn.datasets import Dataset
from graphviz_nn.nn.early_stopping import EarlyStopping

GRADS = st.lists(st.lists(st.integers(1, 4), max_size=3).map(tuple), min_size=1, max_size=4)
NORMS = st.sampled_from([2.0, 1.0, 3.0, math.inf])


def _with_grads(shapes, seed: int, scale: float) -> list[Variable]:
    rng = np.random.default_rng(seed)
    params = [Variable(np.zeros(shape), f"w{i}") for i, shape in enumerate(shapes)]
    for p in params:
        p.grad = rng.normal(scale=scale, size=p.value.shape)
    return params


# --- clip_grad_norm_ -----------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(shapes=GRADS, seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1e-3, 1.0, 30.0]),
       max_norm=st.sampled_from([0.0, 0.5, 1.0, 5.0]), norm_type=NORMS)
def test_the_global_norm_is_at_most_max_norm_and_every_gradient_keeps_its_direction(
        shapes, seed, scale, max_norm, norm_type) -> None:
    params = _with_grads(shapes, seed, scale)
    before = [p.grad.copy() for p in params]
    everything = np.concatenate([g.ravel() for g in before])
    total = clip_grad_norm_(params, max_norm, norm_type)
    assert total == pytest.approx(np.linalg.norm(everything, norm_type), rel=1e-12)
    factor = min(max_norm / (total + 1e-6), 1.0)
    for p, g in zip(params, before):
        np.testing.assert_allclose(p.grad, g * factor, rtol=1e-15)
    after = np.linalg.norm(np.concatenate([p.grad.ravel() for p in params]), norm_type)
    assert after <= max_norm * (1 + 1e-12) or factor == 1.0


def test_clipping_skips_parameters_without_a_gradient_and_replaces_arrays() -> None:
    a, b = Variable([3.0, 4.0]), Variable([1.0])
    a.grad = held = np.array([3.0, 4.0])
    assert clip_grad_norm_([a, b], 1.0) == 5.0
    np.testing.assert_allclose(a.grad, [0.6, 0.8], rtol=1e-6)
    assert b.grad is None and held.tolist() == [3.0, 4.0]
    assert clip_grad_norm_(b, 1.0) == 0.0  # one node, no gradient: nothing to clip


def test_a_non_finite_norm_is_refused_when_asked() -> None:
    a = Variable([1.0])
    a.grad = np.array([np.inf])
    with pytest.raises(ValueError, match="total norm of order 2 of the gradients is inf"):
        clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="max_norm must be 0 or more, got -1"):
        clip_grad_norm_([a], -1)


@settings(max_examples=40, deadline=None)
@given(shapes=GRADS, seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1e-3, 1.0, 30.0]),
       max_norm=st.sampled_from([0.0, 0.5, 5.0]), norm_type=NORMS)
def test_clipping_equals_torch(shapes, seed, scale, max_norm, norm_type) -> None:
    torch = pytest.importorskip("torch")
    ours = _with_grads(shapes, seed, scale)
    theirs = [torch.zeros(p.value.shape, dtype=torch.float64, requires_grad=True) for p in ours]
    for p, q in zip(ours, theirs):
        q.grad = torch.tensor(p.grad.copy())
    total = clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total == pytest.approx(float(expected), rel=1e-13)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-13, atol=1e-300)


# --- early stopping ------------------------------------------------------------------------

def _sine(n: int, rng: np.random.Generator, noise: float) -> Dataset:
    x = rng.uniform(-2, 2, (n, 1))
    return Dataset("sine", x, np.sin(2 * x[:, 0]) + noise * rng.normal(size=n), ("x",))


def _overfitting_run():
    """Ten noisy rows and two hidden layers of 32: the validation loss falls to about 0.08 near
    epoch 80, then rises past 1 as the net learns the noise."""
    rng = np.random.default_rng(0)
    train, validation = _sine(10, rng, 0.5), _sine(200, rng, 0.0)
    net = LayerNet([1, 32, 32, 1], "tanh", "identity", "mse", rng=np.random.default_rng(1))
    return net, Trainer(net, Adam(net.parameters, lr=0.02)), train, validation


class _Watching(EarlyStopping):
    """Early stopping that also keeps every loss it was shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: list[float] = []

    def update(self, loss, parameters, epoch):
        self.seen.append(loss)
        return super().update(loss, parameters, epoch)


def test_a_run_that_overfits_stops_and_gets_back_its_best_validation_loss() -> None:
    net, trainer, train, validation = _overfitting_run()
    stopping = _Watching(patience=50)
    records = list(trainer.fit(train, None, epochs=2000, validation=validation, early_stopping=stopping))
    best = min(stopping.seen)
    assert stopping.seen[-1] > 1.05 * best  # it was overfitting when it stopped
    assert stopping.best == best and stopping.seen.index(best) + 1 == stopping.best_epoch
    assert len(records) == stopping.stopped_epoch == stopping.best_epoch + 50 < 2000
    assert net.evaluate(validation.X, validation.y)[0] == best  # the same weights, the same loss


def test_without_restoring_the_last_weights_stay() -> None:
    net, trainer, train, validation = _overfitting_run()
    stopping = _Watching(patience=50, restore_best=False)
    list(trainer.fit(train, None, epochs=2000, validation=validation, early_stopping=stopping))
    assert net.evaluate(validation.X, validation.y)[0] == stopping.seen[-1] > stopping.best


def test_the_best_weights_come_back_when_the_epochs_run_out_or_training_is_stopped() -> None:
    net, trainer, train, validation = _overfitting_run()
    stopping = _Watching(patience=10**6)
    records = list(trainer.fit(train, None, epochs=300, validation=validation, early_stopping=stopping))
    assert len(records) == 300 and stopping.stopped_epoch is None
    assert net.evaluate(validation.X, validation.y)[0] == min(stopping.seen)
    stop, stopping = threading.Event(), _Watching(patience=10**6)
    for record in trainer.fit(train, None, epochs=300, validation=validation, early_stopping=stopping):
        if record.epoch == 400:
            stop.set()
    # the set event ends training before epoch 401's first batch; its best of epochs 301-400 came back
    assert net.evaluate(validation.X, validation.y)[0] == min(stopping.seen)


def test_min_delta_counts_small_gains_as_no_gain() -> None:
    stopping = EarlyStopping(patience=2, min_delta=0.1)
    w = Variable([0.0])
    assert [stopping.update(loss, [w], epoch) for epoch, loss in enumerate([1.0, 0.95, 0.92], 1)] == [
        False, False, True]
    assert stopping.best == 1.0 and stopping.best_epoch == 1 and stopping.stopped_epoch == 3


def test_a_nan_loss_is_never_the_best() -> None:
    stopping = EarlyStopping(patience=1)
    assert not stopping.update(1.0, [Variable([1.0])], 1)
    assert stopping.update(float("nan"), [Variable([1.0])], 2) and stopping.best == 1.0


@pytest.mark.parametrize("make, message", [
    (lambda: EarlyStopping(0), "patience must be a whole number of epochs, at least 1, got 0"),
    (lambda: EarlyStopping(2.5), "patience must be a whole number of epochs, at least 1, got 2.5"),
    (lambda: EarlyStopping(3, min_delta=-0.1), "min_delta must be 0 or more, got -0.1"),
])
def test_bad_early_stopping_is_refused(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("options", [{"early_stopping": EarlyStopping(3)}, {"validation": "rows"},
                                     {"early_stopping": EarlyStopping(3), "validation": "empty"}])
def test_the_trainer_wants_validation_rows_and_early_stopping_together(options) -> None:
    net, trainer, train, validation = _overfitting_run()
    if "validation" in options:
        options["validation"] = validation if options["validation"] == "rows" else validation.rows(slice(0, 0))
    with pytest.raises(ValueError, match="early stopping watches the loss on validation rows"):
        next(trainer.fit(train, None, epochs=3, **options))
