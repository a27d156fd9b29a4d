"""Benchmark an unrolled LSTM's training step against hand-written numpy.

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_lstm.py [--quick] [--system-malloc]

Times one training step of ``nn.LSTM(I, H)`` over T steps of N sequences: the forward pass of
the graph built once and fed again, the backward pass from a random cotangent on the whole
output sequence (T, N, H), and a gradient-descent update of the four parameters. The numpy
side is backpropagation through time written by hand twice: as one would for speed (the
input's gate products for every step in one matrix product, the input weights' gradient as one
product at the end) and step by step, as an LSTM cell is usually written (cs231n's
``lstm_step_forward``: each step's input product and weight gradients on their own); both keep
the cell's gates from the forward pass. The gradients of both are
compared first; a mismatch exits non-zero. Sizes: a. T = 50, N = 32, H = 32, I = 2 (the
adding problem's width; target 1.5x); b. T = 50, N = 32, H = 128, I = 16. Where torch is
installed its CPU time for the same step (``torch.nn.LSTM``, one thread) is printed beside.
BLAS runs one thread (OPENBLAS_NUM_THREADS=1 unless set). Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

import graphviz_nn as gn  # noqa: E402
from graphviz_nn import nn  # noqa: E402
from tests.benchmarks.bench_engine import agreed, engine_sgd, np_sigmoid, started, time_pair, torch_sgd  # noqa: E402

SEED = 0
LR = 1e-3
NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


class Case(NamedTuple):
    name: str
    steps: int
    batch: int
    inputs: int
    hidden: int
    target: float
    repeats: int


CASES = (
    Case("a T50 N32 H32", 50, 32, 2, 32, 1.5, 100),
    Case("b T50 N32 H128", 50, 32, 16, 128, 1.5, 30),
)


def make_problem(case: Case) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Seeded sequences, a cotangent of the outputs, and torch's four parameters."""
    rng = np.random.default_rng(SEED)
    T, N, I, H = case.steps, case.batch, case.inputs, case.hidden
    x = rng.standard_normal((T, N, I))
    g = rng.standard_normal((T, N, H))
    bound = H ** -0.5
    params = [rng.uniform(-bound, bound, shape) for shape in ((4 * H, I), (4 * H, H), (4 * H,), (4 * H,))]
    return x, g, params


def numpy_grads(x: np.ndarray, g: np.ndarray, params: list[np.ndarray], batched: bool = True) -> list[np.ndarray]:
    """Hand-written forward and backward through time: [dW_ih, dW_hh, db_ih, db_hh].

    ``batched``: the input's gate products of all steps as one product, and W_ih's gradient
    as one at the end; else step by step, as an LSTM cell is usually written by hand
    (cs231n's ``lstm_step_forward``)."""
    w_ih, w_hh, b_ih, b_hh = params
    T, N, _ = x.shape
    H = w_hh.shape[1]
    if batched:
        gx = (x.reshape(T * N, -1) @ w_ih.T + (b_ih + b_hh)).reshape(T, N, 4 * H)
    else:
        gx = [x[t] @ w_ih.T + b_ih + b_hh for t in range(T)]
    h, c = np.zeros((N, H)), np.zeros((N, H))
    hs, cs, gates, tcs = [h], [c], [], []
    for t in range(T):
        a = gx[t] + h @ w_hh.T
        s = np.empty_like(a)
        s[:, :2 * H] = np_sigmoid(a[:, :2 * H])
        s[:, 2 * H:3 * H] = np.tanh(a[:, 2 * H:3 * H])
        s[:, 3 * H:] = np_sigmoid(a[:, 3 * H:])
        c = s[:, H:2 * H] * c + s[:, :H] * s[:, 2 * H:3 * H]
        tc = np.tanh(c)
        h = s[:, 3 * H:] * tc
        hs.append(h)
        cs.append(c)
        gates.append(s)
        tcs.append(tc)
    da_all = np.empty((T, N, 4 * H))
    dw_hh, dw_ih = np.zeros_like(w_hh), np.zeros_like(w_ih)
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        s, tc = gates[t], tcs[t]
        i, f, gg, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
        dh = g[t] + dh_next
        dc = dc_next + dh * o * (1.0 - tc * tc)
        da = da_all[t]
        da[:, :H] = dc * gg * i * (1.0 - i)
        da[:, H:2 * H] = dc * cs[t] * f * (1.0 - f)
        da[:, 2 * H:3 * H] = dc * i * (1.0 - gg * gg)
        da[:, 3 * H:] = dh * tc * o * (1.0 - o)
        dc_next = dc * f
        dw_hh += da.T @ hs[t]
        if not batched:
            dw_ih += da.T @ x[t]
        dh_next = da @ w_hh
    flat = da_all.reshape(T * N, 4 * H)
    if batched:
        dw_ih = flat.T @ x.reshape(T * N, -1)
    db = flat.sum(axis=0)
    return [dw_ih, dw_hh, db, db.copy()]


