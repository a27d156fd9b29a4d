"""The adding problem at T = 50: an LSTM(2, 16) against a plain RNN(2, 16), engine and torch.

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_adding_problem.py [--seeds 0 1 2] [--length 50] [--batches 1500]

The recipe is tests/nn/adding_training.py's: the layer's last h through Linear(16, 1),
mse_loss, Adam (lr 1e-2), gradients clipped to a global norm of 1, batches of 32 drawn fresh
for each step, the test MSE on 1,000 held-out sequences every 50 batches. For each seed it
prints the batches the LSTM took to a test MSE below 0.01, both layers' test MSE after the
budget (the constant predictor 1 scores 1/6 ≈ 0.167), and the CPU seconds of each run. Where
torch is installed, the same runs in torch (float64, one thread, from the engine's initial
weights and on the same batches) are printed beside. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from graphviz_nn import datasets as D  # noqa: E402
from tests.nn.adding_training import LR, Run, train, train_torch  # noqa: E402

TARGET = 0.01


def _torch_runs(kind: str, seed: int, length: int, batches: int, every: int) -> Run | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return train_torch(kind, seed, length, batches, every)


def _reached(run: Run | None) -> str:
    if run is None:
        return "-"
    b = run.batches_to(TARGET)
    return "never" if b is None else str(b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--length", type=int, default=50)
    parser.add_argument("--batches", type=int, default=1500)
    parser.add_argument("--every", type=int, default=50, help="batches between test MSE checks")
    parser.add_argument("--no-torch", action="store_true", help="skip torch even where installed")
    args = parser.parse_args(argv)
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, BLAS threads "
          f"{os.environ['OPENBLAS_NUM_THREADS']}")
    print(f"adding problem T = {args.length}, batches of 32, budget {args.batches}, Adam lr {LR:g}, "
          f"clip 1; constant-1 baseline MSE {D.ADDING_BASELINE_MSE:.3f}\n")
    head = (f"{'seed':>4} {'model':<6}{'to <0.01':>9}{'MSE at end':>12}{'lowest':>9}{'CPU s':>8}"
            f"   | torch:{'to <0.01':>9}{'MSE at end':>12}{'CPU s':>8}")
    print(head)
    print("-" * len(head))
    rows = []
    for seed in args.seeds:
        for kind in ("lstm", "rnn"):
            ours = train(kind, seed, args.length, args.batches, args.every)
            theirs = None if args.no_torch else _torch_runs(kind, seed, args.length, args.batches, args.every)
            rows.append((kind, ours, theirs))
            lowest = min(mse for _, mse in ours.checks)
            torch_text = ("        -" if theirs is None else
                          f"{_reached(theirs):>9}{theirs.test_mse:>12.4f}{theirs.cpu_seconds:>8.1f}")
            print(f"{seed:>4} {kind.upper():<6}{_reached(ours):>9}{ours.test_mse:>12.4f}{lowest:>9.4f}"
                  f"{ours.cpu_seconds:>8.1f}   |      {torch_text}", flush=True)
    lstm = [run for kind, run, _ in rows if kind == "lstm"]
    rnn = [run for kind, run, _ in rows if kind == "rnn"]
    reached = [run.batches_to(TARGET) for run in lstm]
    per_batch = [run.cpu_seconds / run.batches * 1e3 for run in lstm]
    print(f"\nLSTM below {TARGET} within {args.batches} batches: {sum(b is not None for b in reached)} of "
          f"{len(lstm)} seeds (at {', '.join('never' if b is None else str(b) for b in reached)}); "
          f"test MSE at the end {', '.join(f'{r.test_mse:.4f}' for r in lstm)}")
    print(f"RNN test MSE at the end {', '.join(f'{r.test_mse:.3f}' for r in rnn)} "
          f"(baseline {D.ADDING_BASELINE_MSE:.3f})")
    print(f"engine LSTM batch (forward, backward, clip, Adam, with the checks): "
          f"{np.median(per_batch):.1f} ms CPU (median over seeds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
