"""An unrolled loop in the window: the 50-step LSTM opens expanded, plays and has its steps
collapsed and opened again without the window ever freezing (a fresh window process while a
10 ms timer ticks). How fast is tests/benchmarks/bench_window.py's and bench_layout.py's to say."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ..window_probe import LOOP_PROBE


def test_opening_playing_and_folding_a_50_step_lstm_never_freezes() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", LOOP_PROBE], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["nodes"] == seen["boxes"] > 50 * 10  # every node of the 50 steps drawn: opened expanded
    assert seen["played"] > 10  # the backward pass moved on while playing
    assert 50 < seen["boxes_after"] < seen["boxes"]  # a box per step, one of them opened
    for what in ("open_gap", "play_gap", "toggle_gap"):
        assert seen[what] < 1.0, f"{what}: the event loop was blocked for {seen[what] * 1000:.0f} ms"
