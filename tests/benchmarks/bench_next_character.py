"""Benchmark a next-character model on the shipped text against the bigram baseline.

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_next_character.py [--quick] [--steps N] [--hidden H]

Trains Embedding(75, 32) → LSTM(32, H) → Linear(H, 75) (H = 128 unless given) on chapters 1-8
of Austen's *Persuasion* (graphviz_nn/assets/text), the first 90 % of it, in batches of 32
random windows of 64 characters, with Adam (lr 0.005, 0.001 over the last quarter of the steps)
and gradients clipped to norm 1; the graph is built once and fed again for every batch. Prints
the bigram baseline (add-one, and add-k at the k that suits the test part best), the model's
exact test loss every quarter of the run (every pair of the last 10 % of the text, read as 64
streams with the state carried), the time a step takes, a sample of generated text, and, where
torch is installed, torch's CPU time for the same step (one thread). BLAS runs one thread
(OPENBLAS_NUM_THREADS=1 unless set). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from graphviz_nn.nn import Adam  # noqa: E402
from graphviz_nn.nn.datasets.text import shipped_text  # noqa: E402
from graphviz_nn.nn.next_character import CharModel, evaluate, parameter_count, sample, train  # noqa: E402

LENGTH, BATCH, EMBEDDING = 64, 32, 32
KS = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01)


def torch_step_ms(model: CharModel, data, repeats: int = 20) -> float | None:
    """torch's CPU time for one step of the same model (float64, one thread), or None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    size, hidden = len(model.vocabulary), model.rnn.hidden_size
    embedding = torch.nn.Embedding(size, EMBEDDING).double()
    lstm = torch.nn.LSTM(EMBEDDING, hidden).double()
    head = torch.nn.Linear(hidden, size).double()
    params = [*embedding.parameters(), *lstm.parameters(), *head.parameters()]
    optimiser = torch.optim.Adam(params, lr=0.005)
    rng = np.random.default_rng(0)
    times = []
    for _ in range(repeats + 3):
        inputs, targets = (torch.from_numpy(a) for a in data.windows(LENGTH, BATCH, rng))
        start = time.process_time()
        logits = head(lstm(embedding(inputs))[0])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, size), targets.reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimiser.step()
        times.append(time.process_time() - start)
    return 1e3 * float(np.median(times[3:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 steps (smoke run)")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--hidden", type=int, default=128)
    args = parser.parse_args(argv)
    steps = 200 if args.quick else args.steps
    data = shipped_text()
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, BLAS threads "
          f"{os.environ['OPENBLAS_NUM_THREADS']}{', QUICK run' if args.quick else ''}")
    print(f"text: {data.source}\n  {len(data.vocabulary)} characters, train {data.train.size:,}, "
          f"test {data.test.size:,}")
    bigram = {k: data.bigram_loss(k) for k in KS}
    best = min(bigram, key=bigram.get)
    print(f"bigram test loss: add-one {bigram[1.0]:.4f}, best add-k {bigram[best]:.4f} (k = {best:g}) nats/char")

    model = CharModel(data.vocabulary, EMBEDDING, args.hidden, rng=np.random.default_rng(0))
    print(f"\nmodel: Embedding({len(data.vocabulary)}, {EMBEDDING}) → LSTM({EMBEDDING}, {args.hidden}) → "
          f"Linear({args.hidden}, {len(data.vocabulary)}), {parameter_count(model):,} parameters; "
          f"{steps} steps of {BATCH} x {LENGTH} characters")
    optimiser = Adam(list(model.parameters()), lr=0.005)
    rng = np.random.default_rng(1)
    quarter = max(1, steps // 4)
    done, cpu, wall, losses = 0, 0.0, 0.0, []
    print(f"{'steps':>7}{'train loss':>12}{'test loss':>11}{'vs bigram':>11}{'ms/step':>9}")
    while done < steps:
        chunk = min(quarter, steps - done)
        if done >= steps - quarter:
            optimiser.lr = 0.001
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        losses += train(model, data, chunk, LENGTH, BATCH, optimiser, max_norm=1.0, rng=rng)
        cpu += time.process_time() - start_cpu
        wall += time.perf_counter() - start_wall
        done += chunk
        test_loss = evaluate(model, data)
        print(f"{done:>7}{np.mean(losses[-50:]):>12.4f}{test_loss:>11.4f}{test_loss - bigram[best]:>+11.4f}"
              f"{1e3 * cpu / done:>9.1f}")
    print(f"\ntraining: {cpu:.1f} s CPU, {wall:.1f} s wall; final test loss {test_loss:.4f} against the "
          f"bigram's {bigram[best]:.4f}: {'BELOW' if test_loss < bigram[best] else 'NOT below'}")
    torch_ms = torch_step_ms(model, data)
    if torch_ms is not None:
        print(f"torch CPU, same step (float64, one thread): {torch_ms:.1f} ms against {1e3 * cpu / done:.1f} ms")
    for temperature in (0.5, 1.0):
        print(f"\nsample, temperature {temperature}, seed 0:\n"
              + sample(model, "Anne ", 400, temperature, rng=0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
