"""Benchmark the gradient strip of an RNN and an LSTM of 50 steps, as the window plays a pass.

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_recurrence.py

An RNN and an LSTM (N = 32, H = 32) read the same sequence of T = 50 steps in one graph.
Printed, never asserted: finding both layers' steps (once per graph), their strips at a
position of the recorded backward pass and their gates (at every step of a pass being
played), scaling the recurrent weights and running both passes again (one move of the scale
control), and the view drawing a step of the pass (offscreen), with the scale following the
norms shown and with the whole pass's norms as its extent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

import numpy as np  # noqa: E402

import graphviz_nn as gn  # noqa: E402
from graphviz_nn import nn  # noqa: E402
from graphviz_nn.engine import Constant, Graph  # noqa: E402
from graphviz_nn.session.playback import Cursor, record  # noqa: E402
from graphviz_nn.session.recurrence import (  # noqa: E402
    find_unrollings, gate_values, gradient_strip, scale_recurrent_weights,
)
from tests.benchmarks.timing import median_seconds  # noqa: E402

T, N, H = 50, 32, 32


def main() -> None:
    rng = np.random.default_rng(0)
    x = Constant(rng.standard_normal((T, N, 2)), "x")
    rnn, lstm = nn.RNN(2, H, rng=rng), nn.LSTM(2, H, rng=rng)
    loss = gn.sum(rnn(x)[0][T - 1]) + gn.sum(lstm(x)[0][T - 1])
    graph = Graph(loss)
    print(f"RNN and LSTM, T = {T}, N = {N}, H = {H}: {len(graph)} nodes")
    found = find_unrollings(graph)
    recording = record(graph, "backward", loss)
    middle = Cursor(recording, len(recording) // 2)
    figures = {
        "finding the steps (once a graph)": lambda: find_unrollings(graph),
        "the strips at a step of the pass": lambda: [gradient_strip(u, middle) for u in found],
        "the gates over time": lambda: [gate_values(u) for u in found],
    }
    for name, run in figures.items():
        print(f"  {name}: {1e3 * median_seconds(run, 20):.2f} ms")

    def rescaled() -> None:
        saved = scale_recurrent_weights([u.weight_hh for u in found], 2.0)
        graph.forward()
        graph.backward()
        saved.restore()

    print(f"  scaling Wₕₕ and both passes again: {1e3 * median_seconds(rescaled, 5):.1f} ms")
    graph.backward()
    _view_figures(found, recording)


def _view_figures(found, recording) -> None:
    from graphviz_nn.gui.app import application
    from graphviz_nn.gui.docks.recurrence_view import RecurrenceView

    app = application()
    view = RecurrenceView()
    view.resize(420, 640)
    view.show()
    view.show_gates([gate_values(u) for u in found])
    whole = [gradient_strip(u) for u in found]
    positions = [k * len(recording) // T for k in range(T)]
    for extent, name in (((), "the scale following the norms shown"), (whole, "the whole pass's scale")):
        view.show_strips(whole, extent)
        app.processEvents()

        def play() -> None:
            for position in positions:
                view.show_strips([gradient_strip(u, Cursor(recording, position)) for u in found], extent)
                app.processEvents()

        print(f"  the view, a step of the pass, {name}: {1e3 * median_seconds(play, 3) / len(positions):.2f} ms")


if __name__ == "__main__":
    main()