def build_engine(x: np.ndarray, params: list[np.ndarray]) -> tuple[gn.Graph, gn.Node, list[gn.Variable]]:
    """``nn.LSTM`` with the given parameters on x: (graph, output node, its four Variables)."""
    T, N, I = x.shape
    lstm = nn.LSTM(I, params[1].shape[1])
    lstm.load_state_dict(dict(zip(NAMES, params)))
    out, _ = lstm(gn.Constant(x, name="x"))
    return gn.Graph(out), out, [getattr(lstm, name) for name in NAMES]


def torch_step(x: np.ndarray, g: np.ndarray, params: list[np.ndarray]):
    """The same step in torch (CPU, one thread), or None where torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    tx, tg = torch.tensor(x), torch.tensor(g)
    lstm = torch.nn.LSTM(x.shape[2], params[1].shape[1]).double()
    lstm.load_state_dict({name: torch.tensor(p) for name, p in zip(NAMES, params)})

    def step() -> None:
        lstm(tx)[0].backward(tg)
        torch_sgd(lstm.parameters(), LR)

    return step


def bench_case(case: Case, quick: bool) -> tuple[float, list[float], float | None]:
    """Check gradients once, then time the steps: (engine ms, [numpy ms batched, numpy ms
    step by step], torch ms or None)."""
    x, g, params = make_problem(case)
    graph, out, weights = build_engine(x, params)
    graph.forward()
    graph.backward(out, g)
    for batched in (True, False):
        agreed(case.name, weights, numpy_grads(x, g, params, batched))
    print(f"  {case.name}: engine and numpy gradients agree (4 arrays)")
    repeats = max(5, case.repeats // 10) if quick else case.repeats
    warmup = 2 if quick else 5
    engine_step = engine_sgd(graph, out, g, weights, LR)
    times = []
    for batched in (True, False):
        numpy_params = [p.copy() for p in params]

        def numpy_step(batched=batched) -> None:
            grads = numpy_grads(x, g, numpy_params, batched)
            numpy_params[:] = [p - LR * d for p, d in zip(numpy_params, grads)]

        times.append(time_pair(engine_step, numpy_step, repeats, warmup))
    engine_ms = min(e for e, _ in times)
    numpy_ms = [n for _, n in times]
    step = torch_step(x, g, params)
    torch_ms = None if step is None else time_pair(step, step, repeats, warmup)[0]
    return engine_ms, numpy_ms, torch_ms


def main(argv: list[str] | None = None) -> int:
    args = started(__doc__, argv)
    print("\nAn LSTM over T steps: forward, backward from the whole output, update (median)")
    rows = [(case, *bench_case(case, args.quick)) for case in CASES]
    print(f"\n{'case':<17}{'engine ms':>10}{'numpy ms':>10}{'ratio':>8}{'numpy/step':>11}{'ratio':>8}"
          f"{'target':>8}{'torch ms':>10}")
    for case, engine_ms, (batched_ms, stepped_ms), torch_ms in rows:
        torch_text = "-" if torch_ms is None else f"{torch_ms:.2f}"
        print(f"{case.name:<17}{engine_ms:>10.2f}{batched_ms:>10.2f}{engine_ms / batched_ms:>7.2f}x"
              f"{stepped_ms:>11.2f}{engine_ms / stepped_ms:>7.2f}x{case.target:>7.2f}x{torch_text:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
