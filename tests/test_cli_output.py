"""The command line's output and ending: ``-o -``, a reader that goes away, Ctrl+C, the train
options that were taken wrongly, and the hint after a divergence."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from graphviz_nn.cli import main

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphviz_nn", *args], capture_output=True,
                          timeout=120, cwd=cwd, env=env or ENV)


def test_render_to_standard_output_writes_no_file(tmp_path) -> None:
    done = _cli("render", "x * y + sin(x)", "-o", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("digraph")  # DOT unless --format says otherwise
    png = _cli("render", "x * y", "-o", "-", "--format", "png", cwd=tmp_path)
    assert png.returncode == 0 and png.stdout.startswith(b"\x89PNG\r\n\x1a\n"), png.stderr
    assert list(tmp_path.iterdir()) == []


def test_shot_to_standard_output_writes_no_file(tmp_path) -> None:
    done = _cli("shot", "--size", "640x400", "-o", "-", cwd=tmp_path,
                env={**ENV, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["config"])


def test_a_reader_that_goes_away_ends_training_quietly(tmp_path) -> None:
    """``graphviz-nn train --json | head -3``."""
    child = subprocess.Popen([sys.executable, "-m", "graphviz_nn", "train", "--dataset", "xor",
                              "--epochs", "100000", "--json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=tmp_path, env=ENV)
    lines = [child.stdout.readline() for _ in range(3)]
    child.stdout.close()
    status = child.wait(timeout=120)
    err = child.stderr.read().decode()
    child.stderr.close()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3]
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert status == 141


@pytest.mark.skipif(sys.platform == "win32", reason="a console's Ctrl+C is not a signal to send there")
def test_ctrl_c_closes_the_window(tmp_path) -> None:
    env = {**ENV, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    child = subprocess.Popen([sys.executable, "-m", "graphviz_nn", "window"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    try:
        time.sleep(4)  # the window opens; an interrupt during start-up would only stop it sooner
        deadline = time.monotonic() + 30
        while child.poll() is None and time.monotonic() < deadline:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        assert child.poll() is not None, "Ctrl+C did not close the window"
        err = child.stderr.read().decode()
        assert child.returncode == 130, err
        assert "Traceback" not in err, err
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()


def test_a_test_fraction_of_0_trains_on_every_row(capsys) -> None:
    assert main(["train", "--dataset", "iris", "--test-fraction", "0", "--epochs", "2", "--json"]) == 0
    final = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert final["test_accuracy"] is None and final["test_loss"] is None
    assert main(["train", "--dataset", "iris", "--test-fraction", "0", "--epochs", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("on iris: 150 training rows, no test rows")
    assert "test loss -" in out[-1]


@pytest.mark.parametrize("args, message", [
    (["--weight-decay", "nan"], "--weight-decay must be 0 or more, found nan"),
    (["--weight-decay", "inf"], "--weight-decay must be 0 or more, found inf"),
    (["--weight-decay", "-0.1"], "--weight-decay must be 0 or more, found -0.1"),
    (["--lr", "nan"], "--lr must be a positive number, found nan"),
    (["--test-fraction", "1"], "--test-fraction must be in [0, 1), found 1.0: give 0 for no test rows"),
    (["--test-fraction", "nan"], "--test-fraction must be in [0, 1)"),
])
def test_non_finite_and_negative_settings_are_refused(args, message, capsys) -> None:
    assert main(["train", "--dataset", "iris", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def _large_features(path: Path) -> Path:
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 5e3, (200, 2))
    rows = "".join(f"{a:.2f},{b:.2f},{int(a > b)}\n" for a, b in X)
    path.write_text("a,b,label\n" + rows)
    return path


def test_a_divergence_from_unscaled_features_says_to_normalise(tmp_path) -> None:
    path = _large_features(tmp_path / "large.csv")
    done = _cli("train", "--dataset", str(path), "--activation", "relu", "--output-activation",
                "identity", "--lr", "0.1", "--epochs", "300", cwd=tmp_path)
    err = done.stderr.decode().strip().splitlines()
    assert done.returncode == 1 and len(err) == 1, err
    assert err[0].endswith("(the features reach 4.99e+03 and are not normalised: add --normalise, "
                           "which standardises them)")
    assert "smaller --lr" not in err[0]


def test_a_divergence_from_large_targets_says_to_rescale_them(tmp_path) -> None:
    rng = np.random.default_rng(0)
    rooms = rng.uniform(0, 10, 200)
    path = tmp_path / "prices.csv"
    path.write_text("rooms,price\n" + "".join(f"{r:.3f},{round(r * 5e4)}\n" for r in rooms))
    done = _cli("train", "--dataset", str(path), "--normalise", "--activation", "relu",
                "--output-activation", "identity", "--loss", "mse", "--epochs", "50", cwd=tmp_path)
    err = done.stderr.decode().strip()
    assert done.returncode == 1, err
    assert "the targets reach 4.99e+05: rescale the target column, e.g. divide it by 100000" in err


def test_how_a_file_was_read_is_said_first(tmp_path, capsys) -> None:
    path = tmp_path / "years.csv"
    path.write_text("x;year\n" + "".join(f"{i};{1950 + i}\n" for i in range(60)))
    assert main(["train", "--dataset", str(path), "--output-activation", "identity", "--loss", "mse",
                 "--normalise", "--epochs", "1"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == ("years: columns separated by semicolons; target 'year': 60 distinct whole numbers, "
                     "more than 20: read as a number to predict (regression), not as classes")
