"""Trainer overhead: epochs per second of ``Trainer.fit`` against the raw step loop.

Run from the repository root::

    python tests/benchmarks/bench_training.py [--quick]

For each of the engine benchmark's three nets, the same LayerNet is trained full batch by
``Trainer.fit`` (which also counts correct predictions, checks the loss is finite and
measures gradient norms per layer) and by a bare loop of forward, backward and optimiser
step, alternating blocks of epochs in one process (the Trainer's blocks are taken from one
long ``fit``). The overhead is the Trainer's median epoch time over the raw loop's; the target
is at most 10 %. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from time import perf_counter

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from graphviz_nn import datasets as D  # noqa: E402
from graphviz_nn.nn import GradientDescent, LayerNet, Trainer  # noqa: E402

NETS = (
    ("a 30-5-1 sigmoid", "breast_cancer", [30, 5, 1], "sigmoid", "sigmoid", "sse", 300),
    ("b 30-64-64-1 tanh", "breast_cancer", [30, 64, 64, 1], "tanh", "sigmoid", "sse", 512),
    ("c 64-128-10 relu/CE", "digits", [64, 128, 10], "relu", "softmax", "cce", 1797),
)


def _rows(name: str, n: int) -> D.Dataset:
    data = D.load(name)
    if len(data) >= n:
        return data.rows(slice(0, n))
    index = np.arange(n) % len(data)  # breast_cancer has 569 rows: repeat to reach 512+
    return data.rows(index)


def _net(sizes, act, out, loss) -> LayerNet:
    return LayerNet(sizes, act, out, loss, normalise=True, rng=np.random.default_rng(0))


def measure(spec, epochs: int, blocks: int) -> tuple[float, float]:
    """Median ms per epoch: (Trainer.fit, raw loop)."""
    _, dataset, sizes, act, out, loss, n = spec
    data = _rows(dataset, n)
    fitted, raw = _net(sizes, act, out, loss), _net(sizes, act, out, loss)
    trainer = Trainer(fitted, GradientDescent(fitted.parameters, lr=1e-3))
    raw.fit_normalisation(data.X)
    raw.set_data(data.X, raw.encode_targets(data.y))
    raw_optimiser = GradientDescent(raw.parameters, lr=1e-3)

    def raw_epochs() -> None:
        for _ in range(epochs):
            raw.graph.forward()
            raw.graph.backward(raw.loss)
            raw_optimiser.step()

    # One fit for every block, as the window and the command line train: its setup (encoding
    # the targets, loading the rows) is left out of the timing like the raw loop's.
    records = trainer.fit(data, None, epochs * (blocks + 1))

    def trainer_epochs() -> None:
        for _ in range(epochs):
            next(records)

    times: dict[str, list[float]] = {"trainer": [], "raw": []}
    trainer_epochs(), raw_epochs()  # warm-up
    for _ in range(blocks):
        for name, run in (("trainer", trainer_epochs), ("raw", raw_epochs)):
            start = perf_counter()
            run()
            times[name].append((perf_counter() - start) / epochs * 1e3)
    return statistics.median(times["trainer"]), statistics.median(times["raw"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats (smoke run)")
    args = parser.parse_args(argv)
    epochs, blocks = (5, 3) if args.quick else (10, 201)
    print(f"{'net':<22}{'trainer ms/epoch':>18}{'raw ms/epoch':>14}{'epochs/s':>10}{'overhead':>10}  target <= 10 %")
    for spec in NETS:
        fit_ms, raw_ms = measure(spec, epochs, blocks)
        overhead = fit_ms / raw_ms - 1
        print(f"{spec[0]:<22}{fit_ms:>18.3f}{raw_ms:>14.3f}{1e3 / fit_ms:>10.0f}{100 * overhead:>9.1f} %"
              f"  {'yes' if overhead <= 0.10 else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
