"""Benchmark the engine's convolutions against hand-written numpy im2col.

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_conv.py [--quick] [--system-malloc]

Times one training step of two convolutions (conv2d with bias, relu, conv2d with bias, 3 x 3
kernels, padding 1, a random cotangent on the output, a gradient-descent update of the four
weights) through the engine and in numpy written by hand for exactly the same maths: the
windows copied once per layer as a matrix per sample (im2col) and reused by the weight's
gradient, and the input's gradient added back one kernel offset at a time (col2im). The
im2col is the faster of two hand-written ones (a strided view copied, or a loop over the
kernel's offsets). The gradients of both are compared first; a mismatch exits non-zero.
Sizes: a. the digits, N = 32 images of 8 x 8, 1 -> 8 -> 16 channels (target 1.5x); b. N = 32
of 16 x 16, 3 -> 16 -> 32 (target 1.5x). Where torch is installed, its CPU time for the same
step (one thread) is printed beside. BLAS runs one thread (OPENBLAS_NUM_THREADS=1 unless set):
on a busy machine a spinning BLAS thread says nothing about the work. Figures are printed,
never asserted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

import graphviz_nn as gn  # noqa: E402
from tests.benchmarks.bench_engine import agreed, engine_sgd, started, time_pair, torch_sgd  # noqa: E402

SEED = 0
LR = 1e-3


class Case(NamedTuple):
    name: str
    samples: int
    side: int
    channels: tuple[int, int, int]
    target: float
    repeats: int


CASES = (
    Case("a digits 1-8-16", 32, 8, (1, 8, 16), 1.5, 200),
    Case("b 3-16-32", 32, 16, (3, 16, 32), 1.5, 60),
)


def make_problem(case: Case) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Seeded images, a cotangent of the output, and the weights [w1, b1, w2, b2]."""
    rng = np.random.default_rng(SEED)
    n, s, (c0, c1, c2) = case.samples, case.side, case.channels
    x = rng.integers(0, 17, size=(n, c0, s, s)) / 16.0
    g = rng.standard_normal((n, c2, s, s))
    params = [rng.normal(0.0, (9 * c0) ** -0.5, (c1, c0, 3, 3)), np.zeros(c1),
              rng.normal(0.0, (9 * c1) ** -0.5, (c2, c1, 3, 3)), np.zeros(c2)]
    return x, g, params


def im2col_view(x: np.ndarray) -> np.ndarray:
    """(N, C·9, H·W) of a 3 x 3 kernel, padding 1: a strided view of the padded images, copied."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = sliding_window_view(xp, (3, 3), axis=(2, 3))  # (N, C, H, W, 3, 3)
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * 9, h * w)


def im2col_loop(x: np.ndarray) -> np.ndarray:
    """The same matrix filled one kernel offset at a time."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.empty((n, c, 3, 3, h, w))
    for i in range(3):
        for j in range(3):
            cols[:, :, i, j] = xp[:, :, i:i + h, j:j + w]
    return cols.reshape(n, c * 9, h * w)


