"""Trainer: records, stopping, non-finite losses, mini-batches."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from graphviz_nn import NonFiniteError
from graphviz_nn import datasets as D
from graphviz_nn.nn import Adam, EpochRecord, GradientDescent, LayerNet, PerceptronNet, Trainer, accuracy


def _xor_trainer(batch_size=None, lr=0.05):
    net = LayerNet([2, 4, 1], "tanh", "sigmoid", "bce", rng=np.random.default_rng(0))
    return net, Trainer(net, Adam(net.parameters, lr=lr), batch_size, np.random.default_rng(0))


def test_fit_yields_frozen_records_per_epoch() -> None:
    train, test = D.split(D.xor(seed=0), test_fraction=0.25, seed=0)
    _, trainer = _xor_trainer()
    records = list(trainer.fit(train, test, epochs=5))
    assert [r.epoch for r in records] == [1, 2, 3, 4, 5]
    first = records[0]
    assert isinstance(first, EpochRecord) and 0 <= first.train_accuracy <= 1
    assert first.test_loss is not None and first.test_accuracy is not None
    assert [name for name, _ in first.gradient_norms] == ["layer 1", "output"]
    assert all(b.seconds >= a.seconds for a, b in zip(records, records[1:]))
    with pytest.raises(AttributeError):
        first.epoch = 7  # type: ignore[misc]
    more = list(trainer.fit(train, test, epochs=2))
    assert [r.epoch for r in more] == [6, 7]


def test_full_batch_train_loss_is_the_loss_before_the_update() -> None:
    data = D.xor(seed=1)
    net, trainer = _xor_trainer()
    loss_before, _ = net.evaluate(data.X, data.y)
    record = next(trainer.fit(data, None, epochs=1))
    assert record.train_loss == pytest.approx(loss_before)


def test_mini_batches_shuffle_and_cover_every_row() -> None:
    data = D.xor(n=100, seed=2)
    net, trainer = _xor_trainer(batch_size=32)
    seen = []
    original = net.set_data
    net.set_data = lambda X, t: (seen.append(len(X)), original(X, t))[1]  # type: ignore[method-assign]
    next(trainer.fit(data, None, epochs=1))
    assert seen == [32, 32, 32, 4]


def test_stop_ends_training_within_one_batch() -> None:
    data = D.xor(n=400, seed=3)
    net, trainer = _xor_trainer(batch_size=10)
    stop = threading.Event()
    steps = []
    original = net.set_data

    def count_and_stop(X, t):
        steps.append(1)
        if len(steps) == 7:
            stop.set()
        original(X, t)

    net.set_data = count_and_stop  # type: ignore[method-assign]
    records = list(trainer.fit(data, None, epochs=3, stop=stop))
    assert records == [] and len(steps) == 7


def test_a_diverging_run_raises_naming_node_and_epoch() -> None:
    data = D.breast_cancer()
    net = LayerNet([30, 5, 1], "relu", "identity", "mse", normalise=True, rng=np.random.default_rng(0))
    trainer = Trainer(net, GradientDescent(net.parameters, lr=1e6))
    with pytest.raises(NonFiniteError, match=r"epoch \d+: forward pass: node n\d+ .* (inf|nan)") as info, \
            np.errstate(over="ignore", invalid="ignore"):
        for _ in trainer.fit(data, None, epochs=50):
            pass
    assert info.value.node is not None and info.value.node_id.startswith("n")


def _three_labels_one_output() -> D.Dataset:
    base = D.blobs(n=60, seed=5)
    return D.Dataset("blobs, one output", base.X, base.y, base.feature_names, base.class_names)


@pytest.mark.parametrize("sizes, activation, output, loss, data, batch_size", [
    ([2, 4, 1], "tanh", "sigmoid", "bce", D.xor(n=80, seed=4), None),
    ([2, 4, 1], "tanh", "tanh", "mse", D.xor(n=80, seed=4), None),
    ([2, 5, 3], "tanh", "softmax", "cce", D.blobs(n=90, seed=4), None),
    ([2, 3, 1], "sigmoid", "sigmoid", "sse", _three_labels_one_output(), None),  # class 2 is never right
    ([2, 4, 1], "tanh", "sigmoid", "bce", D.xor(n=80, seed=4), 80),
])
def test_records_agree_with_measuring_by_hand(sizes, activation, output, loss, data, batch_size) -> None:
    train, test = D.split(data, test_fraction=0.25, seed=0)
    net = LayerNet(sizes, activation, output, loss, rng=np.random.default_rng(1))
    trainer = Trainer(net, Adam(net.parameters, lr=0.05), batch_size)
    before = accuracy(net, train)  # full batch: the epoch's outputs are measured before its update
    record = next(trainer.fit(train, test, epochs=1))
    for (name, norm), (layer, params) in zip(record.gradient_norms, net.layers):
        assert name == layer and norm == pytest.approx(np.sqrt(sum(np.sum(p.grad ** 2) for p in params)))
    assert record.train_accuracy == before
    assert (record.test_loss, record.test_accuracy) == (net.evaluate(test.X, test.y)[0], accuracy(net, test))


@pytest.mark.parametrize("make_net, data", [
    (lambda: LayerNet([2, 4, 1], "tanh", "sigmoid", "bce", rng=np.random.default_rng(2)), D.xor(n=50, seed=3)),
    (lambda: LayerNet([2, 4, 1], "tanh", "tanh", "mse", rng=np.random.default_rng(2)), D.xor(n=50, seed=3)),
    (lambda: LayerNet([2, 5, 3], "tanh", "softmax", "cce", rng=np.random.default_rng(2)), D.blobs(n=60, seed=3)),
    (lambda: PerceptronNet([2, 3, 1], rng=np.random.default_rng(2)), D.xor(n=50, seed=3)),
    (lambda: PerceptronNet([2, 3, 3], rng=np.random.default_rng(2)), D.blobs(n=60, seed=3)),
])
@pytest.mark.parametrize("zero_weights", [False, True])  # every output exactly on the threshold
def test_correct_counter_counts_what_classify_says(make_net, data, zero_weights) -> None:
    net = make_net()
    if zero_weights:
        for p in net.parameters:
            p.value = np.zeros_like(p.value)
    predicted = net.classify(net.predict(data.X))
    count = net.correct_counter()
    assert count(data.y) == np.count_nonzero(predicted == data.y)
    if net.n_outputs == 1:  # the Trainer gives binary labels as booleans
        assert count(data.y.astype(bool)) == np.count_nonzero(predicted == data.y)


def test_set_data_replaces_what_feed_loaded() -> None:
    net, _ = _xor_trainer()
    a, b = D.xor(n=6, seed=1), D.xor(n=4, seed=2)
    targets = net.encode_targets(a.y)
    net.feed(a.X, targets)
    net.set_data(b.X, net.encode_targets(b.y))
    net.feed(a.X, targets)
    assert net.X.value is a.X
