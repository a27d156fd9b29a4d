"""Saving and opening a session file with a long training history.

Run from the repository root::

    python tests/benchmarks/bench_session.py [--quick]

A 2-8-1 network's session with 1,000, 10,000 and 50,000 epoch records (a long xor run in the
window) is saved with ``save_session`` and opened with ``load_session``, beside the floor for
the same records: ``json.dumps`` / ``json.loads`` of plain dicts and a deflate at the same
level, with no checks and no file. Saving runs on the window's thread, so its time is a
freeze. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from graphviz_nn.io import SessionState, load_session, save_session  # noqa: E402
from graphviz_nn.nn import EpochRecord, LayerNet  # noqa: E402
from tests.benchmarks.timing import median_seconds  # noqa: E402

SIZES = (1_000, 10_000, 50_000)


def _state(epochs: int) -> SessionState:
    rng = np.random.default_rng(0)
    net = LayerNet([2, 8, 1], "tanh", "sigmoid", "bce", rng=rng)
    net.set_data(rng.normal(size=(16, 2)), np.zeros((16, 1)))
    net.graph.forward()
    values = rng.random((epochs, 7))
    history = tuple(
        EpochRecord(e + 1, float(v[0]), float(v[1]), float(v[2]), float(v[3]),
                    (("layer 1", float(v[4])), ("output", float(v[5]))), float(v[6]) * e)
        for e, v in enumerate(values)
    )
    return SessionState(graph=net.graph, output_id=net.graph.id_of(net.loss), title="bench", history=history)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats (smoke run)")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 5
    print(f"{'epochs':>8}{'save ms':>10}{'floor ms':>10}{'open ms':>10}{'floor ms':>10}{'file MB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.gnn"
        for epochs in SIZES:
            state = _state(epochs)
            plain = [r._asdict() for r in state.history]
            saved = median_seconds(lambda: save_session(path, state), repeats)
            text = json.dumps(plain).encode()
            packed = zlib.compress(text, 1)
            save_floor = median_seconds(lambda: zlib.compress(json.dumps(plain).encode(), 1), repeats)
            opened = median_seconds(lambda: load_session(path), repeats)
            open_floor = median_seconds(lambda: json.loads(zlib.decompress(packed)), repeats)
            assert len(load_session(path).history) == epochs
            print(f"{epochs:>8}{saved * 1e3:>10.0f}{save_floor * 1e3:>10.0f}{opened * 1e3:>10.0f}"
                  f"{open_floor * 1e3:>10.0f}{path.stat().st_size / 1e6:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
