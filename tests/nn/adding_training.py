"""Training a recurrent layer on the adding problem, with the engine and (where installed) torch.

One recipe for the test and the benchmark: ``RNN`` or ``LSTM`` (2 -> 16), its last h through
``Linear(16, 1)``, ``mse_loss``, Adam, gradients clipped to a global norm of 1, batches of 32
drawn fresh for each step (batch b of run s is ``adding_problem(32, T, seed=s·10⁶ + b)``), the
test MSE on 1,000 sequences of a seed no batch uses, looked at every ``every`` batches. The
engine's graph is built once for a batch and once for the test set, and fed again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from graphviz_nn import datasets as D
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Graph, Node

HIDDEN, BATCH, TEST_ROWS, TEST_SEED = 16, 32, 1000, 999_999_999
# lr 1e-2 took 7 seeds of 7 below 0.01 by batch 1,100 at T = 50 (5e-3: 2 of 2 only after
# 1,400; 2e-2 about as 1e-2). Clipping at 1 is the usual guard for recurrent layers.
LR, CLIP = 1e-2, 1.0


@dataclass(frozen=True)
class Run:
    """What a training run measured."""

    kind: str
    seed: int
    length: int
    batches: int                       # batches trained (fewer than asked when stopped early)
    checks: tuple[tuple[int, float], ...]  # (batches so far, test MSE)
    cpu_seconds: float                 # training and testing, this process's CPU time

    @property
    def test_mse(self) -> float:
        return self.checks[-1][1]

    def batches_to(self, target: float) -> int | None:
        """The first check whose test MSE is below ``target``, or None."""
        return next((b for b, mse in self.checks if mse < target), None)


class AddingModel(nn.Module):
    """A recurrent layer read at its last step by a linear head: (T, N, 2) -> (N, 1)."""

    def __init__(self, kind: str, seed: int):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.cell = (nn.LSTM if kind == "lstm" else nn.RNN)(2, HIDDEN, rng=rng)
        self.head = nn.Linear(HIDDEN, 1, rng=rng)

    def forward(self, x: Node) -> Node:
        _, state = self.cell(x)
        h = state[0] if isinstance(state, tuple) else state
        return self.head(h[0])


def _loss(model: AddingModel, rows: int, length: int) -> tuple[Constant, Constant, Node, Graph]:
    x, y = Constant(np.zeros((length, rows, 2)), "x"), Constant(np.zeros((rows, 1)), "y")
    loss = nn.mse_loss(model(x), y)
    return x, y, loss, Graph(loss)


def train(kind: str, seed: int = 0, length: int = 50, batches: int = 1500, every: int = 100,
          stop_below: float | None = None, lr: float = LR) -> Run:
    """Train ``kind`` ("lstm" or "rnn") with the engine; stop early once the test MSE is
    below ``stop_below`` (at a check)."""
    model = AddingModel(kind, seed)
    params = list(model.parameters())
    x, y, loss, graph = _loss(model, BATCH, length)
    tx, ty, test_loss, test_graph = _loss(model, TEST_ROWS, length)
    tx.value, ty.value = D.adding_problem(TEST_ROWS, length, seed=TEST_SEED)
    optimiser = nn.Adam(params, lr=lr)
    start, checks, b = time.process_time(), [], 0
    for b in range(1, batches + 1):
        x.value, y.value = D.adding_problem(BATCH, length, seed=seed * 10**6 + b)
        graph.forward()
        graph.backward(loss)
        nn.clip_grad_norm_(params, CLIP)
        optimiser.step()
        if b % every == 0 or b == batches:
            test_graph.forward()
            checks.append((b, float(test_loss.value)))
            if stop_below is not None and checks[-1][1] < stop_below:
                break
    return Run(kind, seed, length, b, tuple(checks), time.process_time() - start)


def train_torch(kind: str, seed: int = 0, length: int = 50, batches: int = 1500, every: int = 100,
                lr: float = LR) -> Run:
    """The same run in torch (float64, CPU), from the engine's initial weights and on the same
    batches; ImportError where torch is not installed."""
    import torch

    engine_model = AddingModel(kind, seed)
    cell = (torch.nn.LSTM if kind == "lstm" else torch.nn.RNN)(2, HIDDEN).double()
    head = torch.nn.Linear(HIDDEN, 1).double()
    model = torch.nn.ModuleDict({"cell": cell, "head": head})
    model.load_state_dict({k: torch.tensor(v) for k, v in engine_model.state_dict().items()})
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    tx, ty = (torch.tensor(a) for a in D.adding_problem(TEST_ROWS, length, seed=TEST_SEED))

    def predict(x: torch.Tensor) -> torch.Tensor:
        _, state = cell(x)
        return head((state[0] if isinstance(state, tuple) else state)[0])

    start, checks, b = time.process_time(), [], 0
    for b in range(1, batches + 1):
        x, y = (torch.tensor(a) for a in D.adding_problem(BATCH, length, seed=seed * 10**6 + b))
        optimiser.zero_grad()
        torch.nn.functional.mse_loss(predict(x), y).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimiser.step()
        if b % every == 0 or b == batches:
            with torch.no_grad():
                checks.append((b, float(torch.nn.functional.mse_loss(predict(tx), ty))))
    return Run(kind, seed, length, b, tuple(checks), time.process_time() - start)
