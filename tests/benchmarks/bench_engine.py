"""Benchmark the graph engine against hand-written numpy.

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_engine.py [--quick] [--system-malloc]

Part 1 times one full-batch training step (forward, backward, gradient-descent update of
every weight) of the engine and of a numpy implementation of exactly the same network and
maths (same seeded init, same synthetic data): a. 30-5-1 sigmoid, summed squared error, 300
samples (target 2.5x); b. 30-64-64-1 tanh, sigmoid output, squared error, 512 samples (target
1.25x); c. 64-128-10 relu, log_softmax cross-entropy, 1797 samples (target 1.25x). The
gradients of both are compared first; a mismatch exits non-zero. Part 2 times the original program's
scalar perceptron graph (7 inputs, 5 hidden, 1 output, one node per multiplication, inputs
as vectors over samples) at 300, 3000 and 30000 samples, with the tracemalloc peak of one
forward+backward pass.

glibc trimming is switched off (mallopt) unless ``--system-malloc``: the numpy step frees
all its intermediates at once, so glibc hands them back to the OS and page-faults them in
again next step, while the engine reuses its per-node buffers; that made numpy up to 2x
slower here. Figures are printed, never asserted. Run on an otherwise idle machine: under
load, multi-threaded BLAS gets very noisy (OPENBLAS_NUM_THREADS=1 steadies it).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import sys
import tracemalloc
from pathlib import Path
from time import perf_counter
from typing import Callable, NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

import graphviz_nn as gn  # noqa: E402

SEED = 0


class Net(NamedTuple):
    """A benchmark net; loss "sse" = sigmoid output + summed squared error, "ce" = softmax."""

    name: str
    sizes: tuple[int, ...]
    act: str
    loss: str
    samples: int
    lr: float
    target: float  # the engine/numpy ratio to meet
    repeats: int


NETS = (
    Net("a 30-5-1 sigmoid", (30, 5, 1), "sigmoid", "sse", 300, 0.01, 2.5, 200),
    Net("b 30-64-64-1 tanh", (30, 64, 64, 1), "tanh", "sse", 512, 0.001, 1.25, 40),
    Net("c 64-128-10 relu/CE", (64, 128, 10), "relu", "ce", 1797, 0.1, 1.25, 40),
)


def steady_malloc() -> bool:
    """Stop glibc trimming the heap and mmapping large arrays; False where unsupported."""
    try:
        libc = ctypes.CDLL(None)
        # M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3 (its maximum is 32 MiB on 64-bit).
        return bool(libc.mallopt(-1, 1 << 30)) and bool(libc.mallopt(-3, 1 << 25))
    except (OSError, AttributeError):
        return False


def np_sigmoid(z: np.ndarray) -> np.ndarray:
    """The engine's sigmoid, 1 / (1 + e^-z), so both sides do the same maths."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


NP_ACT = {"sigmoid": np_sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}
# d(activation): (upstream gradient, activation output, pre-activation) -> dL/dz
NP_DACT = {
    "sigmoid": lambda g, a, z: g * a * (1 - a),
    "tanh": lambda g, a, z: g * (1 - a * a),
    "relu": lambda g, a, z: g * (z > 0),
}
ENGINE_ACT = {"sigmoid": gn.sigmoid, "tanh": gn.tanh, "relu": gn.relu}