def col2im(cols: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of im2col: each offset's values added back where they were read."""
    n, c, h, w = shape
    cols = cols.reshape(n, c, 3, 3, h, w)
    out = np.zeros((n, c, h + 2, w + 2))
    for i in range(3):
        for j in range(3):
            out[:, :, i:i + h, j:j + w] += cols[:, :, i, j]
    return out[:, :, 1:-1, 1:-1]


def numpy_grads(x: np.ndarray, g: np.ndarray, params: list[np.ndarray], im2col) -> list[np.ndarray]:
    """Hand-written forward and backward of conv, relu, conv: [dw1, db1, dw2, db2]."""
    w1, b1, w2, b2 = params
    n, _, h, w = x.shape
    cols1 = im2col(x)
    z1 = (w1.reshape(len(w1), -1) @ cols1).reshape(n, len(w1), h, w) + b1[:, None, None]
    a1 = np.maximum(z1, 0.0)
    cols2 = im2col(a1)
    # z2 = w2 @ cols2 + b2 is the output; the step needs only its cotangent g.
    g2 = g.reshape(n, len(w2), h * w)
    dw2 = (g2 @ cols2.transpose(0, 2, 1)).sum(axis=0).reshape(w2.shape)
    db2 = g.sum(axis=(0, 2, 3))
    da1 = col2im(w2.reshape(len(w2), -1).T @ g2, a1.shape)
    dz1 = (da1 * (z1 > 0)).reshape(n, len(w1), h * w)
    dw1 = (dz1 @ cols1.transpose(0, 2, 1)).sum(axis=0).reshape(w1.shape)
    return [dw1, dz1.sum(axis=(0, 2)), dw2, db2]


def build_engine(x: np.ndarray, params: list[np.ndarray]) -> tuple[gn.Graph, gn.Node, list[gn.Variable]]:
    """The same two layers as engine nodes: (graph, output node, weight Variables)."""
    w1, b1, w2, b2 = weights = [gn.Variable(p.copy()) for p in params]
    h1 = gn.relu(gn.conv2d(gn.Constant(x, name="x"), w1, b1, padding=1))
    out = gn.conv2d(h1, w2, b2, padding=1)
    return gn.Graph(out), out, weights


def torch_step(x: np.ndarray, g: np.ndarray, params: list[np.ndarray]):
    """The same step in torch (CPU, one thread), or None where torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    tx, tg = torch.tensor(x), torch.tensor(g)
    weights = [torch.tensor(p, requires_grad=True) for p in params]

    def step() -> None:
        w1, b1, w2, b2 = weights
        h1 = torch.relu(torch.nn.functional.conv2d(tx, w1, b1, padding=1))
        torch.nn.functional.conv2d(h1, w2, b2, padding=1).backward(tg)
        torch_sgd(weights, LR)

    return step


def bench_case(case: Case, quick: bool) -> tuple[float, float, float | None]:
    """Check gradients once, then time the steps: (engine ms, numpy ms, torch ms or None)."""
    x, g, params = make_problem(case)
    graph, out, weights = build_engine(x, params)
    graph.forward()
    graph.backward(out, g)
    repeats = max(5, case.repeats // 10) if quick else case.repeats
    warmup = 2 if quick else 10
    for im2col in (im2col_view, im2col_loop):
        agreed(case.name, weights, numpy_grads(x, g, params, im2col))
    print(f"  {case.name}: engine and numpy gradients agree (4 arrays)")
    numpy_params = [p.copy() for p in params]
    ms = {}
    for im2col in (im2col_view, im2col_loop):
        def numpy_step(im2col=im2col) -> None:
            grads = numpy_grads(x, g, numpy_params, im2col)
            numpy_params[:] = [p - LR * d for p, d in zip(numpy_params, grads)]

        engine_step = engine_sgd(graph, out, g, weights, LR)

        ms[im2col.__name__] = time_pair(engine_step, numpy_step, repeats, warmup)
    engine_ms = min(e for e, _ in ms.values())
    numpy_ms = min(n for _, n in ms.values())
    step = torch_step(x, g, params)
    torch_ms = None if step is None else time_pair(step, step, repeats, warmup)[0]
    return engine_ms, numpy_ms, torch_ms


def main(argv: list[str] | None = None) -> int:
    args = started(__doc__, argv)
    print("\nTwo 3 x 3 convolutions (bias, relu between, padding 1): forward, backward, update (median)")
    rows = [(case, *bench_case(case, args.quick)) for case in CASES]
    print(f"\n{'case':<18}{'N':>4}{'image':>7}{'engine ms':>11}{'numpy ms':>10}{'ratio':>8}{'target':>8}"
          f"  meets{'torch ms':>10}")
    for case, engine_ms, numpy_ms, torch_ms in rows:
        ratio = engine_ms / numpy_ms
        torch_text = "-" if torch_ms is None else f"{torch_ms:.3f}"
        print(f"{case.name:<18}{case.samples:>4}{case.side:>5}²{engine_ms:>12.3f}{numpy_ms:>10.3f}"
              f"{ratio:>7.2f}x{case.target:>7.2f}x  {'yes' if ratio <= case.target else 'NO ':<5}"
              f"{torch_text:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
