"""The figures the product must reach, each from fixed seeds."""

from __future__ import annotations

import numpy as np
import pytest

from graphviz_nn import datasets as D
from graphviz_nn.nn import Adam, GradientDescent, LayerNet, PerceptronNet, Trainer, accuracy


def _train(net, optimiser, train, test=None, epochs=100, batch_size=None, seed=0):
    record = None
    for record in Trainer(net, optimiser, batch_size, np.random.default_rng(seed)).fit(train, test, epochs):
        pass
    return record


def test_seed_layer_net_on_breast_cancer_across_ten_seeds() -> None:
    """One hidden layer of 5 sigmoids, normalised inputs, summed squared error, GD at 0.01."""
    train, test = D.split(D.breast_cancer(), train_rows=300)
    scores = []
    for seed in range(10):
        net = LayerNet([30, 5, 1], "sigmoid", "sigmoid", "sse", normalise=True, init="uniform",
                       rng=np.random.default_rng(seed))
        scores.append(_train(net, GradientDescent(net.parameters, lr=0.01), train, test).test_accuracy)
    assert sum(s >= 0.96 for s in scores) >= 9, scores


def test_softmax_cross_entropy_with_hidden_10_and_3() -> None:
    train, test = D.split(D.breast_cancer(), train_rows=300)
    net = LayerNet([30, 10, 3, 2], "sigmoid", "softmax", "cce", normalise=True, rng=np.random.default_rng(0))
    record = _train(net, Adam(net.parameters, lr=0.01), train, test, epochs=200)
    assert record.test_accuracy >= 0.96


def test_digits_with_adam_within_50_epochs() -> None:
    train, test = D.split(D.digits(), test_fraction=0.3, seed=0)
    net = LayerNet([64, 32, 10], "relu", "softmax", "cce", normalise=True, rng=np.random.default_rng(0))
    trainer = Trainer(net, Adam(net.parameters, lr=0.01), 64, np.random.default_rng(0))
    best = max(r.test_accuracy for r in trainer.fit(train, test, epochs=50))
    assert best >= 0.95


@pytest.mark.parametrize("seed", range(10))
def test_perceptron_net_on_seven_principal_components(seed: int) -> None:
    bc = D.breast_cancer()
    X = D.principal_components((bc.X - bc.X.mean(0)) / bc.X.std(0), 7)
    data = D.Dataset("breast_cancer_pca", X, bc.y, tuple(f"pc{i + 1}" for i in range(7)), bc.class_names)
    net = PerceptronNet([7, 5, 1], "sigmoid", "sigmoid", "sse", bias=True, init="uniform",
                        rng=np.random.default_rng(seed))
    record = _train(net, GradientDescent(net.parameters, lr=0.001), data)
    assert record.train_accuracy >= 0.90
    assert accuracy(net, data) >= 0.90


# Settings documented in the README's table of toy problems.
TOY = {
    "xor": (D.xor, [2, 4, 1], 300, 0.05, 1.00),
    "moons": (D.moons, [2, 8, 1], 300, 0.05, 0.97),
    "circles": (D.circles, [2, 8, 1], 300, 0.05, 0.97),
    "spiral": (D.spiral, [2, 16, 16, 1], 1000, 0.02, 0.95),
}


@pytest.mark.parametrize("name", TOY)
def test_toy_problems_reach_their_documented_accuracy(name: str) -> None:
    maker, sizes, epochs, lr, floor = TOY[name]
    train, test = D.split(maker(seed=0), test_fraction=0.3, seed=0)
    net = LayerNet(sizes, "tanh", "sigmoid", "bce", rng=np.random.default_rng(0))
    record = _train(net, Adam(net.parameters, lr=lr), train, test, epochs=epochs)
    assert record.train_accuracy >= floor
    if name == "xor":
        assert record.train_accuracy == 1.0