def make_problem(net: Net) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Seeded synthetic data (X, Y) and initial weights [W1, b1, W2, b2, ...]."""
    rng = np.random.default_rng(SEED)
    n, n_in, n_out = net.samples, net.sizes[0], net.sizes[-1]
    if net.loss == "ce":  # digits-like: 8x8 pixels in 0..16, ten classes
        X = rng.integers(0, 17, size=(n, n_in)) / 16.0
        Y = np.eye(n_out)[rng.integers(0, n_out, size=n)]
    else:
        X = rng.normal(size=(n, n_in))
        Y = (X[:, :1] + 0.5 * X[:, 1:2] > 0).astype(float)
    params = []
    for fan_in, fan_out in zip(net.sizes[:-1], net.sizes[1:]):
        params += [rng.normal(0.0, fan_in**-0.5, size=(fan_in, fan_out)), np.zeros(fan_out)]
    return X, Y, params


def numpy_grads(net: Net, X: np.ndarray, Y: np.ndarray, params: list[np.ndarray]):
    """Hand-written forward and backward pass: (loss, [dW1, db1, dW2, db2, ...])."""
    layers = len(params) // 2
    acts, zs, a = [X], [], X
    for k in range(layers):
        z = a @ params[2 * k] + params[2 * k + 1]
        zs.append(z)
        if k < layers - 1:
            a = NP_ACT[net.act](z)
            acts.append(a)
    if net.loss == "sse":
        out = np_sigmoid(z)
        d = out - Y
        loss = np.sum(d**2)
        dz = 2 * d * out * (1 - out)
    else:
        shifted = z - z.max(axis=-1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        loss = -np.sum(Y * logp) / X.shape[0]
        dz = (np.exp(logp) - Y) / X.shape[0]
    grads: list[np.ndarray] = [None] * len(params)  # type: ignore[list-item]
    for k in reversed(range(layers)):
        grads[2 * k] = acts[k].T @ dz
        grads[2 * k + 1] = dz.sum(axis=0)
        if k:
            dz = NP_DACT[net.act](dz @ params[2 * k].T, acts[k], zs[k - 1])
    return loss, grads


def build_engine(net: Net, X: np.ndarray, Y: np.ndarray, params: list[np.ndarray]):
    """The same network as engine nodes: (Graph of the loss, weight Variables)."""
    weights = [gn.Variable(p.copy()) for p in params]
    a = gn.Constant(X, name="X")
    layers = len(weights) // 2
    for k in range(layers):
        z = a @ weights[2 * k] + weights[2 * k + 1]
        if k < layers - 1:
            a = ENGINE_ACT[net.act](z)
    if net.loss == "sse":
        loss = gn.sum((gn.sigmoid(z) - gn.Constant(Y, name="y")) ** 2)
    else:
        loss = -gn.sum(gn.Constant(Y, name="Y") * gn.log_softmax(z, axis=-1)) / X.shape[0]
    return gn.Graph(loss), weights


def engine_step(graph: gn.Graph, weights: list, lr: float) -> None:
    """One training step of the engine: forward, backward, gradient-descent update."""
    graph.forward()
    graph.backward()
    for w in weights:
        w.value = w.value - lr * w.grad


def time_pair(fa: Callable[[], None], fb: Callable[[], None], repeats: int, warmup: int,
              block: int = 10) -> tuple[float, float]:
    """Median ms per call of two functions, timed in alternating blocks of calls."""
    for _ in range(warmup):
        fa()
        fb()
    times: tuple[list[float], list[float]] = ([], [])
    for start in range(0, repeats, block):
        for fn, out in zip((fa, fb), times):
            for _ in range(min(block, repeats - start)):
                t0 = perf_counter()
                fn()
                out.append(perf_counter() - t0)
    return 1e3 * statistics.median(times[0]), 1e3 * statistics.median(times[1])


def bench_net(net: Net, quick: bool) -> tuple[float, float]:
    """Check gradients once, then time engine and numpy steps: (engine ms, numpy ms)."""
    X, Y, params = make_problem(net)
    graph, weights = build_engine(net, X, Y, params)
    graph.forward()
    graph.backward()
    loss, grads = numpy_grads(net, X, Y, params)
    ok = np.allclose(graph.outputs[0].value, loss) and all(
        np.allclose(w.grad, g) for w, g in zip(weights, grads))
    if not ok:
        worst = max(float(np.max(np.abs(w.grad - g))) for w, g in zip(weights, grads))
        sys.exit(f"net {net.name}: engine and numpy gradients DISAGREE (max abs diff {worst:.3g})")
    print(f"  {net.name}: engine and numpy gradients agree ({len(grads)} arrays, loss {loss:.6g})")

    def numpy_step() -> None:
        _, g = numpy_grads(net, X, Y, params)
        params[:] = [p - net.lr * d for p, d in zip(params, g)]

    repeats = max(5, net.repeats // 10) if quick else net.repeats
    return time_pair(lambda: engine_step(graph, weights, net.lr), numpy_step,
                     repeats, warmup=2 if quick else 10)


def build_scalar_net(n: int):
    """The original program's graph: 7 inputs, 5 hidden and 1 output perceptron, one node per product."""
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(7, n))
    y = (X[0] - X[1] + 0.5 * X[2] > 0).astype(float)
    weights: list[gn.Variable] = []

    def perceptron(inputs: list, tag: str):
        ws = [gn.Variable(rng.normal(size=1), name=f"w{tag}{i}") for i in range(len(inputs))]
        weights.extend(ws)
        s = inputs[0] * ws[0]
        for x, w in zip(inputs[1:], ws[1:]):
            s = s + x * w
        return gn.sigmoid(s)

    xs = [gn.Constant(X[i], name=f"x{i}") for i in range(7)]
    hidden = [perceptron(xs, f"h{j}_") for j in range(5)]
    out = perceptron(hidden, "o_")
    loss = gn.sum((out - gn.Constant(y, name="y")) ** 2)
    return gn.Graph(loss), weights


