"""The adding problem at T = 50: an LSTM(2, 16) learns it within 1,500 batches of 32, a plain
RNN of the same width does not, and the engine trains as torch does, batch for batch.

The full budget is affordable here: an LSTM batch (forward, backward, clipping, Adam) costs
about 8 ms of CPU, so seed 0 reaches 0.01 at batch 900 in about 8 s, and the RNN's 1,500
batches take about 3 s. tests/benchmarks/bench_adding_problem.py runs more seeds.
"""

from __future__ import annotations

import pytest

from graphviz_nn import datasets as D
from tests.nn.adding_training import train, train_torch


@pytest.mark.slow
def test_an_lstm_learns_the_adding_problem_within_1500_batches() -> None:
    run = train("lstm", seed=0, length=50, batches=1500, every=100, stop_below=0.01)
    assert run.batches_to(0.01) is not None, f"test MSE after {run.batches} batches: {run.checks}"


@pytest.mark.slow
def test_a_plain_rnn_stays_near_the_baseline() -> None:
    """Its gradient through 25 to 50 tanh steps vanishes: it never gets far below 1/6."""
    run = train("rnn", seed=0, length=50, batches=1500, every=100)
    assert min(mse for _, mse in run.checks) > 0.6 * D.ADDING_BASELINE_MSE, run.checks


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_the_engine_trains_as_torch_does(kind) -> None:
    """From the same weights on the same batches, 100 steps of Adam with clipping end at the
    same test MSE (float64: the two differ in the order of their sums only)."""
    pytest.importorskip("torch")
    ours = train(kind, seed=1, length=20, batches=100, every=25)
    theirs = train_torch(kind, seed=1, length=20, batches=100, every=25)
    assert [b for b, _ in ours.checks] == [b for b, _ in theirs.checks] == [25, 50, 75, 100]
    for (_, mine), (_, torchs) in zip(ours.checks, theirs.checks):
        assert mine == pytest.approx(torchs, rel=1e-7)
