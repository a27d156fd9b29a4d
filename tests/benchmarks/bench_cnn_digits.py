"""A small CNN on the digits images: test accuracy and training time, beside torch.

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_cnn_digits.py [--seeds 5] [--epochs 30]

The digits (1797 images of 8 x 8, grey levels scaled to 0-1) are split as everywhere else in
graphviz-nn: ``split(digits, test_fraction=0.3, seed=0)``, 1258 rows to train and 539 to test,
where the dense LayerNet 64-32-10 reaches about 95 %. The CNN is
Conv2d(1, 16, 3, padding=1)-ReLU-MaxPool2d(2)-Conv2d(16, 32, 3, padding=1)-ReLU-MaxPool2d(2)-
Flatten-Linear(128, 10), 6,090 parameters, trained with Adam (lr 0.01) on cross-entropy in
batches of 32 (the last partial batch of each epoch left out, as torch's ``drop_last``), the lr
annealed to 0 over the epochs by a cosine; its graph is built once for a batch and fed again.
Where torch is installed, the same CNN is trained in torch (float64, one thread) from the same
initial weights on the same batches in the same order, and its test accuracy and time are
printed beside. Figures are printed, never asserted (tests/nn/test_cnn_digits.py asserts the
accuracy of seed 0).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

if __name__ == "__main__":  # one BLAS thread, set before numpy starts it; a test importing this keeps its own
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from graphviz_nn import Constant, Graph, nn  # noqa: E402
from graphviz_nn.nn import datasets  # noqa: E402

BATCH, EPOCHS, LR = 32, 30, 0.01


class Run(NamedTuple):
    """One training run: the test accuracy after the last epoch and the CPU seconds it took."""

    accuracy: float
    seconds: float


def digits_images() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training and test images (N, 1, 8, 8) scaled to 0-1, and their labels: the usual split."""
    train, test = datasets.split(datasets.digits(), test_fraction=0.3, seed=0)
    (X_train, y_train), (X_test, y_test) = datasets.images(train), datasets.images(test)
    return X_train / 16.0, y_train, X_test / 16.0, y_test


def make_cnn(rng: np.random.Generator) -> nn.Sequential:
    """The CNN, its initial weights drawn from ``rng`` as torch's defaults draw them."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128, 10, rng=rng),
    )


def batch_orders(rng: np.random.Generator, rows: int, epochs: int) -> list[list[np.ndarray]]:
    """The rows of each batch of each epoch: a permutation per epoch, cut in full batches."""
    orders = []
    for _ in range(epochs):
        order = rng.permutation(rows)
        orders.append([order[start:start + BATCH] for start in range(0, rows - BATCH + 1, BATCH)])
    return orders


def train_engine(seed: int = 0, epochs: int = EPOCHS) -> tuple[Run, nn.Sequential, list[list[np.ndarray]]]:
    """Train the CNN with graphviz-nn from ``seed``: (run, the trained model, the batches used)."""
    X_train, y_train, X_test, y_test = digits_images()
    rng = np.random.default_rng(seed)
    model = make_cnn(rng)
    orders = batch_orders(rng, len(X_train), epochs)
    started = time.process_time()
    # One graph for a batch, fed again: the images and the one-hot targets (what
    # cross_entropy makes of class indices) are Constants whose values each batch replaces.
    x, targets = Constant(np.zeros((BATCH, 1, 8, 8)), "x"), Constant(np.zeros((BATCH, 10)), "y (one-hot)")
    loss = nn.cross_entropy(model(x), targets)
    graph, one_hot = Graph(loss), np.eye(10)
    optimiser = nn.Adam(list(model.parameters()), lr=LR)
    schedule = nn.CosineAnnealingLR(optimiser, T_max=epochs)
    for batches in orders:
        for rows in batches:
            x.value, targets.value = X_train[rows], one_hot[y_train[rows]]
            graph.forward()
            graph.backward(loss)
            optimiser.step()
        schedule.step()
    model.eval()
    logits = model(Constant(X_test, "x"))
    Graph(logits).forward()
    accuracy = float(np.mean(logits.value.argmax(axis=1) == y_test))
    run = Run(accuracy, time.process_time() - started)
    return run, model, orders


def initial_state(seed: int) -> dict[str, np.ndarray]:
    """The CNN's initial weights for ``seed``, as :func:`train_engine` starts from."""
    return make_cnn(np.random.default_rng(seed)).state_dict()


def train_torch(seed: int, orders: list[list[np.ndarray]]) -> Run | None:
    """The same CNN trained in torch the same way (same start, same batches), or None
    where torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    X_train, y_train, X_test, y_test = digits_images()
    tnn = torch.nn
    model = tnn.Sequential(
        tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Flatten(), tnn.Linear(128, 10),
    ).double()
    model.load_state_dict({key: torch.from_numpy(value) for key, value in initial_state(seed).items()})
    optimiser = torch.optim.Adam(model.parameters(), lr=LR)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=len(orders))
    X, y = torch.from_numpy(X_train), torch.from_numpy(y_train)
    started = time.process_time()
    for batches in orders:
        for rows in batches:
            index = torch.from_numpy(rows)
            optimiser.zero_grad()
            tnn.functional.cross_entropy(model(X[index]), y[index]).backward()
            optimiser.step()
        schedule.step()
    with torch.no_grad():
        predicted = model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
    return Run(float(np.mean(predicted == y_test)), time.process_time() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="initial weights and batch orders to try (from 0)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, BLAS threads "
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
    print(f"CNN 1-16-32 on the digits images, 30 % test split (539 rows), Adam {LR} cosine, batches of "
          f"{BATCH}, {args.epochs} epochs")
    print(f"\n{'seed':>4}{'engine acc':>12}{'engine s':>10}{'torch acc':>11}{'torch s':>9}")
    engine_scores, torch_scores = [], []
    for seed in range(args.seeds):
        run, _, orders = train_engine(seed, args.epochs)
        theirs = train_torch(seed, orders)
        engine_scores.append(run.accuracy)
        torch_text = "        -        -" if theirs is None else f"{theirs.accuracy:>11.2%}{theirs.seconds:>9.1f}"
        if theirs is not None:
            torch_scores.append(theirs.accuracy)
        print(f"{seed:>4}{run.accuracy:>12.2%}{run.seconds:>10.1f}{torch_text}")
    print(f"\nengine: {min(engine_scores):.2%}-{max(engine_scores):.2%} over {len(engine_scores)} seeds"
          + (f"; torch: {min(torch_scores):.2%}-{max(torch_scores):.2%}" if torch_scores else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