def bench_scalar(n: int, quick: bool) -> tuple[float, float, int]:
    """(ms per training step, peak MB of one forward+backward, graph size) at n samples."""
    graph, weights = build_scalar_net(n)
    lr = 0.1 / n
    for _ in range(2):
        engine_step(graph, weights, lr)  # warm-up; leaves values and grads allocated
    times = []
    for _ in range(3 if quick else 30):
        t0 = perf_counter()
        engine_step(graph, weights, lr)
        times.append(perf_counter() - t0)
    tracemalloc.start()
    graph.forward()
    graph.backward()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return 1e3 * statistics.median(times), peak / 2**20, len(graph)


def engine_sgd(graph: gn.Graph, output: gn.Node, cotangent: np.ndarray, weights: list, lr: float) -> Callable[[], None]:
    """One training step of a built graph: forward, backward from ``cotangent``, and a
    gradient-descent update of ``weights``."""
    def step() -> None:
        graph.forward()
        graph.backward(output, cotangent)
        for w in weights:
            w.value = w.value - lr * w.grad

    return step


def torch_sgd(parameters, lr: float) -> None:
    """Torch's parameters moved against their gradients, which are then cleared."""
    import torch

    with torch.no_grad():
        for w in parameters:
            w -= lr * w.grad
            w.grad = None


def agreed(name: str, weights: list, grads: list[np.ndarray]) -> None:
    """Exit non-zero where the engine's gradients and the hand-written ones differ."""
    worst = max(float(np.max(np.abs(w.grad - d))) for w, d in zip(weights, grads))
    if worst > 1e-9:
        sys.exit(f"{name}: engine and numpy gradients DISAGREE (max abs diff {worst:.3g})")


def started(doc: str, argv: list[str] | None) -> argparse.Namespace:
    """The options of an engine-against-numpy benchmark (``--quick``, ``--system-malloc``),
    its allocator made steady, and the line saying what it runs on, printed."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats (smoke run)")
    parser.add_argument("--system-malloc", action="store_true",
                        help="keep glibc's default trimming (see bench_engine.py)")
    args = parser.parse_args(argv)
    steady = False if args.system_malloc else steady_malloc()
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, BLAS threads {threads}, "
          f"malloc trimming {'off' if steady else 'default'}{', QUICK run' if args.quick else ''}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run both parts and print their tables."""
    quick = started(__doc__, argv).quick

    print("\n1. Full-batch training step, engine vs hand-written numpy (median)")
    rows = [(net, *bench_net(net, quick)) for net in NETS]
    print(f"\n{'net':<22}{'samples':>8}{'engine ms':>11}{'numpy ms':>10}{'ratio':>8}"
          f"{'target':>8}  meets")
    for net, eng, ref in rows:
        ratio = eng / ref
        print(f"{net.name:<22}{net.samples:>8}{eng:>11.3f}{ref:>10.3f}{ratio:>7.2f}x"
              f"{net.target:>7.2f}x  {'yes' if ratio <= net.target else 'NO'}")

    print("\n2. Seed's scalar perceptron graph (7-5-1, one node per multiplication)")
    print(f"\n{'samples':>8}{'nodes':>7}{'ms/step':>10}{'peak MB':>10}{'peak B/sample':>15}"
          f"{'peak vs previous':>20}")
    previous = None
    for n in (300, 3000, 30000):
        ms, peak, nodes = bench_scalar(n, quick)
        growth = f"{peak / previous[1]:.1f}x for {n // previous[0]}x n" if previous else "-"
        print(f"{n:>8}{nodes:>7}{ms:>10.3f}{peak:>10.2f}{peak * 2**20 / n:>15.0f}{growth:>20}")
        previous = (n, peak)
    return 0


if __name__ == "__main__":
    sys.exit(main())
